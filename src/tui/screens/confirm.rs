//! The confirm pane: what will be destroyed, and a field where the bucket's name
//! (or `delete N buckets` for a batch) must be typed exactly.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use crate::units::{bytes, count};

use super::super::theme::Theme;

/// One bucket about to be deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub bucket: String,
    pub region: String,
    pub entries: u64,
    pub bytes: u64,
    /// Risk sentences worth repeating here.
    pub risks: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub targets: Vec<Target>,
    pub input: String,
}

impl Confirm {
    /// What must be typed.
    pub fn expected(&self) -> String {
        match self.targets.as_slice() {
            [one] => one.bucket.clone(),
            many => format!("delete {} buckets", many.len()),
        }
    }

    pub fn matches(&self) -> bool {
        self.input == self.expected()
    }
}

pub fn render(s: &Confirm, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let [what, field] = Layout::vertical([Constraint::Min(3), Constraint::Length(4)]).areas(area);
    let mut lines = vec![
        Line::from(Span::styled(" This deletes, permanently:", theme.danger)),
        Line::from(""),
    ];
    for t in &s.targets {
        lines.push(Line::from(vec![
            Span::styled(format!("   {} ", t.bucket), theme.title),
            Span::raw(format!(
                "({})  {} objects and versions, {}, then the bucket itself",
                t.region,
                count(t.entries),
                bytes(t.bytes)
            )),
        ]));
        for r in &t.risks {
            lines.push(Line::from(Span::styled(format!("     ! {r}"), theme.warn)));
        }
    }
    if s.targets.len() > 1 {
        let entries: u64 = s.targets.iter().map(|t| t.entries).sum();
        let total: u64 = s.targets.iter().map(|t| t.bytes).sum();
        lines.push(Line::from(""));
        lines.push(Line::from(format!(
            "   {} buckets, {} objects and versions, {} in total",
            s.targets.len(),
            count(entries),
            bytes(total)
        )));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(" Delete bucket "),
        )
        .render(what, buf);

    let expected = s.expected();
    let (state, style) = if s.input.is_empty() {
        ("", theme.muted)
    } else if s.matches() {
        ("  matches: Enter deletes", theme.ok)
    } else if expected.starts_with(&s.input) {
        ("  ...", theme.muted)
    } else {
        ("  does not match", theme.danger)
    };
    let prompt = vec![
        Line::from(vec![
            Span::raw(" Type "),
            Span::styled(expected.clone(), theme.danger),
            Span::raw(" to confirm:"),
        ]),
        Line::from(vec![
            Span::raw(" > "),
            Span::styled(s.input.clone(), theme.title),
            Span::styled("▏", theme.key),
            Span::styled(state, style),
        ]),
    ];
    Paragraph::new(prompt)
        .block(Block::default().borders(Borders::TOP))
        .render(field, buf);
}
