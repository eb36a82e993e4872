//! Everything besides objects: access points (and their policies), LiveChannels,
//! incomplete multipart uploads, accelerators; and when the attachments (what
//! the bucket's users depend on) may go at all.

use std::time::Instant;

use futures::StreamExt;

use super::audit::AuditRecord;
use super::{until_empty, Ctx, Event, Kept, PassCount};
use crate::oss::endpoint::accelerator_zones;
use crate::oss::model::MultipartUpload;
use crate::oss::OssError;
use crate::vocab::{Category, Target};

fn record<'a>(
    ctx: &'a Ctx,
    category: Category,
    key: &'a str,
    version_id: Option<&'a str>,
) -> AuditRecord<'a> {
    let action = if ctx.plan.dry_run {
        "would-delete"
    } else {
        "deleted"
    };
    AuditRecord::new(ctx.bucket(), category, action, key, version_id, None)
}

async fn progress(ctx: &Ctx, category: Category, keys: u64, requests: u64) {
    progress_sized(ctx, category, keys, 0, requests).await
}

/// `progress`, with the bytes of what went (booked in the totals apart).
async fn progress_sized(ctx: &Ctx, category: Category, keys: u64, bytes: u64, requests: u64) {
    if keys == 0 && requests == 0 {
        return;
    }
    ctx.totals(category, |t| t.deleted += keys);
    ctx.emit(Event::Progress {
        bucket: ctx.bucket().to_string(),
        category,
        keys,
        bytes,
        requests,
    })
    .await;
}

/// Deletes each access point (waiting while it is still `creating`; one already
/// `deleting` is only waited for). Deleting an access point removes its policy, so
/// the policy is deleted separately only when OSS refuses the access point first,
/// and then the access point is tried again whatever the policy step answered:
/// no access point is ever skipped because of its policy. Returns how many were
/// listed (and kept as never confirmed) and the names whose asynchronous
/// removal must be awaited.
pub async fn start_access_point_deletions(ctx: &Ctx) -> (PassCount, Vec<String>) {
    let bucket = ctx.bucket().to_string();
    let mut list = ctx.client.list_access_points(&bucket);
    let mut names = Vec::new();
    let mut kept = Kept::default();
    while let Some(ap) = list.next().await {
        match ap {
            Ok(ap) if !ctx.plan.takes(&Target::named(&ap.name)) => {}
            Ok(ap) if !ctx.plan.confirmed_name(Category::AccessPoints, &ap.name) => {
                kept.add(&ap.name)
            }
            Ok(ap) => names.push((ap.name, ap.status)),
            Err(e) => {
                ctx.fail_oss(Category::AccessPoints, "(listing)", None, &e);
                return (PassCount::default(), Vec::new());
            }
        }
    }
    let listed = PassCount {
        found: names.len() as u64,
        kept,
    };
    let mut pending = Vec::new();
    for (name, status) in names {
        if ctx.stopped() {
            break;
        }
        if ctx.plan.dry_run {
            ctx.plan
                .audit
                .write([record(ctx, Category::AccessPoints, &name, None)]);
            progress(ctx, Category::AccessPoints, 1, 0).await;
            continue;
        }
        if status == "deleting" {
            pending.push(name);
            continue;
        }
        if status == "creating" && !wait_until_created(ctx, &name).await {
            continue;
        }
        match delete_access_point(ctx, &bucket, &name).await {
            Ok(()) => pending.push(name),
            Err(e) => ctx.fail_oss(Category::AccessPoints, &name, None, &e),
        }
    }
    (listed, pending)
}

/// DeleteAccessPoint; if OSS refuses, the policy (any answer), then once more.
async fn delete_access_point(ctx: &Ctx, bucket: &str, name: &str) -> Result<(), OssError> {
    ctx.add_requests(1);
    let first = match ctx.client.delete_access_point(bucket, name).await {
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) if e.api().is_some() => e,
        other => return other,
    };
    ctx.add_requests(2);
    let policy = ctx.client.delete_access_point_policy(bucket, name).await;
    match ctx.client.delete_access_point(bucket, name).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(_) if policy.is_err() => Err(first),
        Err(e) => Err(e),
    }
}

