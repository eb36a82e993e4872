//! What a run books, so that it can be resumed, as the deletion engine sees
//! it: what OSS deleted (audit records, totals, progress), each batch's keys
//! before it is sent, what its reply booked, the parts of the listing still
//! open; and, when a run resumes, what became of the batches that were in
//! flight. The engine's journal implements [`RunJournal`]; the deletion
//! engine never names it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::audit::AuditRecord;
use super::{Ctx, Event};
use crate::blockers::Category;
use crate::oss::listing::Span;

/// One key of a batch in flight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchEntry {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version_id: Option<String>,
    pub category: Category,
    pub size: u64,
    /// Entries with the same `run` came from one listing page: a contiguous
    /// run of keys, which one listing can re-check.
    pub run: u64,
    /// Listed again by a verification pass though it was there before the
    /// run's first listing, which saw it and had it deleted: booked already.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub again: bool,
}

/// Deleted so far in one category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deleted {
    pub entries: u64,
    pub bytes: u64,
}

/// One bucket's booked state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Booked {
    /// Batches sent whose replies were not booked: sequence number -> attempt.
    pub in_flight: BTreeMap<u64, u32>,
    /// Deleted so far, per category (earlier sessions included).
    pub deleted: BTreeMap<Category, Deleted>,
    /// Of the object listing, the parts of the key space not done yet
    /// (`None`: the listing has not started).
    pub open_spans: Option<Vec<Span>>,
}

impl Booked {
    /// An earlier session of the run started this bucket.
    pub fn started(&self) -> bool {
        self.open_spans.is_some() || !self.deleted.is_empty() || !self.in_flight.is_empty()
    }
}

/// Where a run books what it did, so that it can be resumed.
pub trait RunJournal: Send + Sync + std::fmt::Debug {
    /// Bucket `bucket`'s booked state, as it stands.
    fn booked(&self, bucket: usize) -> Booked;
    /// Changes bucket `bucket`'s booked state (`commit` puts it on disk).
    fn rebook(&self, bucket: usize, change: &mut dyn FnMut(&mut Booked));
    /// Puts what was booked on disk; returns when it is there (or failed,
    /// which is logged: the run goes on, and a resume re-checks).
    fn commit(&self) -> BoxFuture<'_, ()>;
    /// The run's audit report, if it keeps one.
    fn report(&self) -> Option<PathBuf>;
    /// A batch's keys, written before it is sent (attempt `attempt`).
    fn write_batch(&self, seq: u64, attempt: u32, entries: &[BatchEntry]) -> std::io::Result<()>;
    fn read_batch(&self, seq: u64, attempt: u32) -> std::io::Result<Vec<BatchEntry>>;
    fn remove_batch(&self, seq: u64, attempt: u32);
}

/// A run's journal and the place of this bucket in it.
#[derive(Clone, Debug)]
pub struct JournalSlot {
    pub journal: Arc<dyn RunJournal>,
    pub bucket: usize,
}

impl JournalSlot {
    pub fn booked(&self) -> Booked {
        self.journal.booked(self.bucket)
    }

    pub fn rebook(&self, mut change: impl FnMut(&mut Booked)) {
        self.journal.rebook(self.bucket, &mut change)
    }
}

