//! What a run keeps so that it can be resumed, as the deletion engine sees
//! it: the keys of each batch before it is sent, what the replies booked, the
//! parts of the listing still open. The engine's journal implements
//! [`RunJournal`]; the deletion engine never names it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::oss::listing::Span;
use crate::vocab::Category;

/// One key of a batch in flight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchEntry {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version_id: Option<String>,
    pub category: Category,
    pub size: u64,
    /// Entries with the same `run` came from one listing page: a contiguous
    /// run of keys, which one listing can re-check.
    pub run: u64,
    /// Listed again by a verification pass though it was there before the
    /// run's first listing, which saw it and had it deleted: booked already.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub again: bool,
}

/// Deleted so far in one category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub entries: u64,
    pub bytes: u64,
}

/// One bucket's booked state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Booked {
    /// Batches sent whose replies were not booked: sequence number -> attempt.
    pub in_flight: BTreeMap<u64, u32>,
    /// Deleted so far, per category (earlier sessions included).
    pub deleted: BTreeMap<Category, Deleted>,
    /// Of the object listing, the parts of the key space not done yet
    /// (`None`: the listing has not started).
    pub open_spans: Option<Vec<Span>>,
}

impl Booked {
    /// An earlier session of the run started this bucket.
    pub fn started(&self) -> bool {
        self.open_spans.is_some() || !self.deleted.is_empty() || !self.in_flight.is_empty()
    }
}

/// Where a run books what it did, so that it can be resumed.
pub trait RunJournal: Send + Sync + std::fmt::Debug {
    /// Bucket `bucket`'s booked state, as it stands.
    fn booked(&self, bucket: usize) -> Booked;
    /// Changes bucket `bucket`'s booked state (`commit` puts it on disk).
    fn rebook(&self, bucket: usize, change: &mut dyn FnMut(&mut Booked));
    /// Puts what was booked on disk; returns when it is there (or failed,
    /// which is logged: the run goes on, and a resume re-checks).
    fn commit(&self) -> BoxFuture<'_, ()>;
    /// The run's audit report, if it keeps one.
    fn report(&self) -> Option<PathBuf>;
    /// A batch's keys, written before it is sent (attempt `attempt`).
    fn write_batch(&self, seq: u64, attempt: u32, entries: &[BatchEntry]) -> std::io::Result<()>;
    fn read_batch(&self, seq: u64, attempt: u32) -> std::io::Result<Vec<BatchEntry>>;
    fn remove_batch(&self, seq: u64, attempt: u32);
}

/// A run's journal and the place of this bucket in it.
#[derive(Clone, Debug)]
pub struct JournalSlot {
    pub journal: Arc<dyn RunJournal>,
    pub bucket: usize,
}

impl JournalSlot {
    pub fn booked(&self) -> Booked {
        self.journal.booked(self.bucket)
    }

    pub fn rebook(&self, mut change: impl FnMut(&mut Booked)) {
        self.journal.rebook(self.bucket, &mut change)
    }
}
