//! Terminal injection, the last line of defence (pure).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// The last line of defence against terminal injection: no cell may hold a
/// control character (a bucket name, key or message from the server that was
/// not escaped on its way to the screen). Ratatui appends zero-width characters
/// such as ESC to the previous cell, which would reach the terminal as is.
pub fn neutralize(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if cell.symbol().chars().any(crate::text::is_hostile) {
                let kept: String = cell
                    .symbol()
                    .chars()
                    .filter(|c| !crate::text::is_hostile(*c))
                    .collect();
                cell.set_symbol(if kept.is_empty() { "\u{fffd}" } else { &kept });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::{Paragraph, Widget};

    #[test]
    fn no_cell_keeps_a_control_character() {
        let area = Rect::new(0, 0, 30, 1);
        let mut buf = Buffer::empty(area);
        Paragraph::new("x\u{1b}]0;pwned\u{7} \u{1b}[2J").render(area, &mut buf);
        assert!(
            buf.content().iter().any(|c| c.symbol().contains('\u{1b}')),
            "ratatui keeps ESC"
        );
        neutralize(&mut buf, area);
        assert!(!buf
            .content()
            .iter()
            .any(|c| c.symbol().chars().any(crate::text::is_hostile)));
    }
}
