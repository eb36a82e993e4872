//! One listing by ranges of the key space at the same time, on any key layout.
//!
//! A range is `(lo, hi]`: it lists from just after `lo` and keeps the keys up to
//! `hi` (no `hi`: to the end of the scope). Ranges start as one; then
//! - the bucket's "folders" (one delimiter listing, descending while there are
//!   few) cut it along its hierarchy;
//! - a range with no end is probed with one-key listings at the markers that
//!   close each level of its current key (`split::ladder`), which bounds it and
//!   cuts it geometrically;
//! - whenever a stream is idle, the range with the most pages left gives away
//!   its far part (`split::cut`): work stealing, so a skewed bucket spreads too.
//!
//! Exactly once: a range accepts a page's keys under the board's lock, against
//! its `hi` at that moment, and a cut only ever moves `hi` down to a marker
//! above every key the range has accepted; the new range lists from that
//! marker. A key's versions (or uploads) all belong to the range its key falls
//! in, so a version listing resumed mid-key stays in its range.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::stream::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, Notify, Semaphore};
use tokio::task::JoinSet;

use super::layout::KeyLayout;
use super::split;
use super::{From, Source};
use crate::oss::client::Advance;
use crate::oss::OssError;

/// Entries a listing page asks for.
const PAGE: u32 = 1000;
/// A range is worth cutting only with at least this many pages left.
const MIN_PAGES_LEFT: f64 = 1.0;
/// Ladders (rounds of one-key probes) a listing may send.
const MAX_LADDERS: u32 = 3;
/// Probes in one ladder: rungs along the current key's levels, and a fan over
/// the characters above it at the shallowest level.
const LADDER_RUNGS: usize = 6;
const LADDER_FAN: usize = 3;
/// Spans an interrupted listing leaves open at most (its journal stays small).
pub const MAX_OPEN_SPANS: usize = 256;
/// Delimiter listings a listing may send to find folders.
const MAX_FOLDER_LISTINGS: u32 = 8;

/// A part of a listing's key space: the keys after `lo` (none: from the
/// start) up to and including `hi` (none: to the end).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub lo: Option<String>,
    pub hi: Option<String>,
}

impl Span {
    pub fn whole() -> Self {
        Span { lo: None, hi: None }
    }
}

/// At most `max` spans from `spans` (ascending): neighbours merged two by
/// two. A merged span also covers what lay between them; listing costs a
/// request per thousand entries there are, so a part already emptied costs
/// nothing more.
pub fn merge_spans(mut spans: Vec<Span>, max: usize) -> Vec<Span> {
    while spans.len() > max.max(1) {
        spans = spans
            .chunks(2)
            .map(|pair| Span {
                lo: pair[0].lo.clone(),
                hi: pair[pair.len() - 1].hi.clone(),
            })
            .collect();
    }
    spans
}

/// How a listing starts.
#[derive(Clone, Debug, Default)]
pub struct Start {
    /// The spans to list, ascending and disjoint (none: the whole scope).
    pub spans: Vec<Span>,
    /// Entries listed and not settled yet by the consumer
    /// ([`ListingStats::settled`]) at most: the listing waits rather than run
    /// further ahead, so an interrupted run has little listed and not done.
    pub lead: Option<usize>,
}

impl Start {
    /// One span per interval between `seeds` (ascending).
    pub fn seeded(seeds: &[String]) -> Self {
        if seeds.is_empty() {
            return Start::default();
        }
        let mut bounds: Vec<Option<String>> = vec![None];
        bounds.extend(seeds.iter().cloned().map(Some));
        bounds.push(None);
        Start {
            spans: bounds
                .windows(2)
                .map(|w| Span {
                    lo: w[0].clone(),
                    hi: w[1].clone(),
                })
                .collect(),
            lead: None,
        }
    }
}

/// What a listing sent, by kind; and, for a consumer that settles what it
/// was given, which parts of the key space are done.
#[derive(Debug, Default)]
pub struct ListingStats {
    pub pages: AtomicU64,
    pub probes: AtomicU64,
    pub folder_listings: AtomicU64,
    pub ranges: AtomicU64,
    /// Ranges whose listing found nothing in them (a cut that missed).
    pub empty_ranges: AtomicU64,
    /// Where the keys sent on lie, for a later listing of the same scope.
    map: Mutex<KeyLayout>,
    board: Arc<Mutex<Board>>,
    /// Entries that may still be listed before the consumer settles some.
    lead: Option<Arc<Semaphore>>,
}

/// [`ListingStats`] read at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListingTally {
    pub pages: u64,
    pub probes: u64,
    pub folder_listings: u64,
    pub ranges: u64,
    pub empty_ranges: u64,
}

