//! The deletion engine: `run(client, plan, events, cancel) -> Summary`.
//!
//! The data goes first (objects, versions, markers, uploads); the attachments
//! (access points, LiveChannels, accelerators) only once it went without a
//! failure, so a bucket is never stripped of them on the way to failing.
//! Listing and deleting are pipelined: pages flow through a bounded channel into
//! 1000-key DeleteMultipleObjects batches, sent concurrently under the shared
//! adaptive request budget. In a versioned bucket every delete names its version id.
//! Keys a batch did not delete are retried, then reported. Cancellation takes
//! effect between batches. Memory holds a few pages, whatever the bucket size.
//!
//! The deletion engine, and the `empty` and `delete` commands, in detail:
//!
//! # The deletion engine
//!
//! `scan`, `empty`, `delete`, `expire` and the wizard are front ends over one engine
//! (`src/engine/`). `engine::prepare` scans a bucket to its end and computes its
//! `Preflight` (pure, from the scan report); `engine::run_many` re-checks the preflights
//! and runs them one bucket after another under one request budget, each through
//! `delete::run(client, plan, events, cancel) -> Summary`; the plan is built from the
//! preflight in exactly one place (`Preflight::plan`). `engine::expiry` is the one
//! lifecycle installer (`prepare`, `describe`, `install`). Front ends render these values
//! and ask for confirmation; they build no plans, loops or estimates of their own.
//! `scan` and `delete` share their vocabulary (`Category`, classification, WORM release)
//! through `src/vocab.rs`; neither imports the other's internals. A run watches its own
//! requests (`Client::watched`), so retries of other callers (the wizard loading bucket
//! details) never land in its summary or lower its concurrency. `Summary.error` is a
//! typed `RunError` (what ossweep was doing, OSS code, message, request id, status).
//!
//! * **Safety**: nothing is deleted without a typed confirmation (or `--confirm NAME` /
//!   `--yes`); in a versioned or suspended bucket every delete names its version id
//!   (versions and delete markers alike), so a delete never just adds a marker; a
//!   prefix-scoped run lists with the prefix and also checks every key against it;
//!   OSS-HDFS data is never touched; objects under a WORM retention policy are skipped
//!   and reported with their release dates; the bucket is deleted only when emptying
//!   succeeded completely.
//! * **Speed**: listings run by ranges of the key space at the same time, on any key
//!   layout (`src/oss/listing/`, below); pages flow through a bounded channel into
//!   DeleteMultipleObjects batches of 1000 keys (and under 2 MB), filled across pages
//!   so short pages from many ranges still make full batches, sent concurrently under
//!   the account's request budget. Objects and parts are cleared at the same time
//!   under the same budget; then, only once that data went without a failure (and,
//!   when the bucket is to be deleted, without a skip), what the bucket's users and
//!   integrations depend on: access points (their asynchronous removal started first
//!   and awaited last), LiveChannels and accelerators. A run that cannot empty the
//!   bucket (a RAM user denied DeleteObject on part of it, say) never strips it of
//!   them on the way to failing; the summary says they were not touched, names the
//!   RAM permission OSS refused (`access denied: ... needs oss:DeleteObject on B`),
//!   says that running again fails the same way until it is granted, and leaves no
//!   journal to resume (exit 3). Access
//!   points are waited for until OSS answers 404. The listing runs at most 32,000
//!   entries ahead of the deletes (listed and not yet deleted or settled), which bounds
//!   memory and what an interrupted run has to list again.
//! * **The run starts where the preflight found the keys**: the scan records the last
//!   key of every page it listed with the page's count (`KeyMap`, thinned to 4,096
//!   marks), and the run that follows starts with one range per few pages between those
//!   marks, all at once, instead of finding the layout again (any marks partition the
//!   key space, so a bucket written to since is still listed whole).
//! * **Parallel listing on any layout** (`src/oss/listing/`): one abstraction
//!   (`Source`) serves ListObjectsV2, ListObjectVersions and ListMultipartUploads; a
//!   range `(lo, hi]` lists from just after `lo` and keeps keys up to `hi`. The first
//!   range's first page decides whether splitting is worth it (a small or empty scope
//!   costs one request). Then: (1) **folders**: a delimiter listing of the scope finds
//!   its top-level "folders", descending (up to 8 listings) while there are fewer than
//!   the streams, e.g. a single `logs/` then its years then its months; (2) a **ladder**
//!   for a range with no end: one-key listings after the markers that close each level
//!   of the current key (`00001`, `0001`, `001`, `01`, `1` after `00000999`) plus a fan
//!   over the characters above it, which find where the rest of the keys begin and
//!   bound the range where nothing follows (at most 3 ladders of 9 probes); (3)
//!   **work stealing**: whenever a stream is idle, the range with the most pages left
//!   (estimated from its last page's density) is cut into as many even pieces as
//!   streams are idle, at most 16 pages each. Cuts are computed in a mixed radix whose
//!   digits at each position are the characters seen there (digits where numbers are,
//!   hex where hashes are: a position that showed a digit beside a letter a-f counts
//!   every hex digit), so a cut lands on keys that exist. Exactly once: a range
//!   accepts a page's keys under one lock against its `hi` at that moment, and a cut
//!   only moves `hi` down to a marker above every key the range accepted; all of a
//!   key's versions or uploads belong to the range the key falls in, so a listing
//!   resumed mid-key (key-marker and version-id-marker) stays in its range. Every
//!   request carries the prefix, and every entry is checked against it again. The
//!   summary and the scan report count what the listing sent (`listing`: pages,
//!   probes, folder listings, ranges, ranges that turned out empty).
//! * **Verified emptying**: after the delete pass of each category a fresh listing of the
//!   scope (one request when it is empty) must find nothing; what it finds is deleted
//!   and the scope listed again, at most 5 listings in all, and a scope still not empty
//!   then (a writer that never stops) ends the run with that reason. `empty` and `delete`
//!   exit 0 only when the last listing showed every category of the run empty (the
//!   summary's `verified`). Listing while deleting can pass over entries: with a naive
//!   version-id-marker (the emulator's `skip-when-gone` mode) a version whose neighbour
//!   was just deleted is skipped; the verification catches it either way. One
//!   exception: deleting only the current versions of a versioned bucket makes each
//!   previous version current, which is the expected result, so that kind is verified
//!   by the batch replies alone. A listing that breaks off on a transient error
//!   (a lost reply, a 5xx) is listed again by the next pass.
//! * **Failures**: keys missing from a batch's `Deleted` list are retried (3 attempts),
//!   then reported with key, version id and code; a batch that keeps failing the same
//!   way stops the run with the reason. A batch whose reply was lost (cut, garbled, or
//!   the connection dropped after OSS acted) is sent again (a key already gone is
//!   reported deleted), and if its replies stay lost, a listing of the batch's key range
//!   says which keys are gone before any is called failed, so the summary and the
//!   report match what the service lost. Events go out per batch, never per key, over a
//!   bounded channel.
//! * **Memory** holds a few pages per range stream, whatever the bucket size (figures
//!   in tests/bench/README.md).
//! * **Resuming** (`src/engine/journal.rs`, `src/delete/journaling.rs`): a run keeps
//!   its journal as it goes. Before a batch is sent its keys go to a small file and the
//!   journal names the batch; after its reply is booked (audit records first, then the
//!   totals) the journal counts what was deleted, names what is left of the batch for
//!   its next attempt, and keeps the spans of the key space not done (a range is done
//!   once its listing ended and every entry it gave is deleted, failed or left alone);
//!   updates that come together are written together (group commit). A resumed bucket
//!   first settles the batches that were in flight, lists only the open spans (one
//!   range each), and then verifies with a fresh listing of the whole scope. Its plan
//!   carries bounds (`delete::Bounds`): an entry written at or after the confirmed
//!   scan's server time, or an attachment whose name that scan did not find, is left
//!   alone, counted as kept, and keeps its category from being verified empty. The
//!   check before it is `engine::resume` (module docs there); the locks, the seal and
//!   the paths are `engine::journal`'s.
//!
//! # `ossweep empty BUCKET [--only CATEGORIES] [--prefix P] [--dry-run] [--yes]`
//!
//! Clears categories without deleting the bucket, after printing the preflight. By
//! default it clears what the bucket stores: objects, previous versions, delete markers
//! and incomplete uploads. A bucket that stays keeps its LiveChannels, access points and
//! accelerators unless you name them: `--only access-points,live-channels` (names from
//! the table above), or `--only all` for every category ossweep can clear. `--prefix P` limits the run to keys
//! starting with P (objects, versions, delete markers and parts only); keys outside the
//! prefix are never touched, and nothing is said of them: the risks are those of the
//! prefix (a website stops serving the files under it; no name is released), the
//! verification and the outcome speak of what is under it (`verified empty under prefix
//! "logs/" by a fresh listing`, `nothing remains under the prefix`), and a prefix that
//! matches nothing is an error (exit 1: `prefix "nope/" matches nothing in BUCKET ...;
//! check the prefix`), never an empty bucket. The preflight of a run that keeps the
//! bucket says `the bucket stays`. On a terminal it asks you to type the bucket name; without
//! a terminal it refuses (exit 4) unless `--yes` is given. `--dry-run` prints exactly
//! what would be deleted, one JSON line per item, and sends no delete request. A
//! category name that is nearly right gets a suggestion (`unknown category "objcts";
//! did you mean objects?`); `oss-hdfs` is refused with the reason (OSS-HDFS data is
//! deleted from the console's OSS-HDFS page).
//!
//! **One item at a time**, as the wizard's drill-down does it: `--access-point NAME`,
//! `--live-channel NAME` or `--upload-id ID` (each repeatable; one kind per command, not
//! with `--only` or `--prefix`) clears only those items and keeps their siblings. An
//! upload is named by its id alone (`ossweep scan --json` lists them under `found`);
//! the preflight finds its key in the scan. A name the scan did not find is refused
//! before any write (`acme-data-lake has no access point named ap-nope`, exit 5).
//!
//! **Buckets as ossutil users type them.** Wherever a bucket is named (`scan`, `empty`,
//! `delete`, `expire`, `--confirm`), `oss://NAME` works as well as `NAME`;
//! `ossweep empty oss://NAME/PREFIX` is `--prefix PREFIX`, and a prefix where none can
//! apply (`delete oss://NAME/logs/`) is refused with the command that clears it. With
//! `--json`, an error is also printed on stdout as `{"event":"error","message":...,
//! "exit_code":N}`.
//!
//! # `ossweep delete BUCKET... [--from FILE] --confirm NAME... [--empty-only]`
//!
//! Scans each bucket, prints its preflight (risks included), then empties each bucket
//! and deletes it once emptying succeeded. Every bucket must be named again in
//! `--confirm` (or typed at the prompt on a terminal), or nothing happens at all (exit
//! 4); a `--confirm` naming a bucket that is not in the list is a usage error. `--from
//! FILE` reads more names, one per line (`#` comments allowed). A bucket that cannot be
//! deleted stops the whole command before any write (exit 5). `--empty-only` empties
//! the data of each bucket instead (objects, versions, delete markers, uploads) and keeps
//! the buckets with their access points, accelerators and LiveChannels. All buckets of a
//! run share one request budget; the summary ends with one sentence per bucket saying
//! what happened and what remains. If OSS still answers `BucketNotEmpty`, ossweep re-scans and
//! says exactly what remains, for example objects written after the run started by
//! something that is still writing to the bucket.

