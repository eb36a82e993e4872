//! The bucket's fate at the end of a run: deleted, deleted by someone else,
//! or kept, and then exactly what remains and why.

use super::*;

/// Why a resumed run left its bucket: it kept `kept` entries never confirmed.
pub(super) fn kept_reason(kept: u64) -> String {
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
pub(super) fn gone_elsewhere(ctx: &Ctx) {
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

pub(super) async fn delete_bucket(ctx: &Ctx) {
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
pub(super) async fn explain_remaining(ctx: &Ctx, reason: &str) -> Remaining {
    use futures::StreamExt;
    let bucket = ctx.bucket();
    let mut r = Remaining::default();
    let mut unlisted = Vec::new();
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
                if c.state == crate::scan::State::Unknown {
                    unlisted.push(c.category.noun());
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
            "the bucket was not deleted: {} remain, and a listing right after found {} written since this run started (e.g. {:?}); something is still writing to the bucket. {}",
            what.join(", "),
            r.written_during_run,
            r.sample.first().cloned().unwrap_or_default(),
            if ctx.plan.freeze_writes {
                "Writes were frozen, so it is a server-side writer (replication into the bucket, log or inventory delivery, a LiveChannel's push): stop it, then run ossweep again."
            } else {
                "Stop the writer, or freeze writes during the run (--freeze-writes; Ctrl-F on the wizard's confirm pane), then run ossweep again."
            }
        )
    } else if !reason.is_empty() {
        format!("{}: {} remain.", reason, what.join(", "))
    } else if !unlisted.is_empty() {
        let listed = if what.is_empty() {
            String::new()
        } else {
            format!("{} remain, and ", what.join(", "))
        };
        format!(
            "OSS refused to delete the bucket (BucketNotEmpty): {listed}the {} could not be listed, so some of them remain; check them in the console.",
            unlisted.join(" and ")
        )
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
