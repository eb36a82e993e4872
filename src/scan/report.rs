//! What a scan finds: each category that can block a bucket's deletion, with
//! counts, bytes and a state, plus the facts the risk panel is built from.

use std::collections::BTreeMap;

use serde::Serialize;

pub use crate::blockers::Category;
use crate::blockers::Role;
use crate::oss::model::{
    BucketIdentity, BucketStat, CnameBinding, ReplicationRule, Versioning, WormConfiguration,
};
use crate::vocab::BucketKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Still being counted.
    Scanning,
    /// Nothing here.
    Clear,
    /// Present: blocks deletion; ossweep can clear it.
    Blocks,
    /// Present, but cannot be removed yet (retention, an access point still being created).
    NotYet,
    /// Present or unknowable from here: a person has to act (console, in-region host).
    ManualStep,
    /// The listing failed: nothing is known (the note says why). Never `Clear`.
    Unknown,
}

impl State {
    /// What the state means, for the help.
    pub fn meaning(self) -> &'static str {
        match self {
            State::Scanning => "still being counted",
            State::Clear => "nothing here",
            State::Blocks => "present; ossweep can clear it",
            State::NotYet => "present; cannot go yet (retention, an access point being created)",
            State::ManualStep => "a person has to act (the console, an in-region host)",
            State::Unknown => "could not be listed: nothing is known",
        }
    }

    /// The word every front end shows for the state.
    pub fn word(self) -> &'static str {
        match self {
            State::Scanning => "scanning",
            State::Clear => "clear",
            State::Blocks => "blocks",
            State::NotYet => "not yet",
            State::ManualStep => "manual step",
            State::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryReport {
    pub category: Category,
    pub count: u64,
    pub bytes: u64,
    pub state: State,
    /// Of `count` and `bytes`, what a retention policy (WORM) protects for now.
    pub protected: u64,
    pub protected_bytes: u64,
    /// Why the state is what it is, when that needs saying.
    pub note: Option<String>,
    /// The listing is not offered by this endpoint at all (it answered
    /// NotImplemented, or a bucket listing), rather than refused or failed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unsupported: bool,
}

impl CategoryReport {
    /// The COUNT cell every front end shows: `?` when the listing failed
    /// (never a number that reads as nothing there).
    pub fn count_cell(&self) -> String {
        match self.state {
            State::Unknown => "?".into(),
            _ => crate::units::count(self.count),
        }
    }

    /// The SIZE cell: `-` when nothing was counted.
    pub fn size_cell(&self) -> String {
        match self.bytes {
            0 => "-".into(),
            b => crate::units::bytes(b),
        }
    }
}

/// Early-deletion fee exposure for one storage class: the objects and
/// versions still inside the class's minimum storage duration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EarlyDeletion {
    pub objects: u64,
    pub bytes: u64,
    /// Billable bytes (at least 64 KB each) times the hours of the minimum
    /// still to run, summed: what the fee is billed on.
    pub billable_byte_hours: u128,
    /// When the last of them has passed its minimum: from then on deleting
    /// them bills no fee.
    pub fee_free_from: Option<i64>,
}

/// One index of a vector bucket, as the scan found it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndexReport {
    #[serde(flatten)]
    pub index: crate::oss::vectors::VectorIndex,
    /// Vectors counted by listing their keys (`None`: not counted).
    pub vectors: Option<u64>,
    /// The index holds more than `vectors`: counting stopped there.
    pub more_vectors: bool,
}

impl IndexReport {
    /// `1,800`, `10,000+`, `?`.
    pub fn vectors_text(&self) -> String {
        match (self.vectors, self.more_vectors) {
            (Some(n), false) => crate::units::count(n),
            (Some(n), true) => format!("{}+", crate::units::count(n)),
            (None, _) => "?".into(),
        }
    }
}

/// Entries (objects, versions, delete markers, uploads) written at or after
/// `since`, as the scan's listings found them, key by key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Newer {
    pub since: i64,
    pub counts: BTreeMap<Category, u64>,
    /// A few of their keys, for the message.
    pub sample: Vec<String>,
}

impl Newer {
    /// Keys kept as a sample.
    pub const SAMPLE: usize = 5;

    pub fn new(since: i64) -> Self {
        Newer {
            since,
            ..Default::default()
        }
    }