pub mod audit;
pub mod event;
pub mod journaling;
mod objects;
pub mod plan;
pub mod progress;
mod recheck;
mod resources;
mod vectors;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::oss::client::{Notice, Watch};
use crate::oss::model::{Versioning, WormConfiguration};
use crate::oss::{time, Client, OssError};
use crate::vocab::Category;

pub use crate::vocab::LISTING_STREAMS;
pub use audit::Audit;
pub use event::{CategoryTotals, Event, FailedItem, Remaining, RunError, Summary};
pub use plan::{check_scope, Bounds, Plan};

/// Everything the parts of a run share.
struct Ctx {
    client: Client,
    plan: Plan,
    events: mpsc::Sender<Event>,
    /// The caller's token, and a child the engine cancels itself on fatal errors.
    cancel: CancellationToken,
    stop: CancellationToken,
    summary: Mutex<Summary>,
    versioning: Versioning,
    worm: Option<WormConfiguration>,
    started_at: i64,
    /// OSS's clock when this session began (the `Date` of its GetBucketInfo,
    /// sent before any listing): what was last modified before it, the
    /// session's first listing saw.
    listed_from: Option<i64>,
    /// This run's own retries and throttling.
    watch: Arc<Watch>,
    /// The run's journal, when it keeps one.
    journal: Option<journaling::JournalSlot>,
    /// Numbers listing pages and batches (unique across sessions of a run).
    seq: std::sync::atomic::AtomicU64,
}

