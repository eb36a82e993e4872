//! Scans one bucket for everything that blocks its deletion. Streams: OSS's own
//! estimate first, then exact counts as the listings come in; cancellable between
//! pages; memory holds one page per listing, never the bucket.
//!
//! `ossweep scan` and `ossweep buckets`, in detail:
//!
//! # `ossweep scan BUCKET [--json]`
//!
//! Reads (never writes) everything that keeps the bucket from being deleted. OSS's own
//! statistics come first as an estimate; then exact counts from the listings, which run
//! in parallel over split key ranges. Ctrl-C stops it between pages (exit 3, partial
//! counts). Each category has a count, bytes and a state:
//!
//! | category (`--only` name) | what | state when present |
//! |---|---|---|
//! | `objects` | current version of each object (bytes per storage class) | blocks |
//! | `previous-versions` | older versions kept by versioning | blocks |
//! | `delete-markers` | delete markers | blocks |
//! | `parts` | incomplete multipart uploads (bytes from OSS statistics) | blocks |
//! | `live-channels` | LiveChannels (RTMP ingest URLs), and which a client is pushing a stream to now (GetLiveChannelStat) | blocks |
//! | `access-points` | access points (and how many have a policy) | blocks; not yet while `creating` |
//! | `accelerators` | OSS accelerators | blocks; a manual step when they can only be listed from inside the region |
//! | `oss-hdfs` | OSS-HDFS data under `.dlsdata/` | a manual step: never deleted through the object API |
//!
//! Objects under a locked retention policy (WORM) are "not yet" deletable, with the
//! dates they free up. The risks follow as plain sentences: deletion is permanent;
//! website hosting and bound custom domains break; the 4-8 hour name cool-down (with a
//! suggestion to empty instead of delete when domains point at the bucket); replication
//! rules that carry deletes to their destination; LiveChannels receiving a stream right
//! now (deleting them cuts the broadcast; OSS refuses with `ChannelStillLive`, so
//! ossweep disables them first); WORM retention; lifecycle rules
//! present; early-deletion fees for IA (30 days), Archive (60) and Cold/Deep Cold Archive
//! (180) objects; and the request count and time by API (at 2,000-10,000 keys/s, OSS's
//! account request ceiling) against a lifecycle rule, recommending `ossweep expire` when
//! the API route would take more than a day.
//!
//! For example, against the demo account:
//!
//! ```text
//! $ ossweep --endpoint http://127.0.0.1:9000 --path-style scan acme-logs-replicated
//! Bucket acme-logs-replicated (cn-hangzhou), versioning Off
//! OSS estimate (lags up to an hour): 1,500 objects, 2.9 GiB, 0 delete markers, 0 uploads
//!
//! CATEGORY                         COUNT  SIZE     STATE   NOTE
//! Current objects                  1,500  2.9 GiB  blocks
//! Previous versions                0      -        clear
//! ...
//! OSS-HDFS data (.dlsdata/)        0      -        clear
//!
//! Risks:
//!   !! Deletion is permanent: 1,500 objects and versions (2.9 GiB) cannot be recovered; OSS has no recycle bin.
//!   !! Replication rule "logs-to-dr" (Action ALL) carries deletes to acme-logs-dr (cn-beijing): emptying this
//!      bucket deletes the same objects there too. Remove the rule first if the copy must survive.
//!   !  After the bucket is deleted its name "acme-logs-replicated" is released; after a 4-8 hour cool-down
//!      anyone can register it.
//!   i  1 lifecycle rule(s) are configured; `ossweep expire` would replace them (after saving a backup).
//!   i  Emptying by API takes about 5 requests (billed as PUT requests) and about 1 s at 2,000-10,000 keys/s; ...
//! ```
//!
//! `--json` prints the report:
//!
//! ```text
//! {
//!   "bucket": "acme-app-backups", "prefix": null, "region": "cn-hangzhou", "versioning": "Enabled",
//!   "estimate": { "storage": 0, "object_count": 0, "delete_marker_count": 0, "...": "GetBucketStat fields" },
//!   "categories": [
//!     { "category": "objects", "count": 437, "bytes": 1825361100, "state": "blocks",
//!       "protected": 0, "protected_bytes": 0, "note": null }
//!   ],
//!   "storage_classes": { "Standard": [437, 1825361100] },
//!   "early_deletion": { "IA": { "objects": 3, "bytes": 3145728, "remaining_days": 60 } },
//!   "website": false, "cnames": [], "replication": [], "worm": null,
//!   "worm_protected": 0, "worm_earliest_release": null, "worm_latest_release": null,
//!   "lifecycle_rules": 0, "policy": false, "unreadable": [],
//!   "risks": [ { "severity": "danger", "kind": "irreversible", "text": "Deletion is permanent: ..." } ],
//!   "found": {
//!     "objects": { "items": [ { "kind": "prefix", "prefix": "db/", "count": 120, "bytes": 1610612736 } ], "more": 0 },
//!     "parts": { "items": [ { "kind": "upload", "key": "raw/keynote-2025.mp4",
//!                             "upload_id": "0004B9894A22E5B1888A1E29F823ABCD", "initiated": 1764979200 } ], "more": 0 }
//!   },
//!   "finished": true, "complete": true
//! }
//! ```
//!
//! `found` is what is behind each count, as the wizard's drill-down shows it (at most
//! 1,000 items per category, `more` counting the rest): `access-point` (`name`,
//! `status`, `network`, `alias`), `live-channel` (`name`, `status`, `now`: `Live`, `Idle`, `Disabled` or `null`, `modified`),
//! `upload` (`key`, `upload_id`, `initiated`), `accelerator` (`zone`), and for the object
//! categories the biggest top-level `prefix`es (`count`, `bytes`). `locked` lists the
//! objects a retention policy keeps (`key`, `version_id`, `bytes`, `release`).
//!
//! `state` is one of `scanning`, `clear`, `blocks`, `not-yet`, `manual-step`, `unknown`
//! (the listing failed: the note says why; never shown as `clear`, and its COUNT shows
//! `?`). `finished` says the scan ran to its end; `complete` says it finished **and**
//! every listing succeeded. A scan that is not complete exits 3 (`scan incomplete: a
//! listing failed ...`); a garbage, HTML or silent listing never reads as an empty
//! bucket. `severity`
//! one of `danger`, `warning`, `info`; `kind` is a stable identifier (`irreversible`,
//! `website`, `custom-domains`, `name-cooldown`, `replication`, `worm`, `lifecycle`,
//! `early-deletion`, `oss-hdfs`, `cost-and-time`, `live-stream`, `unreadable`). Times are Unix seconds.
//!
//! # `ossweep buckets [--json]`
//!
//! Lists every bucket of the account, in all regions: name, region, creation date,
//! storage class, and (GetBucketVersioning and GetBucketStat, eight buckets at a time)
//! versioning, objects, versions and size, `-` where they cannot be read. OSS's
//! statistics count every version of a versioned bucket together, so there OBJECTS is a
//! bound (`≤874`) and VERSIONS `?`; `ossweep scan` counts them apart. `--json` prints an
//! array of `{"name", "region", "creation_date", "storage_class", "versioning",
//! "objects", "bytes"}` objects (`null` where unknown; `"objects_include_versions": true`
//! for a versioned bucket).
//!
//! ```text
//! $ ossweep --endpoint http://127.0.0.1:9000 --path-style buckets
//! NAME                     REGION          CREATED     STORAGE CLASS  VERSIONING  OBJECTS  VERSIONS  SIZE
//! acme-app-backups         cn-hangzhou     2025-04-15  Standard       Enabled     ≤874     ?         3.4 GiB
//! acme-clickstream-big     cn-hangzhou     2024-03-11  Standard       Off         200,000  -         48.8 GiB
//! acme-compliance-archive  cn-beijing      2025-11-01  Archive        Off         320      -         960.0 MiB
//! ...
//! ```

