//! What a run reports as it goes: per batch, never per key. Serialisable for
//! `--json` (NDJSON).
//!
//! Progress, events and reports, as scripts and the audit trail see them:
//!
//! # Progress, events and reports
//!
//! `empty` and `delete` show a progress line on stderr (done / estimate, keys per
//! second, bytes, ETA, throttling, concurrency, failures) and a summary at the end.
//! `--json` prints the engine's events as NDJSON on stdout instead: `started`,
//! `category-started` (with the estimate), `progress` (per batch: keys, bytes, requests),
//! `throttled`, `retried`, `concurrency`, `waiting` (a request slow to answer: `op`,
//! `attempt`, `max_attempts`, `elapsed_secs`), `items-failed`, `items-skipped`,
//! `sweeping` (a verification listing found leftovers and deleted them), `verified` (a
//! fresh listing shows the category empty), `category-done`, `bucket-deleted`, and
//! `finished` or `cancelled` with the summary (its `verified` lists the categories a
//! fresh listing showed empty). A run that keeps a journal (every `empty` and `delete`
//! but a dry run) first prints `journal` (`run`, `path`); a run that was stopped
//! (a signal, `q`), or stopped by what going on later can mend (the network, server
//! errors, throttling, expired temporary credentials, a report that could not be
//! written), prints `interrupted` (`run`, `status`, `resume`: the command that
//! continues it) and keeps its journal. A run that ran to its end is finished, even
//! with items skipped (WORM) or failed (AccessDenied, a writer that never stops): its
//! journal goes, and its summary and exit code say what stays and why;
//! `interrupted` means interrupted. A category with items skipped or failed is never
//! in `verified`;
//! `resume` prints `resume-check` first (`check`: per bucket its `state` (`resumable`,
//! `done`, `gone` or `refused` with `why`), `differences`, `unconfirmed`, `deleted`,
//! `left`, and the check's `listing`). A summary's `unconfirmed` counts, per category,
//! what a resumed run kept because it was never confirmed, and `deleted_elsewhere`
//! says the bucket was deleted by someone else during the run. A resumed run's summary
//! counts the whole run (`earlier`: what earlier sessions deleted, included in the
//! totals), while its `requests` and `elapsed_ms` are this session's; the closing line
//! says both (`deleted 6,000 items (...) in all its sessions; this session deleted
//! 4,000 (...) with ...`). An aborted upload counts its parts' bytes (a ListParts of
//! it before the abort); when its parts cannot be listed its size is unknown
//! (`size_unknown` per category, and "size unknown" or "at least ..." in the text),
//! never 0. `missing_permissions` names the RAM permissions OSS refused. A key is
//! booked at most once per run: an entry a verification listing finds again though it
//! was there before the run's first (complete) listing, which had it deleted, is
//! deleted again, recorded `deleted-again` in the report and counted in
//! `listed_again`, never twice in the totals. `--report FILE` appends every deleted key and version id
//! (and every failure) to FILE as NDJSON, an audit trail: an aborted upload's record
//! carries its `upload_id`, and every item a retention policy keeps gets a `skipped`
//! record saying until when. A batch's records are written in one write of whole
//! lines as soon as its reply arrives, before it counts as done, so after a SIGKILL
//! the report lacks at most the batches whose replies had not arrived (never half a
//! line), and `ossweep resume` adds those once a listing shows them gone; an abort
//! whose replies were all lost is booked the same way, after a listing of its key.
//! **The audit trail is part of the run**: each run first writes an `opened` record
//! (`{"action":"opened","at":...,"by":"ossweep 0.1.0"}`); a report that cannot be
//! opened or take that line (`--report /dev/full`, a full disk, a read-only file)
//! refuses the run before anything is sent (exit 1), and a write that fails later
//! stops the run before anything else is sent (`stopped: audit report: the report
//! could not be written (...)`; it can be resumed once the report can be written).
//! The wizard says on its confirm pane where the report goes, and refuses to start a
//! run whose report cannot be written.
//!
//! **Stopping.** The first SIGINT (Ctrl-C), SIGTERM or SIGHUP (or `y` in the wizard)
//! stops every command after the requests in flight: nothing that changes OSS is sent
//! after it, not even a delete that was waiting for its turn under `--qps` (it is
//! reported `Cancelled: not deleted`); the scan with partial counts and `complete: false`, a run
//! with its summary and `interrupted: 37% done: ... Resume with: ossweep resume RUN`;
//! exit 3. A second one stops at once: the requests in flight are
//! abandoned (their keys may or may not be gone; the summary says so) and the summary
//! of what the replies so far showed is still printed. A reader that closes stdout
//! early (`ossweep delete ... --json | head`) stops only the printing; the run finishes
//! and writes its report.
//!
//! Every server-provided text shown on a terminal (codes, messages, request ids, keys,
//! bucket names, notes) has its control characters escaped visibly: an error whose code
//! holds `ESC]0;...BEL` is printed as `AccessDenied\x1b]0;...\x07`, never obeyed;
//! the wizard escapes them too and, as a last line of defence, no cell of its screen
//! can hold a control character. `--json` escapes them as JSON does.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::blockers::Category;
use crate::oss::model::ObjectIdentifier;
use crate::oss::OssError;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    Started {
        bucket: String,
        dry_run: bool,
    },
    CategoryStarted {
        bucket: String,
        category: Category,
        estimate: Option<u64>,
    },
    /// Deltas since the previous progress event of this category.
    Progress {
        bucket: String,
        category: Category,
        keys: u64,
        bytes: u64,
        requests: u64,
    },
    Throttled {
        delay_ms: u64,
    },
    Retried {
        op: String,
        attempt: u32,
    },
    Concurrency {
        limit: usize,
    },
    ItemsFailed {
        bucket: String,
        category: Category,
        count: u64,
        code: String,
        message: String,
        sample: Vec<ObjectIdentifier>,
    },
    ItemsSkipped {
        bucket: String,
        category: Category,
        count: u64,
        reason: String,
    },
    /// Verification listing `pass` (2 and up) found `found` entries the earlier
    /// passes left (a listing that runs while its keys are deleted can pass over
    /// some) and deleted them; another listing follows.
    Sweeping {
        bucket: String,
        category: Category,
        pass: u32,
        found: u64,
    },
    /// A fresh listing after the delete passes shows the category empty.
    Verified {
        bucket: String,
        category: Category,
        /// Listings it took, the verifying one included.
        passes: u32,
    },
    /// A request has been waiting for OSS this long (sent every few seconds while
    /// it waits, so a silent server is never silent on screen).
    Waiting {
        op: String,
        attempt: u32,
        max_attempts: u32,
        elapsed_secs: u64,
    },
    CategoryDone {
        bucket: String,
        category: Category,
        deleted: u64,
        failed: u64,
    },
    BucketDeleted {
        bucket: String,
    },
    /// Writes to the bucket are denied until `until` (Unix seconds): the
    /// run's freeze went on before its first delete.
    WritesFrozen {
        bucket: String,
        until: i64,
    },
    /// How the run's freeze ended: lifted, gone with the bucket, or left on.
    FreezeEnded {
        bucket: String,
        outcome: crate::freeze::FreezeOutcome,
    },
    Finished {
        summary: Box<Summary>,
    },
    Cancelled {
        summary: Box<Summary>,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CategoryTotals {
    pub deleted: u64,
    /// Bytes of what was deleted whose size is known.
    pub bytes: u64,
    /// Deleted items whose size is not known (an upload whose parts could
    /// not be listed): `bytes` is then a lower bound.
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub size_unknown: u64,
    pub failed: u64,
    /// Left alone on purpose (e.g. under a retention policy).
    pub skipped: u64,
}

/// One key (or resource) that could not be deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailedItem {
    pub category: Category,
    pub key: String,
    pub version_id: Option<String>,
    pub code: String,
    pub message: String,
}

