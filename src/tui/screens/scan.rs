//! The scan pane: categories filling in as the scan streams, and the risks.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap,
};

use crate::scan::risk::Severity;
use crate::scan::{Category, ScanEvent, ScanReport, State};
use crate::units::{bytes, count};

use super::super::msg::ErrorInfo;
use super::super::theme::Theme;
use super::spinner;

/// A question the scan pane asks before it starts something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dialog {
    Clear { category: Category, count: u64 },
    ClearAll { count: u64 },
    Expiry,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scan {
    pub bucket: String,
    pub report: ScanReport,
    pub scanning: bool,
    pub selected: usize,
    pub dialog: Option<Dialog>,
    pub error: Option<ErrorInfo>,
    /// A one-line outcome to show (e.g. expiry rules installed).
    pub notice: Option<String>,
}

impl Scan {
    pub fn new(bucket: &str) -> Self {
        Scan {
            bucket: bucket.to_string(),
            report: ScanReport::new(bucket),
            scanning: true,
            selected: 0,
            dialog: None,
            error: None,
            notice: None,
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
        Category::ALL[self.selected.min(Category::ALL.len() - 1)]
    }

    pub fn move_by(&mut self, delta: i64) {
        self.selected =
            (self.selected as i64 + delta).clamp(0, Category::ALL.len() as i64 - 1) as usize;
    }

    /// Entries a clear-all would remove (what ossweep can clear).
    pub fn clearable_count(&self) -> u64 {
        self.report
            .categories
            .iter()
            .filter(|c| c.category.clearable())
            .map(|c| c.count)
            .sum()
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
    let [head, table_area, risks_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(Category::ALL.len() as u16 + 3),
        Constraint::Min(3),
    ])
    .areas(area);
    let r = &s.report;
    let status = if s.scanning {
        format!("{} scanning...", spinner(now))
    } else if r.complete {
        "scan complete".into()
    } else {
        "scan stopped".into()
    };
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
    lines.push(match (&s.notice, &r.estimate) {
        (Some(n), _) => Line::from(Span::styled(format!(" {n}"), theme.ok)),
        (None, Some(e)) => Line::from(Span::styled(
            format!(
                " OSS statistics: {} objects, {}, {} delete markers, {} uploads",
                count(e.object_count),
                bytes(e.storage),
                count(e.delete_marker_count),
                count(e.multipart_upload_count)
            ),
            theme.muted,
        )),
        (None, None) => Line::from(""),
    });
    Paragraph::new(lines).render(head, buf);

    let header = Row::new(["CATEGORY", "COUNT", "SIZE", "STATE", "NOTE"]).style(theme.title);
    let rows: Vec<Row> = r
        .categories
        .iter()
        .map(|c| {
            let (label, style) = (c.state.word(), state_style(c.state, theme));
            Row::new(vec![
                Cell::from(c.category.label()),
                Cell::from(count(c.count)),
                Cell::from(if c.bytes > 0 {
                    bytes(c.bytes)
                } else {
                    "-".into()
                }),
                Cell::from(Span::styled(label, style)),
                Cell::from(c.note.clone().unwrap_or_default()),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(32),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(11),
        Constraint::Min(10),
    ];
    let mut state = TableState::default().with_selected(Some(s.selected));
    StatefulWidget::render(
        Table::new(rows, widths)
            .header(header)
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .title(" What blocks deletion "),
            )
            .row_highlight_style(theme.selected),
        table_area,
        buf,
        &mut state,
    );

    let risk_lines: Vec<Line> = if r.risks.is_empty() {
        vec![Line::from(Span::styled(
            if s.scanning {
                " Risks appear when the scan completes."
            } else {
                " No risks found."
            },
            theme.muted,
        ))]
    } else {
        r.risks
            .iter()
            .map(|risk| {
                let (mark, style) = match risk.severity {
                    Severity::Danger => ("!! ", theme.danger),
                    Severity::Warning => ("!  ", theme.warn),
                    Severity::Info => ("i  ", theme.muted),
                };
                Line::from(vec![
                    Span::styled(mark, style),
                    Span::raw(risk.text.clone()),
                ])
            })
            .collect()
    };
    Paragraph::new(risk_lines)
        .wrap(Wrap { trim: false })
        .block(Block::default().borders(Borders::TOP).title(" Risks "))
        .render(risks_area, buf);

    if let Some(d) = &s.dialog {
        render_dialog(d, s, area, buf, theme);
    }
}

fn render_dialog(d: &Dialog, s: &Scan, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let text = match d {
        Dialog::Clear { category, count: n } => format!("Delete all {} {} from {}?\n\nThis cannot be undone.", count(*n), category.label().to_lowercase(), s.bucket),
        Dialog::ClearAll { count: n } => format!("Delete everything ossweep can clear from {} ({} items)?\nThe bucket itself is kept.\n\nThis cannot be undone.", s.bucket, count(*n)),
        Dialog::Expiry => format!(
            "Install lifecycle rules on {} that expire every object, previous version and upload after 1 day (phase A)?\nOSS runs them within 24-48 hours; .dlsdata/ is left alone.\nAn existing configuration is replaced.",
            s.bucket
        ),
    };
    let w = area.width.min(72);
    let h = 9.min(area.height);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    Clear.render(rect, buf);
    let mut lines: Vec<Line> = text.lines().map(|l| Line::from(l.to_string())).collect();
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("Enter", theme.key),
        Span::raw(" yes   "),
        Span::styled("Esc", theme.key),
        Span::raw(" no"),
    ]));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Confirm ")
                .border_style(theme.danger),
        )
        .render(rect, buf);
}
