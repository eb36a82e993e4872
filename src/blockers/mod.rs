//! What can block a bucket's deletion: one module per category, and the
//! registry that lists them.
//!
//! Each module owns everything about its category:
//! - its **facts** (names, role, requests per item, what deleting one does),
//!   in a [`Facts`] constant;
//! - its **scan** (how it is counted, what the drill-down lists);
//! - its **clear pass** and its verification (a fresh listing until one
//!   finds nothing);
//! - its **risks** and the **manual step** it may need.
//!
//! The scan, the preflight and the deletion engine loop over [`REGISTRY`]
//! and read facts through [`Category::facts`]; none of them names a category
//! to decide what to do. Objects, previous versions, delete markers and
//! OSS-HDFS data come from one listing, so one module ([`listing`]) owns all
//! four.
//!
//! Adding a category: a variant in [`Category`], a module with its `FACTS`
//! and its [`Blocker`], its line in [`Category::facts`] and in [`REGISTRY`]
//! (the compiler points at the first; a test at the second), and its tests.

pub mod accelerators;
pub mod access_points;
pub mod listing;
pub mod live_channels;
pub mod parts;
pub mod vector_indexes;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::scan::report::{CategoryReport, ScanReport};
use crate::scan::risk::Risk;
use crate::vocab::BucketKind;

/// Something that keeps a bucket from being deleted. Each can be cleared alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The current version of each object.
    Objects,
    /// Older versions, kept by versioning.
    PreviousVersions,
    DeleteMarkers,
    /// Incomplete multipart uploads and their parts.
    Parts,
    LiveChannels,
    AccessPoints,
    Accelerators,
    /// Data under `.dlsdata/`: never deleted through the object API.
    OssHdfs,
    /// The indexes of a vector bucket, each with all its vectors.
    VectorIndexes,
}

/// What a category is to a run: how it is cleared, when, and how a resumed
/// run tells what was confirmed from what came after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Entries of the object listing (current objects, versions, markers):
    /// cleared by 1000-key batch deletes, prefix-scoped, bound by when each
    /// was written.
    Listed,
    /// Data with a listing of its own (incomplete uploads): prefix-scoped,
    /// bound by when each was started.
    Data,
    /// What the bucket's users and integrations depend on (access points,
    /// LiveChannels, accelerators): cleared only once the data went, bound by
    /// name.
    Attachment,
    /// Never cleared through the API: a person has to act (OSS-HDFS data).
    Manual,
    /// The indexes of a vector bucket, bound by name.
    Indexes,
}

/// A step a person has to take before the bucket can go, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManualStep {
    pub reason: String,
    pub step: String,
}

/// Everything fixed about a category.
#[derive(Debug)]
pub struct Facts {
    /// The name on the command line (`--only objects,parts`) and in JSON.
    pub slug: &'static str,
    pub label: &'static str,
    /// A plural noun for counts in sentences: `49 delete markers`.
    pub noun: &'static str,
    pub noun_one: &'static str,
    /// One item, named in a sentence: `index ix-2025`.
    pub short: &'static str,
    pub role: Role,
    /// Requests a run sends per item, besides listing (a per-item delete and
    /// its check); the listed entries go 1000 to a batch instead.
    pub requests_each: u64,
    /// Whether OSS deletes these one at a time, so a run may name some.
    pub named_items: bool,
    /// Whether a listing gives no sizes, so each item's is read on its own
    /// (an upload's from ListParts).
    pub sized_by_item: bool,
    /// What deleting named ones does to who used them: (one, several).
    pub consequence: (&'static str, &'static str),
    /// Why ossweep never clears it, for a category it never clears.
    pub never_cleared: &'static str,
    /// Whether OSS refuses to delete the bucket while any remain (DeleteBucket
    /// answers BucketNotEmpty; DeleteVectorBucket, VectorBucketNotEmpty), so
    /// that when they cannot be listed, deleting the bucket settles whether
    /// any remain and loses nothing by them.
    pub refused_by_delete_bucket: bool,
    /// The step a person has to take, when the scan found one.
    pub manual_step: fn(&ScanReport, &CategoryReport) -> Option<ManualStep>,
}

