//! The object listing's categories: current objects, previous versions,
//! delete markers, and OSS-HDFS data under `.dlsdata/` (counted, never
//! deleted). One listing (every version, split across the key space) counts
//! all four; one pipeline (`delete::objects`: pages into 1000-key batches)
//! clears the first three.

use std::sync::Arc;

use futures::StreamExt;

use super::{Blocker, Category, Facts, ManualStep, Phase, Role};
use crate::scan::report::{CategoryReport, ScanReport};
use crate::scan::risk::{Risk, Severity};
use crate::scan::{first_line, found, Scanning, State, Tally};
use crate::units::count;
use crate::vocab::{classify, worm_release, BucketKind, HDFS_PREFIX, LISTING_STREAMS};

const LISTED: Facts = Facts {
    slug: "",
    label: "",
    noun: "",
    noun_one: "",
    short: "",
    role: Role::Listed,
    requests_each: 0,
    named_items: false,
    sized_by_item: false,
    consequence: ("it cannot be recovered", "they cannot be recovered"),
    never_cleared: "",
    refused_by_delete_bucket: true,
    manual_step: super::no_manual_step,
};

pub const OBJECTS: Facts = Facts {
    slug: "objects",
    label: "Current objects",
    noun: "current objects",
    noun_one: "current object",
    short: "object",
    ..LISTED
};

pub const PREVIOUS_VERSIONS: Facts = Facts {
    slug: "previous-versions",
    label: "Previous versions",
    noun: "previous versions",
    noun_one: "previous version",
    short: "version",
    ..LISTED
};

pub const DELETE_MARKERS: Facts = Facts {
    slug: "delete-markers",
    label: "Delete markers",
    noun: "delete markers",
    noun_one: "delete marker",
    short: "delete marker",
    ..LISTED
};

pub const OSS_HDFS: Facts = Facts {
    slug: "oss-hdfs",
    label: "OSS-HDFS data (.dlsdata/)",
    noun: "OSS-HDFS objects",
    noun_one: "OSS-HDFS object",
    short: "OSS-HDFS object",
    role: Role::Manual,
    never_cleared: "OSS-HDFS data (.dlsdata/) is never deleted through the object API (it would corrupt the HDFS namespace); remove it on the console's OSS-HDFS page (Bucket > OSS-HDFS)",
    manual_step: hdfs_step,
    ..LISTED
};

pub const BLOCKER: Blocker = Blocker {
    owns: &[
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
        Category::OssHdfs,
    ],
    kind: BucketKind::Object,
    phase: Phase::Data,
    scan: |s| Box::pin(scan_listing(s)),
    clear: |ctx| Box::pin(crate::delete::objects::clear(ctx.clone())),
    risks,
};

/// OSS-HDFS data is removed in the console, never through the object API.
fn hdfs_step(_: &ScanReport, c: &CategoryReport) -> Option<ManualStep> {
    (c.count > 0).then(|| ManualStep {
        reason: format!(
            "{} under .dlsdata/",
            c.category.counted_sized(c.count, c.bytes)
        ),
        step: "Remove the OSS-HDFS data in the console (Bucket > OSS-HDFS) or with HDFS tools; ossweep never deletes it through the object API, which would corrupt the HDFS namespace".into(),
    })
}

fn risks(r: &ScanReport) -> Vec<Risk> {
    let hdfs = r.category(Category::OssHdfs);
    if hdfs.count == 0 {
        return Vec::new();
    }
    vec![Risk {
        severity: Severity::Warning,
        kind: "oss-hdfs",
        text: format!(
            "OSS-HDFS data ({} objects under .dlsdata/) must be removed through the console's OSS-HDFS flow; ossweep never deletes it through the object API, which would corrupt the HDFS namespace.",
            count(hdfs.count)
        ),
    }]
}