impl Ctx {
    /// Sends an event; a closed channel means the front end has gone: stop.
    async fn emit(&self, e: Event) {
        if self.events.send(e).await.is_err() {
            self.stop.cancel();
        }
    }

    /// Whether the run must send nothing more: it was stopped, or its audit
    /// trail could not be written (which stops it here, before anything else
    /// is sent).
    fn stopped(&self) -> bool {
        if !self.stop.is_cancelled() {
            if let Some(why) = self.plan.audit.failure() {
                self.fatal(RunError {
                    context: "audit report".into(),
                    message: format!(
                        "the report could not be written ({why}); stopped before anything else was sent"
                    ),
                    resumable: true,
                    ..Default::default()
                });
            }
        }
        self.stop.is_cancelled()
    }

    fn bucket(&self) -> &str {
        &self.plan.bucket
    }

    /// Whether this bucket was started by an earlier session of the run.
    fn resumed(&self) -> bool {
        self.journal.as_ref().is_some_and(|s| {
            let b = &s.journaler.snapshot().buckets[s.bucket];
            b.open_spans.is_some() || !b.deleted.is_empty() || !b.in_flight.is_empty()
        })
    }

    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    fn totals<R>(&self, c: Category, f: impl FnOnce(&mut CategoryTotals) -> R) -> R {
        let mut s = self.summary.lock().unwrap();
        f(s.categories.entry(c).or_default())
    }

