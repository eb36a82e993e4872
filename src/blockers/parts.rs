//! Incomplete multipart uploads: listed (split across the key space, under
//! the run's prefix), each aborted with its parts; their bytes read from
//! ListParts before they go. Bound by when each upload was started.

use futures::StreamExt;

use super::{Blocker, Category, Facts, Phase, Role};
use crate::delete::context::{until_empty, Ctx, Kept, PassCount};
use crate::oss::model::MultipartUpload;
use crate::oss::OssError;
use crate::scan::{blocks_if, found, Scanning, Tally};
use crate::vocab::{BucketKind, Target, LISTING_STREAMS};

pub const FACTS: Facts = Facts {
    slug: "parts",
    label: "Incomplete multipart uploads",
    noun: "incomplete multipart uploads",
    noun_one: "incomplete multipart upload",
    short: "upload",
    role: Role::Data,
    // ListParts (its bytes) and AbortMultipartUpload.
    requests_each: 2,
    named_items: true,
    sized_by_item: true,
    consequence: (
        "its uploaded parts are freed and the upload can no longer be completed",
        "their uploaded parts are freed and the uploads can no longer be completed",
    ),
    never_cleared: "",
    refused_by_delete_bucket: true,
    manual_step: super::no_manual_step,
};

pub const BLOCKER: Blocker = Blocker {
    owns: &[Category::Parts],
    kind: BucketKind::Object,
    phase: Phase::Data,
    scan: |s| Box::pin(scan_uploads(s)),
    clear: |ctx| Box::pin(abort_uploads(ctx)),
    risks: |_| Vec::new(),
};

/// Lists the uploads in scope, split across the key space, keeping each in the
/// drill-down; their bytes come from OSS's statistics (a listing has none).
async fn scan_uploads(shared: &Scanning) {
    let (mut pages, stats) = crate::oss::listing::parallel(
        shared
            .client
            .uploads_source(&shared.bucket, shared.prefix()),
        LISTING_STREAMS,
        Default::default(),
    );
    let _tally = Tally(shared, stats);
    while let Some(page) = pages.next().await {
        match page {
            Ok(uploads) => {
                {
                    let mut r = shared.report.lock().unwrap();
                    r.category_mut(Category::Parts).count += uploads.len() as u64;
                    if let Some(newer) = &mut r.newer {
                        for u in &uploads {
                            newer.count(Category::Parts, &u.key, u.initiated);
                        }
                    }
                    let listed = r.found.entry(Category::Parts).or_default();
                    for u in uploads {
                        listed.push(found::Found::Upload {
                            key: u.key,
                            upload_id: u.upload_id,
                            initiated: u.initiated,
                        });
                    }
                }
                shared.counted(Category::Parts).await;
            }
            Err(e) => {
                shared.listing_failed(Category::Parts, "incomplete multipart uploads", &e);
                return;
            }
        }
        if shared.cancel.is_cancelled() {
            return;
        }
    }
    let n = {
        let mut r = shared.report.lock().unwrap();
        // Part sizes are not listed; OSS's statistics hold the total.
        let part_bytes = r
            .estimate
            .as_ref()
            .map(|s| s.multipart_part_storage)
            .unwrap_or(0);
        let c = r.category_mut(Category::Parts);
        c.bytes = if c.count > 0 { part_bytes } else { 0 };
        c.count
    };
    shared.set(Category::Parts, blocks_if(n), None);
}

async fn abort_uploads(ctx: &Ctx) {
    ctx.category_started(Category::Parts).await;
    until_empty(ctx, Category::Parts, |_| uploads_pass(ctx)).await;
    ctx.category_done(Category::Parts).await;
}

