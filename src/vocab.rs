//! The shared vocabulary of the scan and the deletion engine: what can block a
//! bucket's deletion, which category a listed entry belongs to, and when a
//! retention policy lets it go. Pure; neither `scan` nor `delete` owns it.

use serde::{Deserialize, Serialize};

use crate::oss::model::{ObjectVersion, Versioning, WormConfiguration};

/// Prefix of OSS-HDFS data; never touched through the object API.
pub const HDFS_PREFIX: &str = ".dlsdata/";

/// Range listings a listing runs at the same time (key-space splitting); every
/// request still takes its place in the account's budget.
pub const LISTING_STREAMS: usize = 32;

/// The two kinds of bucket OSS has: object buckets (ListBuckets) and OSS
/// Vectors buckets (ListVectorBuckets: their own hosts, JSON, indexes).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum BucketKind {
    #[default]
    Object,
    Vector,
}

impl BucketKind {
    /// What can block this kind of bucket's deletion.
    pub fn categories(self) -> &'static [Category] {
        match self {
            BucketKind::Object => &Category::OBJECT_BUCKET,
            BucketKind::Vector => &[Category::VectorIndexes],
        }
    }

    /// Every category ossweep can clear in this kind of bucket.
    pub fn clearable(self) -> impl Iterator<Item = Category> {
        self.categories().iter().copied().filter(|c| c.clearable())
    }

    /// `bucket`, `vector bucket`.
    pub fn noun(self) -> &'static str {
        match self {
            BucketKind::Object => "bucket",
            BucketKind::Vector => "vector bucket",
        }
    }

    pub fn is_vector(self) -> bool {
        self == BucketKind::Vector
    }
}

/// Something that keeps a bucket from being deleted. Each can be cleared alone.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
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

    /// What can block an object bucket's deletion.
    pub const OBJECT_BUCKET: [Category; 8] = [
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
        Category::Parts,
        Category::LiveChannels,
        Category::AccessPoints,
        Category::Accelerators,
        Category::OssHdfs,
    ];

    /// The name used on the command line (`--only objects,parts`) and in JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Category::Objects => "objects",
            Category::PreviousVersions => "previous-versions",
            Category::DeleteMarkers => "delete-markers",
            Category::Parts => "parts",
            Category::LiveChannels => "live-channels",
            Category::AccessPoints => "access-points",
            Category::Accelerators => "accelerators",
            Category::OssHdfs => "oss-hdfs",
            Category::VectorIndexes => "vector-indexes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Objects => "Current objects",
            Category::PreviousVersions => "Previous versions",
            Category::DeleteMarkers => "Delete markers",
            Category::Parts => "Incomplete multipart uploads",
            Category::LiveChannels => "LiveChannels (RTMP ingest URLs)",
            Category::AccessPoints => "Access points",
            Category::Accelerators => "OSS accelerators",
            Category::OssHdfs => "OSS-HDFS data (.dlsdata/)",
            Category::VectorIndexes => "Vector indexes",
        }
    }

    /// A plural noun for counts in sentences: `49 delete markers`.
    pub fn noun(self) -> &'static str {
        match self {
            Category::Objects => "current objects",
            Category::PreviousVersions => "previous versions",
            Category::DeleteMarkers => "delete markers",
            Category::Parts => "incomplete multipart uploads",
            Category::LiveChannels => "LiveChannels",
            Category::AccessPoints => "access points",
            Category::Accelerators => "OSS accelerators",
            Category::OssHdfs => "OSS-HDFS objects",
            Category::VectorIndexes => "vector indexes",
        }
    }

    /// `delete marker`, `vector index`: one of the category.
    pub fn noun_one(self) -> &'static str {
        let noun = self.noun();
        match self {
            Category::LiveChannels => "LiveChannel",
            Category::OssHdfs => "OSS-HDFS object",
            Category::VectorIndexes => "vector index",
            _ => noun.strip_suffix('s').unwrap_or(noun),
        }
    }

    /// `1 delete marker`, `49 delete markers`.
    pub fn counted(self, n: u64) -> String {
        let noun = if n == 1 { self.noun_one() } else { self.noun() };
        format!("{} {noun}", crate::units::count(n))
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.slug() == s)
    }

    /// Object-like entries: cleared by listing and batch deletes, and prefix-scoped.
    pub fn is_object_kind(self) -> bool {
        matches!(
            self,
            Category::Objects | Category::PreviousVersions | Category::DeleteMarkers
        )
    }

    /// Data: what a bucket stores and bills by size. Emptying a bucket that stays
    /// removes these and nothing else unless asked (attachments stay).
    pub const DATA: [Category; 4] = [
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
        Category::Parts,
    ];

    pub fn is_data(self) -> bool {
        Category::DATA.contains(&self)
    }

    /// How a resumed run tells what was confirmed from what came after: the
    /// data by when each entry was written, the attachments (few, named) by
    /// their names.
    pub fn bound_by_name(self) -> bool {
        matches!(
            self,
            Category::LiveChannels
                | Category::AccessPoints
                | Category::Accelerators
                | Category::VectorIndexes
        )
    }

    /// Which kind of bucket holds this category.
    pub fn kind(self) -> BucketKind {
        match self {
            Category::VectorIndexes => BucketKind::Vector,
            _ => BucketKind::Object,
        }
    }

    /// Categories ossweep can clear through the API.
    pub fn clearable(self) -> bool {
        self != Category::OssHdfs
    }
}