    fn add_requests(&self, n: u64) {
        self.summary.lock().unwrap().requests += n;
    }

    fn add_listing(&self, t: &crate::oss::listing::ListingTally) {
        self.summary.lock().unwrap().listing.add(t);
    }

    fn fail(&self, category: Category, key: &str, version_id: Option<&str>, e: &str, code: &str) {
        self.totals(category, |t| t.failed += 1);
        self.summary.lock().unwrap().record_failure(FailedItem {
            category,
            key: key.to_string(),
            version_id: version_id.map(str::to_string),
            code: code.to_string(),
            message: e.to_string(),
        });
        self.plan.audit.write([audit::AuditRecord::new(
            self.bucket(),
            category,
            "failed",
            key,
            version_id,
            Some(code),
        )]);
    }

    /// An item OSS refused or could not act on: booked failed, and a refused
    /// RAM permission is remembered for the summary.
    fn fail_oss(&self, category: Category, key: &str, version_id: Option<&str>, e: &OssError) {
        // Not sent because the run stopped: no failure (the stop is).
        if matches!(e, OssError::Halted { sent: 0, .. }) {
            return;
        }
        self.denied(e);
        self.fail(category, key, version_id, &first_line(e), &code_of(e));
    }

    /// Remembers the RAM permission an AccessDenied names (not the one a
    /// wrong-region reply sends, which the client follows).
    fn denied(&self, e: &OssError) {
        if let Some(a) = e.api() {
            if a.code == "AccessDenied" && a.endpoint.is_none() {
                if let Some(p) = a.permission {
                    self.summary
                        .lock()
                        .unwrap()
                        .missing_permissions
                        .insert(p.to_string());
                }
            }
        }
    }

    fn fatal(&self, error: RunError) {
        let mut s = self.summary.lock().unwrap();
        if s.error.is_none() {
            s.error = Some(error);
        }
        drop(s);
        self.stop.cancel();
    }

    async fn category_started(&self, category: Category) {
        let estimate = self.plan.estimates.get(&category).copied();
        self.totals(category, |_| ());
        self.emit(Event::CategoryStarted {
            bucket: self.bucket().to_string(),
            category,
            estimate,
        })
        .await;
    }

    /// Books a category a fresh listing showed empty, unless some of it was
    /// skipped or failed: then it is not empty, and never said to be.
    async fn verified(&self, category: Category, passes: u32) {
        {
            let mut s = self.summary.lock().unwrap();
            let left = s
                .categories
                .get(&category)
                .is_some_and(|t| t.skipped + t.failed > 0);
            if left {
                return;
            }
            s.verified.insert(category);
        }
        self.emit(Event::Verified {
            bucket: self.bucket().to_string(),
            category,
            passes,
        })
        .await;
    }

    /// A category OSS's replies say is done and no listing can verify (see
    /// `Summary::done_by_replies`); not when something in it failed or stays.
    fn done_by_replies(&self, category: Category) {
        let mut s = self.summary.lock().unwrap();
        let left = s
            .categories
            .get(&category)
            .is_some_and(|t| t.skipped + t.failed > 0);
        if !left {
            s.done_by_replies.insert(category);
        }
    }

    /// Books what a resumed run kept in `category` because it was never
    /// confirmed (`kept.sample`: a few of its keys or names): skipped, said
    /// in an event, and the category is not verified empty.
    async fn kept_unconfirmed(&self, category: Category, kept: &Kept) {
        if kept.count == 0 {
            return;
        }
        {
            let mut s = self.summary.lock().unwrap();
            s.verified.remove(&category);
            s.categories.entry(category).or_default().skipped += kept.count;
            *s.unconfirmed.entry(category).or_default() += kept.count;
            for k in &kept.sample {
                if s.unconfirmed_sample.len() < Kept::SAMPLE {
                    s.unconfirmed_sample.push(k.clone());
                }
            }
        }
        self.emit(Event::ItemsSkipped {
            bucket: self.bucket().to_string(),
            category,
            count: kept.count,
            reason: format!(
                "written or created after the run was confirmed (e.g. {:?}): never confirmed, so not deleted",
                kept.sample.first().map(String::as_str).unwrap_or_default()
            ),
        })
        .await;
    }

    async fn category_done(&self, category: Category) {
        let (deleted, failed) = self.totals(category, |t| (t.deleted, t.failed));
        self.emit(Event::CategoryDone {
            bucket: self.bucket().to_string(),
            category,
            deleted,
            failed,
        })
        .await;
    }
}

/// Listings of one category a run may take: the delete pass, then sweeps while a
/// fresh listing still finds something. A scope still not empty after this many
/// is being written to.
const MAX_PASSES: u32 = 5;

/// What a resumed run's listing left alone because it was never confirmed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Kept {
    pub count: u64,
    pub sample: Vec<String>,
}

