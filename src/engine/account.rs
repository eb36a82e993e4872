//! The whole account at a glance: every bucket and vector bucket, what each
//! costs a month, where it stands (can go now, needs a manual step, cannot go
//! before a date, or unknown), and the totals: what the account costs, what
//! deleting everything that can go saves and costs once, and what stays.
//!
//! It is cheap: OSS's statistics and a few configuration reads per bucket
//! (retention policy, an OSS-HDFS probe), never a full listing, so its
//! standings come from the statistics until a bucket is scanned; a run of
//! any of them still goes through the engine's full preflight first.
//! `gather` reads (I/O); `AccountView::build` is pure.

mod gather;

use serde::Serialize;

use crate::money::cost::{self, RequestKind};
use crate::money::{Estimate, PriceBook};
use crate::oss::model::{BucketStat, BucketSummary, WormConfiguration};
use crate::oss::time;
use crate::vocab::BucketKind;

pub use gather::{gather, Gathered};

/// Beyond this many entries the API route takes more than a day at 2,000
/// keys/s: a lifecycle rule is the way.
pub const LIFECYCLE_ENTRIES: u64 = 2_000 * 86_400;

/// What the cheap reads found about one bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct BucketFacts {
    pub kind: BucketKind,
    pub name: String,
    pub region: String,
    /// GetBucketStat (`Err`: why it could not be read).
    pub stat: Result<BucketStat, String>,
    /// GetBucketWorm (`Err`: why it could not be read).
    pub worm: Result<Option<WormConfiguration>, String>,
    /// Whether `.dlsdata/` holds anything (`Err`: why it is not known).
    pub hdfs: Result<bool, String>,
    /// A vector bucket's indexes (`None`: not counted).
    pub indexes: Option<u64>,
}

impl BucketFacts {
    /// A vector bucket with its index count.
    pub fn vector(name: &str, region: &str, indexes: Option<u64>) -> Self {
        BucketFacts {
            kind: BucketKind::Vector,
            name: name.into(),
            region: region.into(),
            stat: Err("vector buckets have no statistics".into()),
            worm: Ok(None),
            hdfs: Ok(false),
            indexes,
        }
    }

    /// An object bucket from the listing, facts to be read.
    pub fn object(b: &BucketSummary) -> Self {
        BucketFacts {
            kind: BucketKind::Object,
            name: b.name.clone(),
            region: b.region.clone(),
            stat: Err("not read".into()),
            worm: Ok(None),
            hdfs: Ok(false),
            indexes: None,
        }
    }
}

/// Where a bucket stands, from its statistics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "standing", rename_all = "kebab-case")]
pub enum Standing {
    /// It can go now: by API, or (too big for a day of API calls) by a
    /// lifecycle rule first.
    CanGo { lifecycle: bool },
    /// A person has to act first.
    ManualStep { step: String },
    /// A locked retention policy keeps objects: not before their retention
    /// ends, at the latest on `latest` (Unix seconds).
    NotBefore { latest: i64, why: String },
    /// Not known from here (the statistics could not be read).
    Unknown { why: String },
}

impl Standing {
    /// `can go`, `manual step`, `not before 2036-01-01`, `unknown`.
    pub fn word(&self) -> String {
        match self {
            Standing::CanGo { lifecycle: false } => "can go".into(),
            Standing::CanGo { lifecycle: true } => "can go (lifecycle)".into(),
            Standing::ManualStep { .. } => "manual step".into(),
            Standing::NotBefore { latest, .. } => {
                format!("retained ≤{}", time::date_only(*latest))
            }
            Standing::Unknown { .. } => "unknown".into(),
        }
    }

    /// Why, when it is not `can go`.
    pub fn why(&self) -> Option<&str> {
        match self {
            Standing::CanGo { .. } => None,
            Standing::ManualStep { step } => Some(step),
            Standing::NotBefore { why, .. } | Standing::Unknown { why } => Some(why),
        }
    }
}

/// One bucket of the account view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountBucket {
    pub kind: BucketKind,
    pub name: String,
    pub region: String,
    /// Its storage a month (`None`: no statistics; a vector bucket).
    pub monthly: Option<Estimate>,
    /// What blocks its deletion, from the statistics (`500 objects`).
    pub holds: Vec<String>,
    #[serde(flatten)]
    pub standing: Standing,
    /// What deleting it takes in requests, from the statistics.
    pub requests: u64,
}