    /// Whether an entry written at `written` (unknown: `None`) is newer; it is
    /// counted when it is. Within the second `since` names it cannot be told
    /// whether the scan saw it, so it counts as newer.
    pub fn count(&mut self, category: Category, key: &str, written: Option<i64>) -> bool {
        let newer = written.is_none_or(|t| t >= self.since);
        if newer {
            *self.counts.entry(category).or_default() += 1;
            if self.sample.len() < Self::SAMPLE {
                self.sample.push(key.to_string());
            }
        }
        newer
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// Everything the scan learned.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ScanReport {
    /// An object bucket or a vector bucket.
    pub kind: BucketKind,
    pub bucket: String,
    /// Only keys under this prefix were listed (objects, versions, markers, parts).
    pub prefix: Option<String>,
    pub region: String,
    pub versioning: Versioning,
    /// What tells this bucket from another of the same name (GetBucketInfo,
    /// GetVectorBucket): a run is bound to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<BucketIdentity>,
    /// The server's clock when the scan began (Unix seconds; the local clock
    /// less OSS's 15-minute skew allowance when the reply had no `Date`): an
    /// entry written at or after it is not in what the scan saw.
    pub scanned_at: i64,
    /// Entries written at or after a moment, when the scan was asked to count
    /// them (a resume's check: what was never confirmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newer: Option<Newer>,
    /// GetBucketStat: OSS's own (delayed) estimate.
    pub estimate: Option<BucketStat>,
    /// Why there is no estimate (no `oss:GetBucketStat`, a server without `?stat`):
    /// it is optional information, and everything else works without it.
    pub estimate_unavailable: Option<String>,
    pub categories: Vec<CategoryReport>,
    /// Current-object bytes per storage class.
    pub storage_classes: BTreeMap<String, (u64, u64)>,
    /// The prices money is estimated with for this bucket (its site, region
    /// group and redundancy), with their date and sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prices: Option<crate::money::BucketPrices>,
    pub early_deletion: BTreeMap<String, EarlyDeletion>,
    pub website: bool,
    pub cnames: Vec<CnameBinding>,
    pub replication: Vec<ReplicationRule>,
    pub worm: Option<WormConfiguration>,
    /// Objects under a locked retention policy, and when the last of them frees up.
    pub worm_protected: u64,
    pub worm_earliest_release: Option<i64>,
    pub worm_latest_release: Option<i64>,
    pub lifecycle_rules: usize,
    /// ossweep's own expiry rules, when they are what is installed.
    pub expiry_rules: Option<crate::lifecycle::InstalledRules>,
    /// The bucket has a policy of its own (ossweep's write freeze aside).
    pub policy: bool,
    /// The policy document as GetBucketPolicy returned it (a write freeze
    /// is merged into it).
    #[serde(skip)]
    pub policy_document: Option<String>,
    /// Until when ossweep's write freeze in the policy holds, if one is there
    /// (Unix seconds; it may have ended).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frozen_until: Option<i64>,
    /// Probes that could not be read (e.g. AccessDenied), as sentences.
    pub unreadable: Vec<String>,
    /// OSS refused the data calls (listings) through this endpoint:
    /// `PublicEndpointForbidden`, the rule for accounts that activated OSS
    /// after 2025-03-20.
    pub public_endpoint_forbidden: bool,
    pub risks: Vec<super::risk::Risk>,
    /// A vector bucket's indexes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<IndexReport>,
    /// What is behind each count (up to `found::KEPT` items per category): access
    /// points, LiveChannels, uploads, accelerators; for objects, versions and
    /// markers, their biggest top-level prefixes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub found: BTreeMap<Category, super::found::Listed>,
    /// The objects the latest delete markers hide: clearing the markers alone
    /// makes them readable again.
    #[serde(skip_serializing_if = "is_nothing_hidden")]
    pub hidden: super::markers::Hidden,
    /// Objects and versions a retention policy keeps (up to `found::KEPT`).
    #[serde(skip_serializing_if = "super::found::Listed::is_empty")]
    pub locked: super::found::Listed,
    /// The scan ran to its end (it was not cancelled); some listings may have failed.
    pub finished: bool,
    /// Finished, and every category's listing succeeded: no count is a guess.
    pub complete: bool,
    /// The listing requests the scan sent, by kind (pages, probes, folder listings).
    #[serde(default)]
    pub listing: crate::oss::listing::ListingTally,
    /// Where the objects (or versions) listed lie: the run that follows starts
    /// its listing spread over them.
    #[serde(skip)]
    pub entries_map: crate::oss::listing::KeyLayout,
}

fn is_nothing_hidden(h: &super::markers::Hidden) -> bool {
    h.objects == 0
}

/// A bucket list's OBJECTS and VERSIONS cells from OSS's statistics. An
/// unversioned bucket's `ObjectCount` is its objects, with no versions; a
/// versioned bucket's counts every version, so its current objects are at
/// most that (`≤874`), and the split (`?`) is known once it is scanned.
pub fn object_cells(stat: &BucketStat, versioning: Versioning) -> [String; 2] {
    let n = crate::units::count(stat.object_count);
    if versioning.is_versioned() {
        [format!("≤{n}"), "?".into()]
    } else {
        [n, "-".into()]
    }
}

impl ScanReport {
    /// A bucket list's OBJECTS and VERSIONS cells from this (complete) scan:
    /// exact current objects and previous versions. OSS-HDFS objects count
    /// as objects here, as in OSS's statistics, whose size the SIZE cell
    /// shows (both cells then cover the same objects).
    pub fn object_cells(&self) -> [String; 2] {
        let versions = self.category(Category::PreviousVersions).count;
        let hdfs = self
            .categories
            .iter()
            .find(|c| c.category == Category::OssHdfs)
            .map_or(0, |c| c.count);
        [
            crate::units::count(self.category(Category::Objects).count + hdfs),
            if self.versioning.is_versioned() || versions > 0 {
                crate::units::count(versions)
            } else {
                "-".into()
            },
        ]
    }

