//! The scan pane: categories filling in as the scan streams, and the risks.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Paragraph, Row, StatefulWidget, Table, TableState, Widget,
};

use crate::engine::{self, Action, NotReady, Preflight};
use crate::scan::{Category, ScanEvent, ScanReport, State};
use crate::units::count;
use crate::vocab::BucketKind;

use super::super::msg::ErrorInfo;
use super::super::theme::Theme;
use super::columns::{ellipsize, fit};
use super::spinner;
use super::table::measure;

#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    pub bucket: String,
    pub report: ScanReport,
    pub scanning: bool,
    pub selected: usize,
    pub error: Option<ErrorInfo>,
    /// A one-line outcome to show (e.g. expiry rules installed).
    pub notice: Option<String>,
    /// The drill-down into the selected category, while it is open.
    pub items: Option<super::items::Items>,
    /// The risks' first line shown, and the most it can be (set when drawn).
    pub risk_scroll: u16,
    pub risk_max_scroll: std::cell::Cell<u16>,
    /// The line each risk starts on (set when drawn): the risks scroll a
    /// whole risk at a time.
    pub risk_starts: std::cell::RefCell<Vec<u16>>,
}

impl Scan {
    pub fn new(bucket: &str) -> Self {
        Scan::of(BucketKind::Object, bucket)
    }

    /// A scan pane for a bucket of this kind, scanning.
    pub fn of(kind: BucketKind, bucket: &str) -> Self {
        Scan {
            bucket: bucket.to_string(),
            report: ScanReport::of(kind, bucket),
            scanning: true,
            selected: 0,
            error: None,
            notice: None,
            items: None,
            risk_scroll: 0,
            risk_max_scroll: std::cell::Cell::new(0),
            risk_starts: Default::default(),
        }
    }

    /// Folds a scan event into the pane.
    pub fn apply(&mut self, e: ScanEvent) {
        match e {
            ScanEvent::Estimate(r) => self.report = *r,
            ScanEvent::Counted {
                category,
                count,
                bytes,
            } => {
                let c = self.report.category_mut(category);
                c.count = count;
                c.bytes = bytes;
            }
            ScanEvent::Finished(r) => {
                self.report = *r;
                self.scanning = false;
            }
        }
    }

    pub fn selected_category(&self) -> Category {
        let cats = &self.report.categories;
        cats[self.selected.min(cats.len().saturating_sub(1))].category
    }

    /// The selected index of a vector bucket's pane.
    pub fn selected_index(&self) -> Option<&str> {
        self.report
            .indexes
            .get(self.selected)
            .map(|i| i.index.name.as_str())
    }

    /// Scrolls the risks a page (`up`) or down, within what was drawn.
    /// Scrolls the risks to the previous (`up`) or next risk, within what
    /// was drawn.
    pub fn scroll_risks(&mut self, up: bool) {
        let max = self.risk_max_scroll.get();
        let now = self.risk_scroll.min(max);
        let starts = self.risk_starts.borrow();
        let to = if up {
            starts
                .iter()
                .rev()
                .find(|s| **s < now)
                .copied()
                .unwrap_or(0)
        } else {
            starts.iter().find(|s| **s > now).copied().unwrap_or(max)
        };
        self.risk_scroll = to.min(max);
    }

    pub fn move_by(&mut self, delta: i64) {
        // A vector bucket's rows are its indexes; an object bucket's its categories.
        let rows = if self.report.kind.is_vector() {
            self.report.indexes.len()
        } else {
            self.report.categories.len()
        };
        let last = rows.saturating_sub(1) as i64;
        self.selected = (self.selected as i64 + delta).clamp(0, last) as usize;
    }

    /// The engine's preflight of `action`, once the scan has run to its end.
    pub fn preflight(&self, action: Action) -> Result<Preflight, NotReady> {
        if self.scanning || self.error.is_some() {
            return Err(NotReady(self.bucket.clone()));
        }
        engine::preflight(&self.report, action)
    }

    /// A short status: `scanning 1,234 entries`, `scan complete`, `scan incomplete: a
    /// listing failed` (as the CLI says it), `scan failed`.
    pub fn status(&self, now: Duration) -> String {
        if self.error.is_some() {
            "scan failed".into()
        } else if self.scanning {
            let seen: u64 = self.report.categories.iter().map(|c| c.count).sum();
            format!("{} scanning... {} found", spinner(now), count(seen))
        } else if self.report.complete {
            "scan complete".into()
        } else if self.report.finished {
            "scan incomplete: a listing failed".into()
        } else {
            "scan stopped".into()
        }
    }
}

fn state_style(s: State, theme: &Theme) -> ratatui::style::Style {
    match s {
        State::Scanning => theme.muted,
        State::Clear => theme.ok,
        State::Blocks | State::Unknown => theme.danger,
        State::NotYet | State::ManualStep => theme.warn,
    }
}