impl Kept {
    const SAMPLE: usize = 5;

    fn add(&mut self, key: &str) {
        self.count += 1;
        if self.sample.len() < Self::SAMPLE {
            self.sample.push(key.to_string());
        }
    }
}

/// What one pass of a category listed: `found` to delete, `kept` left
/// alone because it was never confirmed.
#[derive(Clone, Debug, Default)]
pub(crate) struct PassCount {
    pub found: u64,
    pub kept: Kept,
}

/// How a delete pass ended, for [`until_empty`].
enum PassEnd {
    /// A fresh listing found nothing: verified.
    Empty,
    /// Go on with another pass.
    Again,
    /// Stop: cancelled, a dry run, failures reported, or passes exhausted.
    Stop,
}

/// Failures booked so far in these categories.
fn failures_in(ctx: &Ctx, categories: &[Category]) -> u64 {
    let s = ctx.summary.lock().unwrap();
    categories
        .iter()
        .filter_map(|c| s.categories.get(c))
        .map(|t| t.failed)
        .sum()
}

/// What to do after pass `number` that found `found` entries; `failed` says
/// whether the pass booked failures (those are reported; nothing to verify).
fn after_pass(ctx: &Ctx, number: u32, found: u64, failed: bool) -> PassEnd {
    if ctx.stopped() || ctx.plan.dry_run || failed {
        return PassEnd::Stop;
    }
    if found == 0 {
        return PassEnd::Empty;
    }
    if number == MAX_PASSES {
        ctx.fatal(RunError::local(
            "verification",
            format!(
                "after {MAX_PASSES} listings of {} the last one still found {found} entries to delete; something may be writing to the bucket",
                ctx.plan
                    .prefix
                    .as_deref()
                    .map_or("the bucket".to_string(), |p| format!("prefix {p:?}"))
            ),
        ));
        return PassEnd::Stop;
    }
    PassEnd::Again
}

/// Runs `pass` (a fresh listing of `category` and its deletes; it returns how
/// many entries it found, and what it kept as never confirmed) until one finds
/// nothing to delete, which verifies the category unless it kept something.
async fn until_empty<F, Fut>(ctx: &Ctx, category: Category, mut pass: F)
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = PassCount>,
{
    for number in 1..=MAX_PASSES {
        let failures_before = failures_in(ctx, &[category]);
        let PassCount { found, kept } = pass(number).await;
        let failed = failures_in(ctx, &[category]) > failures_before;
        match after_pass(ctx, number, found, failed) {
            PassEnd::Empty if kept.count > 0 => {
                ctx.kept_unconfirmed(category, &kept).await;
                return;
            }
            PassEnd::Empty => {
                ctx.verified(category, number).await;
                return;
            }
            PassEnd::Stop => return,
            PassEnd::Again if number > 1 => {
                ctx.emit(Event::Sweeping {
                    bucket: ctx.bucket().to_string(),
                    category,
                    pass: number,
                    found,
                })
                .await
            }
            PassEnd::Again => {}
        }
    }
}

/// The error code of an OSS error, or a short name for other failures.
fn code_of(e: &OssError) -> String {
    match e {
        OssError::Api(a) if !a.code.is_empty() => a.code.clone(),
        OssError::Api(a) => format!("HTTP{}", a.status),
        OssError::Transport { .. } => "TransportError".into(),
        OssError::Malformed { .. } => "MalformedReply".into(),
        OssError::InvalidInput(_) => "InvalidInput".into(),
        OssError::Stalled { .. } => "ListingStalled".into(),
        OssError::AcceleratorUnreachable { .. } => "AcceleratorUnreachable".into(),
        OssError::Halted { .. } => "Cancelled".into(),
    }
}

/// An error in one line, for a failure record; an AccessDenied says which
/// permission it needs (failures are grouped by code, this says the fix).
fn first_line(e: &OssError) -> String {
    let line = e.to_string().lines().next().unwrap_or_default().to_string();
    match e.api() {
        Some(a) if a.code == "AccessDenied" && a.endpoint.is_none() => match a.permission {
            Some(p) => format!("{line} (needs {p})"),
            None => line,
        },
        _ => line,
    }
}