mod attachments;
pub mod found;
pub mod markers;
pub mod report;
pub mod risk;
pub mod vectors;

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::oss::model::{Versioning, WormConfiguration};
use crate::oss::{Client, OssError};

use crate::vocab::LISTING_STREAMS;
use crate::vocab::{classify, worm_release};
pub use crate::vocab::{Category, HDFS_PREFIX};
pub use report::{CategoryReport, IndexReport, ScanReport, State};
pub use vectors::scan_vector;

#[derive(Clone, Debug, PartialEq)]
pub enum ScanEvent {
    /// OSS's estimate (GetBucketStat) and the versioning state, before any listing.
    Estimate(Box<ScanReport>),
    /// A category's running totals.
    Counted {
        category: Category,
        count: u64,
        bytes: u64,
    },
    Finished(Box<ScanReport>),
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{0}")]
    Oss(#[from] OssError),
}

struct Shared {
    report: Mutex<ScanReport>,
    events: Option<mpsc::Sender<ScanEvent>>,
}

/// Adds what a listing sent to the report, however the listing ends.
struct Tally<'a>(&'a Shared, Arc<crate::oss::listing::ListingStats>);

impl Drop for Tally<'_> {
    fn drop(&mut self) {
        let t = self.1.tally();
        self.0.report.lock().unwrap().listing.add(&t);
    }
}