/// One listing of every entry (every version, in a versioned bucket), split
/// across the key space: each entry counted in its category, with the biggest
/// prefixes, what a retention policy keeps, storage classes and early-deletion
/// fees.
async fn scan_listing(shared: &Scanning) {
    let (versioning, worm, now) = (shared.versioning, shared.worm.as_ref(), shared.now);
    let (mut pages, stats) = shared.client.list_entries_split(
        &shared.bucket,
        shared.prefix(),
        versioning.is_versioned(),
        LISTING_STREAMS,
        Default::default(),
    );
    let _tally = Tally(shared, stats.clone());
    struct Map<'a>(&'a Scanning, Arc<crate::oss::listing::ListingStats>);
    impl Drop for Map<'_> {
        fn drop(&mut self) {
            self.0.report.lock().unwrap().entries_map = self.1.key_map();
        }
    }
    let _map = Map(shared, stats);
    let kinds = BLOCKER.owns;
    // The minimum durations and billable size the early-deletion fee is
    // counted by (the price table's, whatever the bucket's prices).
    let prices = {
        let r = shared.report.lock().unwrap();
        r.prices
            .clone()
            .unwrap_or_else(|| crate::money::book().for_bucket(&r.region, None))
    };
    let mut protected_by: [(u64, u64); 4] = [(0, 0); 4];
    let mut prefixes: [found::Prefixes; 4] = Default::default();
    let mut locked = found::Listed::default();
    while let Some(page) = pages.next().await {
        let entries = match page {
            Ok(e) => e,
            Err(e) => {
                for &c in kinds {
                    shared.set(
                        c,
                        State::Unknown,
                        Some(format!("listing failed: {}", first_line(&e))),
                    );
                }
                shared.unreadable("object listing", &e);
                return;
            }
        };
        {
            let mut r = shared.report.lock().unwrap();
            if versioning.is_versioned() {
                let in_scope: Vec<&crate::oss::model::ObjectVersion> = entries
                    .iter()
                    .filter(|v| !v.key.starts_with(HDFS_PREFIX))
                    .collect();
                r.hidden.page(&in_scope);
            }
            for v in &entries {
                let cat = classify(v, versioning);
                if let (Some(newer), false) = (&mut r.newer, cat == Category::OssHdfs) {
                    newer.count(cat, &v.key, v.last_modified);
                }
                let c = r.category_mut(cat);
                c.count += 1;
                c.bytes += v.size;
                let kind = kinds.iter().position(|k| *k == cat).unwrap_or(0);
                prefixes[kind].add(&v.key, v.size);
                let retained = worm_release(worm, v.last_modified, v.is_delete_marker, now);
                if let Some(release) = retained {
                    locked.push(found::Found::Locked {
                        key: v.key.clone(),
                        version_id: v.version_id.clone(),
                        bytes: v.size,
                        release,
                    });
                    let p = &mut protected_by[kind];
                    p.0 += 1;
                    p.1 += v.size;
                    r.worm_protected += 1;
                    r.worm_earliest_release =
                        Some(r.worm_earliest_release.map_or(release, |e| e.min(release)));
                    r.worm_latest_release =
                        Some(r.worm_latest_release.map_or(release, |e| e.max(release)));
                }
                if cat == Category::Objects {
                    let class = r
                        .storage_classes
                        .entry(v.storage_class.clone())
                        .or_default();
                    class.0 += 1;
                    class.1 += v.size;
                }
                // An object a retention policy keeps cannot be deleted early:
                // no early-deletion fee is at stake for it.
                if !v.is_delete_marker && cat != Category::OssHdfs && retained.is_none() {
                    early_deletion(&mut r, &prices, v, now);
                }
            }
        }
        for &c in kinds {
            shared.counted(c).await;
        }
        if shared.cancel.is_cancelled() {
            return;
        }
    }
    let counts: Vec<u64> = {
        let r = shared.report.lock().unwrap();
        kinds.iter().map(|c| r.category(*c).count).collect()
    };
    {
        let mut r = shared.report.lock().unwrap();
        for (i, c) in kinds.iter().enumerate() {
            let cr = r.category_mut(*c);
            (cr.protected, cr.protected_bytes) = protected_by[i];
            let biggest = std::mem::take(&mut prefixes[i]).biggest();
            if !biggest.is_empty() {
                r.found.insert(*c, biggest);
            }
        }
        locked.items.sort_by(|a, b| a.name().cmp(b.name()));
        r.locked = locked;
    }
    for (i, c) in kinds.iter().enumerate() {
        let (state, note) = match (c.clearable(), counts[i], protected_by[i].0) {
            (false, n, _) if n > 0 => (State::ManualStep, Some("delete OSS-HDFS data in the console (Bucket > OSS-HDFS) or with HDFS tools; never through the object API".into())),
            (_, 0, _) => (State::Clear, None),
            (_, n, p) if p == n => (State::NotYet, Some("every one is under the retention policy (WORM)".into())),
            (_, _, p) if p > 0 => (State::Blocks, Some(format!("{p} under the retention policy (WORM) cannot be deleted yet"))),
            _ => (State::Blocks, None),
        };
        shared.set(*c, state, note);
    }
}

/// Counts `v` into the early-deletion exposure of its class when it is still
/// inside the class's minimum storage duration at `now`: from Last-Modified
/// for IA and Archive, from the transition for Cold and Deep Cold Archive.
fn early_deletion(
    r: &mut ScanReport,
    prices: &crate::money::BucketPrices,
    v: &crate::oss::model::ObjectVersion,
    now: i64,
) {
    use crate::money::cost;
    let class = v.storage_class.as_str();
    let Some(days) = prices.minimum_days(class) else {
        return;
    };
    let since = match class {
        "ColdArchive" | "DeepColdArchive" => v.transition_time.or(v.last_modified),
        _ => v.last_modified,
    };
    let Some(since) = since else {
        return;
    };
    let hours = cost::remaining_hours(prices, class, since, now);
    if hours == 0 {
        return;
    }
    let e = r.early_deletion.entry(class.to_string()).or_default();
    e.objects += 1;
    e.bytes += v.size;
    e.billable_byte_hours += cost::billable_bytes(prices, class, v.size) as u128 * hours as u128;
    let free = since + days as i64 * 86_400;
    e.fee_free_from = Some(e.fee_free_from.map_or(free, |f| f.max(free)));
}