/// Runs a plan to the end (or until cancelled) and says exactly what was done.
pub async fn run(
    client: &Client,
    plan: Plan,
    events: mpsc::Sender<Event>,
    cancel: CancellationToken,
) -> Summary {
    let started = Instant::now();
    let stop = cancel.child_token();
    let summary = Summary {
        kind: plan.kind,
        bucket: plan.bucket.clone(),
        prefix: plan.prefix.clone(),
        dry_run: plan.dry_run,
        named_items: plan.items.as_ref().map_or(0, |i| i.len()),
        ..Default::default()
    };
    // The run watches its own requests: every retry is reported, and nobody
    // else's retries land in this summary. Throttling lowers the account's
    // budget (the client does that); the events show it.
    let budget = client.budget().clone();
    let tx = events.clone();
    let (client, watch) = client.watched_until(
        Some(Arc::new(move |n: &Notice| match n {
            Notice::Retry(n) => {
                if n.throttled {
                    let _ = tx.try_send(Event::Throttled {
                        delay_ms: n.delay.as_millis() as u64,
                    });
                    let _ = tx.try_send(Event::Concurrency {
                        limit: budget.limit(),
                    });
                }
                let _ = tx.try_send(Event::Retried {
                    op: n.op.to_string(),
                    attempt: n.attempt,
                });
            }
            Notice::Waiting(w) => {
                let _ = tx.try_send(Event::Waiting {
                    op: w.op.to_string(),
                    attempt: w.attempt,
                    max_attempts: w.max_attempts,
                    elapsed_secs: w.elapsed.as_secs(),
                });
            }
        })),
        Some(stop.clone()),
    );

    let mut ctx = Ctx {
        client: client.clone(),
        events: events.clone(),
        cancel: cancel.clone(),
        stop: stop.clone(),
        summary: Mutex::new(summary),
        versioning: Versioning::Off,
        worm: None,
        started_at: time::unix_secs(SystemTime::now()),
        listed_from: None,
        journal: plan.journal.clone(),
        // Numbers of this session start past any earlier session's.
        seq: std::sync::atomic::AtomicU64::new((time::unix_secs(SystemTime::now()) as u64) << 24),
        plan,
        watch,
    };
    let _ = events
        .send(Event::Started {
            bucket: ctx.plan.bucket.clone(),
            dry_run: ctx.plan.dry_run,
        })
        .await;
    if let Err(e) = ctx.plan.validate() {
        ctx.summary.lock().unwrap().error = Some(RunError::local("plan", e));
        return finish(&ctx, started).await;
    }
    if ctx.plan.kind.is_vector() {
        return run_vector(ctx, started).await;
    }
    let (info, worm) = tokio::join!(
        client.get_bucket_info(&ctx.plan.bucket),
        client.get_bucket_worm(&ctx.plan.bucket)
    );
    // A resumed bucket: what earlier sessions deleted counts.
    journaling::count_earlier_sessions(&ctx).await;
    match info {
        Ok(info) => {
            let now = crate::oss::model::BucketIdentity::of(&info);
            if let Some(why) = ctx.plan.identity.as_ref().and_then(|i| i.differs(&now)) {
                ctx.summary.lock().unwrap().error = Some(not_the_bucket_confirmed(&ctx, &why));
                return finish(&ctx, started).await;
            }
            ctx.versioning = info.versioning;
            ctx.listed_from = info.served_at;
        }
        // A resumed run whose bucket is gone: the interrupted session got as
        // far as deleting it. Its books are settled from the journal.
        Err(e) if e.is_code("NoSuchBucket") && ctx.resumed() => {
            journaling::bucket_gone(&ctx).await;
            return finish(&ctx, started).await;
        }
        Err(e) => {
            ctx.summary.lock().unwrap().error = Some(RunError::oss("GetBucketInfo", &e));
            return finish(&ctx, started).await;
        }
    }
    ctx.worm = worm.ok().flatten();
    let ctx = Arc::new(ctx);
    // The batches that were in flight when a session stopped are settled first.
    if !ctx.plan.dry_run {
        journaling::reconcile(&ctx).await;
    }

    let wanted = |c: Category| ctx.plan.categories.contains(&c);
    let when = |go: bool| go && !ctx.stopped();
    // The data first: uploads and the object kinds, at the same time within
    // the account's one request budget.
    tokio::join!(
        async {
            if when(wanted(Category::Parts)) {
                resources::abort_uploads(&ctx).await;
            }
        },
        async {
            if when(ctx.plan.categories.iter().any(|c| c.is_object_kind())) {
                objects::clear(ctx.clone()).await;
            }
        },
    );
    // Then what the bucket's users and integrations depend on, only once the
    // data went: a run that cannot empty the bucket never strips it of them.
    let attachments: Vec<Category> = [
        Category::AccessPoints,
        Category::LiveChannels,
        Category::Accelerators,
    ]
    .into_iter()
    .filter(|c| wanted(*c))
    .collect();
    match resources::attachments_held_back(&ctx) {
        _ if attachments.is_empty() || ctx.stopped() => {}
        Some(why) => {
            // Said of those the scan found (a category it counted empty is
            // not news; one it could not count is named without a number).
            for category in attachments {
                let count = ctx.plan.estimates.get(&category).copied();
                if count == Some(0) {
                    continue;
                }
                ctx.emit(Event::ItemsSkipped {
                    bucket: ctx.bucket().to_string(),
                    category,
                    count: count.unwrap_or(0),
                    reason: why.clone(),
                })
                .await;
            }
        }
        None => resources::clear_attachments(&ctx).await,
    }
    if ctx.plan.delete_bucket && !ctx.plan.dry_run {
        if !ctx.stopped() {
            delete_bucket(&ctx).await;
        } else if outran_by_a_writer(&ctx) {
            // Verification gave up because entries kept appearing: the bucket
            // stays, and the summary says what is there and when it was written.
            let remaining = explain_remaining(&ctx, "the bucket was not deleted").await;
            ctx.summary.lock().unwrap().remaining = Some(remaining);
        }
    }
    finish(&ctx, started).await
}