/// Which category an entry of a listing belongs to.
pub fn classify(v: &ObjectVersion, versioning: Versioning) -> Category {
    if v.key.starts_with(HDFS_PREFIX) {
        Category::OssHdfs
    } else if v.is_delete_marker {
        Category::DeleteMarkers
    } else if v.is_latest || versioning == Versioning::Off {
        Category::Objects
    } else {
        Category::PreviousVersions
    }
}

/// When WORM stops protecting a version written at `modified` (None: not protected).
pub fn worm_release(
    worm: Option<&WormConfiguration>,
    modified: Option<i64>,
    is_marker: bool,
    now: i64,
) -> Option<i64> {
    let w = worm?;
    if is_marker {
        return None;
    }
    let release = modified? + w.retention_period_days as i64 * 86_400;
    let active = w.state == "Locked" || w.creation_date.is_none_or(|c| now < c + 86_400);
    (active && release > now).then_some(release)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(key: &str, latest: bool, marker: bool) -> ObjectVersion {
        ObjectVersion {
            key: key.into(),
            version_id: "v".into(),
            is_latest: latest,
            is_delete_marker: marker,
            size: 1,
            storage_class: "Standard".into(),
            last_modified: Some(0),
            transition_time: None,
        }
    }

    #[test]
    fn entries_fall_into_their_category() {
        assert_eq!(
            classify(&v("a", true, false), Versioning::Enabled),
            Category::Objects
        );
        assert_eq!(
            classify(&v("a", false, false), Versioning::Enabled),
            Category::PreviousVersions
        );
        assert_eq!(
            classify(&v("a", true, true), Versioning::Suspended),
            Category::DeleteMarkers
        );
        assert_eq!(
            classify(&v(".dlsdata/x", true, false), Versioning::Off),
            Category::OssHdfs
        );
        assert_eq!(
            classify(&v("a", false, false), Versioning::Off),
            Category::Objects
        );
    }

    #[test]
    fn worm_protects_until_the_retention_ends() {
        let locked = WormConfiguration {
            worm_id: "w".into(),
            state: "Locked".into(),
            retention_period_days: 10,
            creation_date: Some(0),
        };
        assert_eq!(
            worm_release(Some(&locked), Some(100), false, 200),
            Some(100 + 864_000)
        );
        assert_eq!(
            worm_release(Some(&locked), Some(100), false, 1_000_000),
            None
        );
        assert_eq!(
            worm_release(Some(&locked), Some(100), true, 200),
            None,
            "markers are not protected"
        );
        let expired = WormConfiguration {
            state: "InProgress".into(),
            creation_date: Some(0),
            ..locked.clone()
        };
        assert_eq!(
            worm_release(Some(&expired), Some(100), false, 90_000),
            None,
            "an unlocked policy lapses after 24 h"
        );
        assert_eq!(worm_release(None, Some(100), false, 200), None);
    }
}

/// One item a per-item delete names: an access point, a LiveChannel or a vector
/// index by name; an upload by key and upload id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
}

impl Target {
    pub fn named(name: &str) -> Target {
        Target {
            name: name.to_string(),
            upload_id: None,
        }
    }

    /// An upload named by its id alone: the preflight finds its key in the scan.
    pub fn upload(upload_id: &str) -> Target {
        Target {
            name: String::new(),
            upload_id: Some(upload_id.to_string()),
        }
    }

    /// `logs/a.bin (upload 0004B9...)`, `ap-01`.
    pub fn describe(&self) -> String {
        match &self.upload_id {
            Some(id) if self.name.is_empty() => format!("upload {id}"),
            Some(id) => format!("{} (upload {id})", self.name),
            None => self.name.clone(),
        }
    }
}
