//! The journal of a destructive run, so an interrupted run (Ctrl-C, SIGTERM,
//! SIGKILL, a lost network) can be resumed without asking again for what was
//! confirmed and without listing again what is done.
//!
//! One JSON file per run under the state directory (`runs/<id>.json`), written
//! atomically (write, then rename): what the user confirmed per bucket (the
//! bucket's identity, the action and its scope, the server time of the scan,
//! the names found), how far each bucket got (categories done, what was
//! deleted), the parts of the object listing not done yet (spans of the key
//! space), and the batches sent whose replies were not booked yet. Its size
//! does not grow with the bucket: no key lists, a bounded number of spans. The
//! keys of the batches in flight (at most a few dozen batches) sit in small
//! files beside it (`runs/<id>/`), each removed once its reply is booked, so a
//! resumed run can tell whether they went. No credential is written: accounts
//! are named by a digest.
//!
//! What ossweep wrote is untrusted when it is read back: every file is sealed
//! (`seal`), run ids are checked against their format and must be the file's
//! name, and every path is derived from the runs directory and the id, never
//! read from a file. Files are the user's alone (0600 in a 0700 directory).
//! One run at a time holds a journal and its buckets (`lock`).

mod book;
mod lock;
mod seal;

pub use lock::{LockError, RunLock};
pub use seal::Seal;

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::preflight::Confirmed;
use crate::blockers::Category;
pub use crate::delete::book::{BatchEntry, Deleted};
use crate::delete::{Audit, Bounds, Plan};
use crate::oss::listing::Span;
use crate::vocab::BucketKind;

/// The journal's format; a journal of another format is not resumed.
pub const FORMAT: u32 = 2;
/// Journals untouched this long are stale: reported, and offered for discarding.
pub const STALE_SECS: i64 = 7 * 24 * 3600;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    pub format: u32,
    pub id: String,
    /// Unix seconds.
    pub started: i64,
    pub updated: i64,
    /// Whose run this is: a digest of the account's UID (or, when it could
    /// not be learned, of the AccessKey ID) and the endpoint (see `Account`).
    pub account: String,
    /// The audit report the run appends to (`--report`).
    pub report: Option<PathBuf>,
    pub buckets: Vec<BucketRun>,
}

/// How far one bucket of the run got.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketRun {
    pub confirmed: Confirmed,
    /// Objects, versions, markers and uploads written at or after this
    /// server time were never confirmed: the preflight's scan time, moved
    /// when the user confirms again what a resume's check found.
    pub written_before: i64,
    /// Per category bound by name, the items confirmed (the preflight's,
    /// grown when the user confirms again).
    pub names: BTreeMap<Category, BTreeSet<String>>,
    /// Each time the user named the bucket again to take in what a resume's
    /// check found outside what was confirmed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reconfirmed: Vec<Reconfirmation>,
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
    /// The run's write freeze on this bucket: the policy from before it,
    /// saved before the freeze went on, and whether it is lifted. Inside the
    /// seal, so a forged journal cannot make ossweep install a policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze: Option<super::freeze::FreezeRecord>,
}

/// What the user took in by naming a bucket again on a resume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconfirmation {
    /// The server's clock when the check that showed it began.
    pub at: i64,
    /// The differences shown, as they were shown.
    pub differences: Vec<String>,
    /// What deletes mean since (versioning, retention policy), as the check
    /// read it: the run goes on from these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<crate::vocab::BucketFacts>,
}

impl BucketRun {
    /// What a resumed run of this bucket may delete.
    pub fn bounds(&self) -> Bounds {
        Bounds {
            written_before: self.written_before,
            names: self.names.clone(),
        }
    }

    /// The run that continues this bucket: as confirmed, within its bounds.
    pub fn plan(&self, audit: Audit) -> Plan {
        let mut plan = self.confirmed.plan(audit, false);
        plan.bounds = Some(self.bounds());
        plan.confirmed = Some(self.facts().clone());
        plan
    }