impl Shared {
    async fn counted(&self, category: Category) {
        let (count, bytes) = {
            let r = self.report.lock().unwrap();
            let c = r.category(category);
            (c.count, c.bytes)
        };
        if let Some(tx) = &self.events {
            let _ = tx
                .send(ScanEvent::Counted {
                    category,
                    count,
                    bytes,
                })
                .await;
        }
    }

    fn set(&self, category: Category, state: State, note: Option<String>) {
        let mut r = self.report.lock().unwrap();
        let c = r.category_mut(category);
        c.state = state;
        c.note = note;
    }

    fn unreadable(&self, what: &str, e: &OssError) {
        self.report
            .lock()
            .unwrap()
            .unreadable
            .push(format!("Could not read the {what}: {}", first_line(e)));
    }

    /// A listing failed: nothing is known about the category.
    fn listing_failed(&self, category: Category, what: &str, e: &OssError) {
        self.unreadable(what, e);
        self.set(
            category,
            State::Unknown,
            Some(format!("listing failed: {}", first_line(e))),
        );
    }

    /// Keeps what is behind a category's count, when it holds anything.
    fn found(&self, category: Category, listed: found::Listed) {
        if !listed.is_empty() {
            self.report.lock().unwrap().found.insert(category, listed);
        }
    }

    /// Stores a category's final count and announces it.
    async fn count(&self, category: Category, n: u64) {
        self.report.lock().unwrap().category_mut(category).count = n;
        self.counted(category).await;
    }
}

/// Why GetBucketStat gave no estimate, in a few words.
fn estimate_unavailable(e: &OssError) -> String {
    match e {
        OssError::Api(api) if api.code == "AccessDenied" => {
            "AccessDenied, no oss:GetBucketStat".into()
        }
        OssError::Api(api) => format!("{} (HTTP {})", api.code, api.status),
        OssError::Malformed { status, .. } => format!("unexpected reply, HTTP {status}"),
        other => first_line(other),
    }
}