/// The account's totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Totals {
    /// What every bucket's storage costs a month.
    pub monthly: Estimate,
    /// Of which the buckets that can go now.
    pub can_go_monthly: Estimate,
    /// What deleting them bills once in requests (one per 1000-key batch;
    /// more if OSS bills each key), early-deletion fees not included (a scan
    /// counts them).
    pub can_go_requests: Estimate,
    /// What stays a month until a date (retention), and the last such date.
    pub stays_monthly: Estimate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stays_until: Option<i64>,
    /// What needs a manual step or is unknown, a month.
    pub blocked_monthly: Estimate,
    pub can_go: usize,
}

/// The account view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountView {
    pub buckets: Vec<AccountBucket>,
    pub totals: Totals,
    /// The prices' basis (`estimates at list prices as of ...`).
    pub basis: String,
    /// What can still bill when every bucket is gone.
    pub still_billing: Vec<&'static str>,
    /// What OSS documents vector buckets cost, when the account has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector_buckets: Option<crate::money::prices::VectorPrices>,
}

/// What can bill after the buckets are gone (said as information: ossweep
/// reads no billing API).
pub const STILL_BILLING: [&str; 3] = [
    "OSS accelerators (their capacity, even empty, until deleted in the console)",
    "prepaid resource plans (until they expire)",
    "whatever still writes to OSS (logging, backups) and creates buckets again",
];

/// Where a bucket stands from its facts, at `now`.
pub fn standing(f: &BucketFacts, now: i64) -> Standing {
    if f.kind.is_vector() {
        return Standing::CanGo { lifecycle: false };
    }
    let stat = match &f.stat {
        Ok(s) => s,
        Err(why) => {
            return Standing::Unknown {
                why: format!("its statistics could not be read ({why}): scan it"),
            }
        }
    };
    if let Ok(Some(w)) = &f.worm {
        if stat.object_count > 0 {
            if w.state == "Locked" {
                return Standing::NotBefore {
                    latest: now + w.retention_period_days as i64 * 86_400,
                    why: format!(
                        "a locked retention policy keeps each object {} days after it was written; scan it for the exact dates",
                        w.retention_period_days
                    ),
                };
            }
            return Standing::ManualStep {
                step: "an unlocked retention policy protects its objects until it expires (24 hours after creation) or is deleted".into(),
            };
        }
    }
    match &f.hdfs {
        Ok(true) => {
            return Standing::ManualStep {
                step: "remove its OSS-HDFS data in the console (Bucket > OSS-HDFS)".into(),
            }
        }
        Err(why) => {
            return Standing::Unknown {
                why: format!("whether it holds OSS-HDFS data is not known ({why})"),
            }
        }
        Ok(false) => {}
    }
    Standing::CanGo {
        lifecycle: stat.object_count + stat.delete_marker_count > LIFECYCLE_ENTRIES,
    }
}

/// What deleting a bucket takes in requests, from its statistics: listing
/// pages and 1000-key deletes, one abort per upload, then DeleteBucket.
fn requests_of(f: &BucketFacts) -> u64 {
    match (&f.stat, f.indexes) {
        (Ok(s), _) => {
            let entries = s.object_count + s.delete_marker_count;
            entries.div_ceil(1000) * 2 + s.multipart_upload_count + s.live_channel_count + 1
        }
        (Err(_), Some(indexes)) => indexes + 1,
        (Err(_), None) => 1,
    }
}

/// `500 objects`, `2 uploads`, `3 indexes`: what the statistics show it holds.
fn holds(f: &BucketFacts) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(s) = &f.stat {
        for (n, one, many) in [
            (s.object_count, "object", "objects"),
            (s.delete_marker_count, "delete marker", "delete markers"),
            (s.multipart_upload_count, "upload", "uploads"),
            (s.live_channel_count, "LiveChannel", "LiveChannels"),
        ] {
            if n > 0 {
                out.push(crate::units::counted(n, one, many));
            }
        }
    }
    if let Some(n) = f.indexes.filter(|n| *n > 0) {
        out.push(crate::units::counted(n, "index", "indexes"));
    }
    if matches!(f.hdfs, Ok(true)) {
        out.push("OSS-HDFS data".into());
    }
    out
}