/// Lists the uploads (in scope) and aborts them page by page; returns how many
/// were listed.
async fn uploads_pass(ctx: &Ctx) -> PassCount {
    let mut found = 0;
    let mut kept = Kept::default();
    let bucket = ctx.bucket().to_string();
    let prefix = ctx.plan.prefix.clone();
    let (mut pages, stats) = crate::oss::listing::parallel(
        ctx.client.uploads_source(&bucket, prefix.as_deref()),
        crate::vocab::LISTING_STREAMS,
        Default::default(),
    );
    while let Some(page) = pages.next().await {
        if ctx.stopped() {
            break;
        }
        let uploads: Vec<MultipartUpload> = match page {
            Ok(p) => p
                .into_iter()
                .filter(|u| u.key.starts_with(prefix.as_deref().unwrap_or("")))
                .filter(|u| {
                    ctx.plan.takes(&Target {
                        name: u.key.clone(),
                        upload_id: Some(u.upload_id.clone()),
                    })
                })
                .filter(|u| {
                    let confirmed = ctx.plan.confirmed_time(u.initiated);
                    if !confirmed {
                        kept.add(&u.key);
                    }
                    confirmed
                })
                .collect(),
            Err(e) => {
                ctx.fail_oss(Category::Parts, "(listing)", None, &e);
                break;
            }
        };
        found += uploads.len() as u64;
        type Aborted = (MultipartUpload, Option<u64>, Result<(), OssError>);
        let results: Vec<Aborted> = futures::stream::iter(uploads)
            .map(|u| async move {
                // Its bytes, from its parts (ListParts, a read of at most ten
                // pages), before it goes: a listing of uploads has no sizes.
                let size = ctx
                    .client
                    .upload_size(ctx.bucket(), &u.key, &u.upload_id)
                    .await
                    .ok()
                    .map(|(_, bytes)| bytes);
                if ctx.plan.dry_run {
                    return (u, size, Ok(()));
                }
                let r = ctx
                    .client
                    .abort_multipart_upload(ctx.bucket(), &u.key, &u.upload_id)
                    .await;
                if !matches!(r, Err(OssError::Halted { sent: 0, .. })) {
                    ctx.add_requests(1);
                }
                (u, size, r)
            })
            .buffer_unordered(ctx.client.budget().max())
            .collect()
            .await;
        let mut done = 0;
        let (mut bytes, mut size_unknown) = (0u64, 0u64);
        let mut sized = |size: &Option<u64>| match size {
            Some(b) => bytes += b,
            None => size_unknown += 1,
        };
        for (u, size, r) in &results {
            match r {
                Ok(()) => {
                    sized(size);
                    ctx.plan.audit.write([ctx.deleted_record(
                        Category::Parts,
                        &u.key,
                        Some(&u.upload_id),
                        None,
                    )]);
                    done += 1;
                }
                // The reply was lost (the client's retries too): the abort may
                // have been carried out. A listing of the key says.
                Err(e) if lost_reply(e) && upload_gone(ctx, u).await == Some(true) => {
                    ctx.plan.audit.write([ctx.deleted_record(
                        Category::Parts,
                        &u.key,
                        Some(&u.upload_id),
                        Some("reply lost; a listing shows it gone"),
                    )]);
                    sized(size);
                    done += 1;
                }
                Err(e) => ctx.fail_oss(Category::Parts, &u.key, Some(&u.upload_id), e),
            }
        }
        ctx.totals(Category::Parts, |t| {
            t.bytes += bytes;
            t.size_unknown += size_unknown;
        });
        ctx.progress(Category::Parts, done, bytes, done).await;
    }
    drop(pages);
    ctx.add_listing(&stats.tally());
    PassCount { found, kept }
}

/// Whether an error may hide a request OSS carried out (its reply was lost).
fn lost_reply(e: &OssError) -> bool {
    match e {
        OssError::Transport { .. } | OssError::Malformed { .. } => true,
        OssError::Api(a) => a.status >= 500,
        // Stopped before a retry of a request whose reply was lost.
        OssError::Halted { sent, .. } => *sent > 0,
        _ => false,
    }
}

/// Whether upload `u` is gone, by a listing of its key's uploads (`None`: the
/// listing failed, or took more pages than a key's uploads should).
async fn upload_gone(ctx: &Ctx, u: &MultipartUpload) -> Option<bool> {
    const MAX: usize = 20 * 1000;
    let mut listing = ctx
        .client
        .list_multipart_uploads(ctx.bucket(), Some(&u.key));
    let mut seen = 0;
    while let Some(found) = listing.next().await {
        let found = found.ok()?;
        if found.key == u.key && found.upload_id == u.upload_id {
            return Some(false);
        }
        if found.key > u.key {
            return Some(true);
        }
        seen += 1;
        if seen == MAX {
            return None;
        }
    }
    Some(true)
}
