//! The preflight: from a complete scan, exactly what an action deletes, what
//! stays, every risk (most severe first) and whether the bucket can be deleted at
//! all. Pure. Both front ends render this value; a run is built from nothing else.
//!
#![doc = include_str!("preflight/commands.md")]

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::blockers::Category;
use crate::delete::{Audit, Plan, Summary};
use crate::oss::model::{BucketIdentity, Versioning, WormConfiguration};
use crate::oss::time;
use crate::scan::costs::ActionCost;
use crate::scan::report::IndexReport;
use crate::scan::risk::{self, Risk, Severity};
use crate::scan::{ScanReport, State};
use crate::units::{bytes, count};
use crate::vocab::BucketFacts;
use crate::vocab::BucketKind;

pub use super::action::Action;

/// Whether the bucket itself can be deleted by API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    Deletable {
        /// Categories the scan could not list that do not stand in the way:
        /// OSS refuses DeleteBucket (BucketNotEmpty) while any remain, so
        /// deleting the bucket settles them and loses nothing. Each said.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        settled_by_oss: Vec<String>,
    },
    /// What can be emptied can be; the bucket then still cannot be deleted.
    EmptyOnly {
        reasons: Vec<String>,
        manual_steps: Vec<String>,
    },
    /// Nothing can be done by API (e.g. the objects cannot even be listed).
    Blocked { reasons: Vec<String> },
}

impl Verdict {
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Deletable { .. } => "deletable",
            Verdict::EmptyOnly { .. } => "empty-only",
            Verdict::Blocked { .. } => "blocked",
        }
    }
}

/// One category's share of the action, with the scan's numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub category: Category,
    pub count: u64,
    pub bytes: u64,
    /// Why it stays, for what stays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The scan could not list the category: `count` is not known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

impl Item {
    /// `49 delete markers (12.0 MiB)`; `an unknown number of access points`.
    pub fn phrase(&self) -> String {
        if self.unknown {
            return format!("an unknown number of {}", self.category.noun());
        }
        self.category.counted_sized(self.count, self.bytes)
    }
}

/// The preflight of one bucket for one action.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preflight {
    /// An object bucket or a vector bucket.
    pub kind: BucketKind,
    pub bucket: String,
    pub region: String,
    pub versioning: Versioning,
    /// The retention policy the scan read (`None`: none, or unreadable).
    #[serde(skip)]
    pub worm: Option<WormConfiguration>,
    #[serde(flatten)]
    pub action: Action,
    /// Only keys under this prefix (objects, versions, markers, uploads).
    pub prefix: Option<String>,
    /// What the action deletes, per category (only categories that hold something).
    pub goes: Vec<Item>,
    /// What stays in the bucket afterwards, and why.
    pub stays: Vec<Item>,
    /// A vector bucket's indexes that go, with their vector counts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<IndexReport>,
    /// The items the action names (access points, LiveChannels, uploads,
    /// indexes) that the scan found, described.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub named: Vec<String>,
    /// Items the action names that the scan did not find.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_items: Vec<String>,
    /// Every risk of the action, most severe first.
    pub risks: Vec<Risk>,
    /// `"verdict": "deletable" | "empty-only" | "blocked"`, with `reasons` and
    /// `manual_steps` beside it in JSON.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Requests the action takes by API (listings, deletes, DeleteBucket).
    pub requests: u64,
    /// What it costs in money, at the bucket's prices (`None`: no prices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub money: Option<ActionCost>,
    /// Why there is no scan to go by, when the scan failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_error: Option<String>,
    /// Where the scan found the keys: the run lists spread over them at once.
    #[serde(skip)]
    pub entries_map: crate::oss::listing::KeyLayout,
    /// The bucket scanned (`None` when the scan failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<BucketIdentity>,
    /// The server's clock when the scan began.
    #[serde(skip)]
    pub scanned_at: i64,
    /// The names found in each category bound by name that the action clears.
    #[serde(skip)]
    pub names: BTreeMap<Category, BTreeSet<String>>,
    /// Categories that could not be listed and are left to OSS's own check
    /// when the bucket is deleted (see `Confirmed::left_to_oss`).
    #[serde(skip)]
    pub left_to_oss: BTreeSet<Category>,
    /// Objects the action makes readable again (it clears the delete markers
    /// that hide them, not the versions below): they turn from previous
    /// versions into current objects.
    #[serde(skip_serializing_if = "is_zero")]
    pub restored: u64,
    /// Objects whose previous version becomes current (the action deletes
    /// the current versions, not the previous ones): previous versions turn
    /// into current objects.
    #[serde(skip_serializing_if = "is_zero")]
    pub promoted: u64,
    /// Writes frozen during the run (`--freeze-writes`, `f` on the confirm
    /// pane; off unless asked): what is denied, to whom, until when, and the
    /// statement (see `engine::freeze`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze: Option<crate::freeze::FreezePlan>,
    /// The bucket's policy document when it was scanned.
    #[serde(skip)]
    pub policy: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What the user confirmed for one bucket, kept by the run's journal: the
