//! The bucket list: every bucket with region, date, class, versioning, and size
//! and object count loaded lazily; filter, sort, marks for a batch.

use std::collections::BTreeSet;
use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use crate::oss::model::{BucketStat, BucketSummary, Versioning};
use crate::oss::time;
use crate::units::bytes;

use super::super::msg::ErrorInfo;
use super::super::theme::Theme;
use super::columns::{fit, Column};
use super::spinner;
use super::table::draw_list;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Name,
    Size,
    Date,
}

impl SortBy {
    pub fn next(self) -> Self {
        match self {
            SortBy::Name => SortBy::Size,
            SortBy::Size => SortBy::Date,
            SortBy::Date => SortBy::Name,
        }
    }

    fn label(self) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::Size => "size",
            SortBy::Date => "date",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Details {
    Loading,
    Loaded {
        /// `None` when GetBucketStat is refused or unsupported: the estimate is optional.
        stat: Option<BucketStat>,
        versioning: Versioning,
    },
    Failed(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct BucketRow {
    pub summary: BucketSummary,
    pub details: Details,
    /// Exact current objects and previous versions, once a complete scan of
    /// the bucket counted them (OSS's statistics cannot split them).
    pub scanned: Option<[String; 2]>,
}

impl BucketRow {
    /// The OBJECTS and VERSIONS cells: the scan's counts, else the statistics'.
    fn object_cells(&self) -> Option<[String; 2]> {
        match (&self.scanned, &self.details) {
            (Some(cells), _) => Some(cells.clone()),
            (
                None,
                Details::Loaded {
                    stat: Some(stat),
                    versioning,
                },
            ) => Some(crate::scan::report::object_cells(stat, *versioning)),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BucketList {
    pub rows: Vec<BucketRow>,
    pub loading: bool,
    pub error: Option<ErrorInfo>,
    pub filter: crate::tui::line_edit::LineEdit,
    pub filtering: bool,
    pub sort: SortBy,
    /// Index into the visible rows.
    pub selected: usize,
    pub marked: BTreeSet<String>,
}

impl BucketList {
    pub fn loading() -> Self {
        BucketList {
            loading: true,
            ..Default::default()
        }
    }

    /// Rows after the filter, in the chosen order.
    pub fn visible(&self) -> Vec<&BucketRow> {
        let needle = self.filter.to_lowercase();
        let mut rows: Vec<&BucketRow> = self
            .rows
            .iter()
            .filter(|r| {
                needle.is_empty()
                    || r.summary.name.contains(&needle)
                    || r.summary.region.contains(&needle)
            })
            .collect();
        match self.sort {
            SortBy::Name => rows.sort_by(|a, b| a.summary.name.cmp(&b.summary.name)),
            SortBy::Size => rows.sort_by_key(|r| std::cmp::Reverse(size_of(r))),
            SortBy::Date => rows.sort_by_key(|r| std::cmp::Reverse(r.summary.creation_date)),
        }
        rows
    }

    pub fn selected_row(&self) -> Option<&BucketRow> {
        self.visible().get(self.selected).copied()
    }

    pub fn move_by(&mut self, delta: i64) {
        let n = self.visible().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        self.selected = (self.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
    }

    pub fn clamp(&mut self) {
        self.move_by(0);
    }

    /// Applies `change` (a sort, a filter) and keeps the selection on the
    /// same bucket when it is still shown (else on the nearest row).
    pub fn keeping_selection(&mut self, change: impl FnOnce(&mut BucketList)) {
        let name = self.selected_row().map(|r| r.summary.name.clone());
        change(self);
        match name.and_then(|n| self.visible().iter().position(|r| r.summary.name == n)) {
            Some(i) => self.selected = i,
            None => self.clamp(),
        }
    }

    /// Marked buckets the filter hides now.
    pub fn marked_hidden(&self) -> Vec<&str> {
        let shown: std::collections::BTreeSet<&str> = self
            .visible()
            .iter()
            .map(|r| r.summary.name.as_str())
            .collect();
        self.marked
            .iter()
            .map(String::as_str)
            .filter(|m| !shown.contains(m))
            .collect()
    }

    /// A complete scan of `bucket` counted its objects and versions exactly.
    pub fn scanned(&mut self, bucket: &str, report: &crate::scan::ScanReport) {
        if !(report.complete && report.prefix.is_none()) {
            return;
        }
        for row in self.rows.iter_mut().filter(|r| r.summary.name == bucket) {
            row.scanned = Some(report.object_cells());
        }
    }

    /// To the first (`end` false) or the last visible row.
    pub fn jump(&mut self, end: bool) {
        self.selected = if end { usize::MAX / 2 } else { 0 };
        self.clamp();
    }
}

/// The widest cell of each column over `rows`, measured without drawing
/// them (the list may hold thousands of buckets; only a screenful is drawn).
fn natural_widths(rows: &[BucketRow]) -> [u16; COLUMNS] {
    let mut w = [1u16, 0, 0, 10, 0, 9, 3, 3, 3];
    for r in rows {
        let len = |t: &str| t.chars().count() as u16;
        w[1] = w[1].max(len(&r.summary.name));
        w[2] = w[2].max(len(&r.summary.region));
        w[4] = w[4].max(len(&r.summary.storage_class));
        if let Some([objects, versions]) = r.object_cells() {
            w[6] = w[6].max(len(&objects));
            w[7] = w[7].max(len(&versions));
        }
        if let Details::Loaded {
            stat: Some(stat), ..
        } = &r.details
        {
            w[8] = w[8].max(len(&bytes(stat.storage)));
        }
    }
    w
}

const COLUMNS: usize = 9;

/// One row's cells: mark, name, region, created, class, versioning, objects,
/// versions, size.
fn cells(r: &BucketRow, marked: bool, now: Duration) -> [String; COLUMNS] {
    let wait = || spinner(now).to_string();
    let (versioning, size) = match &r.details {
        Details::Loading => (wait(), wait()),
        Details::Loaded {
            stat: Some(stat),
            versioning,
        } => (versioning.as_str().to_string(), bytes(stat.storage)),
        Details::Loaded {
            stat: None,
            versioning,
        } => (versioning.as_str().to_string(), "n/a".into()),
        Details::Failed(_) => ("?".into(), "?".into()),
    };
    let [objects, versions] = r.object_cells().unwrap_or_else(|| match &r.details {
        Details::Loading => [wait(), wait()],
        Details::Loaded { .. } => ["n/a".into(), "n/a".into()],
        Details::Failed(_) => ["?".into(), "?".into()],
    });
    [
        if marked { "●" } else { " " }.to_string(),
        crate::text::visible(&r.summary.name).into_owned(),
        crate::text::visible(&r.summary.region).into_owned(),
        r.summary
            .creation_date
            .map(time::date_only)
            .unwrap_or_default(),
        r.summary.storage_class.clone(),
        versioning,
        objects,
        versions,
        size,
    ]
}

fn size_of(r: &BucketRow) -> u64 {
    match &r.details {
        Details::Loaded {
            stat: Some(stat), ..
        } => stat.storage,
        _ => 0,
    }
}

pub fn render(s: &BucketList, area: Rect, buf: &mut Buffer, theme: &Theme, now: Duration) {
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    let visible = s.visible();
    let mut title = vec![
        Span::styled(
            if s.filter.is_empty() {
                format!(" Buckets ({}) ", s.rows.len())
            } else {
                format!(" Buckets ({} of {}) ", visible.len(), s.rows.len())
            },
            theme.title,
        ),
        Span::styled(format!("  sorted by {}", s.sort.label()), theme.muted),
    ];
    if !s.marked.is_empty() {
        title.push(Span::styled(
            format!("  {} marked", s.marked.len()),
            theme.warn,
        ));
    }
    let filter = super::filter_line(&s.filter, s.filtering, " / to filter", theme);
    Paragraph::new(vec![Line::from(title), filter]).render(head, buf);

    let block = Block::default().borders(Borders::TOP);
    if s.loading && s.rows.is_empty() {
        Paragraph::new(format!(
            " {} Listing buckets in every region...",
            spinner(now)
        ))
        .block(block)
        .render(body, buf);
        return;
    }
    if s.rows.is_empty() {
        let text = if s.error.is_some() {
            " Could not list the buckets (see above); press r to retry."
        } else {
            " This account has no buckets."
        };
        Paragraph::new(text).block(block).render(body, buf);
        return;
    }
    if visible.is_empty() {
        Paragraph::new(format!(" No bucket matches {:?}.", s.filter.as_str()))
            .block(block)
            .render(body, buf);
        return;
    }
    // The columns fit every row's content (all rows, so that filtering does
    // not move them); only the visible rows are drawn.
    let natural = natural_widths(&s.rows);
    const HEADERS: [&str; COLUMNS] = [
        "",
        "NAME",
        "REGION",
        "CREATED",
        "CLASS",
        "VERSIONING",
        "OBJECTS",
        "VERSIONS",
        "SIZE",
    ];
    const MIN: [u16; COLUMNS] = [1, 12, 8, 10, 5, 5, 7, 4, 8];
    let columns: Vec<Column> = (0..COLUMNS)
        .map(|i| Column {
            natural: natural[i].max(HEADERS[i].chars().count() as u16),
            min: MIN[i],
        })
        .collect();
    // Room runs out: the storage class gives way first, then the region,
    // versioning and the name (cut with `…`).
    let widths = fit(&columns, body.width, 1, &[4, 2, 5, 7, 1]);
    draw_list(
        body,
        buf,
        theme,
        block,
        &HEADERS,
        &widths,
        (visible.len(), s.selected),
        |i| {
            let r = visible[i];
            cells(r, s.marked.contains(&r.summary.name), now).to_vec()
        },
    );
}