async fn wait_until_created(ctx: &Ctx, name: &str) -> bool {
    let deadline = Instant::now() + ctx.plan.wait_timeout;
    loop {
        match ctx.client.get_access_point(ctx.bucket(), name).await {
            Ok(Some(ap)) if ap.access_point.status == "creating" => {}
            Ok(_) => return true,
            Err(e) => {
                ctx.fail_oss(Category::AccessPoints, name, None, &e);
                return false;
            }
        }
        if Instant::now() >= deadline || ctx.stopped() {
            ctx.fail(
                Category::AccessPoints,
                name,
                None,
                "still being created; delete it once its status is enable",
                "AccessPointCreating",
            );
            return false;
        }
        tokio::time::sleep(ctx.plan.poll_interval).await;
    }
}

/// Access point deletion is asynchronous: poll until each one answers 404.
pub async fn wait_access_points_gone(ctx: &Ctx, mut names: Vec<String>) {
    let deadline = Instant::now() + ctx.plan.wait_timeout;
    loop {
        let mut still = Vec::new();
        for name in names {
            match ctx.client.get_access_point(ctx.bucket(), &name).await {
                Ok(None) => {
                    ctx.plan
                        .audit
                        .write([record(ctx, Category::AccessPoints, &name, None)]);
                    progress(ctx, Category::AccessPoints, 1, 1).await;
                }
                Ok(Some(_)) => still.push(name),
                Err(e) => ctx.fail_oss(Category::AccessPoints, &name, None, &e),
            }
        }
        if still.is_empty() {
            return;
        }
        if Instant::now() >= deadline {
            for name in &still {
                ctx.fail(
                    Category::AccessPoints,
                    name,
                    None,
                    "still deleting when ossweep stopped waiting; run again later",
                    "AccessPointDeleting",
                );
            }
            return;
        }
        names = still;
        tokio::time::sleep(ctx.plan.poll_interval).await;
    }
}

pub async fn delete_live_channels(ctx: &Ctx) {
    ctx.category_started(Category::LiveChannels).await;
    until_empty(ctx, Category::LiveChannels, |_| live_channels_pass(ctx)).await;
    ctx.category_done(Category::LiveChannels).await;
}

/// Lists the LiveChannels and deletes them; returns how many were listed.
async fn live_channels_pass(ctx: &Ctx) -> PassCount {
    let bucket = ctx.bucket().to_string();
    let mut channels = ctx.client.list_live_channels(&bucket);
    let mut names = Vec::new();
    let mut kept = Kept::default();
    while let Some(ch) = channels.next().await {
        match ch {
            Ok(ch) if !ctx.plan.takes(&Target::named(&ch.name)) => {}
            Ok(ch) if !ctx.plan.confirmed_name(Category::LiveChannels, &ch.name) => {
                kept.add(&ch.name)
            }
            Ok(ch) => names.push(ch.name),
            Err(e) => {
                ctx.fail_oss(Category::LiveChannels, "(listing)", None, &e);
                break;
            }
        }
    }
    let found = names.len() as u64;
    // Each reply says how many requests it took (a live channel is disabled first).
    let results: Vec<(String, Result<u64, crate::oss::OssError>)> = futures::stream::iter(names)
        .map(|name| async move {
            if ctx.stopped() || ctx.plan.dry_run {
                return (name, Ok(0));
            }
            let r = ctx.client.delete_live_channel(ctx.bucket(), &name).await;
            ctx.add_requests(*r.as_ref().unwrap_or(&1));
            (name, r)
        })
        .buffer_unordered(ctx.client.budget().max())
        .collect()
        .await;
    for (name, r) in results {
        match r {
            Ok(sent) if !ctx.stopped() => {
                ctx.plan
                    .audit
                    .write([record(ctx, Category::LiveChannels, &name, None)]);
                progress(ctx, Category::LiveChannels, 1, sent).await;
            }
            Ok(_) => {}
            Err(e) => ctx.fail_oss(Category::LiveChannels, &name, None, &e),
        }
    }
    PassCount { found, kept }
}