impl ListingTally {
    pub fn add(&mut self, o: &ListingTally) {
        self.pages += o.pages;
        self.probes += o.probes;
        self.folder_listings += o.folder_listings;
        self.ranges += o.ranges;
        self.empty_ranges += o.empty_ranges;
    }
}

impl ListingStats {
    pub fn tally(&self) -> ListingTally {
        let r = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ListingTally {
            pages: r(&self.pages),
            probes: r(&self.probes),
            folder_listings: r(&self.folder_listings),
            ranges: r(&self.ranges),
            empty_ranges: r(&self.empty_ranges),
        }
    }

    /// Where the keys listed so far lie.
    pub fn key_map(&self) -> KeyLayout {
        self.map.lock().unwrap().clone()
    }

    /// The consumer is done with these entries (by key: deleted, failed or
    /// left alone). A range whose listing ended and whose every entry is
    /// settled is done: [`open_spans`](Self::open_spans) leaves it out.
    pub fn settled<'a>(&self, keys: impl IntoIterator<Item = &'a str>) {
        let n = self.board.lock().unwrap().settle(keys);
        if let Some(lead) = &self.lead {
            lead.add_permits(n as usize);
        }
    }

    /// The parts of the key space not done yet, ascending, at most
    /// [`MAX_OPEN_SPANS`] (neighbours merged beyond that): what a resumed
    /// listing lists again, one range per span from the start.
    pub fn open_spans(&self) -> Vec<Span> {
        self.board.lock().unwrap().open_spans(MAX_OPEN_SPANS)
    }

    fn bump(a: &AtomicU64, n: u64) {
        a.fetch_add(n, Ordering::Relaxed);
    }
}

