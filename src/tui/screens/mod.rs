//! One module per screen: its state and how it renders (pure).

pub mod bucket_list;
pub mod confirm;
pub mod progress;
pub mod report;
pub mod scan;

use ratatui::text::{Line, Span};

use super::theme::Theme;

/// A braille spinner frame for a moment in time.
pub fn spinner(now: std::time::Duration) -> &'static str {
    const FRAMES: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
    FRAMES[(now.as_millis() / 120) as usize % FRAMES.len()]
}

/// `Title  key hint  key hint`.
pub fn hint_line<'a>(table: &'a [super::keymap::Binding], theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, b) in table.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(b.keys, theme.key));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(b.hint, theme.muted));
    }
    Line::from(spans)
}