/// Books entries OSS deleted: the audit records first (on disk before they
/// count: after a SIGKILL the report lacks at most the batches whose replies
/// had not come), unless `audit` is false (they are in it already), then the
/// totals and the progress events; `sent` says whether this session sent the
/// request that deleted them (a resumed run books some it did not send).
pub(super) async fn book_deleted(
    ctx: &Ctx,
    entries: &[BatchEntry],
    detail: Option<&str>,
    audit: bool,
    sent: bool,
) {
    let bucket = ctx.bucket().to_string();
    let action = if ctx.plan.dry_run {
        "would-delete"
    } else {
        "deleted"
    };
    // A key is booked at most once per run: one listed again after OSS had
    // said it was deleted is deleted again, recorded as such, not counted.
    let mut per: BTreeMap<Category, (u64, u64)> = BTreeMap::new();
    let mut again = 0u64;
    for entry in entries {
        if entry.again {
            again += 1;
            continue;
        }
        let p = per.entry(entry.category).or_default();
        p.0 += 1;
        p.1 += entry.size;
    }
    if again > 0 {
        ctx.summary.lock().unwrap().listed_again += again;
    }
    if audit {
        ctx.plan.audit.write(entries.iter().map(|entry| {
            let (action, detail) = if entry.again {
                (
                    "deleted-again",
                    Some("listed again after OSS reported it deleted in this run; counted once"),
                )
            } else {
                (action, detail)
            };
            AuditRecord::new(
                &bucket,
                entry.category,
                action,
                &entry.key,
                entry.version_id.as_deref(),
                detail,
            )
        }));
    }
    for (category, (keys, bytes)) in per {
        ctx.totals(category, |t| {
            t.deleted += keys;
            t.bytes += bytes;
        });
        ctx.emit(Event::Progress {
            bucket: bucket.clone(),
            category,
            keys,
            bytes,
            requests: u64::from(sent),
        })
        .await;
    }
}

/// Before a batch is first sent: its keys go to a file, the journal names
/// it, and both are on disk before the request leaves.
pub(super) async fn batch_sent(ctx: &Ctx, seq: u64, entries: &[BatchEntry]) {
    let Some(slot) = &ctx.journal else { return };
    if let Err(e) = slot.journal.write_batch(seq, 1, entries) {
        tracing::warn!(error = %e, "a batch could not be journaled");
        return;
    }
    slot.rebook(|b| {
        b.in_flight.insert(seq, 1);
    });
    slot.journal.commit().await;
}

/// A resumed bucket: what earlier sessions deleted counts in this summary
/// (and shows in the progress).
pub(super) async fn count_earlier_sessions(ctx: &Ctx) {
    let Some(slot) = &ctx.journal else { return };
    let before = slot.booked().deleted;
    if before.values().any(|d| d.entries > 0) {
        ctx.summary.lock().unwrap().earlier = Some(super::event::Earlier {
            deleted: before.values().map(|d| d.entries).sum(),
            bytes: before.values().map(|d| d.bytes).sum(),
        });
    }
    for (c, d) in before {
        ctx.totals(c, |t| {
            t.deleted += d.entries;
            t.bytes += d.bytes;
        });
        ctx.emit(Event::Progress {
            bucket: ctx.bucket().to_string(),
            category: c,
            keys: d.entries,
            bytes: d.bytes,
            requests: 0,
        })
        .await;
    }
}

/// After a batch's reply was booked: the journal counts what the run deleted
/// so far, names what is left of the batch (`left`, for its next attempt) or
/// nothing, and keeps the listing's open `spans`; then the old file goes.
pub(super) async fn batch_booked(
    ctx: &Ctx,
    seq: u64,
    attempt: u32,
    left: Option<&[BatchEntry]>,
    spans: Option<Vec<Span>>,
) {
    let Some(slot) = &ctx.journal else { return };
    let j = &slot.journal;
    let next = match left {
        Some(entries) if j.write_batch(seq, attempt + 1, entries).is_ok() => Some(attempt + 1),
        // Unwritable: the journal keeps the older file (a superset).
        Some(_) => Some(attempt),
        None => None,
    };
    let deleted = deleted_so_far(ctx);
    slot.rebook(|b| {
        match next {
            Some(a) => b.in_flight.insert(seq, a),
            None => b.in_flight.remove(&seq),
        };
        b.deleted = deleted.clone();
        if spans.is_some() {
            b.open_spans = spans.clone();
        }
    });
    j.commit().await;
    if next != Some(attempt) {
        j.remove_batch(seq, attempt);
    }
}

/// What the run's summary says was deleted (earlier sessions included).
pub(super) fn deleted_so_far(ctx: &Ctx) -> BTreeMap<Category, Deleted> {
    ctx.summary
        .lock()
        .unwrap()
        .categories
        .iter()
        .filter(|(_, t)| t.deleted > 0)
        .map(|(c, t)| {
            (
                *c,
                Deleted {
                    entries: t.deleted,
                    bytes: t.bytes,
                },
            )
        })
        .collect()
}

