//! The journal of a destructive run, so an interrupted run (Ctrl-C, SIGTERM,
//! SIGKILL, a lost network) can be resumed without asking again for what was
//! confirmed and without listing again what is done.
//!
//! One JSON file per run under the state directory (`runs/<id>.json`), written
//! atomically (write, then rename): what the user confirmed per bucket, how far
//! each bucket got (categories done, what was deleted), the parts of the object
//! listing not done yet (spans of the key space), and the batches sent whose
//! replies were not booked yet. Its size does not grow with the bucket: no key
//! lists, a bounded number of spans. The keys of the batches in flight (at most
//! a few dozen batches) sit in small files beside it (`runs/<id>/`), each
//! removed once its reply is booked, so a resumed run can tell whether they
//! went. No credential is written: accounts are named by a digest.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::preflight::Confirmed;
use crate::oss::listing::Span;
use crate::vocab::Category;

/// The journal's format; a journal of another format is not resumed.
pub const FORMAT: u32 = 1;
/// Journals untouched this long are stale: reported, and offered for discarding.
pub const STALE_SECS: i64 = 7 * 24 * 3600;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub format: u32,
    pub id: String,
    /// Unix seconds.
    pub started: i64,
    pub updated: i64,
    /// A digest of endpoint and AccessKey ID: a run resumes only as the
    /// account it ran as.
    pub account: String,
    /// The audit report the run appends to (`--report`).
    pub report: Option<PathBuf>,
    pub buckets: Vec<BucketRun>,
}

/// How far one bucket of the run got.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketRun {
    pub confirmed: Confirmed,
    pub stage: Stage,
    /// Categories a fresh listing showed empty.
    pub categories_done: BTreeSet<Category>,
    /// Deleted so far, per category.
    pub deleted: BTreeMap<Category, Deleted>,
    /// Of the object listing, the parts of the key space not done yet
    /// (`None`: the listing has not started).
    pub open_spans: Option<Vec<Span>>,
    /// Batches sent whose replies were not booked: sequence number -> attempt
    /// (their keys are in `b<seq>.<attempt>.json` in the run's directory).
    pub in_flight: BTreeMap<u64, u32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub entries: u64,
    pub bytes: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Not reached yet.
    Pending,
    Running,
    /// Finished: emptied as confirmed (and deleted, when that was the action).
    Done,
}

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
}

impl Journal {
    pub fn new(
        id: &str,
        now: i64,
        account: &str,
        report: Option<PathBuf>,
        confirmed: Vec<Confirmed>,
    ) -> Self {
        Journal {
            format: FORMAT,
            id: id.to_string(),
            started: now,
            updated: now,
            account: account.to_string(),
            report,
            buckets: confirmed
                .into_iter()
                .map(|c| BucketRun {
                    confirmed: c,
                    stage: Stage::Pending,
                    categories_done: BTreeSet::new(),
                    deleted: BTreeMap::new(),
                    open_spans: None,
                    in_flight: BTreeMap::new(),
                })
                .collect(),
        }
    }

    /// Entries deleted so far and entries confirmed, over every bucket.
    pub fn progress(&self) -> (u64, u64) {
        let done = self
            .buckets
            .iter()
            .flat_map(|b| b.deleted.values())
            .map(|d| d.entries)
            .sum();
        let total = self.buckets.iter().map(|b| b.confirmed.entries()).sum();
        (done, total)
    }

    /// `37%` (of the confirmed entries; a bucket done counts whole).
    pub fn percent(&self) -> u32 {
        let (done, total) = self.progress();
        let finished = self.buckets.iter().all(|b| b.stage == Stage::Done);
        if finished {
            return 100;
        }
        if total == 0 {
            return 0;
        }
        ((done.min(total) * 100) / total).min(99) as u32
    }

    /// The buckets, comma-separated.
    pub fn bucket_names(&self) -> String {
        let names: Vec<&str> = self
            .buckets
            .iter()
            .map(|b| b.confirmed.bucket.as_str())
            .collect();
        names.join(", ")
    }

    /// One line: what is done and what is left.
    pub fn status(&self) -> String {
        let done = self
            .buckets
            .iter()
            .filter(|b| b.stage == Stage::Done)
            .count();
        let (deleted, total) = self.progress();
        format!(
            "{}% done: {} of {} entries deleted; {} of {} bucket{} finished",
            self.percent(),
            crate::units::count(deleted),
            crate::units::count(total),
            done,
            self.buckets.len(),
            if self.buckets.len() == 1 { "" } else { "s" }
        )
    }

    pub fn is_stale(&self, now: i64) -> bool {
        now - self.updated > STALE_SECS
    }

    pub fn finished(&self) -> bool {
        self.buckets.iter().all(|b| b.stage == Stage::Done)
    }
}

/// A run id: `YYYYMMDD-HHMMSS-xxxx` (UTC, then four hex digits).
pub fn new_id(now: i64, salt: u64) -> String {
    let t = crate::oss::time::iso8601_basic(now);
    let t = t.trim_end_matches('Z').replace('T', "-");
    format!("{t}-{:04x}", (salt ^ (salt >> 16) ^ (salt >> 32)) & 0xffff)
}

/// Where runs keep their journals: `runs` under the state directory.
pub fn runs_dir() -> Option<PathBuf> {
    crate::log::state_dir().map(|d| d.join("runs"))
}

/// Starts the journal of a run of `preflights` in `dir`, as `account` (its
/// digest), appending to the audit report at `report`.
pub fn begin(
    dir: &Path,
    account: &str,
    report: Option<&Path>,
    preflights: &[super::Preflight],
) -> io::Result<Arc<Journaler>> {
    let now = crate::oss::time::unix_secs(std::time::SystemTime::now());
    let salt = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as u64)
        ^ u64::from(std::process::id()) << 8;
    let report = report.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
    let journal = Journal::new(
        &new_id(now, salt),
        now,
        account,
        report,
        preflights.iter().map(|p| p.confirmed()).collect(),
    );
    Journaler::create(dir, journal)
}

