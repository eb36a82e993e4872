//! What a run is asked to do, checked before anything is sent.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::audit::Audit;
use crate::blockers::Category;
use crate::vocab::{BucketFacts, BucketKind, Target};

#[derive(Clone)]
pub struct Plan {
    /// An object bucket or a vector bucket.
    pub kind: BucketKind,
    pub bucket: String,
    /// Only these items of the category (`None`: every item in scope).
    pub items: Option<BTreeSet<Target>>,
    /// What to clear; each category can be cleared alone.
    pub categories: BTreeSet<Category>,
    /// Only keys with this prefix (object kinds and parts only).
    pub prefix: Option<String>,
    /// Delete the bucket once it is empty.
    pub delete_bucket: bool,
    /// List and report, send no delete request.
    pub dry_run: bool,
    pub audit: Audit,
    /// Expected counts per category (from a scan), for progress.
    pub estimates: BTreeMap<Category, u64>,
    /// How often to poll asynchronous deletions (access points).
    pub poll_interval: Duration,
    /// How long to wait for them.
    pub wait_timeout: Duration,
    /// Attempts for keys a batch did not report deleted.
    pub key_attempts: u32,
    /// Where the scan found the scope's keys (empty: not scanned); the
    /// listing starts spread over them instead of finding the layout again.
    pub entries_map: crate::oss::listing::KeyLayout,
    /// The run's journal and this bucket's place in it (`None`: not
    /// journaled, e.g. a dry run). A bucket the journal has progress for is
    /// resumed: earlier deletions counted, only the open spans listed first.
    pub journal: Option<super::book::JournalSlot>,
    /// The bucket confirmed (`None`: not checked). A bucket of the same name
    /// with another identity is not touched: the run stops before any write.
    pub identity: Option<crate::oss::model::BucketIdentity>,
    /// A resumed run's bounds (`None`: a fresh run, which deletes what it
    /// finds in its scope until a fresh listing shows it empty).
    pub bounds: Option<Bounds>,
    /// What the bucket was when the run was confirmed (`None`: not known).
    /// What deletes mean depends on it: a bucket whose facts changed since
    /// is not touched, the run stops and says what changed.
    pub confirmed: Option<BucketFacts>,
    /// Categories of the scope the scan could not list, left to OSS: it
    /// refuses to delete the bucket while any remain. The run does not try
    /// to clear them (their listing would fail as the scan's did).
    pub left_to_oss: BTreeSet<Category>,
    /// Writes are frozen while it runs (the engine puts the freeze on
    /// before it and lifts it after: `engine::freeze`).
    pub freeze_writes: bool,
}

/// What a resumed run may delete: what existed when the run was confirmed
/// (or last re-confirmed), and nothing written or created since. What falls
/// outside is kept and said to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Objects, versions, delete markers and uploads written (initiated) at
    /// or after this server time were never confirmed.
    pub written_before: i64,
    /// Per category bound by name, the only items that may go (a category
    /// without an entry: none of it may).
    pub names: BTreeMap<Category, BTreeSet<String>>,
}

impl Bounds {
    /// Whether an entry written at `written` (unknown: `None`) was confirmed.
    pub fn written_in_time(&self, written: Option<i64>) -> bool {
        written.is_some_and(|t| t < self.written_before)
    }

    /// Whether the item `name` of `category` (bound by name) was confirmed.
    pub fn named(&self, category: Category, name: &str) -> bool {
        self.names.get(&category).is_some_and(|n| n.contains(name))
    }
}

impl Plan {
    pub fn new(bucket: &str, categories: impl IntoIterator<Item = Category>) -> Self {
        Plan {
            kind: BucketKind::Object,
            items: None,
            bucket: bucket.to_string(),
            categories: categories.into_iter().collect(),
            prefix: None,
            delete_bucket: false,
            dry_run: false,
            audit: Audit::none(),
            estimates: BTreeMap::new(),
            poll_interval: Duration::from_secs(3),
            wait_timeout: Duration::from_secs(600),
            key_attempts: 3,
            entries_map: Default::default(),
            journal: None,
            identity: None,
            bounds: None,
            confirmed: None,
            left_to_oss: BTreeSet::new(),
            freeze_writes: false,
        }
    }

    /// The categories the run clears: its scope, less what is left to OSS.
    pub fn cleared(&self) -> BTreeSet<Category> {
        self.categories
            .difference(&self.left_to_oss)
            .copied()
            .collect()
    }