pub async fn abort_uploads(ctx: &Ctx) {
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
                    ctx.plan.audit.write([record(
                        ctx,
                        Category::Parts,
                        &u.key,
                        Some(&u.upload_id),
                    )]);
                    done += 1;
                }
                // The reply was lost (the client's retries too): the abort may
                // have been carried out. A listing of the key says.
                Err(e) if lost_reply(e) && upload_gone(ctx, u).await == Some(true) => {
                    ctx.plan.audit.write([AuditRecord::new(
                        ctx.bucket(),
                        Category::Parts,
                        if ctx.plan.dry_run {
                            "would-delete"
                        } else {
                            "deleted"
                        },
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
        progress_sized(ctx, Category::Parts, done, bytes, done).await;
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

pub async fn delete_accelerators(ctx: &Ctx) {
    ctx.category_started(Category::Accelerators).await;
    until_empty(ctx, Category::Accelerators, |_| accelerators_pass(ctx)).await;
    ctx.category_done(Category::Accelerators).await;
}

/// Looks for an accelerator in each zone and deletes it; returns how many it found.
async fn accelerators_pass(ctx: &Ctx) -> PassCount {
    let mut found = 0;
    let mut kept = Kept::default();
    let region = ctx.client.region_of(ctx.bucket());
    for zone in accelerator_zones(&region) {
        match ctx
            .client
            .get_bucket_data_accelerator(ctx.bucket(), zone)
            .await
        {
            Ok(listed) if listed.is_empty() => {}
            Ok(_) if !ctx.plan.confirmed_name(Category::Accelerators, zone) => kept.add(zone),
            Ok(_) => {
                found += 1;
                if !ctx.plan.dry_run {
                    ctx.add_requests(1);
                    if let Err(e) = ctx
                        .client
                        .delete_bucket_data_accelerator(ctx.bucket(), zone)
                        .await
                    {
                        ctx.fail_oss(Category::Accelerators, zone, None, &e);
                        continue;
                    }
                }
                ctx.plan
                    .audit
                    .write([record(ctx, Category::Accelerators, zone, None)]);
                progress(ctx, Category::Accelerators, 1, 1).await;
            }
            Err(e) => ctx.fail_oss(Category::Accelerators, zone, None, &e),
        }
    }
    PassCount { found, kept }
}

/// Why the attachments (access points, LiveChannels, accelerators) are not
/// touched, if they are not: the data of the run did not all go (failures, a
/// fatal error, or, for a run that deletes the bucket, items skipped).
pub(super) fn attachments_held_back(ctx: &Ctx) -> Option<String> {
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

/// Access points (their removal is asynchronous: started first, awaited
/// last), LiveChannels and accelerators.
pub(super) async fn clear_attachments(ctx: &std::sync::Arc<Ctx>) {
    let wanted = |c: Category| ctx.plan.categories.contains(&c);
    let mut access_points = None;
    if wanted(Category::AccessPoints) {
        ctx.category_started(Category::AccessPoints).await;
        access_points = Some(start_access_point_deletions(ctx).await);
    }
    tokio::join!(
        async {
            if wanted(Category::LiveChannels) && !ctx.stopped() {
                delete_live_channels(ctx).await;
            }
        },
        async {
            if wanted(Category::Accelerators) && !ctx.stopped() {
                delete_accelerators(ctx).await;
            }
        },
    );
    if let Some(first) = access_points {
        let mut first = Some(first);
        until_empty(ctx, Category::AccessPoints, |_| {
            let started = first.take();
            async move {
                let (count, pending) = match started {
                    Some(s) => s,
                    None => start_access_point_deletions(ctx).await,
                };
                wait_access_points_gone(ctx, pending).await;
                count
            }
        })
        .await;
        ctx.category_done(Category::AccessPoints).await;
    }
}
