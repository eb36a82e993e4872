//! The report pane: what was deleted, what failed and why, whether each bucket
//! is gone, and where the audit report is.

use std::path::PathBuf;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use std::time::Duration;

use super::progress::Progress;
use crate::delete::Summary;
use crate::engine::Preflight;
use crate::units::count;
use crate::units::duration;

use super::super::theme::Theme;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub summaries: Vec<Summary>,
    /// What each bucket's run set out to do (the outcome sentences use it).
    pub preflights: Vec<Preflight>,
    pub report_file: Option<PathBuf>,
    /// Why the run died, when it did.
    pub error: Option<crate::engine::RunFailed>,
    /// The run's time, as the progress pane showed it.
    pub elapsed: Duration,
    pub scroll: u16,
    /// The most `scroll` can be (set when drawn).
    pub max_scroll: std::cell::Cell<u16>,
}

impl Report {
    pub fn new(
        progress: Progress,
        summaries: Vec<Summary>,
        error: Option<crate::engine::RunFailed>,
        report_file: Option<PathBuf>,
    ) -> Self {
        Report {
            elapsed: progress.elapsed(),
            preflights: progress.preflights,
            summaries,
            report_file,
            error,
            scroll: 0,
            max_scroll: std::cell::Cell::new(0),
        }
    }

    /// The bucket of a one-bucket run that fresh listings kept finding
    /// entries in (something writes) and that did not freeze writes: `F`
    /// offers it again with writes frozen.
    pub fn outrun(&self) -> Option<String> {
        match self.summaries.as_slice() {
            [s] if s.kind == crate::vocab::BucketKind::Object
                && s.freeze.is_none()
                && s.error
                    .as_ref()
                    .is_some_and(|e| e.kind == crate::delete::event::StopKind::Outrun) =>
            {
                Some(s.bucket.clone())
            }
            _ => None,
        }
    }

    /// The bucket to go back to: one bucket that was cleared and still exists.
    pub fn return_to(&self) -> Option<(crate::vocab::BucketKind, String)> {
        match (self.preflights.as_slice(), self.summaries.as_slice()) {
            ([p], [s]) if !s.bucket_deleted && !p.action.deletes_bucket() => {
                Some((p.kind, p.bucket.clone()))
            }
            ([p], []) if !p.action.deletes_bucket() => Some((p.kind, p.bucket.clone())),
            _ => None,
        }
    }
}

