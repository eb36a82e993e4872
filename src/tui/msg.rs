//! Inputs to the state machine (past-tense facts) and its outputs (commands).

use std::time::Duration;

use crossterm::event::KeyEvent;

use crate::delete::{Event, Summary};
use crate::engine::expiry::ExpiryPlan;
use crate::engine::Preflight;
use crate::oss::model::{BucketStat, BucketSummary, Versioning};
use crate::oss::vectors::VectorBucketSummary;
use crate::scan::ScanEvent;

/// An error to show in the banner, with what OSS said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    pub title: String,
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
}

impl ErrorInfo {
    /// An error that is not an OSS reply.
    pub fn text(title: &str, message: impl Into<String>) -> Self {
        ErrorInfo {
            title: title.to_string(),
            code: None,
            message: message.into(),
            request_id: None,
        }
    }

    pub fn from_oss(title: &str, e: &crate::oss::OssError) -> Self {
        use crate::text::visible;
        let r = crate::delete::RunError::oss(title, e);
        ErrorInfo {
            title: r.context,
            code: r.code.map(|c| visible(&c).into_owned()),
            message: visible(&r.message).into_owned(),
            request_id: r.request_id.map(|i| visible(&i).into_owned()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Resized,
    /// A request is slow to answer: "waiting for OSS (op, attempt n of m, t s)".
    Waiting(String),
    /// Time since the app started (drives spinners, elapsed time, rates).
    Tick(Duration),
    /// The account view's reads.
    AccountLoaded(Result<super::screens::account::Loaded, ErrorInfo>),
    /// Temporary credentials were renewed: what is held now.
    CredentialsHeld(crate::oss::credentials::Held),
    BucketsLoaded(Result<Vec<BucketSummary>, ErrorInfo>),
    DetailsLoaded {
        bucket: String,
        /// The statistics are optional (`None` when GetBucketStat is refused).
        result: Result<(Option<BucketStat>, Versioning), ErrorInfo>,
    },
    /// ListVectorBuckets: every vector bucket of the account.
    VectorBucketsLoaded(Result<Vec<VectorBucketSummary>, ErrorInfo>),
    /// How many indexes a vector bucket holds (`Err`: the listing failed).
    VectorDetailsLoaded {
        bucket: String,
        result: Result<u64, String>,
    },
    /// An upload's parts and bytes (ListParts), for the drill-down.
    UploadSized {
        bucket: String,
        upload: crate::vocab::Target,
        result: Result<(u64, u64), String>,
    },
    Scanned {
        bucket: String,
        event: ScanEvent,
    },
    ScanFailed {
        bucket: String,
        error: ErrorInfo,
    },
    Engine(Event),
    /// Interrupted runs of this account (from their journals).
    Interrupted(Vec<super::app::interrupted::Interrupted>),
    /// The run just started keeps a journal under this id.
    Journaled(String),
    /// What a resume of run `run` would do (the engine's check), or why it
    /// cannot be checked.
    ResumeChecked {
        run: String,
        result: Result<Box<crate::engine::ResumeView>, ErrorInfo>,
    },
    /// A run discarded from the banner: what was done (a freeze it left
    /// lifted first), or why it could not be.
    Discarded(Result<Vec<String>, String>),
    /// The deletion task ended (its summaries, one per bucket, or why it died).
    RunEnded(Result<Vec<Summary>, crate::engine::RunFailed>),
    /// What installing expiry rules would do, read from the bucket.
    ExpiryPrepared {
        bucket: String,
        result: Result<ExpiryPlan, ErrorInfo>,
    },
    ExpiryInstalled {
        bucket: String,
        result: Result<String, ErrorInfo>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    LoadBuckets,
    LoadDetails(String),
    /// The sizes of these uploads of a bucket (ListParts each).
    SizeUploads {
        bucket: String,
        uploads: Vec<crate::vocab::Target>,
    },
    StartScan(String),
    LoadVectorBuckets,
    /// The account view's reads (statistics, retention, OSS-HDFS probes).
    LoadAccount,
    LoadVectorDetails(String),
    /// Scan a vector bucket (its indexes).
    StartVectorScan(String),
    /// Scan these buckets (of one kind) one after another (a batch's preflight).
    ScanBatch(crate::vocab::BucketKind, Vec<String>),
    /// Buckets of either kind, each scanned as what it is, one after the other.
    ScanEach(Vec<(crate::vocab::BucketKind, String)>),
    CancelScan,
    /// Run confirmed preflights through the engine.
    StartRun(Vec<Preflight>),
    CancelRun,
    /// Read the journals of interrupted runs of this account.
    LoadInterrupted,
    /// Check an interrupted run (by id) before asking to resume it: is each
    /// bucket the one confirmed, and what changed since (reads only).
    CheckResume(String),
    /// Forget the resume being checked or asked for (its locks go).
    DropResume,
    /// Continue the run just checked, whose name the user typed.
    ResumeRun(String),
    /// Forget an interrupted run: its journal goes, nothing is sent.
    DiscardRun(String),
    PrepareExpiry {
        bucket: String,
        days: u32,
    },
    InstallExpiry(ExpiryPlan),
    Quit,
}
