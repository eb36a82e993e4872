//! Access points (and their policies): listed with their status and
//! whether each has a policy; deleted one by one (waiting while one is still
//! `creating`), then awaited until each answers 404, since OSS removes them
//! asynchronously. Bound by name.

use std::time::Instant;

use futures::StreamExt;

use super::{Blocker, Category, Facts, Phase, Role};
use crate::delete::context::{until_empty, Ctx, Kept, PassCount};
use crate::oss::OssError;
use crate::scan::{blocks_if, found, Scanning, State};
use crate::vocab::{BucketKind, Target};

pub const FACTS: Facts = Facts {
    slug: "access-points",
    label: "Access points",
    noun: "access points",
    noun_one: "access point",
    short: "access point",
    role: Role::Attachment,
    // DeleteAccessPoint and the GetAccessPoint that sees it gone.
    requests_each: 2,
    named_items: true,
    sized_by_item: false,
    consequence: (
        "applications that use its alias lose access",
        "applications that use their aliases lose access",
    ),
    never_cleared: "",
    refused_by_delete_bucket: true,
    manual_step: super::no_manual_step,
};

pub const BLOCKER: Blocker = Blocker {
    owns: &[Category::AccessPoints],
    kind: BucketKind::Object,
    phase: Phase::Attachments,
    scan: |s| Box::pin(scan_access_points(s)),
    clear: |ctx| Box::pin(delete_access_points(ctx)),
    risks: |_| Vec::new(),
};

/// Deletes the access points in scope and waits until each is gone, pass
/// after pass until a fresh listing finds none.
async fn delete_access_points(ctx: &Ctx) {
    ctx.category_started(Category::AccessPoints).await;
    until_empty(ctx, Category::AccessPoints, |_| async {
        let (count, pending) = start_deletions(ctx).await;
        wait_gone(ctx, pending).await;
        count
    })
    .await;
    ctx.category_done(Category::AccessPoints).await;
}

async fn scan_access_points(shared: &Scanning) {
    let (client, bucket) = (&shared.client, shared.bucket.as_str());
    let mut aps = client.list_access_points(bucket);
    let (mut n, mut creating, mut with_policy) = (0u64, 0u64, 0u64);
    let mut listed = found::Listed::default();
    while let Some(ap) = aps.next().await {
        match ap {
            Ok(ap) => {
                n += 1;
                if ap.status == "creating" {
                    creating += 1;
                }
                if let Ok(Some(_)) = client.get_access_point_policy(bucket, &ap.name).await {
                    with_policy += 1;
                }
                listed.push(found::Found::AccessPoint {
                    name: ap.name,
                    status: ap.status,
                    network: ap.network_origin,
                    alias: ap.alias,
                });
            }
            Err(e) => {
                shared.listing_failed(Category::AccessPoints, "access points", &e);
                return;
            }
        }
    }
    shared.found(Category::AccessPoints, listed);
    shared.count(Category::AccessPoints, n).await;
    let mut notes = Vec::new();
    if with_policy > 0 {
        notes.push(format!("{with_policy} with an access point policy"));
    }
    if creating > 0 {
        notes.push(format!(
            "{creating} still being created: deletable once ready"
        ));
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    shared.set(
        Category::AccessPoints,
        if creating > 0 && creating == n {
            State::NotYet
        } else {
            blocks_if(n)
        },
        note,
    );
}

/// Deletes each access point (waiting while it is still `creating`; one already
/// `deleting` is only waited for). Deleting an access point removes its policy, so
/// the policy is deleted separately only when OSS refuses the access point first,
/// and then the access point is tried again whatever the policy step answered:
/// no access point is ever skipped because of its policy. Returns how many were
/// listed (and kept as never confirmed) and the names whose asynchronous
/// removal must be awaited.
async fn start_deletions(ctx: &Ctx) -> (PassCount, Vec<String>) {
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
            ctx.booked_one(Category::AccessPoints, &name, 0).await;
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
async fn wait_gone(ctx: &Ctx, mut names: Vec<String>) {
    let deadline = Instant::now() + ctx.plan.wait_timeout;
    loop {
        let mut still = Vec::new();
        for name in names {
            match ctx.client.get_access_point(ctx.bucket(), &name).await {
                Ok(None) => ctx.booked_one(Category::AccessPoints, &name, 1).await,
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
