//! The shared vocabulary of the scan and the deletion engine: the kinds of
//! bucket, which category a listed entry belongs to, when a retention policy
//! lets it go, and the items a run can name. Pure; neither `scan` nor
//! `delete` owns it (what each category is lives in `blockers`).

use serde::{Deserialize, Serialize};

use crate::blockers::Category;
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
    pub fn categories(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |c| c.kind() == self)
    }

    /// Every category ossweep can clear in this kind of bucket.
    pub fn clearable(self) -> impl Iterator<Item = Category> {
        self.categories().filter(|c| c.clearable())
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

    /// The error OSS answers a delete of a bucket that still holds something.
    pub fn not_empty_code(self) -> &'static str {
        match self {
            BucketKind::Object => "BucketNotEmpty",
            BucketKind::Vector => "VectorBucketNotEmpty",
        }
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

/// The facts about a bucket that decide what a delete does: its versioning
/// (a delete marker, or the data) and its retention policy (which versions
/// may go at all). A run works from what was confirmed and compares what it
/// reads with it; it never takes what it reads instead.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketFacts {
    pub versioning: Versioning,
    /// The retention policy (WORM) as it was read (`None`: none, or it could
    /// not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worm: Option<WormConfiguration>,
}

/// One fact that changed since a run was confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `versioning`, `retention policy (WORM)`.
    pub what: &'static str,
    pub now: String,
    pub was: String,
}

impl BucketFacts {
    /// What changed from `self` (confirmed) to `now` that changes what a
    /// delete does.
    pub fn changes(&self, now: &BucketFacts) -> Vec<Change> {
        let mut out = Vec::new();
        if self.versioning != now.versioning {
            out.push(Change {
                what: "versioning",
                now: now.versioning.as_str().into(),
                was: self.versioning.as_str().into(),
            });
        }
        let policy = |w: &Option<WormConfiguration>| {
            w.as_ref()
                .map(|w| (w.worm_id.clone(), w.state.clone(), w.retention_period_days))
        };
        if policy(&self.worm) != policy(&now.worm) {
            out.push(Change {
                what: "retention policy (WORM)",
                now: describe_worm(now.worm.as_ref()),
                was: describe_worm(self.worm.as_ref()),
            });
        }
        out
    }
}

/// `none`, `Locked, 30 days`.
fn describe_worm(w: Option<&WormConfiguration>) -> String {
    match w {
        None => "none".into(),
        Some(w) => format!("{}, {} days", w.state, w.retention_period_days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_change_when_versioning_or_the_retention_policy_does() {
        let worm = |days| WormConfiguration {
            worm_id: "w".into(),
            state: "Locked".into(),
            retention_period_days: days,
            creation_date: Some(0),
        };
        let off = BucketFacts::default();
        assert!(off.changes(&off).is_empty());
        let on = BucketFacts {
            versioning: Versioning::Enabled,
            worm: Some(worm(30)),
        };
        let what: Vec<&str> = off.changes(&on).iter().map(|c| c.what).collect();
        assert_eq!(what, ["versioning", "retention policy (WORM)"]);
        let longer = BucketFacts {
            worm: Some(worm(60)),
            ..on.clone()
        };
        let c = on.changes(&longer);
        assert_eq!(
            (c[0].now.as_str(), c[0].was.as_str()),
            ("Locked, 60 days", "Locked, 30 days")
        );
        // Old journals keep no retention policy: it reads as none.
        let old: BucketFacts = serde_json::from_str(r#"{"versioning":"Enabled"}"#).unwrap();
        assert_eq!(old.worm, None);
    }

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
