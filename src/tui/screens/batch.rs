//! The batch scan: every marked bucket is scanned to its end before the confirm
//! pane opens, so the batch is confirmed with every bucket's risks and verdict.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::super::msg::ErrorInfo;
use super::super::theme::Theme;
use super::scan::Scan;
use crate::engine::{Action, Preflight};
use crate::scan::ScanEvent;
use crate::vocab::BucketKind;

#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    /// Object buckets or vector buckets: a batch is of one kind (one list's marks).
    pub kind: BucketKind,
    /// One scan per marked bucket, in order; the driver scans them one by one.
    pub scans: Vec<Scan>,
    /// The batch stops the account's billing (the account view's `S`): its
    /// buckets are the ones that can go, not marked ones.
    pub stop_billing: bool,
    /// The account's id, when the batch stops an account's billing: the
    /// typed confirmation names it.
    pub account: Option<String>,
}

impl Batch {
    pub fn new(kind: BucketKind, buckets: &[String]) -> Self {
        Batch {
            kind,
            scans: buckets.iter().map(|b| Scan::of(kind, b)).collect(),
            stop_billing: false,
            account: None,
        }
    }

    /// Object and vector buckets together (stopping an account's billing),
    /// each scanned as what it is.
    pub fn mixed(buckets: &[(BucketKind, String)]) -> Self {
        Batch {
            kind: BucketKind::Object,
            scans: buckets.iter().map(|(k, b)| Scan::of(*k, b)).collect(),
            stop_billing: false,
            account: None,
        }
    }

    /// The buckets to scan, each with its kind, in order.
    pub fn to_scan(&self) -> Vec<(BucketKind, String)> {
        self.scans
            .iter()
            .map(|s| (s.report.kind, s.bucket.clone()))
            .collect()
    }

    /// The scan an event of `bucket` is for: the first of that name still
    /// scanning (the driver scans them one after the other, in order).
    fn scanning(&mut self, bucket: &str) -> Option<&mut Scan> {
        self.scans
            .iter_mut()
            .find(|s| s.bucket == bucket && s.scanning)
    }

    pub fn apply(&mut self, bucket: &str, e: ScanEvent) {
        if let Some(s) = self.scanning(bucket) {
            s.apply(e);
        }
    }

    pub fn failed(&mut self, bucket: &str, error: ErrorInfo) {
        if let Some(s) = self.scanning(bucket) {
            s.scanning = false;
            s.error = Some(error);
        }
    }

    /// Every scan has ended (finished or failed).
    pub fn done(&self) -> bool {
        self.scans.iter().all(|s| !s.scanning)
    }

    /// Each bucket's preflight for deletion; a failed scan blocks its bucket.
    pub fn preflights(&self) -> Vec<Preflight> {
        self.scans
            .iter()
            .map(|s| match (&s.error, s.preflight(Action::DeleteBucket)) {
                (None, Ok(p)) => p,
                (Some(e), _) => Preflight::unavailable(
                    s.report.kind,
                    &s.bucket,
                    Action::DeleteBucket,
                    &e.message,
                ),
                (None, Err(e)) => Preflight::unavailable(
                    s.report.kind,
                    &s.bucket,
                    Action::DeleteBucket,
                    &e.to_string(),
                ),
            })
            .collect()
    }
}

pub fn render(b: &Batch, area: Rect, buf: &mut Buffer, theme: &Theme, now: Duration) {
    let which = if b.stop_billing {
        "buckets that can go"
    } else {
        "marked buckets"
    };
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                " Scanning the {} {which}: the confirm pane opens with every bucket's risks once all are scanned.",
                b.scans.len()
            ),
            theme.muted,
        )),
        Line::from(""),
    ];
    let started = b
        .scans
        .iter()
        .position(|s| s.scanning)
        .unwrap_or(b.scans.len());
    for (i, s) in b.scans.iter().enumerate() {
        let (status, style) = match &s.error {
            Some(e) => (format!("scan failed: {}", e.message), theme.danger),
            None if s.scanning && i > started => ("waiting".to_string(), theme.muted),
            None if s.scanning => (s.status(now), theme.base),
            None => (s.status(now), theme.ok),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("   {:<40}", s.bucket), theme.title),
            Span::styled(status, style),
        ]));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(match (b.stop_billing, b.kind) {
                    (true, _) => " Stop billing ",
                    (false, BucketKind::Object) => " Delete marked buckets ",
                    (false, BucketKind::Vector) => " Delete marked vector buckets ",
                }),
        )
        .render(area, buf);
}