/// The run's bucket has the confirmed name and another identity.
fn not_the_bucket_confirmed(ctx: &Ctx, why: &str) -> RunError {
    RunError::local(
        "not the bucket confirmed",
        format!(
            "{} is not the bucket the run was confirmed for: {why}. Nothing was sent to it.",
            ctx.bucket()
        ),
    )
}

/// Whether the run stopped because fresh listings kept finding new entries.
fn outran_by_a_writer(ctx: &Ctx) -> bool {
    !ctx.cancel.is_cancelled()
        && ctx
            .summary
            .lock()
            .unwrap()
            .error
            .as_ref()
            .is_some_and(|e| e.context == "verification")
}

/// A vector bucket: its indexes, then (when asked) the bucket.
async fn run_vector(ctx: Ctx, started: Instant) -> Summary {
    match ctx.client.locate_vector_bucket(ctx.bucket()).await {
        Ok(found) => {
            let now = found.identity();
            if let Some(why) = ctx.plan.identity.as_ref().and_then(|i| i.differs(&now)) {
                ctx.summary.lock().unwrap().error = Some(not_the_bucket_confirmed(&ctx, &why));
                return finish(&ctx, started).await;
            }
        }
        Err(e) => {
            ctx.summary.lock().unwrap().error = Some(RunError::oss("GetVectorBucket", &e));
            return finish(&ctx, started).await;
        }
    }
    if ctx.plan.categories.contains(&Category::VectorIndexes) && !ctx.stopped() {
        vectors::clear_indexes(&ctx).await;
    }
    if ctx.plan.delete_bucket && !ctx.plan.dry_run && !ctx.stopped() {
        let (has_failures, kept) = {
            let s = ctx.summary.lock().unwrap();
            (
                s.failures_total > 0 || s.error.is_some(),
                s.unconfirmed_total(),
            )
        };
        let refused = if kept > 0 {
            Some(kept_reason(kept))
        } else if has_failures {
            Some("some indexes could not be deleted (see the failures above), so the vector bucket was left in place".to_string())
        } else {
            match vectors::delete_bucket(&ctx).await {
                Ok(()) => None,
                Err(e) if e.code.as_deref() == Some("VectorBucketNotEmpty") => Some(format!(
                    "OSS still refuses to delete the vector bucket (VectorBucketNotEmpty) after {} s",
                    ctx.plan.wait_timeout.as_secs()
                )),
                Err(e) => {
                    ctx.fatal(e);
                    None
                }
            }
        };
        match refused {
            Some(reason) => {
                let remaining = vectors::remaining(&ctx, &reason).await;
                ctx.summary.lock().unwrap().remaining = Some(remaining);
            }
            None if !ctx.stopped() => {
                ctx.summary.lock().unwrap().bucket_deleted = true;
                ctx.emit(Event::BucketDeleted {
                    bucket: ctx.bucket().to_string(),
                })
                .await;
            }
            None => {}
        }
    }
    finish(&ctx, started).await
}

async fn finish(ctx: &Ctx, started: Instant) -> Summary {
    ctx.plan.audit.flush();
    gone_elsewhere(ctx);
    let mut s = ctx.summary.lock().unwrap().clone();
    s.sent = ctx.watch.stats.requests.load(Ordering::Relaxed);
    s.retries = ctx.watch.stats.retries.load(Ordering::Relaxed);
    s.throttles = ctx.watch.stats.throttles.load(Ordering::Relaxed);
    // A run whose bucket was deleted before the stop took effect finished.
    s.cancelled = !s.bucket_deleted
        && (ctx.cancel.is_cancelled()
            || (ctx.stop.is_cancelled() && s.error.is_none() && !s.deleted_elsewhere));
    s.elapsed_ms = started.elapsed().as_millis() as u64;
    let event = if s.cancelled {
        Event::Cancelled {
            summary: Box::new(s.clone()),
        }
    } else {
        Event::Finished {
            summary: Box::new(s.clone()),
        }
    };
    let _ = ctx.events.send(event).await;
    s
}