pub fn render(s: &Report, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        format!(" Finished in {}", duration(s.elapsed.as_secs())),
        theme.muted,
    ))];
    if let Some(e) = &s.error {
        lines.push(Line::from(Span::styled(
            format!(" The run failed: {e}"),
            theme.danger,
        )));
    }
    for sm in &s.summaries {
        let verb = if sm.dry_run {
            "would delete"
        } else {
            "deleted"
        };
        let noun = sm.kind.noun();
        let (status, style) = if sm.bucket_deleted {
            (format!("{noun} deleted"), theme.ok)
        } else if sm.deleted_elsewhere {
            (format!("{noun} deleted by someone else"), theme.warn)
        } else if sm.cancelled {
            (format!("cancelled: {noun} kept"), theme.warn)
        } else if sm.complete() {
            (format!("{noun} kept"), theme.ok)
        } else {
            (format!("{noun} kept"), theme.danger)
        };
        let heading = match s.preflights.iter().find(|p| p.bucket == sm.bucket) {
            Some(p) => format!("{} ({})", p.bucket, p.action.asked(p.kind)),
            None => sm.bucket.clone(),
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {heading}: "), theme.title),
            Span::styled(status, style),
        ]));
        if let Some(p) = s.preflights.iter().find(|p| p.bucket == sm.bucket) {
            lines.push(Line::from(format!("   {}", p.outcome(sm))));
            if let Some(money) = p.money_outcome(sm) {
                lines.push(Line::from(Span::styled(format!("   {money}"), theme.muted)));
            }
        }
        if sm.earlier.is_some() {
            // A resumed run: the whole run's totals, then this session's.
            let (n, b) = sm.this_session();
            lines.push(Line::from(format!(
                "   {verb} {} ({}) in all its sessions",
                crate::units::counted(sm.deleted(), "item", "items"),
                sm.bytes_text()
            )));
            lines.push(Line::from(format!(
                "   this session: {verb} {} ({}) with {}; {} retries, {} throttled",
                count(n),
                crate::units::bytes(b),
                crate::units::counted(sm.sent, "request", "requests"),
                sm.retries,
                sm.throttles
            )));
        } else {
            lines.push(Line::from(format!(
                "   {verb} {} ({}) with {}; {} retries, {} throttled",
                crate::units::counted(sm.deleted(), "item", "items"),
                sm.bytes_text(),
                crate::units::counted(sm.sent, "request", "requests"),
                sm.retries,
                sm.throttles
            )));
        }
        for (c, t) in &sm.categories {
            if t.deleted + t.failed + t.skipped > 0 {
                let mut l = format!("   {:<32} {:>10} {verb}", c.label(), count(t.deleted));
                if t.failed > 0 {
                    l.push_str(&format!(", {} failed", count(t.failed)));
                }
                if t.skipped > 0 {
                    l.push_str(&format!(", {} skipped", count(t.skipped)));
                }
                lines.push(Line::from(l));
            }
        }
        if let Some(v) = sm.replies_line() {
            lines.push(Line::from(format!("   {v}")));
        }
        if let Some(v) = sm.verified_line() {
            lines.push(Line::from(Span::styled(format!("   {v}"), theme.ok)));
        }
        if let Some(kept) = sm.unconfirmed_line() {
            lines.push(Line::from(Span::styled(format!("   {kept}"), theme.warn)));
        }
        if let Some(again) = sm.listed_again_line() {
            lines.push(Line::from(Span::styled(format!("   {again}"), theme.warn)));
        }
        if let Some(denied) = sm.permission_line() {
            lines.push(Line::from(Span::styled(format!("   {denied}"), theme.warn)));
        }
        // Grouped by category and code (every key is in the report file).
        for g in &sm.failure_groups {
            lines.push(Line::from(Span::styled(
                format!("   failed: {}", g.line()),
                theme.warn,
            )));
        }
        if let Some(e) = &sm.error {
            lines.push(Line::from(Span::styled(
                format!("   stopped: {e}"),
                theme.danger,
            )));
        }
        if let Some(r) = &sm.remaining {
            lines.push(Line::from(Span::styled(
                format!("   {}", r.explanation),
                theme.warn,
            )));
        }
        if let (true, Some(note)) = (sm.bucket_deleted, sm.name_note()) {
            lines.push(Line::from(Span::styled(format!("   {note}"), theme.muted)));
        }
        match &sm.freeze {
            None | Some(crate::freeze::FreezeOutcome::NotApplied { .. }) => {}
            Some(f @ crate::freeze::FreezeOutcome::LeftOn { .. }) => lines.push(Line::from(
                Span::styled(format!("   {}", f.sentence()), theme.danger),
            )),
            Some(f) => lines.push(Line::from(Span::styled(
                format!("   {}", f.sentence()),
                theme.ok,
            ))),
        }
        if s.outrun().is_some() {
            lines.push(Line::from(Span::styled(
                "   F scans it again and asks to run with writes frozen (a deny-write bucket policy, lifted afterwards).",
                theme.warn,
            )));
        }
        lines.push(Line::from(""));
    }
    match &s.report_file {
        Some(p) => lines.push(Line::from(format!(
            " Every deleted key and version id: {}",
            p.display()
        ))),
        None => lines.push(Line::from(Span::styled(
            " No report file was written.",
            theme.muted,
        ))),
    }
    let lines = super::wrap_all(lines, area.width);
    let visible = area.height.saturating_sub(1);
    let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    s.max_scroll.set(total.saturating_sub(visible));
    let scroll = s.scroll.min(s.max_scroll.get());
    let more = super::more_indicator(scroll, visible, total);
    Paragraph::new(lines)
        .scroll((scroll, 0))
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(" Report ")
                .title(Line::from(Span::styled(more, theme.warn)).right_aligned()),
        )
        .render(area, buf);
}