pub fn render(s: &Scan, area: Rect, buf: &mut Buffer, theme: &Theme, now: Duration) {
    if let Some(items) = &s.items {
        return super::items::render(&s.bucket, items, area, buf, theme);
    }
    if s.report.kind.is_vector() {
        return render_vector(s, area, buf, theme, now);
    }
    // A notice (what was just done, where a backup went) is read whole:
    // wrapped, at most six lines.
    let notice: Vec<Line> = s
        .notice
        .as_ref()
        .map(|n| {
            let line = Line::from(Span::styled(format!(" {n}"), theme.ok));
            let mut lines = super::hanging(&line, area.width, 1);
            lines.truncate(6);
            lines
        })
        .unwrap_or_default();
    let [head, table_area, risks_area] = Layout::vertical([
        Constraint::Length(1 + notice.len().max(1) as u16),
        Constraint::Length(s.report.categories.len() as u16 + 3),
        Constraint::Min(3),
    ])
    .areas(area);
    let r = &s.report;
    let status = s.status(now);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {} ", s.bucket), theme.title),
        Span::styled(
            format!(
                " {}  versioning {}  ",
                if r.region.is_empty() { "?" } else { &r.region },
                r.versioning.as_str()
            ),
            theme.muted,
        ),
        Span::raw(status),
    ])];
    lines.push(match r.estimate_line() {
        Some(e) if notice.is_empty() => Line::from(Span::styled(format!(" {e}"), theme.muted)),
        _ => Line::from(""),
    });
    let mut lines: Vec<Line> = lines
        .into_iter()
        .map(|l| super::cut(l, head.width))
        .collect();
    if !notice.is_empty() {
        lines.pop();
        lines.extend(notice);
    }
    Paragraph::new(lines).render(head, buf);

    // Columns as wide as their content; the note takes the rest (cut with `…`;
    // Enter shows what is behind the count), then the category gives way.
    const HEADERS: [&str; 5] = ["CATEGORY", "COUNT", "SIZE", "STATE", "NOTE"];
    let texts: Vec<[String; 5]> = r
        .categories
        .iter()
        .map(|c| {
            [
                c.category.label().to_string(),
                c.count_cell(),
                c.size_cell(),
                c.state.word().to_string(),
                crate::text::visible(c.note.as_deref().unwrap_or_default()).into_owned(),
            ]
        })
        .collect();
    let columns = measure(&texts, &HEADERS, &[12, 5, 5, 7, 4]);
    let mut fitted = fit(&columns, table_area.width, 1, &[4, 0]);
    // The note column takes whatever room is left.
    let used: u16 = fitted.iter().sum::<u16>() + 4;
    fitted[4] += table_area.width.saturating_sub(used);
    let header = Row::new(HEADERS).style(theme.title);
    let rows: Vec<Row> = r
        .categories
        .iter()
        .zip(&texts)
        .map(|(c, t)| {
            let style = state_style(c.state, theme);
            Row::new(t.iter().zip(&fitted).enumerate().map(|(i, (text, w))| {
                let text = ellipsize(text, *w);
                if i == 3 {
                    Cell::from(Span::styled(text, style))
                } else {
                    Cell::from(text)
                }
            }))
        })
        .collect();
    let widths: Vec<Constraint> = fitted.into_iter().map(Constraint::Length).collect();
    let mut state = TableState::default().with_selected(Some(s.selected));
    StatefulWidget::render(
        Table::new(rows, widths)
            .header(header)
            .block(Block::default().borders(Borders::TOP).title(if s.scanning {
                " What blocks deletion "
            } else {
                " What blocks deletion (Enter: what is behind a count) "
            }))
            .row_highlight_style(theme.selected),
        table_area,
        buf,
        &mut state,
    );

    render_risks(s, risks_area, buf, theme);
}

fn render_risks(s: &Scan, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let r = &s.report;
    let risk_lines: Vec<Line> = if r.risks.is_empty() {
        vec![Line::from(Span::styled(
            if s.scanning {
                " Risks appear when the scan completes; clearing and deleting wait for it."
            } else if !r.finished {
                " The scan stopped before it finished: the risks are not known; press r to scan again."
            } else {
                " No risks found."
            },
            theme.muted,
        ))]
    } else {
        let mut lines = Vec::new();
        let mut starts = Vec::new();
        for risk in &r.risks {
            starts.push(u16::try_from(lines.len()).unwrap_or(u16::MAX));
            lines.extend(super::risk_lines(risk, theme, "", area.width));
        }
        *s.risk_starts.borrow_mut() = starts;
        lines
    };
    // More risks than room: they scroll (PgUp/PgDn), and the title says so.
    let visible = area.height.saturating_sub(1);
    let total = u16::try_from(risk_lines.len()).unwrap_or(u16::MAX);
    s.risk_max_scroll.set(total.saturating_sub(visible));
    let scroll = s.risk_scroll.min(s.risk_max_scroll.get());
    let more = match super::more_indicator(scroll, visible, total) {
        "" => "",
        _ if scroll + visible < total => " ↓ more risks: PgDn ",
        _ => " ↑ more risks: PgUp ",
    };
    Paragraph::new(risk_lines)
        .scroll((scroll, 0))
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(" Risks ")
                .title(Line::from(Span::styled(more, theme.warn)).right_aligned()),
        )
        .render(area, buf);
}