/// No manual step: ossweep clears the category itself.
pub fn no_manual_step(_: &ScanReport, _: &CategoryReport) -> Option<ManualStep> {
    None
}

/// The scan of a blocker: counts its categories into the shared report.
pub type ScanFn = for<'a> fn(&'a crate::scan::Scanning) -> BoxFuture<'a, ()>;
/// The clear of a blocker: deletes what is in the run's scope and verifies.
pub(crate) type ClearFn =
    for<'a> fn(&'a std::sync::Arc<crate::delete::context::Ctx>) -> BoxFuture<'a, ()>;

/// When a run clears a blocker: the data first, what users depend on once the
/// data went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Data,
    Attachments,
}

/// One module of the registry: the categories it owns and what it does.
pub struct Blocker {
    pub owns: &'static [Category],
    pub kind: BucketKind,
    pub phase: Phase,
    pub scan: ScanFn,
    pub(crate) clear: ClearFn,
    /// The risks it adds to a scan's panel.
    pub risks: fn(&ScanReport) -> Vec<Risk>,
}

impl Blocker {
    /// Whether a run over `categories` has anything for this blocker to clear.
    pub fn wanted(&self, categories: &std::collections::BTreeSet<Category>) -> bool {
        self.owns
            .iter()
            .any(|c| c.clearable() && categories.contains(c))
    }
}

/// Every blocker, in the order a scan reports them.
pub const REGISTRY: [&Blocker; 6] = [
    &listing::BLOCKER,
    &parts::BLOCKER,
    &live_channels::BLOCKER,
    &access_points::BLOCKER,
    &accelerators::BLOCKER,
    &vector_indexes::BLOCKER,
];

/// The blockers of one kind of bucket.
pub fn of_kind(kind: BucketKind) -> impl Iterator<Item = &'static Blocker> {
    REGISTRY.into_iter().filter(move |b| b.kind == kind)
}

/// The risks every blocker of the report's kind adds.
pub fn risks(report: &ScanReport) -> Vec<Risk> {
    of_kind(report.kind)
        .flat_map(|b| (b.risks)(report))
        .collect()
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
        Category::Parts,
        Category::LiveChannels,
        Category::AccessPoints,
        Category::Accelerators,
        Category::OssHdfs,
        Category::VectorIndexes,
    ];

    /// Data: what a bucket stores and bills by size. Emptying a bucket that stays
    /// removes these and nothing else unless asked (attachments stay).
    pub const DATA: [Category; 4] = [
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
        Category::Parts,
    ];

    /// The registry: each category's facts, from its module.
    pub fn facts(self) -> &'static Facts {
        match self {
            Category::Objects => &listing::OBJECTS,
            Category::PreviousVersions => &listing::PREVIOUS_VERSIONS,
            Category::DeleteMarkers => &listing::DELETE_MARKERS,
            Category::OssHdfs => &listing::OSS_HDFS,
            Category::Parts => &parts::FACTS,
            Category::LiveChannels => &live_channels::FACTS,
            Category::AccessPoints => &access_points::FACTS,
            Category::Accelerators => &accelerators::FACTS,
            Category::VectorIndexes => &vector_indexes::FACTS,
        }
    }

    pub fn slug(self) -> &'static str {
        self.facts().slug
    }

    pub fn label(self) -> &'static str {
        self.facts().label
    }

    pub fn noun(self) -> &'static str {
        self.facts().noun
    }

    pub fn noun_one(self) -> &'static str {
        self.facts().noun_one
    }

    pub fn role(self) -> Role {
        self.facts().role
    }

    /// `1 delete marker`, `49 delete markers`.
    pub fn counted(self, n: u64) -> String {
        let noun = if n == 1 { self.noun_one() } else { self.noun() };
        format!("{} {noun}", crate::units::count(n))
    }

    /// `40 OSS-HDFS objects (1.2 GiB)`; no size when it is 0.
    pub fn counted_sized(self, n: u64, bytes: u64) -> String {
        match bytes {
            0 => self.counted(n),
            b => format!("{} ({})", self.counted(n), crate::units::bytes(b)),
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.slug() == s)
    }

    /// Object-like entries: cleared by listing and batch deletes, and prefix-scoped.
    pub fn is_object_kind(self) -> bool {
        self.role() == Role::Listed
    }

    pub fn is_data(self) -> bool {
        matches!(self.role(), Role::Listed | Role::Data)
    }

    /// How a resumed run tells what was confirmed from what came after: the
    /// data by when each entry was written, the attachments (few, named) by
    /// their names.
    pub fn bound_by_name(self) -> bool {
        match self.role() {
            Role::Attachment | Role::Indexes => true,
            Role::Listed | Role::Data | Role::Manual => false,
        }
    }

    /// Whether a listing that failed leaves the bucket's contents unknown, so
    /// that not even emptying can be planned.
    pub fn holds_contents(self) -> bool {
        match self.role() {
            Role::Listed | Role::Indexes => true,
            Role::Data | Role::Attachment | Role::Manual => false,
        }
    }

    /// Which kind of bucket holds this category.
    pub fn kind(self) -> BucketKind {
        match self.role() {
            Role::Indexes => BucketKind::Vector,
            Role::Listed | Role::Data | Role::Attachment | Role::Manual => BucketKind::Object,
        }
    }

    /// Categories ossweep can clear through the API.
    pub fn clearable(self) -> bool {
        self.role() != Role::Manual
    }

    /// The module that owns this category.
    pub fn blocker(self) -> &'static Blocker {
        REGISTRY
            .into_iter()
            .find(|b| b.owns.contains(&self))
            .expect("every category is owned by a blocker (tested)")
    }
}

