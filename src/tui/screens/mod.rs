//! One module per screen: its state and how it renders (pure).

pub mod account;
pub mod batch;
pub mod bucket_details;
pub mod bucket_list;
pub mod columns;
pub mod confirm;
pub mod items;
pub mod listing;
pub mod progress;
pub mod report;
pub mod scan;
pub mod table;
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

/// `key hint  key hint`: the screen's main action now (`lead`, say
/// `D delete marked` once buckets are marked) first, then the table's keys in
/// its order while they fit; `?` and `q` always (the help lists them all).
pub fn hint_line<'a>(
    table: &'a [super::keymap::Binding],
    lead: Option<super::keymap::KeyAction>,
    theme: &Theme,
    width: u16,
) -> Line<'a> {
    use super::keymap::KeyAction;
    let cost = |b: &super::keymap::Binding| b.keys.chars().count() + 1 + b.hint.chars().count() + 2;
    let always =
        |b: &&super::keymap::Binding| matches!(b.action, KeyAction::Help | KeyAction::Quit);
    let mut room = usize::from(width).saturating_sub(table.iter().filter(always).map(cost).sum());
    let mut shown: Vec<&super::keymap::Binding> = Vec::new();
    let leading = table.iter().filter(|b| Some(b.action) == lead);
    for b in leading.chain(
        table
            .iter()
            .filter(|b| Some(b.action) != lead && !always(b)),
    ) {
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

/// A list's filter line: the text being typed (with its cursor), or the
/// filter applied (`Esc clears`), or what to press (`idle`).
pub fn filter_line(
    filter: &crate::tui::line_edit::LineEdit,
    filtering: bool,
    idle: &'static str,
    theme: &Theme,
) -> Line<'static> {
    if !filtering && filter.is_empty() {
        return Line::from(Span::styled(idle, theme.muted));
    }
    let (before, after) = filter.split();
    Line::from(vec![
        Span::styled(" filter: ", theme.muted),
        Span::raw(before.to_string()),
        Span::styled(if filtering { "▏" } else { "" }, theme.key),
        Span::raw(after.to_string()),
        Span::styled(if filtering { "" } else { "  (Esc clears)" }, theme.muted),
    ])
}

/// One risk: its severity mark, then its sentence, wrapped to `width` with
/// the sentence's lines aligned under its first word.
pub fn risk_lines(
    r: &crate::scan::risk::Risk,
    theme: &Theme,
    indent: &str,
    width: u16,
) -> Vec<Line<'static>> {
    let line = Line::from(vec![
        Span::styled(
            format!("{indent}{:<3}", r.severity.mark()),
            theme.severity(r.severity),
        ),
        Span::raw(r.text.clone()),
    ]);
    hanging(&line, width, indent.chars().count() + 3)
}

/// `line` word-wrapped to `width` cells, each continuation line indented by
/// `indent` cells (a hanging indent), styles kept; a word longer than a line
/// is cut across lines.
pub fn hanging(line: &Line<'_>, width: u16, indent: usize) -> Vec<Line<'static>> {
    let width = usize::from(width).max(indent + 8);
    // A finished line: the spaces after its last word take no room.
    let close = |mut spans: Vec<Span<'static>>| {
        loop {
            let n = spans.len();
            let Some(last) = spans.last_mut() else { break };
            let trimmed = last.content.trim_end().to_string();
            if trimmed.is_empty() && n > 1 {
                spans.pop();
                continue;
            }
            last.content = trimmed.into();
            break;
        }
        Line::from(spans).style(line.style)
    };
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let mut fresh = true; // the current line holds no word yet
    for span in &line.spans {
        for token in span.content.split_inclusive(' ') {
            let word = token.trim_end_matches(' ');
            let len = word.chars().count();
            if !fresh && used + len > width {
                out.push(close(std::mem::take(&mut current)));
                current.push(Span::raw(" ".repeat(indent)));
                used = indent;
                fresh = true;
            }
            let mut rest: String = if fresh && used == indent && !out.is_empty() {
                token.trim_start_matches(' ').to_string()
            } else {
                token.to_string()
            };
            // A word wider than a whole line: cut it.
            while rest.trim_end().chars().count() > width.saturating_sub(used) {
                let room = width.saturating_sub(used).max(1);
                let head: String = rest.chars().take(room).collect();
                rest = rest.chars().skip(room).collect();
                current.push(Span::styled(head, span.style));
                out.push(close(std::mem::take(&mut current)));
                current.push(Span::raw(" ".repeat(indent)));
                used = indent;
            }
            used += rest.chars().count();
            if !rest.trim().is_empty() {
                fresh = false;
            }
            current.push(Span::styled(rest, span.style));
        }
    }
    out.push(close(current));
    out
}