    /// The estimate line every front end shows.
    pub fn estimate_line(&self) -> Option<String> {
        match (&self.estimate, &self.estimate_unavailable) {
            (Some(s), _) => Some(format!(
                "OSS estimate (lags up to an hour): {} objects, {}, {} delete markers, {} uploads",
                crate::units::count(s.object_count),
                crate::units::bytes(s.storage),
                crate::units::count(s.delete_marker_count),
                crate::units::count(s.multipart_upload_count)
            )),
            (None, Some(why)) => Some(format!(
                "OSS estimate unavailable ({why}); counts come from the listings"
            )),
            (None, None) => None,
        }
    }

    pub fn new(bucket: &str) -> Self {
        ScanReport::of(BucketKind::Object, bucket)
    }

    /// An empty report for a bucket of this kind: its categories, all scanning.
    pub fn of(kind: BucketKind, bucket: &str) -> Self {
        ScanReport {
            kind,
            bucket: bucket.to_string(),
            categories: kind
                .categories()
                .map(|category| CategoryReport {
                    category,
                    count: 0,
                    bytes: 0,
                    state: State::Scanning,
                    protected: 0,
                    protected_bytes: 0,
                    note: None,
                    unsupported: false,
                })
                .collect(),
            ..Default::default()
        }
    }

    pub fn category(&self, c: Category) -> &CategoryReport {
        self.categories
            .iter()
            .find(|r| r.category == c)
            .expect("every category is present")
    }

    pub fn category_mut(&mut self, c: Category) -> &mut CategoryReport {
        self.categories
            .iter_mut()
            .find(|r| r.category == c)
            .expect("every category is present")
    }

    /// Entries a full emptying must remove through batch deletes.
    /// What deletes in this bucket mean, as the scan read it.
    pub fn facts(&self) -> crate::vocab::BucketFacts {
        crate::vocab::BucketFacts {
            versioning: self.versioning,
            worm: self.worm.clone(),
        }
    }

    /// The names of what the scan found in a category bound by name.
    pub fn names_found(&self, c: Category) -> std::collections::BTreeSet<String> {
        match c.role() {
            Role::Indexes => self.indexes.iter().map(|i| i.index.name.clone()).collect(),
            Role::Listed | Role::Data | Role::Attachment | Role::Manual => self
                .found
                .get(&c)
                .into_iter()
                .flat_map(|l| &l.items)
                .map(|f| f.name().to_string())
                .collect(),
        }
    }

    pub fn object_entries(&self) -> u64 {
        self.categories
            .iter()
            .filter(|c| c.category.is_object_kind())
            .map(|c| c.count)
            .sum()
    }

    /// Vectors the indexes hold, as far as they were counted.
    pub fn vectors(&self) -> u64 {
        self.indexes.iter().filter_map(|i| i.vectors).sum()
    }

    /// True when nothing blocks deletion any more.
    pub fn is_empty(&self) -> bool {
        self.categories
            .iter()
            .all(|c| c.count == 0 && c.state == State::Clear)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_versioned_buckets_statistics_bound_its_objects_and_a_scan_splits_them() {
        let stat = BucketStat {
            object_count: 874,
            ..Default::default()
        };
        assert_eq!(object_cells(&stat, Versioning::Off), ["874", "-"]);
        assert_eq!(object_cells(&stat, Versioning::Enabled), ["≤874", "?"]);
        let mut r = ScanReport::new("b");
        r.versioning = Versioning::Enabled;
        r.category_mut(Category::Objects).count = 385;
        r.category_mut(Category::PreviousVersions).count = 489;
        assert_eq!(r.object_cells(), ["385", "489"]);
    }

    #[test]
    fn oss_hdfs_objects_stay_in_the_lists_count_as_they_stay_in_its_size() {
        let mut r = ScanReport::new("lake");
        r.category_mut(Category::Objects).count = 500;
        r.category_mut(Category::OssHdfs).count = 40;
        assert_eq!(r.object_cells(), ["540", "-"]);
    }

    #[test]
    fn a_category_whose_listing_failed_counts_as_unknown_never_as_zero() {
        let mut r = ScanReport::new("b");
        let c = r.category_mut(Category::Objects);
        c.state = State::Unknown;
        assert_eq!(
            (c.count_cell(), c.size_cell()),
            ("?".to_string(), "-".to_string())
        );
        c.state = State::Blocks;
        c.count = 1_500;
        c.bytes = 2048;
        assert_eq!(
            (c.count_cell(), c.size_cell()),
            ("1,500".to_string(), "2.0 KiB".to_string())
        );
    }
}