    /// What deletes mean as last confirmed: at the start, or when the bucket
    /// was named again on a resume.
    pub fn facts(&self) -> &crate::vocab::BucketFacts {
        self.reconfirmed
            .iter()
            .rev()
            .find_map(|r| r.facts.as_ref())
            .unwrap_or(&self.confirmed.facts)
    }

    /// Whether the run's write freeze may still be on this bucket.
    pub fn frozen(&self) -> bool {
        self.freeze.as_ref().is_some_and(|f| !f.lifted)
    }

    /// Entries deleted so far.
    pub fn deleted_entries(&self) -> u64 {
        self.deleted.values().map(|d| d.entries).sum()
    }

    /// Entries confirmed and not deleted yet.
    pub fn left(&self) -> u64 {
        self.confirmed
            .entries()
            .saturating_sub(self.deleted_entries())
    }
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
                    written_before: c.scanned_at,
                    names: c.names.clone(),
                    reconfirmed: Vec::new(),
                    confirmed: c,
                    stage: Stage::Pending,
                    categories_done: BTreeSet::new(),
                    deleted: BTreeMap::new(),
                    open_spans: None,
                    in_flight: BTreeMap::new(),
                    freeze: None,
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

    /// Every bucket done, and no write freeze of the run left on.
    pub fn finished(&self) -> bool {
        self.buckets
            .iter()
            .all(|b| b.stage == Stage::Done && !b.frozen())
    }

    /// What a freeze the run may have left on says, if there is one: for
    /// `ossweep resume` and the wizard's banner (`now`: the local clock).
    pub fn freeze_line(&self, now: i64) -> Option<String> {
        let until = self.frozen_until()?;
        let at = crate::oss::time::iso8601_seconds(until);
        Some(if until > now {
            format!("writes to {} are frozen until {at} (ossweep's statement in the bucket policy); resuming or discarding the run lifts it", self.frozen_buckets())
        } else {
            format!("the write freeze on {} ended by itself at {at}; its statement stays in the bucket policy until the run is resumed or discarded", self.frozen_buckets())
        })
    }

    fn frozen_buckets(&self) -> String {
        let names: Vec<&str> = self
            .buckets
            .iter()
            .filter(|b| b.frozen())
            .map(|b| b.confirmed.bucket.as_str())
            .collect();
        names.join(", ")
    }

    /// Until when a write freeze of the run may still be on (the latest), if any.
    pub fn frozen_until(&self) -> Option<i64> {
        self.buckets
            .iter()
            .filter(|b| b.frozen())
            .filter_map(|b| b.freeze.as_ref().map(|f| f.until))
            .max()
    }
}

/// A run id: `YYYYMMDD-HHMMSS-xxxx` (UTC, then four hex digits).
pub fn new_id(now: i64, salt: u64) -> String {
    let t = crate::oss::time::iso8601_basic(now);
    let t = t.trim_end_matches('Z').replace('T', "-");
    format!("{t}-{:04x}", (salt ^ (salt >> 16) ^ (salt >> 32)) & 0xffff)
}

/// Whether `id` is a run id (`YYYYMMDD-HHMMSS-xxxx`): the only names a
/// journal, its batch directory or its lock may have.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 15 => *c == b'-',
            0..=14 => c.is_ascii_digit(),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}

/// `id` as it may be printed: a valid id as it is, anything else escaped.
pub fn shown_id(id: &str) -> String {
    crate::text::visible(id).into_owned()
}

/// Where runs keep their journals: `runs` under the state directory.
pub fn runs_dir() -> Option<PathBuf> {
    crate::log::state_dir().map(|d| d.join("runs"))
}

/// A journal that cannot be resumed, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The file's name, as it may be printed.
    pub file: String,
    pub why: String,
}

/// What the runs directory holds.
#[derive(Debug, Default)]
pub struct Listing {
    /// Readable journals, most recent first.
    pub runs: Vec<Journal>,
    /// Damaged, foreign (sealed elsewhere), edited or of another format.
    pub unreadable: Vec<Unreadable>,
}

