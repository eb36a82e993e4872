//! A vector bucket's run: delete its indexes (each with every vector in it),
//! wait until a fresh listing shows none of them, then DeleteVectorBucket,
//! retried while OSS still finishes an index deletion (`VectorBucketNotEmpty`).

use std::time::Instant;

use futures::StreamExt;

use super::audit::AuditRecord;
use super::{first_line, until_empty, Ctx, Event, Kept, PassCount, Remaining, RunError};
use crate::oss::vectors::VectorIndex;
use crate::vocab::Category;

const CATEGORY: Category = Category::VectorIndexes;

/// The indexes in the run's scope (the named ones, or all; of a resumed run,
/// those confirmed), from a fresh listing, and those kept as never confirmed;
/// `None` when the listing failed (booked as a failure).
async fn list_in_scope(ctx: &Ctx) -> Option<(Vec<VectorIndex>, Kept)> {
    let mut listing = ctx.client.list_vector_indexes(ctx.bucket());
    let mut out = Vec::new();
    let mut kept = Kept::default();
    while let Some(i) = listing.next().await {
        match i {
            Ok(i) if !ctx.plan.takes(&crate::vocab::Target::named(&i.name)) => {}
            Ok(i) if !ctx.plan.confirmed_name(CATEGORY, &i.name) => kept.add(&i.name),
            Ok(i) => out.push(i),
            Err(e) => {
                ctx.fail_oss(CATEGORY, "(listing)", None, &e);
                return None;
            }
        }
    }
    Some((out, kept))
}

fn record<'a>(ctx: &'a Ctx, name: &'a str) -> AuditRecord<'a> {
    let action = if ctx.plan.dry_run {
        "would-delete"
    } else {
        "deleted"
    };
    AuditRecord::new(ctx.bucket(), CATEGORY, action, name, None, None)
}

async fn booked(ctx: &Ctx, name: &str, requests: u64) {
    ctx.plan.audit.write([record(ctx, name)]);
    ctx.totals(CATEGORY, |t| t.deleted += 1);
    ctx.emit(Event::Progress {
        bucket: ctx.bucket().to_string(),
        category: CATEGORY,
        keys: 1,
        bytes: 0,
        requests,
    })
    .await;
}

/// Deletes the indexes in scope and waits until they are gone.
pub async fn clear_indexes(ctx: &Ctx) {
    ctx.category_started(CATEGORY).await;
    until_empty(ctx, CATEGORY, |_| pass(ctx)).await;
    ctx.category_done(CATEGORY).await;
}

/// One pass: list, delete what is `running`, wait for every listed index to
/// disappear. Returns how many were listed.
async fn pass(ctx: &Ctx) -> PassCount {
    let Some((listed, kept)) = list_in_scope(ctx).await else {
        return PassCount::default();
    };
    let found = listed.len() as u64;
    let mut pending = Vec::new();
    for index in listed {
        if ctx.stopped() {
            break;
        }
        if ctx.plan.dry_run {
            booked(ctx, &index.name, 0).await;
            continue;
        }
        if !index.is_deleting() {
            ctx.add_requests(1);
            if let Err(e) = ctx
                .client
                .delete_vector_index(ctx.bucket(), &index.name)
                .await
            {
                ctx.fail_oss(CATEGORY, &index.name, None, &e);
                continue;
            }
        }
        pending.push(index.name);
    }
    if !ctx.plan.dry_run {
        wait_gone(ctx, pending).await;
    }
    PassCount { found, kept }
}

/// Index deletion may be asynchronous: poll the listing until each index is
/// gone; one still there after the plan's wait is a failure (the bucket stays).
async fn wait_gone(ctx: &Ctx, mut names: Vec<String>) {
    let deadline = Instant::now() + ctx.plan.wait_timeout;
    // Deletions usually finish quickly: look again soon, then less often.
    let mut pause = ctx
        .plan
        .poll_interval
        .min(std::time::Duration::from_millis(250));
    while !names.is_empty() {
        ctx.add_requests(1);
        let Some((present, _)) = list_in_scope(ctx).await else {
            return;
        };
        let mut still = Vec::new();
        for name in names {
            if present.iter().any(|i| i.name == name) {
                still.push(name);
            } else {
                booked(ctx, &name, 1).await;
            }
        }
        if still.is_empty() {
            return;
        }
        if Instant::now() >= deadline || ctx.stopped() {
            for name in &still {
                ctx.fail(
                    CATEGORY,
                    name,
                    None,
                    &format!(
                        "still being deleted by OSS after {} s; run again later",
                        ctx.plan.wait_timeout.as_secs()
                    ),
                    "VectorIndexDeleting",
                );
            }
            return;
        }
        names = still;
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(ctx.plan.poll_interval);
    }
}

/// DeleteVectorBucket once every index is gone; `VectorBucketNotEmpty` is
/// retried with backoff for as long as the plan waits for deletions.
pub async fn delete_bucket(ctx: &Ctx) -> Result<(), RunError> {
    let deadline = Instant::now() + ctx.plan.wait_timeout;
    let mut delay = ctx
        .plan
        .poll_interval
        .min(std::time::Duration::from_millis(250));
    loop {
        ctx.add_requests(1);
        match ctx.client.delete_vector_bucket(ctx.bucket()).await {
            Ok(()) => return Ok(()),
            Err(e) if e.is_code("NoSuchBucket") => return Ok(()),
            Err(e)
                if e.is_code("VectorBucketNotEmpty")
                    && Instant::now() < deadline
                    && !ctx.stopped() =>
            {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(std::time::Duration::from_secs(30));
            }
            Err(e) => return Err(RunError::oss("DeleteVectorBucket", &e)),
        }
    }
}

/// What keeps a vector bucket that was not deleted: a fresh listing of its indexes.
pub async fn remaining(ctx: &Ctx, reason: &str) -> Remaining {
    let mut r = Remaining::default();
    let mut listing = ctx.client.list_vector_indexes(ctx.bucket());
    let mut names = Vec::new();
    while let Some(i) = listing.next().await {
        match i {
            Ok(i) => names.push(format!("{} ({})", i.name, i.status)),
            Err(e) => {
                r.explanation = format!("{reason}; listing the indexes failed: {}", first_line(&e));
                return r;
            }
        }
    }
    if !names.is_empty() {
        r.counts.insert(CATEGORY, names.len() as u64);
    }
    r.sample = names.iter().take(5).cloned().collect();
    r.explanation = if names.is_empty() {
        format!("{reason}; no index is listed any more: run ossweep again in a minute")
    } else {
        format!(
            "{reason}: {} remain: {}",
            CATEGORY.counted(names.len() as u64),
            names.join(", ")
        )
    };
    r
}