/// What still blocks a bucket that DeleteBucket refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Remaining {
    pub counts: BTreeMap<Category, u64>,
    /// A few of the remaining keys.
    pub sample: Vec<String>,
    /// How many remaining objects were written after the run started.
    pub written_during_run: u64,
    /// A sentence a person can act on.
    pub explanation: String,
}

/// Why a run (or one step of it) stopped, typed: what OSS said, never a flattened string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunError {
    /// What ossweep was doing (`DeleteBucket`, `listing`, ...).
    pub context: String,
    /// OSS's error code (`AccessDenied`), when OSS answered with one.
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    pub http_status: Option<u16>,
    /// Going on later could succeed where this stopped (the network, a server
    /// error, throttling, expired temporary credentials, a report that could
    /// not be written): the run is interrupted, and can be resumed. Refusals
    /// (AccessDenied, another bucket, a writer that never stops) are final.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub resumable: bool,
    /// The stops the front ends and the engine tell apart (by this, never
    /// by the text of `context`).
    #[serde(skip)]
    pub kind: StopKind,
}

/// The kinds of stop that decide what is said or done next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StopKind {
    #[default]
    Other,
    /// Fresh listings kept finding entries to delete: something writes.
    Outrun,
    /// The run was abandoned at once (a second stop): the batches in flight
    /// may or may not have been carried out.
    Abandoned,
}

