//! What the parts of a run share: the run's context (client, plan, events,
//! stop tokens, the summary being booked), how an item is booked deleted or
//! failed, and the pass loop every category's clear goes through (a fresh
//! listing until one finds nothing, which verifies the category).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::audit::{self, AuditRecord};
use super::{book, CategoryTotals, Event, FailedItem, Plan, RunError, StopKind, Summary};
use crate::blockers::Category;
use crate::oss::client::Watch;
use crate::oss::model::{Versioning, WormConfiguration};
use crate::oss::{Client, OssError};

/// Everything the parts of a run share.
pub(crate) struct Ctx {
    pub(crate) client: Client,
    pub(crate) plan: Plan,
    pub(crate) events: mpsc::Sender<Event>,
    /// The caller's token, and a child the engine cancels itself on fatal errors.
    pub(crate) cancel: CancellationToken,
    pub(crate) stop: CancellationToken,
    pub(crate) summary: Mutex<Summary>,
    pub(crate) versioning: Versioning,
    pub(crate) worm: Option<WormConfiguration>,
    pub(crate) started_at: i64,
    /// OSS's clock when this session began (the `Date` of its GetBucketInfo,
    /// sent before any listing): what was last modified before it, the
    /// session's first listing saw.
    pub(crate) listed_from: Option<i64>,
    /// This run's own retries and throttling.
    pub(crate) watch: Arc<Watch>,
    /// The run's journal, when it keeps one.
    pub(crate) journal: Option<book::JournalSlot>,
    /// Numbers listing pages and batches (unique across sessions of a run).
    pub(crate) seq: std::sync::atomic::AtomicU64,
}

impl Ctx {
    /// Sends an event; a closed channel means the front end has gone: stop.
    pub(crate) async fn emit(&self, e: Event) {
        if self.events.send(e).await.is_err() {
            self.stop.cancel();
        }
    }

