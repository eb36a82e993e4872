//! The ranges of one listing (pure bookkeeping; the lock around it is the
//! only synchronisation): where each range stands, which entries it gave are
//! not settled yet, where to ladder or cut next.

use std::collections::BTreeMap;

use super::super::split::{self, Alphabet};
use super::{merge_spans, Span, LADDER_FAN, LADDER_RUNGS, MAX_LADDERS, MIN_PAGES_LEFT};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    Waiting,
    Running,
    Done,
}

#[derive(Debug)]
pub(super) struct Range {
    pub(super) lo: Option<String>,
    pub(super) hi: Option<String>,
    /// The last key accepted.
    pub(super) pos: Option<String>,
    /// First and last key of the last page with keys: its density.
    pub(super) last_page: Option<(String, String)>,
    pub(super) accepted: u64,
    pub(super) pages: u32,
    pub(super) state: State,
    pub(super) laddered: bool,
    /// Entries accepted that the consumer has not settled yet.
    pub(super) outstanding: u64,
}

impl Range {
    pub(super) fn new(lo: Option<String>, hi: Option<String>) -> Self {
        Range {
            lo,
            hi,
            pos: None,
            last_page: None,
            accepted: 0,
            pages: 0,
            state: State::Waiting,
            laddered: false,
            outstanding: 0,
        }
    }

    /// Where the range stands: nothing at or below it is left to it.
    pub(super) fn floor(&self) -> Option<&str> {
        self.pos.as_deref().or(self.lo.as_deref())
    }
}

/// The ranges of one listing (pure bookkeeping; the lock around it is the
/// only synchronisation).
#[derive(Debug, Default)]
pub(super) struct Board {
    pub(super) ranges: Vec<Range>,
    pub(super) alphabet: Alphabet,
    pub(super) ladders: u32,
    /// The range whose ladder is out: not cut until its answers are in.
    pub(super) laddering: Option<usize>,
    pub(super) prefix: String,
    /// Ranges by their `lo`, ascending (the range with no `lo` apart): which
    /// range a key belongs to.
    pub(super) by_lo: Vec<(String, usize)>,
    pub(super) first: Option<usize>,
}

/// What the coordinator should do to use an idle stream.
#[derive(Debug, PartialEq)]
pub(super) enum Move {
    /// Probe these markers after range `id`'s position.
    Ladder(usize, Vec<String>),
    /// Range `id` was cut; the new range is waiting.
    Cut,
}

impl Board {
    /// One range per span (none: one range over the whole scope).
    pub(super) fn new(prefix: &str, spans: &[Span]) -> Self {
        let mut b = Board {
            prefix: prefix.to_string(),
            ..Default::default()
        };
        if spans.is_empty() {
            b.add(Range::new(None, None));
        }
        for s in spans {
            for k in s.lo.iter().chain(&s.hi) {
                b.alphabet.learn(k);
            }
            b.add(Range {
                // The spans came from a listing of the scope: an open end
                // needs no ladder (cuts still follow any growth).
                laddered: true,
                ..Range::new(s.lo.clone(), s.hi.clone())
            });
        }
        b
    }

    pub(super) fn add(&mut self, r: Range) {
        let id = self.ranges.len();
        match &r.lo {
            None => self.first = Some(id),
            Some(lo) => {
                let at = self
                    .by_lo
                    .partition_point(|(l, _)| l.as_str() < lo.as_str());
                self.by_lo.insert(at, (lo.clone(), id));
            }
        }
        self.ranges.push(r);
    }

    /// The range a key accepted by the listing belongs to: the one with the
    /// greatest `lo` below it (ranges are disjoint, `lo` exclusive).
    pub(super) fn range_of(&self, key: &str) -> Option<usize> {
        let at = self.by_lo.partition_point(|(l, _)| l.as_str() < key);
        match at {
            0 => self.first,
            n => Some(self.by_lo[n - 1].1),
        }
    }

