//! The progress pane: a gauge per category, rate with a sparkline, bytes freed,
//! requests, retries, throttling, concurrency, elapsed and ETA, and failures.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Sparkline, Widget};

use crate::blockers::Category;
use crate::delete::progress::{eta_secs, CategoryProgress, ProgressState};
use crate::delete::{Event, Summary};
use crate::engine::Preflight;
use crate::units::duration;
use crate::units::{bytes, count};

use super::super::theme::Theme;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Buckets of the run, in order.
    pub buckets: Vec<String>,
    /// The bucket being worked on.
    pub state: ProgressState,
    pub finished: Vec<Summary>,
    /// The preflights the run carries out (the report's numbers come from them).
    pub preflights: Vec<Preflight>,
    /// When the first tick after the start arrived: elapsed time counts from it.
    pub started: Option<Duration>,
    pub now: Duration,
    /// Keys per second, one sample a second (for the sparkline).
    pub rates: Vec<u64>,
    /// Bytes per second, one sample a second.
    pub byte_rates: Vec<u64>,
    last_sample: (Duration, u64),
    last_bytes: u64,
    /// Keys done in buckets already finished.
    done_before: u64,
    /// Keys and bytes earlier sessions of a resumed run deleted: part of
    /// what is done, not of this session's rate.
    carried: (u64, u64),
    pub stopping: bool,
    pub scroll: usize,
    /// The run's journal id, when it keeps one: a stopped run can be resumed.
    pub run_id: Option<String>,
}

/// The category label's column.
const LABEL: u16 = 32;

