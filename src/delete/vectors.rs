//! The end of a vector bucket's run: DeleteVectorBucket once its indexes
//! went (retried while OSS still finishes an index deletion,
//! `VectorBucketNotEmpty`), or what keeps it.

use std::time::Instant;

use futures::StreamExt;

use super::context::{first_line, Ctx};
use super::{Remaining, RunError};
use crate::blockers::Category;

const CATEGORY: Category = Category::VectorIndexes;

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