    /// Settles entries by key; returns how many.
    pub(super) fn settle<'a>(&mut self, keys: impl IntoIterator<Item = &'a str>) -> u64 {
        let mut n = 0;
        for k in keys {
            if let Some(id) = self.range_of(k) {
                let r = &mut self.ranges[id];
                r.outstanding = r.outstanding.saturating_sub(1);
            }
            n += 1;
        }
        n
    }

    /// Ranges not done (listing not ended, or entries not settled), as
    /// spans, ascending; past `max`, neighbours are merged two by two (a
    /// merged span also covers the done part between them: listing it costs
    /// nothing more, as nothing is left there).
    pub(super) fn open_spans(&self, max: usize) -> Vec<Span> {
        let mut open: Vec<Span> = self
            .ranges
            .iter()
            .filter(|r| r.state != State::Done || r.outstanding > 0)
            .map(|r| Span {
                lo: r.lo.clone(),
                hi: r.hi.clone(),
            })
            .collect();
        open.sort_by(|a, b| a.lo.cmp(&b.lo));
        merge_spans(open, max)
    }

    pub(super) fn next_waiting(&mut self) -> Option<(usize, Option<String>)> {
        let (id, r) = self
            .ranges
            .iter_mut()
            .enumerate()
            .find(|(_, r)| r.state == State::Waiting)?;
        r.state = State::Running;
        Some((id, r.lo.clone()))
    }

    /// Whether the first range's first page showed more to come: only then is
    /// the listing worth cutting (a small or empty scope costs one request).
    pub(super) fn worth_cutting(&self) -> bool {
        let r = &self.ranges[0];
        r.state == State::Running && r.pages > 0
    }

    pub(super) fn waiting(&self) -> bool {
        self.ranges.iter().any(|r| r.state == State::Waiting)
    }

    /// Keeps the page's keys that belong to range `id` (up to its `hi`);
    /// says whether the range is finished.
    pub(super) fn accept<T>(
        &mut self,
        id: usize,
        mut items: Vec<T>,
        more: bool,
        key_of: fn(&T) -> &str,
    ) -> (Vec<T>, bool) {
        let r = &mut self.ranges[id];
        let over =
            r.hi.as_deref()
                .is_some_and(|h| items.iter().any(|t| key_of(t) > h));
        if let Some(h) = r.hi.as_deref().filter(|_| over) {
            items.retain(|t| key_of(t) <= h);
        }
        if let (Some(f), Some(l)) = (items.first(), items.last()) {
            let (f, l) = (key_of(f).to_string(), key_of(l).to_string());
            r.pos = Some(l.clone());
            r.last_page = Some((f, l));
        }
        r.accepted += items.len() as u64;
        r.outstanding += items.len() as u64;
        r.pages += 1;
        let finished = over || !more;
        if finished {
            r.state = State::Done;
        }
        for t in &items {
            self.alphabet.learn(key_of(t));
        }
        (items, finished)
    }

    /// Cuts range `id` at `markers` (ascending): it keeps up to the first, new
    /// ranges take the rest. With `top` (no key lies after it) the last range
    /// ends there. Markers not strictly inside the range now are dropped.
    pub(super) fn cut_at(&mut self, id: usize, markers: &[String], top: Option<String>) -> usize {
        let r = &self.ranges[id];
        if r.state == State::Done {
            return 0;
        }
        let floor = r.floor().map(str::to_string);
        let inside = |m: &str, hi: Option<&str>| {
            floor.as_deref().is_none_or(|f| m > f) && hi.is_none_or(|h| m < h)
        };
        let mut hi = r.hi.clone();
        if let Some(t) = top.filter(|t| inside(t, hi.as_deref())) {
            hi = Some(t);
        }
        let mut cuts: Vec<String> = markers
            .iter()
            .filter(|m| inside(m, hi.as_deref()))
            .cloned()
            .collect();
        cuts.sort();
        cuts.dedup();
        self.ranges[id].hi = cuts.first().cloned().or_else(|| hi.clone());
        for (i, lo) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).cloned().or_else(|| hi.clone());
            self.add(Range::new(Some(lo.clone()), end));
        }
        cuts.len()
    }

    /// How to use an idle stream: ladder an open range once (when no other
    /// ladder is out), else cut the range with the most pages left.
    pub(super) fn next_move(&mut self, may_ladder: bool, idle: usize) -> Option<Move> {
        let mut donors: Vec<(f64, usize)> = self
            .ranges
            .iter()
            .enumerate()
            .filter(|(_, r)| r.state == State::Running)
            .filter_map(|(id, r)| {
                let (f, l) = r.last_page.as_ref()?;
                let pos = r.pos.as_deref()?;
                let left = split::pages_left(&self.alphabet, pos, r.hi.as_deref(), f, l);
                (left >= MIN_PAGES_LEFT).then_some((left, id))
            })
            .collect();
        donors.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (left, id) in donors {
            if self.laddering == Some(id) {
                continue;
            }
            let r = &self.ranges[id];
            let (Some(pos), Some((f, l))) = (r.pos.clone(), r.last_page.clone()) else {
                continue;
            };
            if r.hi.is_none() && !r.laddered && self.ladders < MAX_LADDERS {
                if !may_ladder {
                    continue;
                }
                let floor = self.prefix.chars().count();
                let deepest = split::common_chars(&f, &l);
                let rungs = split::ladder(
                    &self.alphabet,
                    &pos,
                    floor,
                    deepest,
                    LADDER_RUNGS,
                    LADDER_FAN,
                );
                self.ranges[id].laddered = true;
                if !rungs.is_empty() {
                    self.ladders += 1;
                    self.laddering = Some(id);
                    return Some(Move::Ladder(id, rungs));
                }
            }
            let r = &self.ranges[id];
            let hi = r.hi.clone();
            // Cut into as many pieces as there are idle streams (at most one
            // per two pages left), so a long range spreads at once.
            let pieces = (idle as u64 + 1).min((left / 2.0).max(2.0) as u64);
            if let Some(c) = split::cut(
                &self.alphabet,
                &pos,
                hi.as_deref(),
                &f,
                &l,
                pieces,
                split::MAX_AHEAD_PAGES,
            ) {
                if self.cut_at(id, &c.markers, None) > 0 {
                    return Some(Move::Cut);
                }
            }
        }
        None
    }
}

/// What a ladder's probes found: `(marker, first key after it)`, ascending.
/// Returns the boundaries worth cutting at (one per distinct first key, the
/// highest marker below it) and the first marker with nothing after it.
pub(super) fn read_ladder(found: &[(String, Option<String>)]) -> (Vec<String>, Option<String>) {
    let top = found
        .iter()
        .filter(|(_, k)| k.is_none())
        .map(|(m, _)| m.clone())
        .min();
    let mut by_key: BTreeMap<&str, &str> = BTreeMap::new();
    for (m, k) in found {
        if let Some(k) = k {
            if top.as_deref().is_none_or(|t| m.as_str() < t) {
                let e = by_key.entry(k.as_str()).or_insert(m.as_str());
                if m.as_str() > *e {
                    *e = m.as_str();
                }
            }
        }
    }
    let mut cuts: Vec<String> = by_key.values().map(|m| m.to_string()).collect();
    cuts.sort();
    (cuts, top)
}