    /// Whether the run must send nothing more: it was stopped, or its audit
    /// trail could not be written (which stops it here, before anything else
    /// is sent).
    pub(crate) fn stopped(&self) -> bool {
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

    pub(crate) fn bucket(&self) -> &str {
        &self.plan.bucket
    }

    /// Whether this bucket was started by an earlier session of the run.
    pub(crate) fn resumed(&self) -> bool {
        self.journal.as_ref().is_some_and(|s| s.booked().started())
    }

    pub(crate) fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn totals<R>(&self, c: Category, f: impl FnOnce(&mut CategoryTotals) -> R) -> R {
        let mut s = self.summary.lock().unwrap();
        f(s.categories.entry(c).or_default())
    }

    pub(crate) fn add_requests(&self, n: u64) {
        self.summary.lock().unwrap().requests += n;
    }

    pub(crate) fn add_listing(&self, t: &crate::oss::listing::ListingTally) {
        self.summary.lock().unwrap().listing.add(t);
    }

    pub(crate) fn fail(
        &self,
        category: Category,
        key: &str,
        version_id: Option<&str>,
        e: &str,
        code: &str,
    ) {
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
    pub(crate) fn fail_oss(
        &self,
        category: Category,
        key: &str,
        version_id: Option<&str>,
        e: &OssError,
    ) {
        // Not sent because the run stopped: no failure (the stop is).
        if matches!(e, OssError::Halted { sent: 0, .. }) {
            return;
        }
        self.denied(e);
        self.fail(category, key, version_id, &first_line(e), &code_of(e));
        // Credentials that expired (a static STS token) or cannot be renewed:
        // every request after would fail the same way. The run stops here,
        // resumable once there are credentials again.
        if e.is_code("SecurityTokenExpired") || matches!(e, OssError::Credentials { .. }) {
            self.fatal(RunError {
                resumable: true,
                ..RunError::oss("credentials", e)
            });
        }
    }

    /// Remembers the RAM permission an AccessDenied names (not the one a
    /// wrong-region reply sends, which the client follows).
    pub(crate) fn denied(&self, e: &OssError) {
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

    pub(crate) fn fatal(&self, error: RunError) {
        let mut s = self.summary.lock().unwrap();
        if s.error.is_none() {
            s.error = Some(error);
        }
        drop(s);
        self.stop.cancel();
    }

    pub(crate) async fn category_started(&self, category: Category) {
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
    pub(crate) async fn verified(&self, category: Category, passes: u32) {
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
    pub(crate) fn done_by_replies(&self, category: Category) {
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
    pub(crate) async fn kept_unconfirmed(&self, category: Category, kept: &Kept) {
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

    pub(crate) async fn category_done(&self, category: Category) {
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
pub(crate) const MAX_PASSES: u32 = 5;

/// What a resumed run's listing left alone because it was never confirmed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Kept {
    pub count: u64,
    pub sample: Vec<String>,
}

impl Kept {
    const SAMPLE: usize = 5;

    pub(crate) fn add(&mut self, key: &str) {
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
pub(crate) enum PassEnd {
    /// A fresh listing found nothing: verified.
    Empty,
    /// Go on with another pass.
    Again,
    /// Stop: cancelled, a dry run, failures reported, or passes exhausted.
    Stop,
}

/// Failures booked so far in these categories.
pub(crate) fn failures_in(ctx: &Ctx, categories: &[Category]) -> u64 {
    let s = ctx.summary.lock().unwrap();
    categories
        .iter()
        .filter_map(|c| s.categories.get(c))
        .map(|t| t.failed)
        .sum()
}

/// What to do after pass `number` that found `found` entries; `failed` says
/// whether the pass booked failures (those are reported; nothing to verify).
pub(crate) fn after_pass(ctx: &Ctx, number: u32, found: u64, failed: bool) -> PassEnd {
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
                "after {MAX_PASSES} listings of {} the last one still found {found} entries to delete; something may be writing to the bucket{}",
                ctx.plan
                    .prefix
                    .as_deref()
                    .map_or("the bucket".to_string(), |p| format!("prefix {p:?}")),
                if ctx.plan.freeze_writes {
                    " although writes were frozen: a server-side writer (replication into the bucket, log or inventory delivery, a LiveChannel's push) is not stopped by a bucket policy"
                } else {
                    ". Run again with --freeze-writes (Ctrl-F on the wizard's confirm pane) to deny writes while it runs"
                }
            ),
        ));
        return PassEnd::Stop;
    }
    PassEnd::Again
}

/// Runs `pass` (a fresh listing of `category` and its deletes; it returns how
/// many entries it found, and what it kept as never confirmed) until one finds
/// nothing to delete, which verifies the category unless it kept something.
pub(crate) async fn until_empty<F, Fut>(ctx: &Ctx, category: Category, mut pass: F)
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
pub(crate) fn code_of(e: &OssError) -> String {
    match e {
        OssError::Api(a) if !a.code.is_empty() => a.code.clone(),
        OssError::Api(a) => format!("HTTP{}", a.status),
        OssError::Transport { .. } => "TransportError".into(),
        OssError::Malformed { .. } => "MalformedReply".into(),
        OssError::InvalidInput(_) => "InvalidInput".into(),
        OssError::Credentials { .. } => "NoValidCredentials".into(),
        OssError::Stalled { .. } => "ListingStalled".into(),
        OssError::AcceleratorUnreachable { .. } => "AcceleratorUnreachable".into(),
        OssError::Halted { .. } => "Cancelled".into(),
    }
}

/// An error in one line, for a failure record; an AccessDenied says which
/// permission it needs (failures are grouped by code, this says the fix).
pub(crate) fn first_line(e: &OssError) -> String {
    let line = e.to_string().lines().next().unwrap_or_default().to_string();
    match e.api() {
        Some(a) if a.code == "AccessDenied" && a.endpoint.is_none() => match a.permission {
            Some(p) => format!("{line} (needs {p})"),
            None => line,
        },
        _ => line,
    }
}

impl Ctx {
    /// The audit record of an item this run deleted (or, in a dry run, would
    /// have), with a detail when its fate needs one.
    pub(crate) fn deleted_record<'a>(
        &'a self,
        category: Category,
        key: &'a str,
        version_id: Option<&'a str>,
        detail: Option<&'a str>,
    ) -> AuditRecord<'a> {
        let action = if self.plan.dry_run {
            "would-delete"
        } else {
            "deleted"
        };
        AuditRecord::new(self.bucket(), category, action, key, version_id, detail)
    }

    /// Books `keys` items gone (`bytes` of them) in the totals and says so.
    pub(crate) async fn progress(&self, category: Category, keys: u64, bytes: u64, requests: u64) {
        if keys == 0 && requests == 0 {
            return;
        }
        self.totals(category, |t| t.deleted += keys);
        self.emit(Event::Progress {
            bucket: self.bucket().to_string(),
            category,
            keys,
            bytes,
            requests,
        })
        .await;
    }

    /// One item named `name` gone after `requests` requests: audited and booked.
    pub(crate) async fn booked_one(&self, category: Category, name: &str, requests: u64) {
        self.plan
            .audit
            .write([self.deleted_record(category, name, None, None)]);
        self.progress(category, 1, 0, requests).await;
    }
}