/// The journal of one run on disk, shared by the run's tasks. Updates change
/// the copy in memory; `commit` writes it, many updates to one write when
/// they come together.
pub struct Journaler {
    dir: PathBuf,
    state: Mutex<(Journal, u64)>,
    written: tokio::sync::Mutex<u64>,
}

impl std::fmt::Debug for Journaler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journaler")
            .field("path", &self.path())
            .finish()
    }
}

impl Journaler {
    /// Starts the journal of a new run in `dir` (the state directory's `runs`).
    pub fn create(dir: &Path, journal: Journal) -> io::Result<Arc<Self>> {
        std::fs::create_dir_all(dir)?;
        let j = Arc::new(Journaler {
            dir: dir.to_path_buf(),
            state: Mutex::new((journal, 1)),
            written: tokio::sync::Mutex::new(0),
        });
        j.write_now()?;
        Ok(j)
    }

    /// Opens the journal of run `id` in `dir`.
    pub fn open(dir: &Path, id: &str) -> Result<Arc<Self>, String> {
        let journal = read(&dir.join(format!("{id}.json")))?;
        Ok(Arc::new(Journaler {
            dir: dir.to_path_buf(),
            state: Mutex::new((journal, 0)),
            written: tokio::sync::Mutex::new(0),
        }))
    }

    pub fn id(&self) -> String {
        self.state.lock().unwrap().0.id.clone()
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.id()))
    }

    fn batch_dir(&self) -> PathBuf {
        self.dir.join(self.id())
    }

    fn batch_path(&self, seq: u64, attempt: u32) -> PathBuf {
        self.batch_dir().join(format!("b{seq}.{attempt}.json"))
    }

    /// The journal as it stands in memory.
    pub fn snapshot(&self) -> Journal {
        self.state.lock().unwrap().0.clone()
    }

    /// Changes the journal in memory (`commit` writes it).
    pub fn update<R>(&self, f: impl FnOnce(&mut Journal) -> R) -> R {
        let mut s = self.state.lock().unwrap();
        s.1 += 1;
        f(&mut s.0)
    }

    /// Changes bucket `i` in memory.
    pub fn bucket<R>(&self, i: usize, f: impl FnOnce(&mut BucketRun) -> R) -> R {
        self.update(|j| f(&mut j.buckets[i]))
    }

    /// Writes every update made so far (unless a concurrent commit already
    /// did): when this returns, they survive the process being killed.
    pub async fn commit(&self) {
        let want = self.state.lock().unwrap().1;
        let mut written = self.written.lock().await;
        if *written >= want {
            return;
        }
        match self.write_now() {
            Ok(v) => *written = v,
            Err(e) => tracing::warn!(error = %e, "the run's journal could not be written"),
        }
    }

    fn write_now(&self) -> io::Result<u64> {
        let (text, version) = {
            let mut s = self.state.lock().unwrap();
            s.0.updated = crate::oss::time::unix_secs(std::time::SystemTime::now());
            (serde_json::to_vec_pretty(&s.0)?, s.1)
        };
        write_atomically(&self.path(), &text)?;
        Ok(version)
    }

    /// Keeps the keys of a batch about to be sent (before the journal names it).
    pub fn write_batch(&self, seq: u64, attempt: u32, entries: &[BatchEntry]) -> io::Result<()> {
        std::fs::create_dir_all(self.batch_dir())?;
        let text = serde_json::to_vec(entries)?;
        write_atomically(&self.batch_path(seq, attempt), &text)
    }

    pub fn read_batch(&self, seq: u64, attempt: u32) -> io::Result<Vec<BatchEntry>> {
        let text = std::fs::read(self.batch_path(seq, attempt))?;
        serde_json::from_slice(&text).map_err(io::Error::other)
    }

    pub fn remove_batch(&self, seq: u64, attempt: u32) {
        let _ = std::fs::remove_file(self.batch_path(seq, attempt));
    }

    /// The run is over: its journal and batch files go (with any temporary
    /// file a killed session left half-written beside them).
    pub fn finish(&self) {
        let _ = std::fs::remove_dir_all(self.batch_dir());
        let _ = std::fs::remove_file(self.path());
        let stem = format!("{}.tmp", self.id());
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&stem) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// Writes `path` so that a reader (or a crash) sees the old or the new
/// content, never a mix: a temporary file beside it, then a rename.
fn write_atomically(path: &Path, text: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn read(path: &Path) -> Result<Journal, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the journal {}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("the journal {} is damaged: {e}", path.display()))?;
    let format = value["format"].as_u64().unwrap_or(0);
    if format != u64::from(FORMAT) {
        return Err(format!(
            "the journal {} has format {format}; this ossweep reads format {FORMAT}",
            path.display()
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| format!("the journal {} is damaged: {e}", path.display()))
}

/// The journals in `dir`, most recent first; ones that cannot be read are
/// returned as (file name, why).
pub fn list(dir: &Path) -> (Vec<Journal>, Vec<(String, String)>) {
    let mut found = Vec::new();
    let mut broken = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (found, broken);
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("json") {
            continue;
        }
        match read(&path) {
            Ok(j) => found.push(j),
            Err(why) => broken.push((e.file_name().to_string_lossy().into_owned(), why)),
        }
    }
    found.sort_by(|a, b| b.started.cmp(&a.started).then(b.id.cmp(&a.id)));
    (found, broken)
}

#[cfg(test)]
mod tests;
