//! Resuming an interrupted run: one check, owned here, for the wizard and the
//! command line alike, before anything is sent.
//!
//! `check` locks the run and its buckets, reads its journal (sealed, see
//! `journal`), and for each bucket not finished:
//! - binds it to the bucket confirmed: a bucket of the same name with another
//!   identity (creation date, region, owner) is never touched, and the whole
//!   resume is refused, saying why;
//! - scans it afresh and finds, key by key, what was never confirmed: objects,
//!   versions, delete markers and uploads written at or after the server time
//!   of the confirmed scan (an overwritten key counts: its Last-Modified
//!   moved), and access points, LiveChannels, accelerators and vector indexes
//!   whose names were not found then. Counts are never compared: OSS's
//!   statistics lag by up to an hour, and writes and deletes can balance;
//! - compares what the verdict rests on: versioning, the retention policy, the verdict, the risks.
//!   A bucket that can no longer be deleted as confirmed is refused.
//!
//! What differs is shown, and the bucket must be named again (`accept`): the
//! wizard always asks for the name, the command line when something differs.
//! A name given again moves the bucket's bounds to the check's time and
//! names. Whatever the check said, the run itself keeps to the bounds key by
//! key (`delete::Bounds`): what is written after it is kept, and said to be.
//!
//! `ossweep resume`, in detail (the journal's threat model included):
//!
//! # `ossweep resume [RUN | --last] [--discard RUN...] [--discard-stale] [--confirm NAME...] [--json]`
//!
//! Every `empty` and `delete` run (not a dry run) keeps a journal under the platform
//! state directory (`runs/<id>.json`, e.g. `~/.local/state/ossweep/runs/` on Linux) and
//! says its id when it starts (`run 20261206-213504-1f2e (if it is interrupted: ossweep
//! resume 20261206-213504-1f2e)`). A run stopped by Ctrl-C, SIGTERM, a closed laptop, a
//! lost network or SIGKILL can be continued:
//!
//! ```text
//! $ ossweep resume
//! 20261207-095338-54b4  victim  started 2026-12-07T09:53:38.000Z  5% done: 2,000 of 40,000 entries deleted; 0 of 1 bucket finished
//!     left: victim (38,000 of 40,000 entries left)
//! continue one with: ossweep resume RUN (or --last); forget one with --discard RUN
//! $ ossweep resume --last          (someone wrote 2,000 objects into it meanwhile)
//! checking run 20261207-095338-54b4: is each bucket the one confirmed, and what changed since?
//! victim: the bucket confirmed; 2,000 deleted, 38,000 of what was confirmed left; it changed since:
//!   confirmed: 40,000 current objects (3.8 MiB)
//!   ! 2,000 entries written after the run was confirmed (2,000 current objects) (e.g. "late/00000"): never confirmed
//!   ! After the bucket is deleted its name "victim" is released; after a 4-8 hour cool-down anyone can register it.
//!   ...
//! refused: victim holds what was never confirmed (above); pass --confirm victim to take it in. Nothing was sent.
//! $ ossweep resume --last --confirm victim
//!   ... (the same check)
//! resuming run 20261207-095338-54b4: 5% done: 2,000 of 40,000 entries deleted; 0 of 1 bucket finished
//! victim: deleted 42,000 items (3.8 MiB) in all its sessions; this session deleted 40,000 (3.6 MiB) with 117 requests (41 of them deleting) in 1 s
//!   Current objects                        42,000 deleted
//!   verified empty by a fresh listing: objects, previous-versions, delete-markers, parts, live-channels, access-points, accelerators
//!   bucket victim deleted. Its name can be registered by anyone after a 4-8 hour cool-down.
//! ```
//!
//! * `ossweep resume` lists this account's interrupted runs (id, buckets, started, what
//!   is done, what is left); runs untouched for 7 days, or whose buckets are gone, are
//!   marked stale. `--discard RUN` and `--discard-stale` forget runs (nothing is sent).
//! * `ossweep resume RUN` (or `--last`) continues one, for the account it ran as only
//!   (its UID, learned from ListBuckets' Owner ID or the profile's `account_id`, and the
//!   endpoint: temporary credentials that change the AccessKey each session still find
//!   their runs). It deletes what was confirmed when the run started and nothing else.
//!   First the engine's check (the wizard's `R` runs the same one), which sends reads
//!   only:
//!   * **the same bucket**: each unfinished bucket must have the identity it had when it
//!     was confirmed (its CreationDate, region and owner from GetBucketInfo, or
//!     GetVectorBucket's CreationDate). A bucket deleted and created again under the
//!     same name (after the 4-8 hour cool-down, anyone's) is never touched: the resume
//!     is refused and says why. A bucket the run was deleting and that is gone counts
//!     as deleted.
//!   * **what was never confirmed**, key by key, in a fresh scan of what is left:
//!     objects, versions, delete markers and uploads written (or overwritten) at or
//!     after the server time of the confirmed scan, and access points, LiveChannels,
//!     accelerators and vector indexes whose names that scan did not find. Counts are
//!     never compared: OSS's statistics lag by up to an hour, and writes and deletes can
//!     balance.
//!   * **what the verdict rests on**: versioning, the retention policy (WORM), the verdict,
//!     risks not shown before. Naming the bucket again takes them in: the run goes on
//!     from what the check read.
//!     A bucket that can no longer be done as confirmed (now under a WORM lock, say) is
//!     refused.
//!
//!   What differs is printed (`! 2,000 entries written after the run was confirmed
//!   (2,000 current objects) (e.g. "late/00001"): never confirmed`), and the bucket must
//!   be named again: at the prompt, or with `--confirm NAME` (without a terminal it
//!   sends nothing and exits 4). Naming it takes those in, as of the check. Then the run
//!   settles the batches that were in flight when it stopped (a listing of each one's
//!   keys says which are gone; those are booked, in the report only if it lacks them),
//!   lists only the parts of the key space not done yet, verifies with a fresh listing,
//!   and appends to the same `--report` file. Whatever the check said, the run itself
//!   keeps to what was confirmed key by key: what is written after it is kept and said
//!   to be (`kept 25 entries written or created after the run was confirmed (e.g.
//!   "after/000"): never confirmed, so not deleted`), and the bucket is then not
//!   deleted; the run is over, and a new `ossweep delete` (a new scan, a new
//!   confirmation) takes the rest. Its summary counts what every session deleted.
//! * **One run at a time.** Every run holds an exclusive lock on its journal and on each
//!   of its buckets (files under `runs/locks/`) from before its first request to its
//!   end; a crash or SIGKILL releases it. A second run, resume or `delete` of a bucket
//!   in use is refused before anything is sent, and says which run holds it: `bucket
//!   big is in use by another ossweep run (run 20261206-213504-1f2e, process 4242,
//!   since ...)`. A bucket that someone else deletes during a run is said to be (`the
//!   bucket was deleted by someone else during the run (OSS answers NoSuchBucket)`):
//!   a delete run then counts as done, never as objects that "remain".
//! * **The journal is data, not authority.** Every path comes from ossweep (the runs
//!   directory and a run id checked against its format, which must be the file's name),
//!   never from a field of the file. Each journal and batch file is sealed with an
//!   HMAC-SHA256 under a per-user key (`runs/journal.key`, 0600): a journal edited by
//!   hand or by another tool, damaged, renamed, or copied from another machine or user
//!   fails its seal and is never resumed; `ossweep resume` and `resume --last` name
//!   it (the latter exits 1 when that is all there is), and `--discard RUN` forgets it.
//!   The seal's threat model: its key sits in the same private directory, so it stops
//!   copied, corrupted and other-tool-edited journals, not the same user, who could
//!   run `ossweep delete` anyway. Ids and any text from a journal are escaped when
//!   printed. Everything under the state directory is the user's alone: the directory
//!   0700, every file 0600 (journals, batch files, locks, the wizard's reports, the
//!   log, the throttling memory, lifecycle backups); so is a `--report` file ossweep
//!   creates.
//! * The journal is small whatever the bucket's size: counts, the categories done, at
//!   most 256 spans of the key space still open, and the batches in flight by number
//!   (their keys sit beside it in `runs/<id>/`, one small file per batch in flight,
//!   removed once its reply is booked); written atomically (write, then rename); no
//!   credential (the account is named by a SHA-256 digest of its UID and endpoint). It
//!   is removed when the run finishes. Journals of an older ossweep (format 1) are
//!   named and can only be discarded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::journal::{self, BucketRun, Reconfirmation, Runs, Stage};
use super::preflight::{phrase, preflight, Action, Preflight};
use super::session::{Account, Session};
use crate::blockers::Category;
use crate::delete::{Audit, Event, Summary};
use crate::oss::model::BucketIdentity;
use crate::oss::{time, Client, OssError};
use crate::scan::risk::Risk;
use crate::units::count;
use crate::vocab::BucketFacts;
use crate::vocab::BucketKind;