impl RunError {
    /// A stop of a kind the front ends tell apart.
    pub fn of_kind(kind: StopKind, context: &str, message: impl Into<String>) -> Self {
        RunError {
            kind,
            ..RunError::local(context, message)
        }
    }

    pub fn oss(context: &str, e: &OssError) -> Self {
        match e.api() {
            Some(a) => RunError {
                context: context.to_string(),
                code: Some(a.code.clone()).filter(|c| !c.is_empty()),
                message: match e.hint() {
                    Some(h) => format!("{} ({h})", a.message),
                    None => a.message.clone(),
                },
                request_id: a.request_id.clone(),
                http_status: Some(a.status),
                resumable: a.status >= 500
                    || matches!(a.status, 408 | 429)
                    || a.code == "SecurityTokenExpired",
                kind: StopKind::Other,
            },
            None => RunError {
                context: context.to_string(),
                message: e.to_string().lines().next().unwrap_or_default().to_string(),
                resumable: matches!(e, OssError::Transport { .. } | OssError::Malformed { .. }),
                ..Default::default()
            },
        }
    }

    /// A failure that is not an OSS reply (a refused plan, a crashed task).
    pub fn local(context: &str, message: impl Into<String>) -> Self {
        RunError {
            context: context.to_string(),
            message: message.into(),
            ..Default::default()
        }
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.context.is_empty() {
            write!(f, "{}: ", self.context)?;
        }
        use crate::text::visible;
        if let Some(c) = &self.code {
            write!(f, "{}: ", visible(c))?;
        }
        write!(f, "{}", visible(&self.message))?;
        if let Some(r) = &self.request_id {
            write!(f, " (request id {})", visible(r))?;
        }
        Ok(())
    }
}