/// bucket (by identity, not only by name), the action, its scope, what the
/// preflight said goes and what its verdict rested on. Every plan is built
/// from this, so a resumed run does exactly what was confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    pub kind: BucketKind,
    pub bucket: String,
    pub region: String,
    #[serde(flatten)]
    pub action: Action,
    pub prefix: Option<String>,
    pub goes: Vec<Item>,
    pub identity: BucketIdentity,
    /// The server's clock when the scan behind the preflight began: an entry
    /// written at or after it is not in what was confirmed.
    pub scanned_at: i64,
    /// Per category bound by name, the items the scan found: nothing else of
    /// it was confirmed.
    pub names: BTreeMap<Category, BTreeSet<String>>,
    /// What deletes meant when it was confirmed: the versioning and the
    /// retention policy (a journal from before it was kept has none).
    #[serde(flatten)]
    pub facts: BucketFacts,
    /// Categories the scan could not list that the run leaves to OSS: it
    /// refuses to delete the bucket while any remain (`Verdict::Deletable`'s
    /// `settled_by_oss`). The run never tries to clear them.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub left_to_oss: BTreeSet<Category>,
    /// Writes are frozen during the run (a deny-write bucket policy, lifted
    /// afterwards: `engine::freeze`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub freeze_writes: bool,
    /// `deletable`, `empty-only` or `blocked`, with the reasons.
    pub verdict: String,
    /// The kinds of risk shown when it was confirmed.
    pub risks: BTreeSet<String>,
}

impl Confirmed {
    /// The run that carries this out: the one place a plan is built.
    pub fn plan(&self, audit: Audit, dry_run: bool) -> Plan {
        let scope = self.action.scope(self.kind);
        let mut plan = Plan::new(&self.bucket, scope.iter().copied());
        plan.left_to_oss = self.left_to_oss.clone();
        plan.freeze_writes = self.freeze_writes && !dry_run;
        plan.kind = self.kind;
        plan.items = self.action.items().cloned();
        plan.prefix = self.prefix.clone();
        plan.delete_bucket = self.action.deletes_bucket();
        plan.dry_run = dry_run;
        plan.audit = audit;
        // A bucket whose creation date OSS did not say cannot be told apart
        // (a resume's check refuses it; a fresh run goes by its name).
        plan.identity = Some(self.identity.clone()).filter(|i| i.created.is_some());
        plan.confirmed = Some(self.facts.clone());
        plan.estimates = scope
            .iter()
            .map(|c| {
                let n = self
                    .goes
                    .iter()
                    .find(|i| i.category == *c)
                    .map_or(0, |i| i.count);
                (*c, n)
            })
            .collect::<BTreeMap<_, _>>();
        plan
    }

    /// Entries the action deletes, as the preflight counted them.
    pub fn entries(&self) -> u64 {
        self.goes.iter().map(|i| i.count).sum()
    }
}

