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
pub(crate) mod context;
pub mod event;
pub mod failures;

pub(crate) mod objects;
pub mod plan;
pub mod progress;
mod recheck;
mod vectors;

use bucket::{delete_bucket, explain_remaining, gone_elsewhere, kept_reason};

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::blockers::{self, Category, Phase};
use crate::oss::client::Notice;
use crate::oss::model::Versioning;
use crate::oss::{time, Client};
use crate::vocab::BucketFacts;
use context::Ctx;

pub use crate::vocab::LISTING_STREAMS;
pub use audit::Audit;
pub use event::{CategoryTotals, Event, FailedItem, Remaining, RunError, StopKind, Summary};
pub use plan::{check_scope, Bounds, Plan};

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
            // A retention policy that cannot be read now stays as confirmed.
            let now = BucketFacts {
                versioning: info.versioning,
                worm: match worm {
                    Ok(w) => w,
                    Err(_) => ctx.plan.confirmed.as_ref().and_then(|c| c.worm.clone()),
                },
            };
            if let Some(error) = facts_changed(&ctx, &now) {
                ctx.summary.lock().unwrap().error = Some(error);
                return finish(&ctx, started).await;
            }
            ctx.versioning = now.versioning;
            ctx.worm = now.worm;
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
    let ctx = Arc::new(ctx);
    // The batches that were in flight when a session stopped are settled first.
    if !ctx.plan.dry_run {
        book::reconcile(&ctx).await;
    }

    // The data first (uploads and the listed entries at the same time,
    // within the account's one request budget); then what the bucket's users
    // and integrations depend on, only once the data went: a run that cannot
    // empty the bucket never strips it of them.
    clear_phase(&ctx, Phase::Data).await;
    let attachments: Vec<Category> = ctx
        .plan
        .categories
        .iter()
        .copied()
        .filter(|c| c.blocker().phase == Phase::Attachments)
        .collect();
    match attachments_held_back(&ctx) {
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
        None => clear_phase(&ctx, Phase::Attachments).await,
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

/// Clears, at the same time, every blocker of the run's kind in `phase` that
/// the run's scope wants.
async fn clear_phase(ctx: &Arc<Ctx>, phase: Phase) {
    let clears = blockers::of_kind(ctx.plan.kind)
        .filter(|b| b.phase == phase && b.wanted(&ctx.plan.cleared()))
        .map(|b| async move {
            if !ctx.stopped() {
                (b.clear)(ctx).await
            }
        });
    futures::future::join_all(clears).await;
}

/// Why the attachments (access points, LiveChannels, accelerators) are not
/// touched, if they are not: the data of the run did not all go (failures, a
/// fatal error, or, for a run that deletes the bucket, items skipped).
fn attachments_held_back(ctx: &Ctx) -> Option<String> {
    let s = ctx.summary.lock().unwrap();
    let data = s.categories.iter().filter(|(c, _)| c.is_data());
    let failed = s.error.is_some() || data.clone().any(|(_, t)| t.failed > 0);
    let skipped = data.clone().any(|(_, t)| t.skipped > 0);
    if failed {
        Some("not touched: the data could not all be deleted, so what the bucket's users depend on stays".into())
    } else if skipped && ctx.plan.delete_bucket {
        Some("not touched: some data stays (skipped), so the bucket stays with what its users depend on".into())
    } else {
        None
    }
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

/// The bucket's facts now, against what was confirmed: what a delete does
/// depends on them (a delete marker or the data; which versions a retention
/// policy keeps), so a change stops the run before anything is sent, saying
/// what changed.
fn facts_changed(ctx: &Ctx, now: &BucketFacts) -> Option<RunError> {
    let changes = ctx.plan.confirmed.as_ref()?.changes(now);
    let context = match changes.as_slice() {
        [] => return None,
        [one] => format!(
            "{} changed",
            one.what.split(" (").next().unwrap_or(one.what)
        ),
        _ => "bucket changed".to_string(),
    };
    let what: Vec<String> = changes
        .iter()
        .map(|c| {
            format!(
                "the {} of {} is {} now; it was {} when the run was confirmed",
                c.what,
                ctx.bucket(),
                c.now,
                c.was
            )
        })
        .collect();
    Some(RunError::local(
        &context,
        format!(
            "{}. Nothing was sent to it: scan it again and confirm what deleting means now.",
            what.join("; ")
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
    let ctx = Arc::new(ctx);
    clear_phase(&ctx, Phase::Data).await;
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