/// Why a resumed run left its bucket: it kept `kept` entries never confirmed.
fn kept_reason(kept: u64) -> String {
    format!(
        "{} written or created after the run was confirmed {} kept (never confirmed), so the bucket was left in place; to delete them too, run ossweep again: it scans the bucket and asks anew",
        crate::units::counted(kept, "entry", "entries"),
        if kept == 1 { "was" } else { "were" }
    )
}

/// A run that met NoSuchBucket (a fresh run at its start, or any run part-way)
/// lost its bucket to someone else: a run that was to delete it is done, with
/// that said; any other stops with that said, never with counts of what
/// "remains" in a bucket that is gone.
fn gone_elsewhere(ctx: &Ctx) {
    let mut s = ctx.summary.lock().unwrap();
    let gone = s.deleted_elsewhere
        || s.error
            .as_ref()
            .is_some_and(|e| e.code.as_deref() == Some("NoSuchBucket"));
    if !gone {
        return;
    }
    s.deleted_elsewhere = true;
    s.error = if ctx.plan.delete_bucket {
        None
    } else {
        Some(RunError::local(
            "bucket gone",
            format!(
                "{} was deleted by someone else during the run (OSS answers NoSuchBucket)",
                ctx.bucket()
            ),
        ))
    };
}

async fn delete_bucket(ctx: &Ctx) {
    let (has_failures, kept) = {
        let s = ctx.summary.lock().unwrap();
        (
            s.failures_total > 0
                || s.error.is_some()
                || s.categories.values().any(|t| t.skipped > 0),
            s.unconfirmed_total(),
        )
    };
    if has_failures {
        let reason = if kept > 0 {
            kept_reason(kept)
        } else {
            "some items could not be deleted (see the failures above), so the bucket was left in place".into()
        };
        let remaining = explain_remaining(ctx, &reason).await;
        ctx.summary.lock().unwrap().remaining = Some(remaining);
        return;
    }
    ctx.add_requests(1);
    match ctx.client.delete_bucket(ctx.bucket()).await {
        Ok(()) => {}
        Err(e) if e.is_code("NoSuchBucket") => {
            // Someone else deleted it while the run went on.
            ctx.summary.lock().unwrap().deleted_elsewhere = true;
            return;
        }
        Err(e) if e.is_code("BucketNotEmpty") => {
            let remaining = explain_remaining(ctx, "").await;
            ctx.summary.lock().unwrap().remaining = Some(remaining);
            return;
        }
        Err(e) => {
            ctx.fatal(RunError::oss("DeleteBucket", &e));
            return;
        }
    }
    ctx.summary.lock().unwrap().bucket_deleted = true;
    ctx.emit(Event::BucketDeleted {
        bucket: ctx.bucket().to_string(),
    })
    .await;
}

/// Re-scans a bucket DeleteBucket refused and says exactly what remains.
async fn explain_remaining(ctx: &Ctx, reason: &str) -> Remaining {
    use futures::StreamExt;
    let bucket = ctx.bucket();
    let mut r = Remaining::default();
    match crate::scan::scan(
        &ctx.client,
        bucket,
        None,
        &CancellationToken::new(),
        ctx.started_at,
    )
    .await
    {
        Ok(report) => {
            for c in &report.categories {
                if c.count > 0 {
                    r.counts.insert(c.category, c.count);
                }
            }
        }
        Err(e) => {
            r.explanation = format!("DeleteBucket refused and the re-scan failed: {e}");
            return r;
        }
    }
    let mut versions = ctx.client.list_object_versions(bucket, None);
    while let Some(Ok(v)) = versions.next().await {
        if r.sample.len() < 5 {
            r.sample.push(v.key.clone());
        }
        if v.last_modified.is_some_and(|t| t >= ctx.started_at) {
            r.written_during_run += 1;
        }
    }
    let what: Vec<String> = r.counts.iter().map(|(c, n)| c.counted(*n)).collect();
    let kept = ctx.summary.lock().unwrap().unconfirmed_total() > 0;
    r.explanation = if kept {
        // A resumed run kept what was never confirmed: that is why, not a writer.
        format!("{}: {} remain.", reason, what.join(", "))
    } else if r.written_during_run > 0 {
        format!(
            "the bucket was not deleted: {} remain, and {} of them were written after this run started (e.g. {:?}); something is still writing to the bucket. Stop the writer, then run ossweep again.",
            what.join(", "),
            r.written_during_run,
            r.sample.first().cloned().unwrap_or_default()
        )
    } else if !reason.is_empty() {
        format!("{}: {} remain.", reason, what.join(", "))
    } else if r.counts.is_empty() {
        "OSS refused to delete the bucket (BucketNotEmpty) although every listing is empty: an OSS accelerator or OSS-HDFS metadata may remain; check the console.".into()
    } else {
        format!(
            "OSS refused to delete the bucket (BucketNotEmpty): {} remain.",
            what.join(", ")
        )
    };
    r
}