impl AccountView {
    /// The view of `facts`, priced with `book`, at `now`.
    pub fn build(facts: &[BucketFacts], book: &PriceBook, now: i64) -> AccountView {
        let any = book.reference();
        let zero = || Estimate::of(&any);
        let mut totals = Totals {
            monthly: zero(),
            can_go_monthly: zero(),
            can_go_requests: zero(),
            stays_monthly: zero(),
            stays_until: None,
            blocked_monthly: zero(),
            can_go: 0,
        };
        let mut buckets = Vec::new();
        for f in facts {
            let p = book.for_bucket(&f.region, None);
            let monthly = f
                .stat
                .as_ref()
                .ok()
                .map(|s| cost::monthly(&p, &cost::stat_classes(s)));
            let standing = standing(f, now);
            let requests = requests_of(f);
            // A vector bucket costs what OSS documents for it.
            let monthly = match f.kind {
                BucketKind::Vector => book.vector_monthly(),
                BucketKind::Object => monthly,
            };
            let month = monthly.clone().unwrap_or_else(|| {
                let mut e = Estimate::of(&p);
                let what = match f.kind {
                    BucketKind::Vector => "vector bucket storage",
                    BucketKind::Object => "storage without statistics",
                };
                e.add(None, what);
                e
            });
            totals.monthly = totals.monthly.clone().plus(&month);
            match &standing {
                Standing::CanGo { .. } => {
                    totals.can_go += 1;
                    totals.can_go_monthly = totals.can_go_monthly.clone().plus(&month);
                    let mut r = Estimate::of(&p);
                    let what = if p.region_group == "outside" {
                        "requests outside the mainland"
                    } else {
                        "requests"
                    };
                    r.add(
                        cost::requests_fee(&p, "Standard", RequestKind::Put, requests),
                        what,
                    );
                    totals.can_go_requests = totals.can_go_requests.clone().plus(&r);
                }
                Standing::NotBefore { latest, .. } => {
                    totals.stays_monthly = totals.stays_monthly.clone().plus(&month);
                    totals.stays_until = totals.stays_until.max(Some(*latest));
                }
                Standing::ManualStep { .. } | Standing::Unknown { .. } => {
                    totals.blocked_monthly = totals.blocked_monthly.clone().plus(&month);
                }
            }
            buckets.push(AccountBucket {
                kind: f.kind,
                name: f.name.clone(),
                region: f.region.clone(),
                monthly,
                holds: holds(f),
                standing,
                requests,
            });
        }
        AccountView {
            buckets,
            totals,
            basis: format!(
                "estimates at list prices as of {}, {} site ({}{}); LRS assumed",
                any.as_of,
                book.site,
                any.currency,
                if book.site_assumed {
                    ", assumed: set `site` in the profile"
                } else {
                    ""
                }
            ),
            still_billing: STILL_BILLING.to_vec(),
            vector_buckets: book
                .table
                .vector_buckets()
                .filter(|_| facts.iter().any(|f| f.kind.is_vector()))
                .cloned(),
        }
    }

    /// The totals in one sentence: `This account's storage costs about 8.34
    /// CNY a month; deleting the 7 buckets that can go saves about 7.10 CNY a
    /// month and bills about 0.01 CNY once in requests (plus early-deletion
    /// fees, which a scan counts); 0.02 CNY a month stays until 2036-01-01
    /// (retention); 1.07 CNY a month needs a manual step first.`
    pub fn summary(&self) -> String {
        let t = &self.totals;
        let mut s = format!(
            "This account's storage costs about {} a month; deleting the {} that can go saves about {} a month and bills about {} once in requests (plus early-deletion fees, which a scan counts)",
            t.monthly.cell(),
            crate::units::counted(t.can_go as u64, "bucket", "buckets"),
            t.can_go_monthly.cell(),
            t.can_go_requests.cell()
        );
        if let Some(until) = t.stays_until {
            s.push_str(&format!(
                "; {} a month stays until {} at the latest (retention)",
                t.stays_monthly.cell(),
                time::date_only(until)
            ));
        }
        if t.blocked_monthly.amount > 0.0 || !t.blocked_monthly.unpriced.is_empty() {
            s.push_str(&format!(
                "; {} a month needs a manual step or a scan first",
                t.blocked_monthly.cell()
            ));
        }
        s.push('.');
        // What `+?` leaves out, said once.
        let mut unpriced: Vec<&str> = Vec::new();
        for e in [&t.monthly, &t.can_go_requests] {
            for u in &e.unpriced {
                if !unpriced.contains(&u.as_str()) {
                    unpriced.push(u);
                }
            }
        }
        if !unpriced.is_empty() {
            s.push_str(&format!(
                " \"+?\": without what the price table has no price for ({}).",
                unpriced.join(", ")
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests;