/// Lines wrapped to `width`, each under its own leading spaces plus two (so
/// a continuation reads as one).
pub fn wrap_all(lines: Vec<Line<'_>>, width: u16) -> Vec<Line<'static>> {
    lines
        .iter()
        .flat_map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            let lead = text.chars().take_while(|c| *c == ' ').count();
            hanging(l, width, lead + 2)
        })
        .collect()
}

/// `line` in at most `width` cells: when longer, cut with `…` (styles kept).
pub fn cut(line: Line<'_>, width: u16) -> Line<'static> {
    let width = usize::from(width);
    let style = line.style;
    if line.width() <= width {
        return Line::from(
            line.spans
                .into_iter()
                .map(|s| Span::styled(s.content.into_owned(), s.style))
                .collect::<Vec<_>>(),
        )
        .style(style);
    }
    let mut room = width.saturating_sub(1);
    let mut spans = Vec::new();
    for s in line.spans {
        if room == 0 {
            break;
        }
        let text: String = s.content.chars().take(room).collect();
        room -= text.chars().count();
        spans.push(Span::styled(text, s.style));
    }
    spans.push(Span::raw("…"));
    Line::from(spans).style(style)
}

/// A title saying whether more lies above or below a scrolled text of
/// `total` lines showing `visible` from `scroll`.
pub fn more_indicator(scroll: u16, visible: u16, total: u16) -> &'static str {
    match (scroll > 0, scroll + visible < total) {
        (true, true) => " ↑↓ more above and below ",
        (true, false) => " ↑ more above ",
        (false, true) => " ↓ more below: ↑/↓ scroll ",
        (false, false) => "",
    }
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

#[cfg(test)]
mod wrap_tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wrapped_lines_hang_under_their_first_word() {
        let line = Line::from(vec![
            Span::raw("!! "),
            Span::raw("Deletion is permanent: these items cannot be recovered."),
        ]);
        let lines = hanging(&line, 24, 3);
        assert_eq!(
            text(&lines),
            [
                "!! Deletion is",
                "   permanent: these",
                "   items cannot be",
                "   recovered."
            ]
        );
        assert!(lines.iter().all(|l| l.width() <= 24));
    }

    #[test]
    fn a_line_too_long_is_cut_with_an_ellipsis() {
        let line = Line::from(vec![
            Span::raw(" backups "),
            Span::raw("cn-beijing versioning"),
        ]);
        assert_eq!(text(&[cut(line.clone(), 16)]), [" backups cn-bei…"]);
        assert_eq!(cut(line.clone(), 16).width(), 16);
        assert_eq!(text(&[cut(line, 80)]), [" backups cn-beijing versioning"]);
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut_never_lost() {
        let line = Line::from("   failed /tmp/ossweep-very-long-path-to-a-report-file.ndjson");
        let lines = wrap_all(vec![line], 24);
        let joined: String = text(&lines).concat().split_whitespace().collect();
        assert_eq!(
            joined,
            "failed/tmp/ossweep-very-long-path-to-a-report-file.ndjson"
        );
        assert!(lines.iter().all(|l| l.width() <= 24), "{:?}", text(&lines));
    }

    proptest::proptest! {
        /// Any text at any width: no line wider than the width (but for a
        /// hanging indent wider than it), and no character lost.
        #[test]
        fn wrapping_never_overflows_or_loses_text(
            input in "[ a-zé…!/.-]{0,200}",
            width in 10u16..120,
            indent in 0usize..6,
        ) {
            let line = Line::from(vec![Span::raw("!! "), Span::raw(input.clone())]);
            let lines = hanging(&line, width, indent);
            for l in &lines {
                proptest::prop_assert!(l.width() <= usize::from(width).max(indent + 8), "{:?}", text(std::slice::from_ref(l)));
            }
            let joined: String = text(&lines).concat().split_whitespace().collect();
            let expected: String = format!("!! {input}").split_whitespace().collect();
            proptest::prop_assert_eq!(joined, expected);
        }
    }
}