/// Why an action cannot go ahead; nothing has been sent when this is returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub bucket: String,
    pub reasons: Vec<String>,
    pub manual_steps: Vec<String>,
    /// The bucket can still be emptied (its data) while it stays.
    pub can_empty: bool,
}

/// A preflight needs a scan that ran to its end.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the scan of {0} is not complete: the risks are not known yet")]
pub struct NotReady(pub String);

/// Requests an action takes by API: a listing and a batch delete per 1000
/// entries, one call per upload and LiveChannel, two per access point,
/// accelerator and vector index, and DeleteBucket.
fn requests(goes: &[Item], deletes_bucket: bool) -> u64 {
    crate::blockers::requests_to_clear(
        |c| {
            goes.iter()
                .filter(|i| i.category == c)
                .map(|i| i.count)
                .sum()
        },
        deletes_bucket,
    )
}

/// The objects (and bytes) an action makes readable again: those the latest
/// delete markers hide, when it clears the markers and not the previous
/// versions below them.
fn restored_by(report: &ScanReport, action: &Action) -> (u64, u64) {
    let scope = action.scope(report.kind);
    if scope.contains(&Category::DeleteMarkers)
        && !scope.contains(&Category::PreviousVersions)
        && action.items().is_none()
    {
        (report.hidden.objects, report.hidden.bytes)
    } else {
        (0, 0)
    }
}

/// The objects (and bytes) whose previous version an action makes current:
/// it deletes the current versions and not the previous ones.
fn promoted_by(report: &ScanReport, action: &Action) -> (u64, u64) {
    let scope = action.scope(report.kind);
    let h = &report.hidden;
    if !scope.contains(&Category::Objects)
        || scope.contains(&Category::PreviousVersions)
        || action.items().is_some()
    {
        (0, 0)
    } else if scope.contains(&Category::DeleteMarkers) {
        // The markers go too: the newest version below comes up.
        (h.promoted_past_markers, h.promoted_past_markers_bytes)
    } else {
        (h.promoted, h.promoted_bytes)
    }
}