/// Requests a run sends to clear `count` of each category (and delete the
/// bucket): per 1000 listed entries a listing page and a delete batch, and
/// each category's requests per item. The preflight and the scan's cost say
/// this one number; the report counts every request sent.
pub fn requests_to_clear(count: impl Fn(Category) -> u64, deletes_bucket: bool) -> u64 {
    let (listed, each): (Vec<Category>, Vec<Category>) =
        Category::ALL.into_iter().partition(|c| c.is_object_kind());
    let entries: u64 = listed.into_iter().map(&count).sum();
    entries.div_ceil(1000) * 2
        + each
            .into_iter()
            .map(|c| count(c) * c.facts().requests_each)
            .sum::<u64>()
        + u64::from(deletes_bucket)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_is_owned_by_exactly_one_blocker_of_its_kind() {
        for c in Category::ALL {
            let owners: Vec<_> = REGISTRY.iter().filter(|b| b.owns.contains(&c)).collect();
            assert_eq!(owners.len(), 1, "{c:?}");
            assert_eq!(owners[0].kind, c.kind(), "{c:?}");
        }
        let owned: usize = REGISTRY.iter().map(|b| b.owns.len()).sum();
        assert_eq!(owned, Category::ALL.len());
    }

    #[test]
    fn slugs_are_unique_and_parse_back() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.slug()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(
                json,
                format!("\"{}\"", c.slug()),
                "the JSON name is the slug"
            );
        }
        assert_eq!(Category::parse("object"), None);
    }

    #[test]
    fn data_is_what_the_roles_say() {
        let data: Vec<Category> = Category::ALL.into_iter().filter(|c| c.is_data()).collect();
        assert_eq!(data, Category::DATA);
        assert!(!Category::OssHdfs.clearable());
        assert_eq!(Category::VectorIndexes.kind(), BucketKind::Vector);
        assert_eq!(Category::DeleteMarkers.counted(1), "1 delete marker");
        assert_eq!(Category::LiveChannels.counted(2), "2 LiveChannels");
    }

    #[test]
    fn requests_count_batches_and_items() {
        let n = |c: Category| match c {
            Category::Objects => 1500,
            Category::DeleteMarkers => 500,
            Category::Parts => 3,
            Category::AccessPoints => 1,
            _ => 0,
        };
        // 2,000 entries: two pages and two batches; 3 uploads x 2; 1 access point x 2; the bucket.
        assert_eq!(requests_to_clear(n, true), 4 + 6 + 2 + 1);
    }
}