/// Risk kinds whose presence follows the counts, not the configuration: a
/// resume does not ask again for them.
const COUNTED_RISKS: [&str; 3] = ["irreversible", "cost-and-time", "early-deletion"];
/// Risk kinds a run causes itself: its own write freeze in the bucket's
/// policy is no change to ask about.
const OWN_RISKS: [&str; 1] = ["write-freeze"];

/// What the check found for one bucket of the run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "why", rename_all = "kebab-case")]
pub enum CheckState {
    /// Finished in an earlier session.
    Done,
    /// Gone, and the run was to delete it: nothing is left to do.
    Gone,
    /// It can go on (after its differences, if any, are confirmed).
    Resumable,
    /// It is never touched, and the resume is refused: why.
    Refused(String),
}

/// One bucket of the run, as the check found it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BucketCheck {
    pub kind: BucketKind,
    pub bucket: String,
    pub region: String,
    #[serde(flatten)]
    pub action: Action,
    pub prefix: Option<String>,
    /// What was confirmed, in one phrase.
    pub confirmed: String,
    /// Entries deleted so far, and confirmed entries left.
    pub deleted: u64,
    pub left: u64,
    pub state: CheckState,
    /// What is outside what was confirmed, one sentence each: each needs
    /// the bucket named again.
    pub differences: Vec<String>,
    /// Entries and items never confirmed (found key by key, or by name).
    pub unconfirmed: u64,
    /// The risks of going on, from the fresh scan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<Risk>,
    /// The listing requests the check's scan sent.
    pub listing: crate::oss::listing::ListingTally,
    /// Writes are frozen while it runs, as confirmed (`engine::freeze`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub freeze_writes: bool,
}