    /// Every category ossweep can clear in a bucket of this kind.
    pub fn everything(kind: BucketKind) -> BTreeSet<Category> {
        kind.clearable().collect()
    }

    pub fn validate(&self) -> Result<(), String> {
        check_scope(
            self.kind,
            &self.categories,
            self.prefix.as_deref(),
            self.delete_bucket,
        )?;
        if let Some(items) = &self.items {
            if items.is_empty() {
                return Err("nothing to clear: name at least one item".into());
            }
            if self.categories.len() != 1 || !self.categories.iter().all(|c| c.facts().named_items)
            {
                return Err("items are named only for one category of access points, LiveChannels, uploads or vector indexes".into());
            }
        }
        Ok(())
    }

    /// Whether the run's scope takes this item (every item when it names none).
    pub fn takes(&self, item: &Target) -> bool {
        self.items.as_ref().is_none_or(|s| s.contains(item))
    }

    /// Whether a resumed run's bounds let this item of a category bound by
    /// name go (a fresh run has none).
    pub fn confirmed_name(&self, category: Category, name: &str) -> bool {
        self.bounds.as_ref().is_none_or(|b| b.named(category, name))
    }

    /// Whether a resumed run's bounds let an entry written at `written` go.
    pub fn confirmed_time(&self, written: Option<i64>) -> bool {
        self.bounds
            .as_ref()
            .is_none_or(|b| b.written_in_time(written))
    }
}

/// Whether a run may clear `categories` (under `prefix`, deleting the bucket or
/// not). Front ends call it to reject a command line before any request.
pub fn check_scope(
    kind: BucketKind,
    categories: &BTreeSet<Category>,
    prefix: Option<&str>,
    delete_bucket: bool,
) -> Result<(), String> {
    let foreign: Vec<&str> = categories
        .iter()
        .filter(|c| c.kind() != kind)
        .map(|c| c.slug())
        .collect();
    if !foreign.is_empty() {
        return Err(format!("a {} holds no {}", kind.noun(), foreign.join(", ")));
    }
    if let Some(c) = categories.iter().find(|c| !c.clearable()) {
        return Err(c.facts().never_cleared.into());
    }
    if categories.is_empty() {
        return Err("nothing to clear: name at least one category".into());
    }
    if let Some(p) = prefix {
        if p.is_empty() {
            return Err(
                "--prefix must not be empty (leave it out to clear the whole bucket)".into(),
            );
        }
        let outside: Vec<&str> = categories
            .iter()
            .filter(|c| !c.is_data())
            .map(|c| c.slug())
            .collect();
        if !outside.is_empty() {
            return Err(format!(
                "--prefix applies to objects, versions, delete markers and parts only, not {}",
                outside.join(", ")
            ));
        }
        if delete_bucket {
            return Err("a bucket cannot be deleted by a prefix-scoped run".into());
        }
    }
    if delete_bucket && *categories != Plan::everything(kind) {
        return Err("deleting the bucket needs every category cleared".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(cats: &[Category]) -> Plan {
        Plan::new("b", cats.iter().copied())
    }

    #[test]
    fn refuses_unsafe_or_impossible_plans() {
        assert!(plan(&[Category::OssHdfs])
            .validate()
            .unwrap_err()
            .contains("never deleted"));
        assert!(plan(&[]).validate().is_err());
        let mut p = plan(&[Category::Objects, Category::AccessPoints]);
        p.prefix = Some("logs/".into());
        assert!(p.validate().unwrap_err().contains("access-points"));
        let mut p = plan(&[Category::Objects]);
        p.prefix = Some("logs/".into());
        assert!(p.validate().is_ok());
        p.delete_bucket = true;
        assert!(p.validate().is_err());
        let mut p = plan(&[Category::Objects]);
        p.delete_bucket = true;
        assert!(p.validate().unwrap_err().contains("every category"));
        let mut p = Plan::new("b", Plan::everything(BucketKind::Object));
        p.delete_bucket = true;
        assert!(p.validate().is_ok());
        // A vector bucket holds indexes only, and is deleted once they are gone.
        let mut p = Plan::new("v", [Category::VectorIndexes]);
        assert!(p
            .validate()
            .unwrap_err()
            .contains("holds no vector-indexes"));
        p.kind = BucketKind::Vector;
        p.delete_bucket = true;
        assert!(p.validate().is_ok());
        let mut p = Plan::new("v", [Category::Objects]);
        p.kind = BucketKind::Vector;
        assert!(p
            .validate()
            .unwrap_err()
            .contains("vector bucket holds no objects"));
    }
}