/// Books entries an interrupted session's batches deleted: those the audit
/// report at `report` already names are counted only, the others recorded
/// too (`why` says how they are known to be gone).
async fn book_found_gone(
    ctx: &Ctx,
    entries: Vec<BatchEntry>,
    report: Option<&std::path::Path>,
    why: &str,
) {
    let booked = report
        .map(|p| super::audit::booked_in_tail(p, ctx.bucket(), entries.len()))
        .unwrap_or_default();
    let (known, new): (Vec<BatchEntry>, Vec<BatchEntry>) = entries
        .into_iter()
        .partition(|e| booked.contains(&(e.key.clone(), e.version_id.clone())));
    book_deleted(ctx, &known, None, false, false).await;
    book_deleted(ctx, &new, Some(why), true, false).await;
}

/// A resumed run starts here: the batches that were in flight when the run
/// stopped may or may not have been carried out. A listing of each one's key
/// runs says which keys are gone; those are booked (in the audit report only
/// when it does not have them yet), and the journal forgets the batch. The
/// keys still there are listed again with their open spans.
pub(super) async fn reconcile(ctx: &Ctx) {
    let Some(slot) = &ctx.journal else { return };
    let j = &slot.journal;
    let (in_flight, report) = (slot.booked().in_flight, j.report());
    if in_flight.is_empty() {
        return;
    }
    let mut batches = Vec::new();
    for (seq, attempt) in &in_flight {
        match j.read_batch(*seq, *attempt) {
            Ok(entries) => batches.push((*seq, *attempt, entries)),
            // Never written: the batch was never sent.
            Err(_) => batches.push((*seq, *attempt, Vec::new())),
        }
    }
    for (seq, attempt, entries) in batches {
        let ids: Vec<(String, Option<String>, u64)> = entries
            .iter()
            .map(|e| (e.key.clone(), e.version_id.clone(), e.run))
            .collect();
        let Ok((gone, _still)) = super::recheck::split_gone(ctx, &ids).await else {
            // Cannot tell yet: keep the batch for the next resume.
            continue;
        };
        let gone: Vec<BatchEntry> = gone.into_iter().map(|i| entries[i].clone()).collect();
        book_found_gone(
            ctx,
            gone,
            report.as_deref(),
            "reply lost when the run was interrupted; a listing shows it gone",
        )
        .await;
        let deleted = deleted_so_far(ctx);
        slot.rebook(|b| {
            b.in_flight.remove(&seq);
            b.deleted = deleted.clone();
        });
        j.commit().await;
        j.remove_batch(seq, attempt);
    }
}

/// The bucket of a resumed run is gone, and it was to be deleted: the
/// interrupted session deleted it. What earlier sessions deleted counts; the
/// batches that were in flight went with the bucket (booked, in the audit
/// report only when it does not have them yet); every category is empty.
pub(super) async fn bucket_gone(ctx: &Ctx) {
    let Some(slot) = &ctx.journal else { return };
    if !ctx.plan.delete_bucket {
        return;
    }
    let j = &slot.journal;
    let mut entries = Vec::new();
    for (seq, attempt) in &slot.booked().in_flight {
        entries.extend(j.read_batch(*seq, *attempt).unwrap_or_default());
    }
    book_found_gone(
        ctx,
        entries,
        j.report().as_deref(),
        "reply lost when the run was interrupted; the bucket is gone",
    )
    .await;
    {
        let mut s = ctx.summary.lock().unwrap();
        s.bucket_deleted = true;
        s.verified.extend(ctx.plan.categories.iter().copied());
        for c in &ctx.plan.categories {
            s.categories.entry(*c).or_default();
        }
    }
    let deleted = deleted_so_far(ctx);
    slot.rebook(|b| {
        b.in_flight.clear();
        b.deleted = deleted.clone();
    });
    j.commit().await;
}
