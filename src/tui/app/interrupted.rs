//! Interrupted runs, as the wizard offers them on the bucket list: a banner
//! with what was done and the keys to resume, discard or leave them for later.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::engine::journal::Journal;
use crate::tui::theme::Theme;

/// A run a journal says was interrupted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interrupted {
    pub id: String,
    pub buckets: String,
    pub percent: u32,
    /// A write freeze the run may have left on: `writes frozen until 21:00
    /// UTC`, or that it ended by itself.
    pub frozen: Option<String>,
}

impl Interrupted {
    /// The run a journal describes, at `now` (the local clock).
    pub fn of(j: &Journal, now: i64) -> Self {
        let clock = |t: i64| {
            crate::oss::time::iso8601_seconds(t)
                .get(11..16)
                .unwrap_or_default()
                .to_string()
        };
        Interrupted {
            id: j.id.clone(),
            buckets: j.bucket_names(),
            percent: j.percent(),
            frozen: j.frozen_until().map(|t| {
                if t > now {
                    format!("writes frozen until {} UTC", clock(t))
                } else {
                    format!(
                        "its write freeze ended at {} UTC (R or X lifts it)",
                        clock(t)
                    )
                }
            }),
        }
    }
}

/// A banner key, as the key table names it (one place for both).
fn key_of(a: crate::tui::keymap::KeyAction) -> &'static str {
    crate::tui::keymap::LIST_INTERRUPTED
        .iter()
        .find(|b| b.action == a)
        .map_or("", |b| b.keys)
}

/// The banner's height: its lines and its border.
pub fn height(runs: &[Interrupted]) -> u16 {
    match runs.first() {
        Some(r) if r.frozen.is_some() => 4,
        _ => 3,
    }
}

/// Two lines: the first interrupted run, and the keys (three when the run
/// may have left a write freeze on: it is said between them).
pub fn render(runs: &[Interrupted], area: Rect, buf: &mut Buffer, theme: &Theme) {
    let Some(first) = runs.first() else { return };
    let more = match runs.len() {
        1 => String::new(),
        n => format!(" (and {} more: ossweep resume)", n - 1),
    };
    let text = Line::from(vec![
        Span::styled(" interrupted ", theme.warn),
        Span::raw(format!(
            "An interrupted deletion of {}: {}% done{more}",
            crate::text::visible(&first.buckets),
            first.percent,
        )),
    ]);
    // A freeze the run may have left on: a line of its own, never cut.
    let frozen = first
        .frozen
        .as_deref()
        .map(|f| Line::styled(format!(" {f}"), theme.warn));
    let keys = Line::from(vec![
        Span::styled(
            format!(" {}", key_of(crate::tui::keymap::KeyAction::ResumeRun)),
            theme.key,
        ),
        Span::styled(" resume", theme.muted),
        Span::styled(
            format!("  {}", key_of(crate::tui::keymap::KeyAction::DiscardRun)),
            theme.key,
        ),
        Span::styled(" discard", theme.muted),
        Span::styled(
            format!("  {}", key_of(crate::tui::keymap::KeyAction::LeaveRun)),
            theme.key,
        ),
        Span::styled(" later", theme.muted),
        Span::styled(format!("   run {}", first.id), theme.muted),
    ]);
    Paragraph::new(
        std::iter::once(text)
            .chain(frozen)
            .chain([keys])
            .collect::<Vec<_>>(),
    )
    .wrap(Wrap { trim: true })
    .block(
        Block::default()
            .borders(Borders::BOTTOM)
            .border_style(theme.warn),
    )
    .render(area, buf);
}