/// One row of the progress pane: a category of the run, or one outside it.
#[derive(Debug)]
pub enum Row<'a> {
    Run(&'a CategoryProgress),
    Outside(&'static str),
}

impl Progress {
    /// Every category of the bucket's kind, in order: those of the run with
    /// their progress, the others saying why they are not (a resumed run,
    /// with no preflight in this session, shows the run's own).
    pub fn rows(&self) -> Vec<(Category, Row<'_>)> {
        let p = &self.state;
        // Before the run's first event, its first bucket.
        let pf = match p.bucket.is_empty() {
            true => self.preflights.first(),
            false => self.preflights.iter().find(|x| x.bucket == p.bucket),
        };
        let Some(pf) = pf else {
            return p
                .categories
                .iter()
                .map(|(c, r)| (*c, Row::Run(r)))
                .collect();
        };
        let scope = pf.action.scope(pf.kind);
        pf.kind
            .categories()
            .map(|c| {
                let row = match p.categories.get(&c) {
                    Some(r) => Row::Run(r),
                    None if !c.clearable() => {
                        Row::Outside("never deleted by ossweep (use the console)")
                    }
                    None if scope.contains(&c) => Row::Outside("waiting to start"),
                    None => Row::Outside("not in this run"),
                };
                (c, row)
            })
            .collect()
    }

    pub fn new(preflights: Vec<Preflight>, now: Duration) -> Self {
        Progress {
            buckets: preflights.iter().map(|p| p.bucket.clone()).collect(),
            preflights,
            now,
            last_sample: (now, 0),
            ..Default::default()
        }
    }

    /// The progress of a resumed run: its buckets, without a preflight of
    /// this session (the journal keeps what was confirmed).
    pub fn resumed(buckets: Vec<String>, now: Duration) -> Self {
        Progress {
            buckets,
            now,
            last_sample: (now, 0),
            ..Default::default()
        }
    }

    pub fn apply(&mut self, e: &Event) {
        // The engine books what earlier sessions deleted as progress without
        // requests, before this session sends anything.
        if let Event::Progress {
            keys,
            bytes,
            requests: 0,
            ..
        } = e
        {
            self.carried.0 += keys;
            self.carried.1 += bytes;
        }
        if let Event::Finished { summary } | Event::Cancelled { summary } = e {
            self.done_before += summary.deleted();
            self.finished.push(summary.as_ref().clone());
        }
        self.state.apply(e);
    }

    /// Bytes freed so far, every bucket of the run.
    pub fn total_bytes(&self) -> u64 {
        self.finished.iter().map(|s| s.bytes()).sum::<u64>()
            + if self.state.summary.is_some() {
                0
            } else {
                self.state.bytes()
            }
    }

    pub fn total_done(&self) -> u64 {
        self.done_before
            + if self.state.summary.is_some() {
                0
            } else {
                self.state.done()
            }
    }

    /// Keys and bytes this session deleted (for its rates).
    fn this_session(&self) -> (u64, u64) {
        (
            self.total_done().saturating_sub(self.carried.0),
            self.total_bytes().saturating_sub(self.carried.1),
        )
    }

    /// Advances the clock; records a rate sample each second.
    pub fn tick(&mut self, now: Duration) {
        if self.started.is_none() {
            self.started = Some(now);
            let (d, b) = self.this_session();
            self.last_sample = (now, d);
            self.last_bytes = b;
        }
        self.now = now;
        let (at, done) = self.last_sample;
        let elapsed = now.saturating_sub(at);
        if elapsed >= Duration::from_secs(1) {
            let (d, b) = self.this_session();
            let per_sec = |n: u64| (n as f64 / elapsed.as_secs_f64()) as u64;
            self.rates.push(per_sec(d.saturating_sub(done)));
            self.byte_rates
                .push(per_sec(b.saturating_sub(self.last_bytes)));
            for v in [&mut self.rates, &mut self.byte_rates] {
                if v.len() > 120 {
                    v.remove(0);
                }
            }
            self.last_sample = (now, d);
            self.last_bytes = b;
        }
    }

    /// Keys per second, smoothed over the last few seconds; in the first
    /// second, what was done since the start.
    pub fn rate(&self) -> u64 {
        smoothed(&self.rates).unwrap_or_else(|| self.since_start(self.this_session().0))
    }

    /// Bytes per second, smoothed the same way.
    pub fn byte_rate(&self) -> u64 {
        smoothed(&self.byte_rates).unwrap_or_else(|| self.since_start(self.this_session().1))
    }

    fn since_start(&self, n: u64) -> u64 {
        let secs = self.elapsed().as_secs_f64();
        if secs < 0.2 {
            return 0;
        }
        (n.saturating_sub(self.last_sample.1) as f64 / secs) as u64
    }

    pub fn elapsed(&self) -> Duration {
        self.started
            .map_or(Duration::ZERO, |s| self.now.saturating_sub(s))
    }
}

/// Seconds a rate is smoothed over.
const SMOOTHING: usize = 5;

/// The mean of the last samples (`None` before the first).
fn smoothed(samples: &[u64]) -> Option<u64> {
    let last = &samples[samples.len().saturating_sub(SMOOTHING)..];
    (!last.is_empty()).then(|| last.iter().sum::<u64>() / last.len() as u64)
}

/// One category: its label, a bar of its own (never under the text), and
/// `done / total`; a category with nothing to do says so instead of a bar.
fn category_row(
    label: &str,
    c: &crate::delete::progress::CategoryProgress,
    row: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    const COUNTS: u16 = 26;
    let total = c.estimate.unwrap_or(0).max(c.done);
    let counts = if total == 0 && c.finished {
        "nothing to do".to_string()
    } else {
        format!(
            "{} / {}",
            count(c.done),
            if c.estimate.is_some() {
                count(total)
            } else {
                "?".into()
            }
        )
    };
    let failed = if c.failed > 0 {
        format!("  {} failed", count(c.failed))
    } else {
        String::new()
    };
    let bar_width = row.width.saturating_sub(LABEL + COUNTS + 2);
    let text = Line::from(vec![
        Span::raw(format!(" {:<w$}", label, w = (LABEL - 1) as usize)),
        Span::raw(" "),
    ]);
    buf.set_line(row.x, row.y, &text, LABEL + 1);
    let bar_x = row.x + LABEL + 1;
    if total == 0 {
        let mark = if c.finished { "✓" } else { "…" };
        buf.set_string(
            bar_x,
            row.y,
            mark,
            if c.finished { theme.ok } else { theme.muted },
        );
    } else if bar_width > 0 {
        let ratio = (c.done as f64 / total as f64).clamp(0.0, 1.0);
        let filled = (ratio * f64::from(bar_width)).round() as u16;
        let style = if c.failed > 0 { theme.warn } else { theme.ok };
        buf.set_string(bar_x, row.y, "█".repeat(filled as usize), style);
        buf.set_string(
            bar_x + filled,
            row.y,
            "░".repeat((bar_width - filled) as usize),
            theme.muted,
        );
    }
    let right = format!(" {counts}{failed}");
    let x = row.x + row.width.saturating_sub(COUNTS);
    buf.set_stringn(
        x,
        row.y,
        right,
        COUNTS as usize,
        if c.failed > 0 {
            theme.warn
        } else {
            theme.muted
        },
    );
}

/// The progress pane; `stop_prompt`: the question whether to stop is over it.
pub fn render(s: &Progress, stop_prompt: bool, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let p = &s.state;
    let rows = s.rows();
    let [head, gauges, stats, failures] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(rows.len().max(1) as u16),
        Constraint::Length(6),
        Constraint::Min(3),
    ])
    .areas(area);
    let position = s
        .buckets
        .iter()
        .position(|b| *b == p.bucket)
        .map(|i| i + 1)
        .unwrap_or(s.finished.len() + 1);
    // The action confirmed, by name; a resumed run (no preflight in this
    // session) continues what its journal holds.
    let heading = match s.preflights.iter().find(|x| x.bucket == p.bucket) {
        Some(pf) => pf.action.title(&pf.bucket, pf.kind),
        None if p.bucket.is_empty() => "Starting".to_string(),
        None => format!("Resuming {}", p.bucket),
    };
    let mut title = vec![Span::styled(format!(" {heading} "), theme.title)];
    if s.buckets.len() > 1 {
        title.push(Span::styled(
            format!(
                " bucket {} of {}",
                position.min(s.buckets.len()),
                s.buckets.len()
            ),
            theme.muted,
        ));
    }
    if p.dry_run {
        title.push(Span::styled("  (dry run)", theme.warn));
    }
    if s.stopping {
        title.push(Span::styled(
            "  stopping after the batches in flight...",
            theme.warn,
        ));
    }
    Paragraph::new(vec![Line::from(title), Line::from("")]).render(head, buf);

    for (i, (cat, r)) in rows.iter().enumerate() {
        let row = Rect {
            y: gauges.y + i as u16,
            height: 1,
            ..gauges
        };
        match r {
            Row::Run(c) => category_row(cat.label(), c, row, buf, theme),
            Row::Outside(why) => {
                let line = Line::from(vec![
                    Span::raw(format!(" {:<w$} ", cat.label(), w = (LABEL - 1) as usize)),
                    Span::styled(*why, theme.muted),
                ]);
                buf.set_line(row.x, row.y, &super::cut(line, row.width), row.width);
            }
        }
    }

    let [numbers, spark] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(stats);
    let eta = eta_secs(p.done(), p.total(), s.rate() as f64)
        .map(duration)
        .unwrap_or_else(|| "-".into());
    // Short lines, so that even at 80 columns none is cut (and if one is, it ends in `…`).
    let lines: Vec<Line> = vec![
        Line::from(format!(
            " {} keys/s   {}/s",
            count(s.rate()),
            bytes(s.byte_rate()),
        )),
        Line::from(format!(
            " {} freed   {}",
            bytes(p.bytes()),
            crate::units::counted(p.requests, "request", "requests")
        )),
        Line::from(format!(
            " {} retries   {} throttled   {} in flight",
            p.retries,
            p.throttles,
            p.concurrency
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into())
        )),
        Line::from(format!(
            " elapsed {}   ETA {}",
            duration(s.elapsed().as_secs()),
            eta
        )),
        // What the run is doing when no key moves: waiting for a slow reply,
        // or listing again to verify the scope is empty.
        match (&p.waiting, p.verifying) {
            (Some(w), _) => Line::styled(format!(" {}", crate::text::visible(w)), theme.warn),
            (None, Some(pass)) => Line::styled(
                format!(" verifying: listing again found leftovers (pass {pass})"),
                theme.warn,
            ),
            // Otherwise, a freeze the run holds.
            _ => match &p.frozen {
                Some((_, until)) => Line::styled(
                    format!(
                        " writes frozen until {} UTC",
                        crate::oss::time::iso8601_seconds(*until)
                            .get(11..16)
                            .unwrap_or_default()
                    ),
                    theme.warn,
                ),
                None => Line::from(""),
            },
        },
    ]
    .into_iter()
    .map(|l| super::cut(l, numbers.width))
    .collect();
    Paragraph::new(lines)
        .block(Block::default().borders(Borders::TOP).title(" Rate "))
        .render(numbers, buf);
    Sparkline::default()
        .data(&s.rates)
        .block(Block::default().borders(Borders::TOP).title(" keys/s "))
        .style(theme.ok)
        .render(spark, buf);

    let items: Vec<ListItem> = p
        .failures
        .iter()
        .skip(s.scroll)
        .map(|f| {
            let line = Line::from(format!(" {}", f.line()));
            // Wrapped under its first word: a long message is read, not cut.
            ListItem::new(super::hanging(&line, failures.width, 3))
        })
        .collect();
    let title = if p.failures.is_empty() {
        " Failures: none ".to_string()
    } else {
        format!(" Failures ({}) ", count(p.failed()))
    };
    let shown: usize = items.iter().map(ListItem::height).sum();
    let more = match (
        s.scroll > 0,
        shown > usize::from(failures.height.saturating_sub(1)),
    ) {
        (_, true) => " ↓ more: ↑/↓ scroll ",
        (true, false) => " ↑ more above ",
        _ => "",
    };
    List::new(items)
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(title)
                .title(Line::from(Span::styled(more, theme.warn)).right_aligned()),
        )
        .style(theme.warn)
        .render(failures, buf);

    if stop_prompt {
        let detail = match &s.run_id {
            Some(id) => format!("What was deleted stays deleted; nothing else is sent. The rest can be resumed: ossweep resume {id}"),
            None => "What was deleted stays deleted; nothing else is sent.".to_string(),
        };
        super::prompt(
            area,
            buf,
            theme,
            &super::Question {
                question: "Stop after the batches in flight?",
                detail: &detail,
                yes: "stop",
                no_key: "n/Esc",
                no: "keep going",
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Action;
    use crate::scan::{ScanReport, State};

    #[test]
    fn every_category_has_a_row_and_those_outside_the_run_say_why() {
        let mut r = ScanReport::new("b");
        for c in &mut r.categories {
            c.state = State::Clear;
        }
        let parts = r.category_mut(Category::Parts);
        parts.count = 2;
        parts.state = State::Blocks;
        r.finished = true;
        r.complete = true;
        let p = crate::engine::preflight(&r, Action::clear([Category::Parts])).unwrap();
        let mut progress = Progress::new(vec![p], Duration::ZERO);
        let words = |p: &Progress| -> Vec<(Category, String)> {
            p.rows()
                .into_iter()
                .map(|(c, r)| {
                    let w = match r {
                        Row::Run(_) => "run".to_string(),
                        Row::Outside(why) => why.to_string(),
                    };
                    (c, w)
                })
                .collect()
        };
        let before = words(&progress);
        assert_eq!(before.len(), 8, "{before:?}");
        assert_eq!(before[3], (Category::Parts, "waiting to start".into()));
        assert_eq!(before[0], (Category::Objects, "not in this run".into()));
        assert!(before[7].1.starts_with("never deleted by ossweep"));
        progress.apply(&Event::CategoryStarted {
            bucket: "b".into(),
            category: Category::Parts,
            estimate: Some(2),
        });
        assert_eq!(words(&progress)[3], (Category::Parts, "run".into()));
    }
}
