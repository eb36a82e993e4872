//! Scans one bucket for everything that blocks its deletion. Streams: OSS's own
//! estimate first, then exact counts as the listings come in; cancellable between
//! pages; memory holds one page per listing, never the bucket.

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
                r.expiry_rules = crate::expire::installed(&ids);
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
