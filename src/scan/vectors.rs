//! Scans a vector bucket: its indexes (name, dimension, data type, metric,
//! status) and how many vectors each holds, counted by listing keys up to a
//! bound so a huge index does not make the scan slow.

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::report::IndexReport;
use super::{first_line, risk, ScanError, ScanEvent, ScanReport, State};
use crate::oss::Client;
use crate::vocab::{BucketKind, Category};

/// ListVectors pages (1000 keys each) spent counting one index's vectors.
pub const VECTOR_COUNT_PAGES: u32 = 5;

/// Scans the vector bucket `bucket` (found by name in any region).
pub async fn scan_vector(
    client: &Client,
    bucket: &str,
    events: Option<mpsc::Sender<ScanEvent>>,
    cancel: &CancellationToken,
) -> Result<ScanReport, ScanError> {
    let info = client.locate_vector_bucket(bucket).await?;
    let mut report = ScanReport::of(BucketKind::Vector, bucket);
    report.identity = Some(info.identity());
    report.region = info.region;
    // Vector buckets are bound by their indexes' names, not by time.
    report.scanned_at = crate::oss::time::unix_secs(std::time::SystemTime::now());
    let send = |e: ScanEvent| {
        let events = events.clone();
        async move {
            if let Some(tx) = events {
                let _ = tx.send(e).await;
            }
        }
    };
    send(ScanEvent::Estimate(Box::new(report.clone()))).await;
    let mut indexes = client.list_vector_indexes(bucket);
    let mut listed = Vec::new();
    let mut failed = None;
    while let Some(i) = indexes.next().await {
        match i {
            Ok(i) => listed.push(i),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
        if cancel.is_cancelled() {
            break;
        }
    }
    for index in listed {
        if cancel.is_cancelled() {
            break;
        }
        let (vectors, more_vectors) = if index.is_deleting() {
            (None, false)
        } else {
            match client
                .count_vectors(bucket, &index.name, VECTOR_COUNT_PAGES)
                .await
            {
                Ok((n, exact)) => (Some(n), !exact),
                Err(e) => {
                    report.unreadable.push(format!(
                        "Could not count the vectors of index {}: {}",
                        index.name,
                        first_line(&e)
                    ));
                    (None, false)
                }
            }
        };
        report.indexes.push(IndexReport {
            index,
            vectors,
            more_vectors,
        });
        let c = report.category_mut(Category::VectorIndexes);
        c.count += 1;
        let count = c.count;
        send(ScanEvent::Counted {
            category: Category::VectorIndexes,
            count,
            bytes: 0,
        })
        .await;
    }
    let n = report.indexes.len() as u64;
    let deleting = report
        .indexes
        .iter()
        .filter(|i| i.index.is_deleting())
        .count() as u64;
    let c = report.category_mut(Category::VectorIndexes);
    (c.state, c.note) = match (&failed, n, deleting) {
        (Some(e), _, _) => (
            State::Unknown,
            Some(format!("listing failed: {}", first_line(e))),
        ),
        (None, 0, _) => (State::Clear, None),
        (None, n, d) if d == n => (
            State::NotYet,
            Some("every one is being deleted by OSS: gone shortly".into()),
        ),
        (None, _, d) if d > 0 => (State::Blocks, Some(format!("{d} already being deleted"))),
        _ => (State::Blocks, None),
    };
    if let Some(e) = &failed {
        report.unreadable.push(format!(
            "Could not read the vector indexes: {}",
            first_line(e)
        ));
    }
    report.finished = !cancel.is_cancelled();
    report.complete = report.finished && failed.is_none();
    report.risks = risk::risks(&report);
    send(ScanEvent::Finished(Box::new(report.clone()))).await;
    Ok(report)
}
