//! The vector buckets tab: every OSS Vectors bucket of the account (every
//! region), with its index count loaded lazily.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use crate::oss::time;
use crate::oss::vectors::VectorBucketSummary;
use crate::units::count;

use super::super::msg::ErrorInfo;
use super::super::theme::Theme;
use super::columns::fit;
use super::spinner;
use super::table::{draw_list, measure};

#[derive(Clone, Debug, PartialEq)]
pub struct VectorRow {
    pub summary: VectorBucketSummary,
    /// Its index count: `None` while loading, `Err` when the listing failed.
    pub indexes: Option<Result<u64, String>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct VectorList {
    pub rows: Vec<VectorRow>,
    /// Listed at least once (the tab lists on first visit).
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<ErrorInfo>,
    pub selected: usize,
}

impl VectorList {
    pub fn selected_row(&self) -> Option<&VectorRow> {
        self.rows.get(self.selected)
    }

    pub fn move_by(&mut self, delta: i64) {
        let n = self.rows.len() as i64;
        self.selected = (self.selected as i64 + delta).clamp(0, (n - 1).max(0)) as usize;
    }

    /// Rows sorted by name (then region), as ListVectorBuckets returns them.
    pub fn set(&mut self, mut buckets: Vec<VectorBucketSummary>) {
        buckets.sort_by(|a, b| (&a.name, &a.region).cmp(&(&b.name, &b.region)));
        self.rows = buckets
            .into_iter()
            .map(|summary| VectorRow {
                summary,
                indexes: None,
            })
            .collect();
        self.loaded = true;
        self.loading = false;
        self.error = None;
        self.move_by(0);
    }
}

pub fn render(s: &VectorList, area: Rect, buf: &mut Buffer, theme: &Theme, now: Duration) {
    let block = Block::default().borders(Borders::TOP).title(Span::styled(
        format!(" Vector buckets ({}) ", s.rows.len()),
        theme.title,
    ));
    if s.loading && s.rows.is_empty() {
        Paragraph::new(format!(
            " {} Listing vector buckets in every region...",
            spinner(now)
        ))
        .block(block)
        .render(area, buf);
        return;
    }
    if s.rows.is_empty() {
        let text = if s.error.is_some() {
            " Could not list the vector buckets (see above); press r to retry."
        } else {
            " This account has no vector buckets (OSS Vectors)."
        };
        Paragraph::new(text).block(block).render(area, buf);
        return;
    }
    const HEADERS: [&str; 4] = ["NAME", "REGION", "CREATED", "INDEXES"];
    // Columns as wide as their content (over every row, so scrolling does not
    // move them); the region, then the name give way, cut with `…`.
    let texts: Vec<[String; 4]> = s
        .rows
        .iter()
        .map(|r| {
            [
                crate::text::visible(&r.summary.name).into_owned(),
                crate::text::visible(&r.summary.region).into_owned(),
                r.summary
                    .creation_date
                    .map(time::date_only)
                    .unwrap_or_default(),
                match &r.indexes {
                    None => spinner(now).to_string(),
                    Some(Ok(n)) => count(*n),
                    Some(Err(_)) => "?".into(),
                },
            ]
        })
        .collect();
    let widths = fit(
        &measure(&texts, &HEADERS, &[12, 8, 10, 7]),
        area.width,
        1,
        &[1, 0],
    );
    draw_list(
        area,
        buf,
        theme,
        block,
        &HEADERS,
        &widths,
        (texts.len(), s.selected),
        |i| texts[i].to_vec(),
    );
}