fn first_line(e: &OssError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

fn blocks_if(count: u64) -> State {
    if count > 0 {
        State::Blocks
    } else {
        State::Clear
    }
}

/// Scans `bucket`. `now` is the Unix time retention and fee ages are measured against.
pub async fn scan(
    client: &Client,
    bucket: &str,
    events: Option<mpsc::Sender<ScanEvent>>,
    cancel: &CancellationToken,
    now: i64,
) -> Result<ScanReport, ScanError> {
    scan_under(client, bucket, None, events, cancel, now).await
}

/// Scans `bucket`, listing objects, versions, markers and uploads only under
/// `prefix` (the bucket-wide attachments are scanned all the same).
pub async fn scan_under(
    client: &Client,
    bucket: &str,
    prefix: Option<&str>,
    events: Option<mpsc::Sender<ScanEvent>>,
    cancel: &CancellationToken,
    now: i64,
) -> Result<ScanReport, ScanError> {
    scan_since(client, bucket, prefix, None, events, cancel, now).await
}

/// How far the local clock may be from OSS's: OSS refuses requests whose
/// time is further off (RequestTimeTooSkewed).
pub const CLOCK_SKEW_ALLOWED: i64 = 15 * 60;

/// `scan_under`, also counting key by key (in `report.newer`) the objects,
/// versions, delete markers and uploads written at or after `since` (server
/// time), when it is given.
pub async fn scan_since(
    client: &Client,
    bucket: &str,
    prefix: Option<&str>,
    since: Option<i64>,
    events: Option<mpsc::Sender<ScanEvent>>,
    cancel: &CancellationToken,
    now: i64,
) -> Result<ScanReport, ScanError> {
    let info = client.get_bucket_info(bucket).await?;
    let mut first = ScanReport::new(bucket);
    first.prefix = prefix.map(str::to_string);
    first.region = info.region.clone();
    first.versioning = info.versioning;
    first.identity = Some(crate::oss::model::BucketIdentity::of(&info));
    first.scanned_at = info.served_at.unwrap_or(now - CLOCK_SKEW_ALLOWED);
    first.newer = since.map(report::Newer::new);
    match client.get_bucket_stat(bucket).await {
        Ok(stat) => first.estimate = Some(stat),
        Err(e) if e.is_code("NoSuchBucket") => return Err(e.into()),
        Err(e) => first.estimate_unavailable = Some(estimate_unavailable(&e)),
    }
    if let Some(tx) = &events {
        let _ = tx.send(ScanEvent::Estimate(Box::new(first.clone()))).await;
    }
    let shared = Arc::new(Shared {
        report: Mutex::new(first),
        events,
    });

    // Configuration that shapes the risks.
    let (website, cnames, replication, worm, lifecycle, policy) = tokio::join!(
        client.get_bucket_website(bucket),
        client.list_cname(bucket),
        client.get_bucket_replication(bucket),
        client.get_bucket_worm(bucket),
        client.get_bucket_lifecycle(bucket),
        client.get_bucket_policy(bucket),
    );
    {
        let mut r = shared.report.lock().unwrap();
        match website {
            Ok(w) => r.website = w.is_some(),
            Err(e) => r.unreadable.push(format!(
                "Could not read the website configuration: {}",
                first_line(&e)
            )),
        }
        match cnames {
            Ok(c) => r.cnames = c,
            Err(e) => r.unreadable.push(format!(
                "Could not read the bound domains (CNAME): {}",
                first_line(&e)
            )),
        }
        match replication {
            Ok(rules) => r.replication = rules,
            Err(e) => r.unreadable.push(format!(
                "Could not read the replication rules: {}",
                first_line(&e)
            )),
        }
        match worm {
            Ok(w) => r.worm = w,
            Err(e) => r.unreadable.push(format!(
                "Could not read the retention policy (WORM): {}",
                first_line(&e)
            )),
        }
        match lifecycle {
            Ok(l) => {
                let ids: Vec<String> = l
                    .iter()
                    .flat_map(|l| &l.rules)
                    .map(|r| r.id.clone())
                    .collect();
                r.lifecycle_rules = ids.len();
                r.expiry_rules = crate::lifecycle::installed(&ids);
            }
            Err(e) => r.unreadable.push(format!(
                "Could not read the lifecycle rules: {}",
                first_line(&e)
            )),
        }
        match policy {
            Ok(p) => r.policy = p.is_some(),
            Err(e) => r.unreadable.push(format!(
                "Could not read the bucket policy: {}",
                first_line(&e)
            )),
        }
    }
    let worm = shared.report.lock().unwrap().worm.clone();

    tokio::join!(
        scan_objects(
            client,
            bucket,
            prefix,
            info.versioning,
            worm.as_ref(),
            &shared,
            cancel,
            now
        ),
        attachments::scan_parts(client, bucket, prefix, &shared, cancel),
        attachments::scan_live_channels(client, bucket, &shared),
        attachments::scan_access_points(client, bucket, &shared),
        attachments::scan_accelerators(client, bucket, &info.region, &shared),
    );

    let mut report = shared.report.lock().unwrap().clone();
    report.finished = !cancel.is_cancelled();
    // A category whose listing failed (or never finished) is not known to be clear.
    report.complete = report.finished
        && report
            .categories
            .iter()
            .all(|c| !matches!(c.state, State::Unknown | State::Scanning));
    report.risks = risk::risks(&report);
    if let Some(tx) = &shared.events {
        let _ = tx.send(ScanEvent::Finished(Box::new(report.clone()))).await;
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
async fn scan_objects(
    client: &Client,
    bucket: &str,
    prefix: Option<&str>,
    versioning: Versioning,
    worm: Option<&WormConfiguration>,
    shared: &Shared,
    cancel: &CancellationToken,
    now: i64,
) {
    let (mut pages, stats) = client.list_entries_split(
        bucket,
        prefix,
        versioning.is_versioned(),
        LISTING_STREAMS,
        Default::default(),
    );
    let _tally = Tally(shared, stats.clone());
    struct Map<'a>(&'a Shared, Arc<crate::oss::listing::ListingStats>);
    impl Drop for Map<'_> {
        fn drop(&mut self) {
            self.0.report.lock().unwrap().entries_map = self.1.key_map();
        }
    }
    let _map = Map(shared, stats);
    let kinds = [
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
        Category::OssHdfs,
    ];
    let mut protected_by: [(u64, u64); 4] = [(0, 0); 4];
    let mut prefixes: [found::Prefixes; 4] = Default::default();
    let mut locked = found::Listed::default();
    while let Some(page) = pages.next().await {
        let entries = match page {
            Ok(e) => e,
            Err(e) => {
                for c in kinds {
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
                    if let Some(min_days) = risk::minimum_storage_days(&v.storage_class) {
                        let since = match v.storage_class.as_str() {
                            "ColdArchive" | "DeepColdArchive" => {
                                v.transition_time.or(v.last_modified)
                            }
                            _ => v.last_modified,
                        };
                        if let Some(since) = since {
                            let age_days = ((now - since).max(0) / 86_400) as u64;
                            if age_days < min_days {
                                let e =
                                    r.early_deletion.entry(v.storage_class.clone()).or_default();
                                e.objects += 1;
                                e.bytes += v.size;
                                e.remaining_days += min_days - age_days;
                            }
                        }
                    }
                }
            }
        }
        for c in kinds {
            shared.counted(c).await;
        }
        if cancel.is_cancelled() {
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
        let (state, note) = match (c, counts[i], protected_by[i].0) {
            (Category::OssHdfs, n, _) if n > 0 => (State::ManualStep, Some("delete OSS-HDFS data in the console (Bucket > OSS-HDFS) or with HDFS tools; never through the object API".into())),
            (_, 0, _) => (State::Clear, None),
            (_, n, p) if p == n => (State::NotYet, Some("every one is under the retention policy (WORM)".into())),
            (_, _, p) if p > 0 => (State::Blocks, Some(format!("{p} under the retention policy (WORM) cannot be deleted yet"))),
            _ => (State::Blocks, None),
        };
        shared.set(*c, state, note);
    }
}
