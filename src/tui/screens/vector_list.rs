//! The vector buckets tab: every OSS Vectors bucket of the account (every
//! region), with its index count loaded lazily; filter, sort and marks as
//! `listing` keeps them.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use crate::oss::vectors::VectorBucketSummary;
use crate::units::count;

use super::super::theme::Theme;
use super::columns::{fit_giving, Give};
use super::listing::{lead_cells, Listed, Listing, Placeholder};
use super::spinner;
use super::table::{draw_list, measure};

#[derive(Clone, Debug, PartialEq)]
pub struct VectorRow {
    pub summary: VectorBucketSummary,
    /// Its index count: `None` while loading, `Err` when the listing failed.
    pub indexes: Option<Result<u64, String>>,
}

/// The account's vector buckets: filter, sort, marks (see `listing`).
pub type VectorList = Listing<VectorRow>;

impl Listed for VectorRow {
    const SIZE: &'static str = "indexes";
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
        match self.indexes {
            Some(Ok(n)) => n,
            _ => 0,
        }
    }
}

impl VectorList {
    /// The vector buckets listed (by name, then region), their index counts
    /// to load.
    pub fn listed(&mut self, mut buckets: Vec<VectorBucketSummary>) {
        buckets.sort_by(|a, b| (&a.name, &a.region).cmp(&(&b.name, &b.region)));
        self.set(
            buckets
                .into_iter()
                .map(|summary| VectorRow {
                    summary,
                    indexes: None,
                })
                .collect(),
        );
    }
}

pub fn render(
    s: &VectorList,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    now: Duration,
    book: &crate::money::PriceBook,
) {
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    Paragraph::new(s.head("Vector buckets", theme)).render(head, buf);
    let block = Block::default().borders(Borders::TOP);
    let words = Placeholder {
        noun: "vector bucket",
        none: " This account has no vector buckets (OSS Vectors).",
    };
    if let Some(text) = s.placeholder(&words, now) {
        Paragraph::new(text).block(block).render(body, buf);
        return;
    }
    let visible = s.visible();
    const HEADERS: [&str; 6] = ["", "NAME", "REGION", "CREATED", "INDEXES", "A MONTH"];
    // What OSS documents a vector bucket costs (the same for each).
    let month = book.vector_monthly().map_or("?".into(), |m| m.cell());
    let cells = |r: &VectorRow| {
        let [mark, name, region, created] = lead_cells(r, s.marked.contains(&r.summary.name));
        [
            mark,
            name,
            region,
            created,
            match &r.indexes {
                None => spinner(now).to_string(),
                Some(Ok(n)) => count(*n),
                Some(Err(_)) => "?".into(),
            },
            month.clone(),
        ]
    };
    // Columns as wide as their content over every row (so that filtering
    // and scrolling do not move them); the month's cost goes, then the
    // region and the name give way.
    let all: Vec<[String; 6]> = s.rows.iter().map(cells).collect();
    let widths = fit_giving(
        &measure(&all, &HEADERS, &[1, 12, 8, 10, 7, 7]),
        body.width,
        1,
        &[Give::Drop(5), Give::Shrink(2), Give::Shrink(1)],
    );
    draw_list(
        body,
        buf,
        theme,
        block,
        &HEADERS,
        &widths,
        (visible.len(), s.selected),
        |i| cells(visible[i]).to_vec(),
    );
}