/// The one sentence that says what goes: `500 current objects (3.9 GiB), 2 access points`.
pub fn phrase(items: &[Item]) -> String {
    items
        .iter()
        .map(Item::phrase)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The preflight of `action` on the bucket `report` describes.
pub fn preflight(report: &ScanReport, action: Action) -> Result<Preflight, NotReady> {
    if !report.finished {
        return Err(NotReady(report.bucket.clone()));
    }
    let action = items::resolve_uploads(report, action);
    let scope = action.scope(report.kind);
    let named = items::named_items(report, &action);
    // A vector bucket's indexes that go: all of them in scope, or the ones named.
    let indexes: Vec<IndexReport> = report
        .indexes
        .iter()
        .filter(|_| scope.contains(&Category::VectorIndexes))
        .filter(|i| {
            action
                .items()
                .is_none_or(|items| items.contains(&crate::vocab::Target::named(&i.index.name)))
        })
        .cloned()
        .collect();
    let mut goes = Vec::new();
    let mut stays = Vec::new();
    for c in &report.categories {
        let in_scope = scope.contains(&c.category);
        let some_items = action.items().is_some() && in_scope;
        let (go, go_bytes) = if some_items && c.state != State::Unknown {
            (named.found.len() as u64, 0)
        } else if in_scope && c.state != State::Unknown {
            (
                c.count - c.protected.min(c.count),
                c.bytes.saturating_sub(c.protected_bytes),
            )
        } else {
            (0, 0)
        };
        if go > 0 {
            goes.push(Item {
                category: c.category,
                count: go,
                bytes: go_bytes,
                note: None,
                unknown: false,
            });
        }
        let (kept, kept_bytes, why) = if c.state == State::Unknown && in_scope {
            (
                0,
                0,
                Some(c.note.clone().unwrap_or_else(|| "not listed".into())),
            )
        } else if some_items && c.count > go {
            (c.count - go, 0, Some("not asked for".to_string()))
        } else if in_scope && c.protected > 0 {
            (
                c.protected,
                c.protected_bytes,
                Some(match report.worm_latest_release {
                    Some(t) => format!(
                        "under the retention policy (WORM) until {} at the latest",
                        time::date_only(t)
                    ),
                    None => "under the retention policy (WORM)".into(),
                }),
            )
        } else if !in_scope && c.count > 0 {
            let why = if !c.category.clearable() {
                "never deleted through the object API"
            } else {
                "not asked for"
            };
            (c.count, c.bytes, Some(why.to_string()))
        } else {
            (0, 0, None)
        };
        if why.is_some() && (kept > 0 || c.state == State::Unknown) {
            stays.push(Item {
                category: c.category,
                count: kept,
                bytes: kept_bytes,
                note: why,
                unknown: c.state == State::Unknown,
            });
        }
    }
    let risks = risks_of(report, &action, &goes, &indexes, &named.found);
    let verdict = verdict(report);
    let left_to_oss = match &verdict {
        Verdict::Deletable { .. } if action.deletes_bucket() => report
            .categories
            .iter()
            .filter(|c| c.state == State::Unknown && scope.contains(&c.category))
            .map(|c| c.category)
            .collect(),
        _ => BTreeSet::new(),
    };
    // Said once, as what OSS settles, not as something kept.
    stays.retain(|i| !left_to_oss.contains(&i.category));
    Ok(Preflight {
        freeze: None,
        policy: report.policy_document.clone(),
        left_to_oss,
        restored: restored_by(report, &action).0,
        promoted: promoted_by(report, &action).0,
        identity: report.identity.clone(),
        scanned_at: report.scanned_at,
        names: items::confirmed_names(report, &action),
        kind: report.kind,
        indexes,
        named: named.found,
        unknown_items: named.unknown,
        bucket: report.bucket.clone(),
        region: report.region.clone(),
        versioning: report.versioning,
        worm: report.worm.clone(),
        prefix: report.prefix.clone(),
        requests: requests(&goes, action.deletes_bucket()),
        money: money_of(report, &action, &goes),
        verdict,
        scan_error: None,
        entries_map: report.entries_map.clone(),
        action,
        goes,
        stays,
        risks,
    })
}

/// The scan's risks that concern this action, with the irreversibility sentence
/// built from what actually goes.
impl Preflight {
    /// A bucket whose scan failed: nothing can be decided, nothing is done.
    pub fn unavailable(kind: BucketKind, bucket: &str, action: Action, reason: &str) -> Preflight {
        Preflight {
            kind,
            money: None,
            left_to_oss: BTreeSet::new(),
            indexes: Vec::new(),
            named: Vec::new(),
            unknown_items: Vec::new(),
            bucket: bucket.to_string(),
            region: String::new(),
            versioning: Versioning::Off,
            worm: None,
            action,
            prefix: None,
            goes: Vec::new(),
            stays: Vec::new(),
            risks: Vec::new(),
            verdict: Verdict::Blocked {
                reasons: vec![format!("the scan failed: {reason}")],
            },
            requests: 0,
            scan_error: Some(reason.to_string()),
            entries_map: Default::default(),
            identity: None,
            scanned_at: 0,
            names: BTreeMap::new(),
            restored: 0,
            promoted: 0,
            freeze: None,
            policy: None,
        }
    }

    /// Entries and bytes that go.
    pub fn entries(&self) -> u64 {
        self.goes.iter().map(|i| i.count).sum()
    }

    pub fn bytes(&self) -> u64 {
        self.goes.iter().map(|i| i.bytes).sum()
    }

    /// What goes, and the bucket's fate, in the verdict's terms: `500 current
    /// objects (3.9 GiB), then the bucket itself`; `nothing; not the bucket
    /// itself (see why)`.
    pub fn what_goes(&self) -> String {
        let then = match (&self.verdict, self.action.deletes_bucket()) {
            (Verdict::Deletable { .. }, true) => ", then the bucket itself",
            (Verdict::EmptyOnly { .. } | Verdict::Blocked { .. }, true) => {
                "; not the bucket itself (see why)"
            }
            (_, false) => "",
        };
        if self.goes.is_empty() {
            format!("nothing{then}")
        } else {
            format!("{}{then}", phrase(&self.goes))
        }
    }

    /// Why the action cannot go ahead, if it cannot.
    pub fn refusal(&self) -> Option<Refusal> {
        let (reasons, manual_steps, can_empty) = match (&self.action, &self.verdict) {
            (_, Verdict::Blocked { reasons }) if self.scan_error.is_some() => {
                (reasons.clone(), Vec::new(), false)
            }
            (Action::DeleteBucket, Verdict::Deletable { .. }) => return None,
            (
                Action::DeleteBucket,
                Verdict::EmptyOnly {
                    reasons,
                    manual_steps,
                },
            ) => {
                // Emptying instead is offered only when it deletes something.
                let empties = self
                    .goes
                    .iter()
                    .any(|i| i.category.is_data() && i.count > 0);
                (reasons.clone(), manual_steps.clone(), empties)
            }
            (Action::DeleteBucket, Verdict::Blocked { reasons }) => {
                (reasons.clone(), Vec::new(), false)
            }
            // Clearing needs every category it clears to have been listed, and
            // every index it names to exist.
            (Action::Clear { .. } | Action::ClearItems { .. }, _) => {
                let categories = self.action.scope(self.kind);
                let unknown: Vec<String> = self
                    .stays
                    .iter()
                    .filter(|i| categories.contains(&i.category) && i.count == 0)
                    .map(|i| {
                        format!(
                            "the {} could not be listed ({})",
                            i.category.noun(),
                            i.note.clone().unwrap_or_default()
                        )
                    })
                    .chain(self.unknown_items.iter().cloned())
                    .collect();
                if unknown.is_empty() {
                    return None;
                }
                (unknown, Vec::new(), false)
            }
        };
        Some(Refusal {
            bucket: self.bucket.clone(),
            reasons,
            manual_steps,
            can_empty,
        })
    }

    /// What the user confirms when they confirm this preflight.
    pub fn confirmed(&self) -> Confirmed {
        Confirmed {
            kind: self.kind,
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            action: self.action.clone(),
            prefix: self.prefix.clone(),
            goes: self.goes.clone(),
            identity: self.identity.clone().unwrap_or_default(),
            scanned_at: self.scanned_at,
            names: self.names.clone(),
            facts: BucketFacts {
                versioning: self.versioning,
                worm: self.worm.clone(),
            },
            verdict: self.verdict_text(),
            risks: self.risks.iter().map(|r| r.kind.to_string()).collect(),
            left_to_oss: self.left_to_oss.clone(),
            freeze_writes: self.freeze.is_some(),
        }
    }

    /// The verdict and its reasons, in one line (what a resume compares).
    pub fn verdict_text(&self) -> String {
        match &self.verdict {
            Verdict::Deletable { settled_by_oss } if settled_by_oss.is_empty() => {
                "deletable".into()
            }
            Verdict::Deletable { settled_by_oss } => {
                format!("deletable; {}", settled_by_oss.join("; "))
            }
            Verdict::EmptyOnly { reasons, .. } | Verdict::Blocked { reasons } => {
                format!("{}: {}", self.verdict.word(), reasons.join("; "))
            }
        }
    }

    /// The run that carries out this preflight.
    pub fn plan(&self, audit: Audit, dry_run: bool) -> Plan {
        let mut plan = self.confirmed().plan(audit, dry_run);
        plan.entries_map = self.entries_map.clone();
        plan
    }

    /// What the scope holds after the run `s` (before it, for a dry run),
    /// per category the preflight counted: the scan's counts less what was
    /// deleted, with the versions that changed category moved. Clearing the
    /// markers alone makes the versions they hid current; deleting the
    /// current versions alone makes the versions below them current.
    pub fn after(&self, s: &Summary) -> BTreeMap<Category, u64> {
        self.after_shifts(s).0
    }

    /// `after`, with how many objects were restored and promoted.
    fn after_shifts(&self, s: &Summary) -> (BTreeMap<Category, u64>, u64, u64) {
        let deleted = |c: Category| s.categories.get(&c).map_or(0, |t| t.deleted);
        let mut after: BTreeMap<Category, u64> =
            self.goes
                .iter()
                .chain(&self.stays)
                .fold(BTreeMap::new(), |mut m, i| {
                    *m.entry(i.category).or_default() += i.count;
                    m
                });
        if !s.dry_run {
            for (c, n) in after.iter_mut() {
                *n = n.saturating_sub(deleted(*c));
            }
        }
        let (restored, promoted) = if s.dry_run {
            (self.restored, self.promoted)
        } else {
            (
                self.restored.min(deleted(Category::DeleteMarkers)),
                self.promoted.min(deleted(Category::Objects)),
            )
        };
        let shifted = restored + promoted;
        if shifted > 0 {
            *after.entry(Category::Objects).or_default() += shifted;
            let previous = after.entry(Category::PreviousVersions).or_default();
            *previous = previous.saturating_sub(shifted);
        }
        (after, restored, promoted)
    }

    /// What happened, in one sentence: `49 delete markers cleared; 874 current
    /// objects and 12 previous versions remain.`
    pub fn outcome(&self, s: &Summary) -> String {
        let verb = if s.dry_run { "would clear" } else { "cleared" };
        let cleared: Vec<String> = s
            .categories
            .iter()
            .filter(|(_, t)| t.deleted > 0)
            .map(|(c, t)| format!("{} {verb}", c.counted(t.deleted)))
            .collect();
        let mut text = if cleared.is_empty() {
            "nothing was deleted".to_string()
        } else {
            cleared.join(", ")
        };
        if s.bucket_deleted {
            text.push_str("; the bucket is deleted.");
            return text;
        }
        if s.deleted_elsewhere {
            text.push_str(
                "; the bucket was deleted by someone else during the run (OSS answers NoSuchBucket): nothing of it remains.",
            );
            return text;
        }
        let (after, restored, promoted) = self.after_shifts(s);
        if restored > 0 {
            text.push_str(&format!(
                "; {} they hid {} readable again",
                crate::units::counted(restored, "object", "objects"),
                if s.dry_run {
                    "would be"
                } else if restored == 1 {
                    "is"
                } else {
                    "are"
                }
            ));
        }
        if promoted > 0 {
            text.push_str(&format!(
                "; {} {} current in their place",
                crate::units::counted(promoted, "previous version", "previous versions"),
                if s.dry_run { "would become" } else { "became" }
            ));
        }
        let remain: Vec<String> = after
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| c.counted(*n))
            .collect();
        if remain.is_empty() {
            text.push_str(match (&self.prefix, s.dry_run) {
                (Some(_), true) => "; nothing would remain under the prefix (the rest of the bucket is not part of the run).",
                (Some(_), false) => "; nothing remains under the prefix (the rest of the bucket was not part of the run).",
                (None, true) => "; the bucket would be empty.",
                (None, false) => "; nothing that ossweep counted remains.",
            });
        } else {
            text.push_str(&format!("; {} remain.", remain.join(", ")));
        }
        text
    }
}

/// The refusals of a batch: a batch goes ahead only when every bucket may.
pub fn refusals(preflights: &[Preflight]) -> Vec<Refusal> {
    preflights.iter().filter_map(Preflight::refusal).collect()
}

pub mod batch;
mod items;
mod risks;
use risks::{money_of, risks_of};
mod verdict;
pub use verdict::verdict;

#[cfg(test)]
mod tests;
