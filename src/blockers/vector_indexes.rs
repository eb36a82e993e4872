//! A vector bucket's indexes: listed with how many vectors each holds
//! (counted up to a bound, so a huge index does not make the scan slow),
//! deleted each with every vector in it, then awaited until a fresh listing
//! shows none. Bound by name.

use std::time::Instant;

use futures::StreamExt;

use super::{Blocker, Category, Facts, Phase, Role};
use crate::delete::context::{until_empty, Ctx, Kept, PassCount};
use crate::oss::vectors::VectorIndex;
use crate::scan::report::{IndexReport, ScanReport};
use crate::scan::risk::{Risk, Severity};
use crate::scan::{first_line, ScanEvent, Scanning, State};
use crate::units::count;
use crate::vocab::BucketKind;

const CATEGORY: Category = Category::VectorIndexes;

/// ListVectors pages (1000 keys each) spent counting one index's vectors.
pub const VECTOR_COUNT_PAGES: u32 = 5;

pub const FACTS: Facts = Facts {
    slug: "vector-indexes",
    label: "Vector indexes",
    noun: "vector indexes",
    noun_one: "vector index",
    short: "index",
    role: Role::Indexes,
    // DeleteVectorIndex and the listing that sees it gone.
    requests_each: 2,
    named_items: true,
    sized_by_item: false,
    consequence: ("it cannot be recovered", "they cannot be recovered"),
    never_cleared: "",
    refused_by_delete_bucket: true,
    manual_step: super::no_manual_step,
};

pub const BLOCKER: Blocker = Blocker {
    owns: &[CATEGORY],
    kind: BucketKind::Vector,
    phase: Phase::Data,
    scan: |s| Box::pin(scan_indexes(s)),
    clear: |ctx| Box::pin(clear_indexes(ctx)),
    risks,
};

/// Lists the indexes and counts each one's vectors.
async fn scan_indexes(shared: &Scanning) {
    let (client, bucket) = (&shared.client, shared.bucket.as_str());
    let mut indexes = client.list_vector_indexes(bucket);
    let mut listed = Vec::new();
    let mut failed = None;
    while let Some(i) = indexes.next().await {
        match i {
            Ok(i) => listed.push(i),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
        if shared.cancel.is_cancelled() {
            break;
        }
    }
    for index in listed {
        if shared.cancel.is_cancelled() {
            break;
        }
        let (vectors, more_vectors) = if index.is_deleting() {
            (None, false)
        } else {
            match client
                .count_vectors(bucket, &index.name, VECTOR_COUNT_PAGES)
                .await
            {
                Ok((n, exact)) => (Some(n), !exact),
                Err(e) => {
                    shared.report.lock().unwrap().unreadable.push(format!(
                        "Could not count the vectors of index {}: {}",
                        index.name,
                        first_line(&e)
                    ));
                    (None, false)
                }
            }
        };
        let count = {
            let mut r = shared.report.lock().unwrap();
            r.indexes.push(IndexReport {
                index,
                vectors,
                more_vectors,
            });
            let c = r.category_mut(CATEGORY);
            c.count += 1;
            c.count
        };
        if let Some(tx) = &shared.events {
            let _ = tx
                .send(ScanEvent::Counted {
                    category: CATEGORY,
                    count,
                    bytes: 0,
                })
                .await;
        }
    }
    let mut report = shared.report.lock().unwrap();
    let n = report.indexes.len() as u64;
    let deleting = report
        .indexes
        .iter()
        .filter(|i| i.index.is_deleting())
        .count() as u64;
    let c = report.category_mut(CATEGORY);
    (c.state, c.note) = match (&failed, n, deleting) {
        (Some(e), _, _) => (
            State::Unknown,
            Some(format!("listing failed: {}", first_line(e))),
        ),
        (None, 0, _) => (State::Clear, None),
        (None, n, d) if d == n => (
            State::NotYet,
            Some("every one is being deleted by OSS: gone shortly".into()),
        ),
        (None, _, d) if d > 0 => (State::Blocks, Some(format!("{d} already being deleted"))),
        _ => (State::Blocks, None),
    };
    if let Some(e) = &failed {
        report.unreadable.push(format!(
            "Could not read the vector indexes: {}",
            first_line(e)
        ));
    }
}

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

/// Deletes the indexes in scope and waits until they are gone.
async fn clear_indexes(ctx: &Ctx) {
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
            ctx.booked_one(CATEGORY, &index.name, 0).await;
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
                ctx.booked_one(CATEGORY, &name, 1).await;
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

/// A vector bucket's risks: its indexes go with every vector in them. OSS
/// documents no name cool-down for vector buckets (their names are unique per
/// account and region), so none is claimed.
fn risks(r: &ScanReport) -> Vec<Risk> {
    let mut out = Vec::new();
    let n = r.indexes.len() as u64;
    let more = if r.indexes.iter().any(|i| i.more_vectors) {
        "+"
    } else {
        ""
    };
    out.push(Risk {
        severity: Severity::Danger,
        kind: "irreversible",
        text: format!(
            "Deletion is permanent: {} with {}{more} vectors cannot be recovered.",
            Category::VectorIndexes.counted(n),
            count(r.vectors())
        ),
    });
    if n > 0 {
        out.push(Risk {
            severity: Severity::Warning,
            kind: "applications",
            text: "Applications that query these indexes (QueryVectors, GetVectors) fail once they are gone.".into(),
        });
    }
    out
}