/// Exactly what a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// An object bucket or a vector bucket.
    pub kind: crate::vocab::BucketKind,
    pub bucket: String,
    /// The run's scope within the bucket, when it had one: what it verified
    /// is under it, and nothing is said of the rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub dry_run: bool,
    pub cancelled: bool,
    pub categories: BTreeMap<Category, CategoryTotals>,
    /// Delete-type requests sent (batch deletes, aborts, resource deletes).
    pub requests: u64,
    /// Every request this session sent, listings, checks and retries
    /// included: what the preflight's estimate predicts and OSS bills (it
    /// bills replies of 2xx and 3xx).
    #[serde(default)]
    pub sent: u64,
    pub retries: u64,
    pub throttles: u64,
    /// The listing requests of the run, by kind (pages, probes, folder listings).
    pub listing: crate::oss::listing::ListingTally,
    /// The first failures in detail (at most [`MAX_FAILURE_DETAILS`]).
    pub failures: Vec<FailedItem>,
    pub failures_total: u64,
    /// Every failure, grouped by category and code: what screens show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure_groups: Vec<super::failures::FailureGroup>,
    pub bucket_deleted: bool,
    /// Categories a fresh listing showed empty at the end of the run (of a
    /// run that named items: showed none of them left).
    pub verified: std::collections::BTreeSet<Category>,
    /// Categories done by OSS's replies alone, which no listing can verify
    /// empty: a versioned bucket's current versions deleted without the
    /// previous ones (the versions below are current now).
    #[serde(skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub done_by_replies: std::collections::BTreeSet<Category>,
    /// Items the run named one by one (0: whole categories).
    #[serde(skip_serializing_if = "is_zero")]
    pub named_items: usize,
    pub remaining: Option<Remaining>,
    /// What stopped the run, if something did.
    pub error: Option<RunError>,
    pub elapsed_ms: u64,
    /// Entries a resumed run kept because they were never confirmed (written
    /// or created after the run was confirmed), per category; they count as
    /// skipped too.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unconfirmed: BTreeMap<Category, u64>,
    /// A few of their keys or names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unconfirmed_sample: Vec<String>,
    /// The bucket was deleted by someone else while the run went on (OSS
    /// answered NoSuchBucket): nothing of it remains, though the run did not
    /// delete it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub deleted_elsewhere: bool,
    /// How the run's write freeze ended (`None`: no freeze was asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze: Option<crate::freeze::FreezeOutcome>,
    /// What earlier sessions of a resumed run deleted: included in
    /// `categories`, while `requests` and `elapsed_ms` are this session's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earlier: Option<Earlier>,
    /// Entries a verification listing found again after OSS had reported
    /// them deleted in this run: deleted again, counted once.
    #[serde(skip_serializing_if = "is_zero_u64")]
    pub listed_again: u64,
    /// RAM permissions OSS refused (AccessDenied on a call that needs them):
    /// running again fails the same way until they are granted.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub missing_permissions: std::collections::BTreeSet<String>,
}

/// Entries earlier sessions of a resumed run deleted, and their bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Earlier {
    pub deleted: u64,
    pub bytes: u64,
}