/// A vector bucket: its indexes (one selectable row each) and the risks.
fn render_vector(s: &Scan, area: Rect, buf: &mut Buffer, theme: &Theme, now: Duration) {
    let r = &s.report;
    let rows_wanted = r.indexes.len().clamp(1, 10) as u16;
    let [head, table_area, risks_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(rows_wanted + 2),
        Constraint::Min(3),
    ])
    .areas(area);
    let c = r.category(Category::VectorIndexes);
    let state_span = Span::styled(c.state.word(), state_style(c.state, theme));
    let mut second = vec![
        Span::styled(
            format!(" {} ", Category::VectorIndexes.counted(c.count)),
            theme.muted,
        ),
        state_span,
    ];
    if let Some(note) = &c.note {
        second.push(Span::styled(format!("  {note}"), theme.muted));
    }
    if let Some(n) = &s.notice {
        second = vec![Span::styled(format!(" {n}"), theme.ok)];
    }
    Paragraph::new(
        vec![
            Line::from(vec![
                Span::styled(format!(" {} ", s.bucket), theme.title),
                Span::styled(
                    format!(
                        " vector bucket  {}  ",
                        if r.region.is_empty() { "?" } else { &r.region }
                    ),
                    theme.muted,
                ),
                Span::raw(s.status(now)),
            ]),
            Line::from(second),
        ]
        .into_iter()
        .map(|l| super::cut(l, head.width))
        .collect::<Vec<_>>(),
    )
    .render(head, buf);
    const HEADERS: [&str; 5] = ["INDEX", "DIMENSION", "METRIC", "VECTORS", "STATUS"];
    let texts: Vec<[String; 5]> = r
        .indexes
        .iter()
        .map(|i| {
            [
                crate::text::visible(&i.index.name).into_owned(),
                i.index.dimension.to_string(),
                crate::text::visible(&i.index.distance_metric).into_owned(),
                i.vectors_text(),
                crate::text::visible(&i.index.status).into_owned(),
            ]
        })
        .collect();
    // Columns as wide as their content; the name gives way (cut with `…`).
    let columns = measure(&texts, &HEADERS, &[12, 9, 6, 7, 6]);
    let fitted = fit(&columns, table_area.width, 1, &[0, 2]);
    let header = Row::new(HEADERS).style(theme.title);
    let rows: Vec<Row> = r
        .indexes
        .iter()
        .zip(&texts)
        .map(|(i, t)| {
            let status_style = if i.index.is_deleting() {
                theme.warn
            } else {
                theme.muted
            };
            Row::new(t.iter().zip(&fitted).enumerate().map(|(n, (text, w))| {
                let text = ellipsize(text, *w);
                if n == 4 {
                    Cell::from(Span::styled(text, status_style))
                } else {
                    Cell::from(text)
                }
            }))
        })
        .collect();
    let empty = r.indexes.is_empty() && !s.scanning;
    let widths: Vec<Constraint> = fitted.into_iter().map(Constraint::Length).collect();
    let block = Block::default()
        .borders(Borders::TOP)
        .title(" Vector indexes (each deleted with all its vectors) ");
    if empty {
        Paragraph::new(Span::styled(
            " No indexes: the vector bucket can be deleted (D).",
            theme.ok,
        ))
        .block(block)
        .render(table_area, buf);
    } else {
        let mut state = TableState::default().with_selected(Some(s.selected));
        StatefulWidget::render(
            Table::new(rows, widths)
                .header(header)
                .block(block)
                .row_highlight_style(theme.selected),
            table_area,
            buf,
            &mut state,
        );
    }
    render_risks(s, risks_area, buf, theme);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_says_a_scan_whose_listing_failed_is_incomplete() {
        let mut s = Scan::new("b");
        s.scanning = false;
        s.report.finished = true;
        s.report.complete = false;
        assert_eq!(
            s.status(Duration::ZERO),
            "scan incomplete: a listing failed"
        );
        s.report.complete = true;
        assert_eq!(s.status(Duration::ZERO), "scan complete");
        s.report.finished = false;
        s.report.complete = false;
        assert_eq!(s.status(Duration::ZERO), "scan stopped");
    }

    #[test]
    fn a_stopped_scan_never_says_no_risks_were_found() {
        let mut s = Scan::new("b");
        s.scanning = false;
        let area = Rect::new(0, 0, 100, 3);
        let text = |s: &Scan| {
            let mut buf = Buffer::empty(area);
            render_risks(s, area, &mut buf, &Theme::plain());
            (0..area.height)
                .flat_map(|y| (0..area.width).map(move |x| (x, y)))
                .map(|(x, y)| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        };
        assert!(text(&s).contains("The scan stopped before it finished"));
        s.report.finished = true;
        assert!(text(&s).contains("No risks found."));
    }
}
