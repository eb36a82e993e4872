//! The wizard's lists drawn one way: columns measured from their cells, the
//! header and every cell cut to its column with `…`, only the rows that fit,
//! the window following the selection (highlighted).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Cell, Row, StatefulWidget, Table, TableState};

use super::columns::{ellipsize, Column};
use crate::tui::theme::Theme;

/// Each column as wide as its widest cell or header (at least `min`).
pub fn measure<R: AsRef<[String]>>(rows: &[R], headers: &[&str], min: &[u16]) -> Vec<Column> {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| Column {
            natural: rows
                .iter()
                .map(|r| r.as_ref().get(i).map_or(0, |t| t.chars().count()))
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0) as u16,
            min: min.get(i).copied().unwrap_or(1),
        })
        .collect()
}

/// Columns of counts and sizes, right-aligned.
const NUMERIC: [&str; 10] = [
    "OBJECTS",
    "VERSIONS",
    "SIZE",
    "COUNT",
    "INDEXES",
    "KEYS",
    "PARTS",
    "VECTORS",
    "SHARE",
    "DIMENSION",
];

/// A list of `count` rows in `area`: `row(i)` gives row `i`'s cells, asked
/// only for the rows drawn.
#[allow(clippy::too_many_arguments)]
pub fn draw_list(
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    block: Block<'_>,
    headers: &[&str],
    widths: &[u16],
    (count, selected): (usize, usize),
    row: impl Fn(usize) -> Vec<String>,
) {
    // Columns fitted to no width are left out, with their gap.
    let shown: Vec<usize> = (0..widths.len()).filter(|i| widths[*i] > 0).collect();
    let headers: Vec<&str> = shown.iter().map(|i| headers[*i]).collect();
    let headers = &headers[..];
    let widths: Vec<u16> = shown.iter().map(|i| widths[*i]).collect();
    let widths = &widths[..];
    let row = |i: usize| {
        let cells = row(i);
        shown
            .iter()
            .map(|c| cells[*c].clone())
            .collect::<Vec<String>>()
    };
    // Counts and sizes line up on their last digit.
    let numeric: Vec<bool> = headers.iter().map(|h| NUMERIC.contains(h)).collect();
    // Names and regions are cut in the middle: their ends tell them apart.
    let names: Vec<bool> = headers
        .iter()
        .map(|h| matches!(*h, "NAME" | "REGION"))
        .collect();
    let fit = |t: &str, w: u16, right: bool, name: bool| {
        let cut = if name {
            super::columns::ellipsize_middle(t, w)
        } else {
            ellipsize(t, w)
        };
        if right {
            let width = ratatui::text::Span::raw(cut.as_str()).width();
            format!("{}{cut}", " ".repeat((w as usize).saturating_sub(width)))
        } else {
            cut
        }
    };
    let header = Row::new(
        headers
            .iter()
            .zip(widths)
            .zip(&numeric)
            .map(|((h, w), r)| fit(h, *w, *r, false)),
    )
    .style(theme.title);
    let height = area.height.saturating_sub(2).max(1) as usize;
    let offset = (selected + 1).saturating_sub(height);
    let rows: Vec<Row> = (offset..count.min(offset + height))
        .map(|i| {
            Row::new(
                row(i)
                    .iter()
                    .zip(widths)
                    .zip(&numeric)
                    .zip(&names)
                    .map(|(((t, w), r), n)| Cell::from(fit(t, *w, *r, *n))),
            )
        })
        .collect();
    // A list longer than the screen says where the selection is.
    let block = if count > height {
        block.title(
            ratatui::text::Line::from(format!(" {} of {} ", selected + 1, count)).right_aligned(),
        )
    } else {
        block
    };
    let constraints: Vec<Constraint> = widths.iter().copied().map(Constraint::Length).collect();
    let mut state = TableState::default().with_selected(Some(selected.saturating_sub(offset)));
    StatefulWidget::render(
        Table::new(rows, constraints)
            .header(header)
            .block(block)
            .row_highlight_style(theme.selected),
        area,
        buf,
        &mut state,
    );
}