/// The runs directory: its journals, their seal and their locks. Every path
/// under it is derived from a validated run id.
#[derive(Clone, Debug)]
pub struct Runs {
    dir: PathBuf,
    seal: Seal,
}

/// Why a run could not start its journal.
#[derive(Debug)]
pub enum BeginError {
    /// Another run holds one of the buckets: nothing may be sent.
    Busy(LockError),
    /// The journal could not be written: the run can go on, but could not be
    /// resumed.
    Io(io::Error),
}

impl std::fmt::Display for BeginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BeginError::Busy(e) => write!(f, "{e}"),
            BeginError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl Runs {
    /// The runs directory `dir`, made private, with its seal's key.
    pub fn at(dir: &Path) -> io::Result<Runs> {
        crate::private::dir(dir)?;
        Ok(Runs {
            dir: dir.to_path_buf(),
            seal: Seal::load_or_create(dir)?,
        })
    }

    /// The state directory's runs directory.
    pub fn default_place() -> Option<io::Result<Runs>> {
        runs_dir().map(|d| Runs::at(&d))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Takes the locks of run `id` over `buckets`.
    pub fn lock(&self, id: &str, buckets: &[(BucketKind, String)]) -> Result<RunLock, LockError> {
        lock::acquire(&self.dir, id, buckets)
    }

    /// Starts the journal of a run of `preflights` as `account`, appending to
    /// the audit report at `report`, after taking the locks of the run and its
    /// buckets (held while the returned lock lives).
    pub fn begin(
        &self,
        account: &str,
        report: Option<&Path>,
        preflights: &[super::Preflight],
    ) -> Result<(Arc<Journaler>, RunLock), BeginError> {
        let now = crate::oss::time::unix_secs(std::time::SystemTime::now());
        let salt = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() as u64)
            ^ u64::from(std::process::id()) << 8;
        let id = new_id(now, salt);
        let buckets: Vec<(BucketKind, String)> = preflights
            .iter()
            .map(|p| (p.kind, p.bucket.clone()))
            .collect();
        let lock = self.lock(&id, &buckets).map_err(|e| match e {
            LockError::Io(e) => BeginError::Io(e),
            busy => BeginError::Busy(busy),
        })?;
        let report = report.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
        let journal = Journal::new(
            &id,
            now,
            account,
            report,
            preflights.iter().map(|p| p.confirmed()).collect(),
        );
        let j = Journaler::create(self, journal).map_err(BeginError::Io)?;
        Ok((j, lock))
    }

    /// Opens the journal of run `id`: `id` must be a run id, the file's seal
    /// must hold and its id must be its name.
    pub fn open(&self, id: &str) -> Result<Arc<Journaler>, String> {
        if !valid_id(id) {
            return Err(format!(
                "{} is not a run id (they look like 20261206-213504-1f2e; ossweep resume lists them)",
                shown_id(id)
            ));
        }
        let journal = self.read(id)?;
        Ok(Arc::new(Journaler {
            runs: self.clone(),
            id: id.to_string(),
            state: Mutex::new((journal, 0)),
            written: tokio::sync::Mutex::new(0),
        }))
    }

    fn read(&self, id: &str) -> Result<Journal, String> {
        let path = self.path(id);
        let bytes = match read_capped(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(format!("there is no run {id} (ossweep resume lists them)"))
            }
            Err(e) => return Err(format!("cannot read the journal of run {id}: {e}")),
        };
        unseal_journal(&self.seal, id, &bytes)
            .map_err(|why| format!("the journal of run {id} {why}"))
    }

    /// Every journal, most recent first, and the files that cannot be resumed.
    pub fn list(&self) -> Listing {
        let mut listing = Listing::default();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return listing;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(".json") else {
                continue;
            };
            let result = if valid_id(id) {
                self.read(id)
            } else {
                Err("is not named by a run id".to_string())
            };
            match result {
                Ok(j) => listing.runs.push(j),
                Err(why) => listing.unreadable.push(Unreadable {
                    file: shown_id(&name),
                    why: crate::text::visible(&why).into_owned(),
                }),
            }
        }
        listing
            .runs
            .sort_by(|a, b| b.started.cmp(&a.started).then(b.id.cmp(&a.id)));
        listing.unreadable.sort_by(|a, b| a.file.cmp(&b.file));
        listing
    }

    /// Forgets run `id` (a run id), readable or not: its journal and batch
    /// files go. Refused while another process runs it.
    pub fn discard(&self, id: &str) -> Result<(), String> {
        if !valid_id(id) {
            return Err(format!("{} is not a run id", shown_id(id)));
        }
        if !self.path(id).exists() {
            return Err(format!("there is no run {id}"));
        }
        let lock = self.lock(id, &[]).map_err(|e| e.to_string())?;
        remove_run(&self.dir, id);
        lock.release_finished();
        Ok(())
    }
}