/// What a resume would do, for front ends to show before asking.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ResumeView {
    pub run: String,
    pub status: String,
    /// The audit report the run appends to.
    pub report: Option<PathBuf>,
    pub buckets: Vec<BucketCheck>,
}

impl ResumeView {
    /// Why nothing can start (`bucket: reason`), if something refuses.
    pub fn refusals(&self) -> Vec<String> {
        self.buckets
            .iter()
            .filter_map(|b| match &b.state {
                CheckState::Refused(why) => Some(format!("{}: {why}", b.bucket)),
                _ => None,
            })
            .collect()
    }

    /// The buckets whose differences must be confirmed by naming them again.
    pub fn to_confirm(&self) -> Vec<&str> {
        self.buckets
            .iter()
            .filter(|b| b.state == CheckState::Resumable && !b.differences.is_empty())
            .map(|b| b.bucket.as_str())
            .collect()
    }

    /// The buckets the resume goes on with.
    pub fn resumable(&self) -> Vec<&BucketCheck> {
        self.buckets
            .iter()
            .filter(|b| b.state == CheckState::Resumable)
            .collect()
    }

    /// What the wizard asks to type: the bucket's name, or `resume N buckets`.
    pub fn expected(&self) -> String {
        match self.resumable().as_slice() {
            [] => self.run.clone(),
            [one] => one.bucket.clone(),
            many => format!("resume {} buckets", many.len()),
        }
    }
}

/// A run checked and locked, waiting for the user's answer. Dropping it
/// releases the locks; nothing has been sent but reads.
#[derive(Debug)]
pub struct ResumeCheck {
    session: Session,
    pub view: ResumeView,
    /// Per bucket of the journal: the check's server time and the names it
    /// found, which a confirmation takes in.
    fresh: Vec<Fresh>,
}

