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
#![doc = include_str!("engine.md")]

pub mod audit;
pub mod book;
mod bucket;
pub mod event;
pub mod failures;

mod objects;
pub mod plan;
pub mod progress;
mod recheck;
mod resources;
mod vectors;

use bucket::{delete_bucket, explain_remaining, gone_elsewhere, kept_reason};

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
pub use event::{CategoryTotals, Event, FailedItem, Remaining, RunError, StopKind, Summary};
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
    journal: Option<book::JournalSlot>,
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
        self.journal.as_ref().is_some_and(|s| s.booked().started())
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
        ctx.fatal(RunError::of_kind(
            StopKind::Outrun,
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
    book::count_earlier_sessions(&ctx).await;
    match info {
        Ok(info) => {
            let now = crate::oss::model::BucketIdentity::of(&info);
            if let Some(why) = ctx.plan.identity.as_ref().and_then(|i| i.differs(&now)) {
                ctx.summary.lock().unwrap().error = Some(not_the_bucket_confirmed(&ctx, &why));
                return finish(&ctx, started).await;
            }
            if let Some(error) = versioning_changed(&ctx, info.versioning) {
                ctx.summary.lock().unwrap().error = Some(error);
                return finish(&ctx, started).await;
            }
            ctx.versioning = info.versioning;
            ctx.listed_from = info.served_at;
        }
        // A resumed run whose bucket is gone: the interrupted session got as
        // far as deleting it. Its books are settled from the journal.
        Err(e) if e.is_code("NoSuchBucket") && ctx.resumed() => {
            book::bucket_gone(&ctx).await;
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
        book::reconcile(&ctx).await;
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

/// The bucket's versioning now, against what was confirmed: what a delete
/// does depends on it (a delete marker or the data), so a change stops the
/// run before anything is sent, saying what changed.
fn versioning_changed(ctx: &Ctx, now: Versioning) -> Option<RunError> {
    let confirmed = ctx.plan.versioning.filter(|v| *v != now)?;
    Some(RunError::local(
        "versioning changed",
        format!(
            "the versioning of {} is {} now; it was {} when the run was confirmed. Nothing was sent to it: scan it again and confirm what deleting means now.",
            ctx.bucket(),
            now.as_str(),
            confirmed.as_str()
        ),
    ))
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
            .is_some_and(|e| e.kind == StopKind::Outrun)
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
