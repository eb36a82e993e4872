//! Scans a vector bucket: found by name in any region, then its blockers
//! (the indexes, with how many vectors each holds).

use std::sync::Mutex;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{scan_blockers, ScanError, ScanEvent, ScanReport, Scanning};
use crate::oss::Client;
use crate::vocab::BucketKind;

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
    report.region = info.region.clone();
    // Vector buckets are bound by their indexes' names, not by time.
    let now = crate::oss::time::unix_secs(std::time::SystemTime::now());
    report.scanned_at = now;
    if let Some(tx) = &events {
        let _ = tx.send(ScanEvent::Estimate(Box::new(report.clone()))).await;
    }
    let scanning = Scanning {
        client: client.clone(),
        bucket: bucket.to_string(),
        prefix: None,
        region: info.region,
        versioning: Default::default(),
        worm: None,
        cancel: cancel.clone(),
        now,
        report: Mutex::new(report),
        events,
    };
    Ok(scan_blockers(scanning).await)
}