/// Lists `source` by up to `streams` ranges at once, starting with one range
/// per span of `start` (none: one range, cut as the layout shows itself).
/// Pages come in no particular order; the stream ends after the last range,
/// or after the first error. Dropping the stream stops every range.
pub fn list_ranges<S: Source>(
    source: Arc<S>,
    streams: usize,
    start: Start,
) -> super::Listed<S::Item> {
    let streams = streams.max(1);
    let (tx, rx) = mpsc::channel(streams * 2);
    let seeded = !start.spans.is_empty();
    let stats = Arc::new(ListingStats {
        board: Arc::new(Mutex::new(Board::new(source.prefix(), &start.spans))),
        // Room for a page more than a batch can hold back, whatever is asked.
        lead: start
            .lead
            .map(|n| Arc::new(Semaphore::new(n.max(3 * PAGE as usize)))),
        ..Default::default()
    });
    let task = tokio::spawn(coordinate(source, streams, seeded, tx, stats.clone()));
    struct Abort(tokio::task::JoinHandle<()>);
    impl Drop for Abort {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let pages = futures::stream::unfold((rx, Abort(task)), |(mut rx, guard)| async move {
        rx.recv().await.map(|page| (page, (rx, guard)))
    })
    .boxed();
    (pages, stats)
}

type Pages<T> = mpsc::Sender<Result<Vec<T>, OssError>>;

enum Found {
    Folders(Vec<String>),
    Ladder(usize, Vec<(String, Option<String>)>),
}

async fn coordinate<S: Source>(
    source: Arc<S>,
    streams: usize,
    seeded: bool,
    tx: Pages<S::Item>,
    stats: Arc<ListingStats>,
) {
    let board = stats.board.clone();
    let changed = Arc::new(Notify::new());
    let mut running: JoinSet<Result<(), OssError>> = JoinSet::new();
    let mut probing: JoinSet<Found> = JoinSet::new();
    // Spans given already follow the layout: no folders to find.
    let mut folders_started = streams == 1 || seeded;
    let mut folders_done = folders_started;
    loop {
        if !folders_started && board.lock().unwrap().worth_cutting() {
            folders_started = true;
            let (source, stats) = (source.clone(), stats.clone());
            probing.spawn(async move { Found::Folders(folders(&*source, streams, &stats).await) });
        }
        // Start waiting ranges while streams are free; then put idle streams to work.
        while running.len() < streams {
            let Some((id, lo)) = board.lock().unwrap().next_waiting() else {
                break;
            };
            ListingStats::bump(&stats.ranges, 1);
            running.spawn(list_range(
                source.clone(),
                board.clone(),
                id,
                lo,
                tx.clone(),
                changed.clone(),
                stats.clone(),
            ));
        }
        if running.len() < streams && folders_done {
            let idle = streams - running.len();
            let next = board.lock().unwrap().next_move(probing.is_empty(), idle);
            match next {
                Some(Move::Cut) => continue,
                Some(Move::Ladder(id, rungs)) => {
                    let (source, stats) = (source.clone(), stats.clone());
                    probing.spawn(async move {
                        ListingStats::bump(&stats.probes, rungs.len() as u64);
                        let probes = rungs.into_iter().map(|m| {
                            let page = source.page(&From::After(m.clone()), 1);
                            async move {
                                let first = page.await.ok().and_then(|p| {
                                    p.items.first().map(|i| S::key_of(i).to_string())
                                });
                                (m, first)
                            }
                        });
                        Found::Ladder(id, futures::future::join_all(probes).await)
                    });
                }
                None => {}
            }
        }
        if running.is_empty() && probing.is_empty() && !board.lock().unwrap().waiting() {
            tracing::debug!(op = S::OP, tally = ?stats.tally(), "listing done");
            return;
        }
        tokio::select! {
            Some(done) = running.join_next(), if !running.is_empty() => {
                let failed = match done {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e),
                    Err(e) => Some(OssError::InvalidInput(format!("listing task failed: {e}"))),
                };
                if let Some(e) = failed {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            }
            Some(found) = probing.join_next(), if !probing.is_empty() => {
                let mut b = board.lock().unwrap();
                match found {
                    Ok(Found::Folders(bounds)) => {
                        folders_done = true;
                        b.cut_at(0, &bounds, None);
                    }
                    Ok(Found::Ladder(id, found)) => {
                        for k in found.iter().filter_map(|(_, k)| k.as_deref()) {
                            b.alphabet.learn(k);
                        }
                        let (cuts, top) = read_ladder(&found);
                        b.laddering = None;
                        b.cut_at(id, &cuts, top);
                    }
                    Err(_) => folders_done = true,
                }
            }
            _ = changed.notified() => {}
            _ = tx.closed() => return,
        }
    }
}

/// Lists one range to its end (its `hi` may move down while it runs).
async fn list_range<S: Source>(
    source: Arc<S>,
    board: Arc<Mutex<Board>>,
    id: usize,
    lo: Option<String>,
    tx: Pages<S::Item>,
    changed: Arc<Notify>,
    stats: Arc<ListingStats>,
) -> Result<(), OssError> {
    let mut from = match lo {
        Some(k) => From::After(k),
        None => From::Start,
    };
    let mut advance: Advance<S::Marker> = Advance::default();
    let mut current: Option<S::Marker> = None;
    let mut accepted = 0u64;
    loop {
        // Wait while the consumer holds enough listed and not settled.
        if let Some(lead) = &stats.lead {
            match lead.acquire_many(PAGE).await {
                Ok(p) => p.forget(),
                Err(_) => return Ok(()),
            }
        }
        let page = source.page(&from, PAGE).await?;
        ListingStats::bump(&stats.pages, 1);
        if let Some(n) = &page.next {
            advance.marker(S::OP, current.as_ref(), n)?;
            advance.items(S::OP, n, page.items.len())?;
        }
        let more = page.next.is_some();
        let (items, finished) = board
            .lock()
            .unwrap()
            .accept(id, page.items, more, S::key_of);
        if let Some(lead) = &stats.lead {
            lead.add_permits(PAGE as usize - items.len().min(PAGE as usize));
        }
        accepted += items.len() as u64;
        if let Some(last) = items.last() {
            stats
                .map
                .lock()
                .unwrap()
                .record(S::key_of(last), items.len() as u64);
        }
        if !items.is_empty() && tx.send(Ok(items)).await.is_err() {
            return Ok(());
        }
        changed.notify_one();
        if finished {
            if accepted == 0 {
                ListingStats::bump(&stats.empty_ranges, 1);
            }
            return Ok(());
        }
        let next = page.next.expect("a page with more names where");
        from = From::Resume(next.clone());
        current = Some(next);
    }
}

/// Folder boundaries: the delimiter listing of the scope, then of its folders
/// while there are fewer than `streams` (a single top folder, a few years),
/// within a bounded number of requests.
async fn folders<S: Source>(source: &S, streams: usize, stats: &ListingStats) -> Vec<String> {
    let mut bounds: Vec<String> = Vec::new();
    let mut level = vec![source.prefix().to_string()];
    let mut sent = 0u32;
    for _depth in 0..3 {
        if level.is_empty() || sent + level.len() as u32 > MAX_FOLDER_LISTINGS {
            break;
        }
        sent += level.len() as u32;
        ListingStats::bump(&stats.folder_listings, level.len() as u64);
        let found = futures::future::join_all(level.iter().map(|p| source.folders(p))).await;
        let mut next: Vec<String> = Vec::new();
        for f in found {
            match f {
                Ok(f) => next.extend(f),
                Err(_) => return bounds,
            }
        }
        next.sort();
        bounds.extend(next.iter().cloned());
        if bounds.len() >= streams {
            break;
        }
        level = next;
    }
    bounds.sort();
    bounds.dedup();
    split::spread(bounds, streams * 4)
}

mod board;
use board::{read_ladder, Board, Move};

#[cfg(test)]
mod tests;
