//! OSS accelerators: one per zone of the bucket's region, found and deleted
//! zone by zone. They can be read only from inside the region; from outside,
//! checking them is a manual step. Bound by zone name.

use super::{Blocker, Category, Facts, ManualStep, Phase, Role};
use crate::delete::context::{until_empty, Ctx, Kept, PassCount};
use crate::oss::endpoint::accelerator_zones;
use crate::oss::OssError;
use crate::scan::report::{CategoryReport, ScanReport};
use crate::scan::{blocks_if, first_line, found, Scanning, State};
use crate::vocab::BucketKind;

pub const FACTS: Facts = Facts {
    slug: "accelerators",
    label: "OSS accelerators",
    noun: "OSS accelerators",
    noun_one: "OSS accelerator",
    short: "OSS accelerator",
    role: Role::Attachment,
    // DeleteBucketDataAccelerator and the check of its zone.
    requests_each: 2,
    named_items: false,
    sized_by_item: false,
    consequence: ("it cannot be recovered", "they cannot be recovered"),
    never_cleared: "",
    refused_by_delete_bucket: false,
    manual_step,
};

pub const BLOCKER: Blocker = Blocker {
    owns: &[Category::Accelerators],
    kind: BucketKind::Object,
    phase: Phase::Attachments,
    scan: |s| Box::pin(scan_accelerators(s)),
    clear: |ctx| Box::pin(delete_accelerators(ctx)),
    risks: |_| Vec::new(),
};

/// Accelerators that can be checked only from inside the region.
fn manual_step(r: &ScanReport, c: &CategoryReport) -> Option<ManualStep> {
    (c.state == State::ManualStep).then(|| ManualStep {
        reason: format!(
            "OSS accelerators can only be listed from inside {} (an ECS instance or VPC there)",
            r.region
        ),
        step: "Check Bucket > OSS Accelerator in the console and delete any accelerator listed there, then scan again".into(),
    })
}

/// Looks for an accelerator in each zone of the bucket's region (they can be
/// read only from inside it: otherwise a manual step).
async fn scan_accelerators(shared: &Scanning) {
    let (client, bucket, region) = (
        &shared.client,
        shared.bucket.as_str(),
        shared.region.as_str(),
    );
    let zones = accelerator_zones(region);
    let mut n = 0u64;
    let mut listed = found::Listed::default();
    for zone in zones {
        match client.get_bucket_data_accelerator(bucket, zone).await {
            Ok(found) => {
                n += found.len() as u64;
                if !found.is_empty() {
                    listed.push(found::Found::Accelerator {
                        zone: zone.to_string(),
                    });
                }
            }
            Err(e @ OssError::AcceleratorUnreachable { .. }) => {
                shared.set(
                    Category::Accelerators,
                    State::ManualStep,
                    Some(format!(
                        "can only be listed from inside {region} (an ECS instance or VPC there); check Bucket > OSS Accelerator in the console ({})",
                        first_line(&e).split(':').next().unwrap_or_default()
                    )),
                );
                return;
            }
            Err(e) => {
                shared.listing_failed(Category::Accelerators, "OSS accelerators", &e);
                return;
            }
        }
    }
    shared.found(Category::Accelerators, listed);
    shared.count(Category::Accelerators, n).await;
    let note = zones
        .is_empty()
        .then(|| format!("no accelerator zones are known in {region}"));
    shared.set(Category::Accelerators, blocks_if(n), note);
}

async fn delete_accelerators(ctx: &Ctx) {
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
                ctx.booked_one(Category::Accelerators, zone, 1).await;
            }
            Err(e) => ctx.fail_oss(Category::Accelerators, zone, None, &e),
        }
    }
    PassCount { found, kept }
}