/// The most a journal or batch file is read of: ossweep's are a few KiB (a
/// batch file at most a few MiB); anything larger is not one of them.
const MAX_FILE: u64 = 64 << 20;

/// Reads `path`, refusing a file larger than any ossweep writes.
fn read_capped(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(io::Error::other(
            "it is too large to be a file ossweep wrote",
        ));
    }
    Ok(bytes)
}

/// Removes run `id`'s journal, batch files and any temporary file a killed
/// session left half-written beside them.
fn remove_run(dir: &Path, id: &str) {
    debug_assert!(valid_id(id));
    let _ = std::fs::remove_dir_all(dir.join(id));
    let _ = std::fs::remove_file(dir.join(format!("{id}.json")));
    let stem = format!("{id}.tmp");
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&stem) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// A sealed file: `{"format": 2, "mac": "...", "body": <the JSON sealed>}`.
#[derive(Deserialize)]
struct Envelope<'a> {
    format: u32,
    #[serde(default)]
    mac: String,
    #[serde(borrow)]
    body: &'a serde_json::value::RawValue,
}

fn seal_file(seal: &Seal, what: &str, name: &str, body: &[u8]) -> Vec<u8> {
    let mac = seal.sign(what, name, body);
    let mut out = format!("{{\"format\": {FORMAT}, \"mac\": \"{mac}\", \"body\": ").into_bytes();
    out.extend_from_slice(body);
    out.extend_from_slice(b"}\n");
    out
}

/// The sealed body of a file, if its seal holds.
fn unseal<'a>(seal: &Seal, what: &str, name: &str, bytes: &'a [u8]) -> Result<&'a str, String> {
    let format_of = |b: &[u8]| {
        serde_json::from_slice::<serde_json::Value>(b)
            .ok()
            .and_then(|v| v["format"].as_u64())
    };
    let env: Envelope = match serde_json::from_slice(bytes) {
        Ok(e) => e,
        Err(_) => {
            return Err(match format_of(bytes) {
                Some(f) if f != u64::from(FORMAT) => {
                    format!("has format {f}; this ossweep reads format {FORMAT} (discard it)")
                }
                _ => "is damaged: it is not a journal ossweep wrote".into(),
            })
        }
    };
    if env.format != FORMAT {
        return Err(format!(
            "has format {}; this ossweep reads format {FORMAT} (discard it)",
            env.format
        ));
    }
    let body = env.body.get();
    if !seal.verify(what, name, body.as_bytes(), &env.mac) {
        return Err("fails its seal: it was changed after ossweep wrote it, damaged, or comes from another machine or user; it is never resumed (discard it)".into());
    }
    Ok(body)
}

fn unseal_journal(seal: &Seal, id: &str, bytes: &[u8]) -> Result<Journal, String> {
    let body = unseal(seal, "journal", id, bytes)?;
    let journal: Journal = serde_json::from_str(body).map_err(|e| format!("is damaged: {e}"))?;
    if journal.id != id {
        return Err("names another run than its file".into());
    }
    Ok(journal)
}

