//! The bucket list: every bucket with region, date, class, versioning, and size
//! and object count loaded lazily; filter, sort and marks as `listing` keeps them.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use crate::oss::model::{BucketStat, BucketSummary, Versioning};
use crate::units::bytes;

use super::super::theme::Theme;
use super::columns::{fit_giving, Column, Give};
use super::listing::{lead_cells, Listed, Listing, Placeholder};
use super::spinner;
use super::table::draw_list;
use crate::money::{cost, Estimate, PriceBook};

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

/// The account's buckets: filter, sort, marks (see `listing`).
pub type BucketList = Listing<BucketRow>;

impl Listed for BucketRow {
    const SIZE: &'static str = "size";
    fn name(&self) -> &str {
        &self.summary.name
    }
    fn region(&self) -> &str {
        &self.summary.region
    }
    fn created(&self) -> Option<i64> {
        self.summary.creation_date
    }
    fn size(&self) -> u64 {
        match &self.details {
            Details::Loaded {
                stat: Some(stat), ..
            } => stat.storage,
            _ => 0,
        }
    }
}

impl BucketList {
    /// A complete scan of `bucket` counted its objects and versions exactly.
    pub fn scanned(&mut self, bucket: &str, report: &crate::scan::ScanReport) {
        if !(report.complete && report.prefix.is_none()) || report.kind.is_vector() {
            return;
        }
        for row in self.rows.iter_mut().filter(|r| r.summary.name == bucket) {
            row.scanned = Some(report.object_cells());
        }
    }
}

/// The widest cell of each column over `rows`, measured without drawing
/// them (the list may hold thousands of buckets; only a screenful is drawn).
fn natural_widths(rows: &[BucketRow], book: &PriceBook) -> [u16; COLUMNS] {
    let mut w = [1u16, 0, 0, 10, 0, 9, 3, 3, 3, 3];
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
        if let Some(m) = r.monthly(book) {
            w[9] = w[9].max(len(&m.cell()));
        }
    }
    w
}

const COLUMNS: usize = 10;

impl BucketRow {
    /// What its storage costs a month, from its statistics (LRS assumed).
    pub fn monthly(&self, book: &PriceBook) -> Option<Estimate> {
        match &self.details {
            Details::Loaded {
                stat: Some(stat), ..
            } => {
                let p = book.for_bucket(&self.summary.region, None);
                Some(cost::monthly(&p, &cost::stat_classes(stat)))
            }
            _ => None,
        }
    }
}

impl BucketList {
    /// What the buckets whose statistics are in cost a month together.
    pub fn monthly(&self, book: &PriceBook) -> Option<Estimate> {
        self.rows
            .iter()
            .filter_map(|r| r.monthly(book))
            .reduce(|a, b| a.plus(&b))
    }
}

/// One row's cells: mark, name, region, created, class, versioning, objects,
/// versions, size, a month's cost.
fn cells(r: &BucketRow, marked: bool, now: Duration, book: &PriceBook) -> [String; COLUMNS] {
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
    let month = match (&r.details, r.monthly(book)) {
        (_, Some(m)) => m.cell(),
        (Details::Loading, None) => wait(),
        (Details::Loaded { .. }, None) => "n/a".into(),
        (Details::Failed(_), None) => "?".into(),
    };
    let [objects, versions] = r.object_cells().unwrap_or_else(|| match &r.details {
        Details::Loading => [wait(), wait()],
        Details::Loaded { .. } => ["n/a".into(), "n/a".into()],
        Details::Failed(_) => ["?".into(), "?".into()],
    });
    let [mark, name, region, created] = lead_cells(r, marked);
    [
        mark,
        name,
        region,
        created,
        r.summary.storage_class.clone(),
        versioning,
        objects,
        versions,
        size,
        month,
    ]
}

pub fn render(
    s: &BucketList,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    now: Duration,
    book: &PriceBook,
) {
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    let visible = s.visible();
    let mut lines = s.head("Buckets", theme);
    // The account's storage a month, from the statistics loaded so far.
    if let Some(total) = s.monthly(book) {
        lines[0].spans.push(ratatui::text::Span::styled(
            format!("  storage {} a month", total.cell()),
            theme.muted,
        ));
    }
    Paragraph::new(lines).render(head, buf);

    let block = Block::default().borders(Borders::TOP);
    let words = Placeholder {
        noun: "bucket",
        none: " This account has no buckets.",
    };
    if let Some(text) = s.placeholder(&words, now) {
        Paragraph::new(text).block(block).render(body, buf);
        return;
    }
    // The columns fit every row's content (all rows, so that filtering does
    // not move them); only the visible rows are drawn.
    let natural = natural_widths(&s.rows, book);
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
        "A MONTH",
    ];
    const MIN: [u16; COLUMNS] = [1, 12, 8, 10, 5, 5, 7, 4, 8, 7];
    let columns: Vec<Column> = (0..COLUMNS)
        .map(|i| Column {
            natural: natural[i].max(HEADERS[i].chars().count() as u16),
            min: MIN[i],
        })
        .collect();
    // Room runs out: the month's cost goes (the header keeps the total and
    // the details panel the bucket's), the versions count and versioning
    // shrink, the storage class goes, then the region shrinks (cut in the
    // middle) and versioning goes; only then is the name cut (in the middle).
    // The status line and the scan give what went.
    let widths = fit_giving(
        &columns,
        body.width,
        1,
        &[
            Give::Drop(9),
            Give::Shrink(7),
            Give::Shrink(5),
            Give::Drop(4),
            Give::Shrink(2),
            Give::Drop(5),
            Give::Shrink(1),
        ],
    );
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
            cells(r, s.marked.contains(&r.summary.name), now, book).to_vec()
        },
    );
}