pub const MAX_FAILURE_DETAILS: usize = 1000;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_zero_u64(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    /// What a deleted bucket's name does next: object bucket names are global
    /// and released after a cool-down; OSS documents none for vector buckets,
    /// whose names are unique per account and region.
    pub fn name_note(&self) -> Option<&'static str> {
        match self.kind {
            crate::vocab::BucketKind::Object => {
                Some("Its name can be registered by anyone after a 4-8 hour cool-down.")
            }
            crate::vocab::BucketKind::Vector => None,
        }
    }

    pub fn deleted(&self) -> u64 {
        self.categories.values().map(|t| t.deleted).sum()
    }

    /// What OSS's replies alone confirm, in one sentence (`None`: nothing).
    pub fn replies_line(&self) -> Option<String> {
        if self.dry_run || self.done_by_replies.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.done_by_replies.iter().map(|c| c.noun()).collect();
        Some(format!(
            "{}: every version deleted is confirmed by OSS's replies; no listing can show them gone, as the versions below them are current now",
            names.join(", ")
        ))
    }

    /// What the run's verification showed, in one sentence, when it showed
    /// everything it should (a dry run verifies nothing).
    pub fn verified_line(&self) -> Option<String> {
        let all = !self.verified.is_empty() && self.verified.len() == self.categories.len();
        if self.dry_run || !all {
            return None;
        }
        Some(if self.named_items > 0 {
            format!(
                "verified: a fresh listing no longer shows the {} named; the others stay",
                crate::units::counted(self.named_items as u64, "item", "items")
            )
        } else if let Some(p) = &self.prefix {
            format!(
                "verified: a fresh listing shows nothing of the run's categories left under prefix {:?} (the rest of the bucket was not part of the run)",
                crate::text::visible(p)
            )
        } else {
            "verified: a fresh listing shows every category of the run empty".to_string()
        })
    }

    pub fn bytes(&self) -> u64 {
        self.categories.values().map(|t| t.bytes).sum()
    }

    /// What this session deleted (the whole run's, less earlier sessions').
    pub fn this_session(&self) -> (u64, u64) {
        let e = self.earlier.unwrap_or_default();
        (
            self.deleted().saturating_sub(e.deleted),
            self.bytes().saturating_sub(e.bytes),
        )
    }

    /// The bytes deleted, for people: exact, "at least" when some items'
    /// sizes are unknown, "size unknown" when no size is known (never a 0
    /// that only means "not measured").
    pub fn bytes_text(&self) -> String {
        let size_unknown: u64 = self.categories.values().map(|t| t.size_unknown).sum();
        let bytes = self.bytes();
        match (size_unknown, bytes) {
            (0, b) => crate::units::bytes(b),
            (_, 0) => "size unknown".into(),
            (_, b) => format!("at least {}", crate::units::bytes(b)),
        }
    }

    /// True when everything asked for was done and (unless nothing was deleted,
    /// as in a dry run) a fresh listing showed every category of the run empty.
    /// A delete-bucket run whose bucket someone else deleted is complete too:
    /// nothing of the bucket remains.
    pub fn complete(&self) -> bool {
        !self.cancelled
            && self.error.is_none()
            && self.failures_total == 0
            && self.remaining.is_none()
            && self.categories.values().all(|t| t.skipped == 0)
            && !matches!(
                self.freeze,
                Some(crate::freeze::FreezeOutcome::LeftOn { .. })
            )
            && (self.dry_run
                || self.deleted_elsewhere
                || self
                    .categories
                    .keys()
                    .all(|c| self.verified.contains(c) || self.done_by_replies.contains(c)))
    }

    /// Entries kept because they were never confirmed.
    pub fn unconfirmed_total(&self) -> u64 {
        self.unconfirmed.values().sum()
    }

    /// What a resumed run kept because it was never confirmed, in one
    /// sentence (`None`: it kept nothing).
    pub fn unconfirmed_line(&self) -> Option<String> {
        let n = self.unconfirmed_total();
        (n > 0).then(|| {
            let e_g = self
                .unconfirmed_sample
                .first()
                .map(|k| format!(" (e.g. {:?})", crate::text::visible(k)))
                .unwrap_or_default();
            format!(
                "kept {} written or created after the run was confirmed{e_g}: never confirmed, so not deleted",
                crate::units::counted(n, "entry", "entries")
            )
        })
    }

    /// Entries found again after OSS reported them deleted, in one sentence.
    pub fn listed_again_line(&self) -> Option<String> {
        (self.listed_again > 0).then(|| {
            format!(
                "{} listed again after OSS had reported them deleted: deleted again, counted once (see \"deleted-again\" in the report)",
                crate::units::counted(self.listed_again, "entry was", "entries were")
            )
        })
    }

    /// Which RAM permissions were refused and what that means for running
    /// again, in one sentence (`None`: none was).
    pub fn permission_line(&self) -> Option<String> {
        (!self.missing_permissions.is_empty()).then(|| {
            let names: Vec<&str> = self.missing_permissions.iter().map(String::as_str).collect();
            format!(
                "access denied: the RAM user or role of this AccessKey needs {} on {} (or a bucket or RAM policy denies it); running again fails the same way until that changes",
                names.join(" and "),
                self.bucket
            )
        })
    }

    pub fn record_failure(&mut self, item: FailedItem) {
        self.failures_total += 1;
        super::failures::add(
            &mut self.failure_groups,
            item.category,
            &item.code,
            &item.message,
            Some(&item.key),
            1,
        );
        if self.failures.len() < MAX_FAILURE_DETAILS {
            self.failures.push(item);
        }
    }
}