/// What a confirmation takes in from a bucket's check: its server time and
/// the names it found (`None`: nothing to take in).
type Fresh = Option<(i64, BTreeMap<Category, BTreeSet<String>>, BucketFacts)>;

/// A resume the user accepted: `resume` carries it out.
#[derive(Debug)]
pub struct AcceptedResume {
    session: Session,
    pub view: ResumeView,
}

fn first_line(e: &OssError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// Checks run `id` in `runs` for `account`: locks it and its buckets, then
/// looks at each bucket not finished. Only reads are sent. `Err` says why the
/// run cannot be checked at all (not a run id, not this account's, held by
/// another process, a failed read).
pub async fn check(
    client: &Client,
    runs: &Runs,
    account: &Account,
    id: &str,
    cancel: &CancellationToken,
) -> Result<ResumeCheck, String> {
    if !journal::valid_id(id) {
        return Err(format!(
            "{} is not a run id (ossweep resume lists them)",
            journal::shown_id(id)
        ));
    }
    // The run first, so its journal cannot change while it is read.
    let mut lock = runs.lock(id, &[]).map_err(|e| e.to_string())?;
    let journaler = runs.open(id)?;
    let snap = journaler.snapshot();
    if !account.owns(&snap) {
        return Err(format!(
            "run {id} belongs to another account or endpoint: resume it with the profile, credentials and endpoint it ran with"
        ));
    }
    let unfinished: Vec<(BucketKind, String)> = snap
        .buckets
        .iter()
        .filter(|b| b.stage != Stage::Done)
        .map(|b| (b.confirmed.kind, b.confirmed.bucket.clone()))
        .collect();
    lock.extend(runs.dir(), &unfinished)
        .map_err(|e| e.to_string())?;
    let mut buckets = Vec::with_capacity(snap.buckets.len());
    let mut fresh = Vec::with_capacity(snap.buckets.len());
    for b in &snap.buckets {
        let (c, f) = check_bucket(client, b, cancel).await?;
        buckets.push(c);
        fresh.push(f);
    }
    Ok(ResumeCheck {
        session: Session::new(journaler, lock),
        view: ResumeView {
            run: id.to_string(),
            status: snap.status(),
            report: snap.report.clone(),
            buckets,
        },
        fresh,
    })
}

async fn check_bucket(
    client: &Client,
    b: &BucketRun,
    cancel: &CancellationToken,
) -> Result<(BucketCheck, Fresh), String> {
    let c = &b.confirmed;
    let mut check = BucketCheck {
        kind: c.kind,
        bucket: c.bucket.clone(),
        region: c.region.clone(),
        action: c.action.clone(),
        prefix: c.prefix.clone(),
        confirmed: if c.goes.is_empty() {
            "nothing".into()
        } else {
            phrase(&c.goes)
        },
        deleted: b.deleted_entries(),
        left: b.left(),
        state: CheckState::Resumable,
        differences: Vec::new(),
        unconfirmed: 0,
        risks: Vec::new(),
        listing: Default::default(),
        freeze_writes: c.freeze_writes,
    };
    if b.stage == Stage::Done {
        check.state = CheckState::Done;
        return Ok((check, None));
    }
    let failed = |e: &OssError| format!("{}: {}", c.bucket, first_line(e));
    // Is it still there, and the same bucket?
    // An object bucket's GetBucketInfo is its scan's too: read once.
    let now = match c.kind {
        BucketKind::Object => client
            .get_bucket_info(&c.bucket)
            .await
            .map(|i| (BucketIdentity::of(&i), i.served_at, Some(i))),
        BucketKind::Vector => {
            client.learn_vector_region(&c.bucket, &c.region);
            client
                .get_vector_bucket(&c.bucket)
                .await
                .map(|v| (v.identity(), None, None))
        }
    };
    let (served_at, info) = match now {
        Ok((identity, served_at, info)) => {
            if let Some(why) = c.identity.differs(&identity) {
                check.state = CheckState::Refused(format!(
                    "it is not the bucket the run was confirmed for: {why}. ossweep never touches it; discard the run"
                ));
                return Ok((check, None));
            }
            (served_at, info)
        }
        Err(e) if e.is_code("NoSuchBucket") => {
            check.state = if c.action.deletes_bucket() {
                CheckState::Gone
            } else {
                CheckState::Refused("it no longer exists; discard the run".into())
            };
            return Ok((check, None));
        }
        Err(e) => return Err(failed(&e)),
    };
    // A fresh scan: what is there now, and what was never confirmed.
    let local_now = time::unix_secs(std::time::SystemTime::now());
    let report = match info {
        Some(info) => {
            crate::scan::scan_from(
                client,
                &c.bucket,
                info,
                c.prefix.as_deref(),
                Some(b.written_before),
                None,
                cancel,
                local_now,
            )
            .await
        }
        None => crate::scan::scan_vector(client, &c.bucket, None, cancel).await,
    }
    .map_err(|crate::scan::ScanError::Oss(e)| failed(&e))?;
    check.listing = report.listing;
    let Ok(now_pf) = preflight(&report, c.action.clone()) else {
        return Err(format!("the check of {} was cancelled", c.bucket));
    };
    check.risks = now_pf.risks.clone();
    if let Some(refusal) = now_pf.refusal() {
        check.state = CheckState::Refused(format!(
            "it can no longer be done as confirmed: {}; discard the run and start again",
            refusal.reasons.join("; ")
        ));
        return Ok((check, None));
    }
    let (differences, unconfirmed) = differences(b, &report, &now_pf);
    check.differences = differences;
    check.unconfirmed = unconfirmed;
    let at = served_at
        .unwrap_or(report.scanned_at)
        .min(report.scanned_at);
    Ok((check, Some((at, now_pf.names, report.facts()))))
}

/// What lies outside what bucket run `b` confirmed, by the fresh scan
/// `report` and its preflight `now`; and how many entries and items were never
/// confirmed.
fn differences(
    b: &BucketRun,
    report: &crate::scan::ScanReport,
    now: &Preflight,
) -> (Vec<String>, u64) {
    let c = &b.confirmed;
    let scope = c.action.scope(c.kind);
    let mut out = Vec::new();
    let mut unconfirmed = 0;
    // A run of named items deletes those and nothing else, whatever was written.
    let newer = report.newer.as_ref().filter(|_| c.action.items().is_none());
    if let Some(newer) = newer {
        let counts: Vec<(Category, u64)> = newer
            .counts
            .iter()
            .filter(|(cat, n)| scope.contains(cat) && **n > 0)
            .map(|(cat, n)| (*cat, *n))
            .collect();
        let n: u64 = counts.iter().map(|(_, n)| n).sum();
        if n > 0 {
            unconfirmed += n;
            let what: Vec<String> = counts.iter().map(|(cat, n)| cat.counted(*n)).collect();
            let e_g = newer
                .sample
                .first()
                .map(|k| format!(" (e.g. {:?})", crate::text::visible(k)))
                .unwrap_or_default();
            out.push(format!(
                "{} written after the run was confirmed ({}){e_g}: never confirmed",
                crate::units::counted(n, "entry", "entries"),
                what.join(", ")
            ));
        }
    }
    for (cat, names) in &now.names {
        let known = b.names.get(cat);
        let new: Vec<&String> = names
            .iter()
            .filter(|n| known.is_none_or(|k| !k.contains(*n)))
            .collect();
        if !new.is_empty() {
            unconfirmed += new.len() as u64;
            let shown: Vec<String> = new
                .iter()
                .take(5)
                .map(|n| crate::text::visible(n).into_owned())
                .collect();
            let more = if new.len() > 5 {
                format!(" and {} more", new.len() - 5)
            } else {
                String::new()
            };
            out.push(format!(
                "{} created after the run was confirmed: {}{more}",
                cat.counted(new.len() as u64),
                shown.join(", ")
            ));
        }
    }
    for change in b.facts().changes(&report.facts()) {
        out.push(format!(
            "{} is now {} (it was {} when the run was confirmed)",
            change.what, change.now, change.was
        ));
    }
    let was = c.verdict.split(':').next().unwrap_or_default();
    if now.verdict.word() != was {
        out.push(format!(
            "the verdict is now {} (it was {was} when the run was confirmed)",
            now.verdict_text()
        ));
    }
    let mut shown = BTreeSet::new();
    for r in &now.risks {
        let asked = !COUNTED_RISKS.contains(&r.kind) && !OWN_RISKS.contains(&r.kind);
        if asked && !c.risks.contains(r.kind) && shown.insert(r.kind) {
            out.push(format!(
                "a risk not shown when it was confirmed: {}",
                r.text
            ));
        }
    }
    (out, unconfirmed)
}

impl ResumeCheck {
    /// The user's answer: `named` holds the buckets named again (typed in the
    /// wizard, `--confirm` or the prompt headless). Every bucket whose check
    /// found a difference must be among them; a refused bucket refuses the
    /// whole resume. Naming a bucket takes in what its check found: its
    /// bounds move to the check's time and names, recorded in the journal.
    pub async fn accept(self, named: &[String]) -> Result<AcceptedResume, String> {
        let refused = self.view.refusals();
        if !refused.is_empty() {
            return Err(format!(
                "nothing was sent: {}",
                crate::text::visible(&refused.join("; "))
            ));
        }
        let missing: Vec<&str> = self
            .view
            .to_confirm()
            .into_iter()
            .filter(|b| !named.iter().any(|n| n == b))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "not confirmed again: {} (it holds what was never confirmed); nothing was sent",
                missing.join(", ")
            ));
        }
        let journal = self.session.journal().clone();
        for (i, b) in self.view.buckets.iter().enumerate() {
            let (Some((at, names, facts)), false) = (&self.fresh[i], b.differences.is_empty())
            else {
                continue;
            };
            journal.bucket(i, |run| {
                run.written_before = run.written_before.max(*at);
                for (cat, found) in names {
                    run.names
                        .entry(*cat)
                        .or_default()
                        .extend(found.iter().cloned());
                }
                run.reconfirmed.push(Reconfirmation {
                    at: *at,
                    differences: b.differences.clone(),
                    facts: Some(facts.clone()),
                });
            });
        }
        journal.commit().await;
        Ok(AcceptedResume {
            session: self.session,
            view: self.view,
        })
    }

    pub fn run_id(&self) -> &str {
        &self.view.run
    }
}

