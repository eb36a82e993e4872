//! Inputs to the state machine (past-tense facts) and its outputs (commands).

use std::time::Duration;

use crossterm::event::KeyEvent;

use crate::delete::{Event, Summary};
use crate::oss::model::{BucketStat, BucketSummary, Versioning};
use crate::scan::{Category, ScanEvent};

/// An error to show in the banner, with what OSS said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    pub title: String,
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
}

impl ErrorInfo {
    pub fn from_oss(title: &str, e: &crate::oss::OssError) -> Self {
        match e.api() {
            Some(a) => ErrorInfo {
                title: title.to_string(),
                code: Some(a.code.clone()).filter(|c| !c.is_empty()),
                message: match e.hint() {
                    Some(h) => format!("{} ({h})", a.message),
                    None => a.message.clone(),
                },
                request_id: a.request_id.clone(),
            },
            None => ErrorInfo {
                title: title.to_string(),
                code: None,
                message: e.to_string(),
                request_id: None,
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Resized,
    /// Time since the app started (drives spinners, elapsed time, rates).
    Tick(Duration),
    BucketsLoaded(Result<Vec<BucketSummary>, ErrorInfo>),
    DetailsLoaded {
        bucket: String,
        result: Result<(BucketStat, Versioning), ErrorInfo>,
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
    /// The deletion task ended (its summaries, one per bucket, or why it died).
    RunEnded(Result<Vec<Summary>, String>),
    ExpiryInstalled {
        bucket: String,
        result: Result<String, ErrorInfo>,
    },
}

/// What to clear in a run started from the TUI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRequest {
    pub buckets: Vec<String>,
    pub categories: Vec<Category>,
    pub delete_bucket: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    LoadBuckets,
    LoadDetails(String),
    StartScan(String),
    CancelScan,
    StartRun(RunRequest),
    CancelRun,
    InstallExpiry(String),
    Quit,
}