/// The journal of one run on disk, shared by the run's tasks. Updates change
/// the copy in memory; `commit` writes it, many updates to one write when
/// they come together.
pub struct Journaler {
    runs: Runs,
    /// The run's id: validated, the journal's file name, never changed.
    id: String,
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
    /// Starts the journal of a new run in `runs`.
    pub fn create(runs: &Runs, journal: Journal) -> io::Result<Arc<Self>> {
        if !valid_id(&journal.id) {
            return Err(io::Error::other("not a run id"));
        }
        let j = Arc::new(Journaler {
            runs: runs.clone(),
            id: journal.id.clone(),
            state: Mutex::new((journal, 1)),
            written: tokio::sync::Mutex::new(0),
        });
        j.write_now()?;
        Ok(j)
    }

    pub fn id(&self) -> String {
        self.id.clone()
    }

    pub fn path(&self) -> PathBuf {
        self.runs.path(&self.id)
    }

    fn batch_dir(&self) -> PathBuf {
        self.runs.dir.join(&self.id)
    }

    fn batch_name(seq: u64, attempt: u32) -> String {
        format!("b{seq}.{attempt}.json")
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

    /// Writes every update made so far, or says why it could not: for what
    /// must be on disk before the run goes on (the policy a freeze replaces).
    pub async fn commit_or_fail(&self) -> io::Result<()> {
        let mut written = self.written.lock().await;
        let v = self.write_now()?;
        *written = (*written).max(v);
        Ok(())
    }

    /// Writes `bytes` to `name` in the run's directory (private; removed with
    /// the run): a copy for the user, never read back by ossweep.
    pub fn write_aside(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        crate::private::dir(&self.batch_dir())?;
        let path = self.batch_dir().join(name);
        crate::private::write_atomically(&path, bytes)?;
        Ok(path)
    }

    fn write_now(&self) -> io::Result<u64> {
        let (body, version) = {
            let mut s = self.state.lock().unwrap();
            s.0.updated = crate::oss::time::unix_secs(std::time::SystemTime::now());
            (serde_json::to_vec_pretty(&s.0)?, s.1)
        };
        let text = seal_file(&self.runs.seal, "journal", &self.id, &body);
        crate::private::write_atomically(&self.path(), &text)?;
        Ok(version)
    }

    /// Keeps the keys of a batch about to be sent (before the journal names it).
    pub fn write_batch(&self, seq: u64, attempt: u32, entries: &[BatchEntry]) -> io::Result<()> {
        crate::private::dir(&self.batch_dir())?;
        let name = Self::batch_name(seq, attempt);
        let body = serde_json::to_vec(entries)?;
        let text = seal_file(
            &self.runs.seal,
            "batch",
            &format!("{}/{name}", self.id),
            &body,
        );
        crate::private::write_atomically(&self.batch_dir().join(name), &text)
    }

    /// The keys of a batch in flight, if its file is there and its seal holds.
    pub fn read_batch(&self, seq: u64, attempt: u32) -> io::Result<Vec<BatchEntry>> {
        let name = Self::batch_name(seq, attempt);
        let bytes = read_capped(&self.batch_dir().join(&name))?;
        let body = unseal(
            &self.runs.seal,
            "batch",
            &format!("{}/{name}", self.id),
            &bytes,
        )
        .map_err(io::Error::other)?;
        serde_json::from_str(body).map_err(io::Error::other)
    }

    pub fn remove_batch(&self, seq: u64, attempt: u32) {
        let _ = std::fs::remove_file(self.batch_dir().join(Self::batch_name(seq, attempt)));
    }

    /// The run is over: its journal and batch files go.
    pub fn finish(&self) {
        remove_run(&self.runs.dir, &self.id);
    }
}

#[cfg(test)]
mod tests;
