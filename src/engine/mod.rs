//! The engine both front ends share: it scans a bucket into a preflight (what
//! goes, every risk, whether the bucket can be deleted), runs confirmed
//! preflights one bucket after another under one request budget, resumes
//! interrupted runs after one check of what changed, and installs lifecycle
//! expiry rules. Front ends render its values and ask for
//! confirmation; they never build plans, loops or estimates of their own.

pub mod account;
pub mod action;
pub mod expiry;
pub mod freeze;
pub mod journal;
pub mod launch;
pub mod preflight;
pub mod resume;
mod run;
pub mod session;

pub use launch::{Launched, RunFailed};
pub use preflight::{
    preflight, refusals, Action, Confirmed, Item, NotReady, Preflight, Refusal, Verdict,
};
pub use resume::{resume, AcceptedResume, ResumeCheck, ResumeView};
pub use run::{run_many, RunOptions};
pub use session::{Account, NoSession, Session};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::oss::{time, Client, OssError};
use crate::scan::{self, ScanEvent};
use crate::vocab::BucketKind;

/// Why a bucket has no preflight.
#[derive(Debug, thiserror::Error)]
pub enum Unprepared {
    #[error("the scan of {0} was cancelled")]
    Cancelled(String),
    #[error("{0}")]
    ScanFailed(#[from] OssError),
}

/// Scans `bucket` (an object or vector bucket; under `prefix`, if given) to its end and computes the
/// preflight of `action`. Scan events go to `events` as they come.
pub async fn prepare(
    client: &Client,
    kind: BucketKind,
    bucket: &str,
    prefix: Option<&str>,
    action: Action,
    events: Option<mpsc::Sender<ScanEvent>>,
    cancel: &CancellationToken,
) -> Result<Preflight, Unprepared> {
    let now = time::unix_secs(std::time::SystemTime::now());
    let scanned = match kind {
        BucketKind::Object => scan::scan_under(client, bucket, prefix, events, cancel, now).await,
        BucketKind::Vector => scan::scan_vector(client, bucket, events, cancel).await,
    };
    let report = scanned.map_err(|scan::ScanError::Oss(e)| Unprepared::ScanFailed(e))?;
    preflight(&report, action).map_err(|_| Unprepared::Cancelled(bucket.to_string()))
}