impl AcceptedResume {
    pub fn journal(&self) -> &std::sync::Arc<journal::Journaler> {
        self.session.journal()
    }
}

/// Continues an accepted resume: the buckets not finished, each as confirmed
/// (and re-confirmed), within its bounds, from where it stood; appending to
/// the run's audit report. `Err` when the report cannot be appended to:
/// nothing was sent.
pub async fn resume(
    client: &Client,
    accepted: AcceptedResume,
    events: mpsc::Sender<Event>,
    cancel: CancellationToken,
) -> Result<Vec<Summary>, String> {
    let snap = accepted.session.journal().snapshot();
    let audit = match &snap.report {
        Some(p) => Audit::to_file(p).map_err(|e| {
            format!(
                "cannot append to the report {}: {e}; nothing was sent",
                crate::text::visible(&p.display().to_string())
            )
        })?,
        None => Audit::none(),
    };
    let plans = snap.buckets.iter().map(|b| b.plan(audit.clone())).collect();
    let opts = super::RunOptions {
        dry_run: false,
        audit,
        session: Some(accepted.session),
    };
    Ok(super::run::run_plans(client, plans, opts, events, cancel).await)
}

/// What a resumed bucket's freeze does, when it freezes writes.
pub fn freeze_line(b: &BucketCheck) -> Option<&'static str> {
    b.freeze_writes.then_some(
        "writes frozen while it runs, as confirmed: ossweep's Deny statement goes on again, and the policy from before the run is put back afterwards",
    )
}

/// `3,000 of 12,000 entries left` and the like, for a bucket check.
pub fn left_line(b: &BucketCheck) -> String {
    format!(
        "{} deleted, {} of what was confirmed left",
        count(b.deleted),
        count(b.left)
    )
}

#[cfg(test)]
mod tests;
