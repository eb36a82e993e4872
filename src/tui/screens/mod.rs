//! One module per screen: its state and how it renders (pure).

pub mod batch;
pub mod bucket_list;
pub mod columns;
pub mod confirm;
pub mod items;
pub mod progress;
pub mod report;
pub mod scan;
pub mod vector_list;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::theme::Theme;

/// A braille spinner frame for a moment in time.
pub fn spinner(now: std::time::Duration) -> &'static str {
    const FRAMES: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
    FRAMES[(now.as_millis() / 120) as usize % FRAMES.len()]
}

/// `Title  key hint  key hint`.
pub fn hint_line<'a>(table: &'a [super::keymap::Binding], theme: &Theme, width: u16) -> Line<'a> {
    use super::keymap::Action;
    let cost = |b: &super::keymap::Binding| b.keys.chars().count() + 1 + b.hint.chars().count() + 2;
    // `?` and `q` always show; the others in the table's order while they fit
    // (the help overlay lists them all).
    let always = |b: &&super::keymap::Binding| matches!(b.action, Action::Help | Action::Quit);
    let mut room = usize::from(width).saturating_sub(table.iter().filter(always).map(cost).sum());
    let mut shown: Vec<&super::keymap::Binding> = Vec::new();
    for b in table.iter().filter(|b| !always(b)) {
        if cost(b) <= room {
            room -= cost(b);
            shown.push(b);
        }
    }
    shown.extend(table.iter().filter(always));
    let mut spans = Vec::new();
    for (i, b) in shown.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(b.keys, theme.key));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(b.hint, theme.muted));
    }
    Line::from(spans)
}

/// One risk: its severity mark, then its sentence.
pub fn risk_line<'a>(r: &'a crate::scan::risk::Risk, theme: &Theme, indent: &str) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("{indent}{:<3}", r.severity.mark()),
            theme.severity(r.severity),
        ),
        Span::raw(r.text.as_str()),
    ])
}

/// A yes/no question: two lines of text, what `y` does, and the key and meaning of no.
pub struct Question<'a> {
    pub question: &'a str,
    pub detail: &'a str,
    pub yes: &'a str,
    pub no_key: &'a str,
    pub no: &'a str,
}

/// Draws a question centred over `area`.
pub fn prompt(area: Rect, buf: &mut Buffer, theme: &Theme, q: &Question<'_>) {
    let w = area.width.min(72);
    // The detail wraps inside the box (its lines, then the question and keys).
    let inner = usize::from(w.saturating_sub(4)).max(1);
    let detail_lines = q.detail.chars().count().div_ceil(inner).max(1) as u16;
    let height = (4 + detail_lines).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height / 2).saturating_sub(height / 2),
        width: w,
        height,
    };
    Clear.render(rect, buf);
    Paragraph::new(vec![
        Line::from(format!(" {}", q.question)),
        Line::from(format!(" {}", q.detail)),
        Line::from(vec![
            Span::styled(" y", theme.key),
            Span::raw(format!(" {}   ", q.yes)),
            Span::styled(q.no_key.to_string(), theme.key),
            Span::raw(format!(" {}", q.no)),
        ]),
    ])
    .wrap(Wrap { trim: false })
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.warn),
    )
    .render(rect, buf);
}
