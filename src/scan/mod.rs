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
//!   "early_deletion": { "IA": { "objects": 3, "bytes": 3145728, "billable_byte_hours": 2264924160,
//!                               "fee_free_from": 1767225600 } },
//!   "prices": { "site": "china", "currency": "CNY", "region_group": "mainland", "redundancy": "LRS",
//!               "as_of": "2024-11-20", "classes": { "Standard": { "storage": 0.12, "...": "..." } },
//!               "sources": ["https://..."], "minimums": { "...": "..." } },
//!   "money": { "monthly": { "amount": 0.41, "currency": "CNY", "prices_as_of": "2024-11-20",
//!                           "price_sources": ["..."] },
//!              "early_deletion": { "amount": 0.0, "...": "..." }, "basis": "estimates at ..." },
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

mod context;
pub mod costs;
pub mod found;
pub mod markers;
pub mod report;
pub mod risk;
pub mod vectors;

use std::sync::Mutex;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::blockers;
use crate::oss::model::BucketInfo;
use crate::oss::{Client, OssError};

pub use crate::blockers::Category;
pub use context::{blocks_if, first_line, Scanning, Tally};
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
    scan_from(client, bucket, info, prefix, since, events, cancel, now).await
}

/// `scan_since`, from the GetBucketInfo of `bucket` a caller already read
/// (its versioning and identity are taken from it; the name is the caller's).
#[allow(clippy::too_many_arguments)]
pub async fn scan_from(
    client: &Client,
    bucket: &str,
    info: BucketInfo,
    prefix: Option<&str>,
    since: Option<i64>,
    events: Option<mpsc::Sender<ScanEvent>>,
    cancel: &CancellationToken,
    now: i64,
) -> Result<ScanReport, ScanError> {
    let mut first = ScanReport::new(bucket);
    first.prefix = prefix.map(str::to_string);
    first.region = info.region.clone();
    first.prices =
        Some(crate::money::book().for_bucket(&info.region, info.data_redundancy_type.as_deref()));
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
        let r = &mut first;
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
            Ok(p) => {
                let own = p.as_deref().map(crate::freeze::without_freeze);
                r.policy = !matches!(own, None | Some(Ok(None)));
                r.frozen_until = p.as_deref().and_then(crate::freeze::frozen_until);
                r.policy_document = p;
            }
            Err(e) => r.unreadable.push(format!(
                "Could not read the bucket policy: {}",
                first_line(&e)
            )),
        }
    }
    let scanning = Scanning {
        client: client.clone(),
        bucket: bucket.to_string(),
        prefix: prefix.map(str::to_string),
        region: info.region.clone(),
        versioning: info.versioning,
        worm: first.worm.clone(),
        cancel: cancel.clone(),
        now,
        report: Mutex::new(first),
        events,
    };
    Ok(scan_blockers(scanning).await)
}

/// Runs the scan of every blocker of the bucket's kind at once, then settles
/// the report: whether it finished, whether every listing succeeded, its risks.
async fn scan_blockers(scanning: Scanning) -> ScanReport {
    let kind = scanning.report.lock().unwrap().kind;
    futures::future::join_all(blockers::of_kind(kind).map(|b| (b.scan)(&scanning))).await;
    let mut report = scanning.report.lock().unwrap().clone();
    report.finished = !scanning.cancel.is_cancelled();
    // A category whose listing failed (or never finished) is not known to be clear.
    report.complete = report.finished
        && report
            .categories
            .iter()
            .all(|c| !matches!(c.state, State::Unknown | State::Scanning));
    report.risks = risk::risks(&report);
    if let Some(tx) = &scanning.events {
        let _ = tx.send(ScanEvent::Finished(Box::new(report.clone()))).await;
    }
    report
}
