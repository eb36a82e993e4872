//! Objects, previous versions and delete markers: one listing feeding 1000-key
//! DeleteMultipleObjects batches through a bounded channel, then verification:
//! a fresh listing of the scope, and another sweep while it still finds entries
//! (a listing that runs while its keys are deleted can pass over some).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::audit::AuditRecord;
use super::book::{self, BatchEntry};
use super::context::{
    after_pass, code_of, failures_in, first_line, Ctx, Kept, PassEnd, MAX_PASSES,
};
use super::{Event, RunError};
use crate::blockers::Category;
use crate::oss::listing::{ListingStats, Start};
use crate::oss::model::{KeyOutcome, ObjectIdentifier, ObjectVersion};
use crate::oss::request::{MAX_DELETE_BODY, MAX_DELETE_KEYS};
use crate::oss::OssError;
use crate::vocab::{classify, worm_release, LISTING_STREAMS};

/// Entries listed and not settled yet at most: what an interrupted run has
/// to list again is bounded by this, and so is memory.
const LEAD_ENTRIES: usize = 32 * 1000;

/// One listing of the scope and the deletes it feeds.
struct Pass {
    number: u32,
    /// The kinds this pass deletes (the first: every selected object kind).
    kinds: BTreeSet<Category>,
    /// Entries it found to delete.
    found: AtomicU64,
    /// Why its listing broke off, when it did (another pass lists again).
    listing_error: std::sync::Mutex<Option<RunError>>,
    /// Where it starts; a pass over some spans only proves nothing empty.
    start: Start,
    /// Its listing, once started: which parts of the key space are done.
    listing: std::sync::OnceLock<Arc<ListingStats>>,
    /// What its listing left alone because it was never confirmed (a resumed
    /// run's bounds), per kind.
    kept: std::sync::Mutex<BTreeMap<Category, Kept>>,
    /// A verification pass after a full first listing of this session (one
    /// that had no failure, or there would be no other pass): what was there
    /// before the session began, that listing saw and had deleted.
    verifies_full_listing: bool,
}

impl Pass {
    /// The listing hears that these entries are done with.
    fn settled<'a>(&self, keys: impl IntoIterator<Item = &'a str>) {
        if let Some(l) = self.listing.get() {
            l.settled(keys);
        }
    }
}

/// Which page entries this pass deletes; WORM-protected ones are counted as
/// skipped (by the first pass only: later passes see the same ones again).
fn select(
    ctx: &Ctx,
    pass: &Pass,
    page: Vec<ObjectVersion>,
    run: u64,
    skipped: &mut BTreeMap<Category, u64>,
) -> Vec<Entry> {
    let prefix = ctx.plan.prefix.as_deref().unwrap_or("");
    let versioned = ctx.versioning.is_versioned();
    let mut out = Vec::with_capacity(page.len());
    // Entries left alone are done with at once.
    let mut left: Vec<String> = Vec::new();
    // Entries a retention policy keeps: each one is in the audit report.
    let mut retained: Vec<(Category, String, Option<String>, i64)> = Vec::new();
    for v in page {
        // The listing already filters by prefix; a key outside it is never touched.
        if !v.key.starts_with(prefix) {
            left.push(v.key);
            continue;
        }
        let category = classify(&v, ctx.versioning);
        if !pass.kinds.contains(&category) {
            left.push(v.key);
            continue;
        }
        // A resumed run never deletes what was written after it was confirmed.
        if !ctx.plan.confirmed_time(v.last_modified) {
            pass.kept
                .lock()
                .unwrap()
                .entry(category)
                .or_default()
                .add(&v.key);
            left.push(v.key);
            continue;
        }
        if let Some(release) = worm_release(
            ctx.worm.as_ref(),
            v.last_modified,
            v.is_delete_marker,
            ctx.started_at,
        ) {
            if pass.number == 1 {
                *skipped.entry(category).or_default() += 1;
                let version = versioned.then(|| v.version_id.clone());
                retained.push((category, v.key.clone(), version, release));
            }
            left.push(v.key);
            continue;
        }
        // In a versioned (or suspended) bucket every delete names its version.
        let id = if versioned {
            ObjectIdentifier::version(v.key, v.version_id)
        } else {
            ObjectIdentifier::key(v.key)
        };
        // A verification pass follows a first listing that had no failure:
        // what was there before that listing began (by OSS's clock), it saw
        // and had deleted.
        let again = pass.verifies_full_listing
            && matches!((v.last_modified, ctx.listed_from), (Some(t), Some(from)) if t < from);
        out.push(Entry {
            id,
            category,
            size: v.size,
            run,
            again,
        });
    }
    pass.settled(left.iter().map(String::as_str));
    if !retained.is_empty() {
        let details: Vec<String> = retained
            .iter()
            .map(|r| {
                format!(
                    "retained by the bucket's retention policy (WORM) until {}",
                    crate::oss::time::date_only(r.3)
                )
            })
            .collect();
        ctx.plan.audit.write(
            retained
                .iter()
                .zip(&details)
                .map(|((c, key, version, _), why)| {
                    AuditRecord::new(
                        ctx.bucket(),
                        *c,
                        "skipped",
                        key,
                        version.as_deref(),
                        Some(why),
                    )
                }),
        );
    }
    out
}

async fn list(ctx: Arc<Ctx>, pass: Arc<Pass>, tx: mpsc::Sender<Batch>) {
    let prefix = ctx.plan.prefix.clone();
    let bucket = ctx.bucket().to_string();
    let (mut pages, stats) = ctx.client.list_entries_split(
        &bucket,
        prefix.as_deref(),
        ctx.versioning.is_versioned(),
        LISTING_STREAMS,
        pass.start.clone(),
    );
    let _ = pass.listing.set(stats.clone());
    // What the listing sent counts whichever way it ends.
    struct Count(Arc<Ctx>, Arc<crate::oss::listing::ListingStats>);
    impl Drop for Count {
        fn drop(&mut self) {
            self.0.add_listing(&self.1.tally());
        }
    }
    let _count = Count(ctx.clone(), stats);
    // Pages from many ranges end short; their entries are carried into the
    // next batch, so batches stay full (1000 keys) whatever the ranges.
    let mut carry: Vec<Entry> = Vec::new();
    while let Some(page) = pages.next().await {
        if ctx.stopped() {
            return;
        }
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                let error = RunError::oss(&format!("listing {bucket}"), &e);
                // A transient failure (a lost or garbled reply, a 5xx) is worth
                // another listing; a refusal or a stalled marker is not.
                if pass.number < MAX_PASSES && transient(&e) {
                    // The next pass lists the scope again from its start.
                    *pass.listing_error.lock().unwrap() = Some(error);
                } else {
                    ctx.fatal(error);
                }
                break;
            }
        };
        let mut skipped = BTreeMap::new();
        let run = ctx.next_seq();
        let entries = select(&ctx, &pass, page, run, &mut skipped);
        pass.found
            .fetch_add(entries.len() as u64, Ordering::Relaxed);
        for (category, count) in skipped {
            ctx.totals(category, |t| t.skipped += count);
            let reason =
                "under the bucket's retention policy (WORM) until its retention period ends"
                    .to_string();
            ctx.emit(Event::ItemsSkipped {
                bucket: bucket.clone(),
                category,
                count,
                reason,
            })
            .await;
        }
        carry.extend(entries);
        let mut ready = batches(std::mem::take(&mut carry));
        if let Some(last) = ready.pop() {
            carry = last.entries;
        }
        for batch in ready {
            if tx.send(batch).await.is_err() {
                return;
            }
        }
    }
    // What was listed is deleted, even when the listing broke off after it.
    if !ctx.stopped() {
        for batch in batches(carry) {
            if tx.send(batch).await.is_err() {
                return;
            }
        }
    }
}

/// Clears the selected object kinds, then verifies with fresh listings (one
/// request when the scope is empty) and sweeps what they find, bounded.
pub async fn clear(ctx: Arc<Ctx>) {
    let kinds: BTreeSet<Category> = ctx
        .plan
        .categories
        .iter()
        .copied()
        .filter(|c| c.is_object_kind())
        .collect();
    for c in &kinds {
        ctx.category_started(*c).await;
    }
    // Deleting a versioned bucket's current versions alone makes each previous
    // version current: those are the expected result, not leftovers, so that
    // kind is verified by the batch replies only and never swept.
    let mut verifiable = kinds.clone();
    if ctx.versioning.is_versioned() && !kinds.contains(&Category::PreviousVersions) {
        verifiable.remove(&Category::Objects);
    }
    let mut pass_kinds = kinds.clone();
    let mut first_full = false;
    for number in 1..=MAX_PASSES {
        let all: Vec<Category> = kinds.iter().copied().collect();
        let failures_before = failures_in(&ctx, &all);
        let (start, partial) = pass_start(&ctx, number);
        let pass = Arc::new(Pass {
            verifies_full_listing: number > 1 && first_full,
            number,
            kinds: pass_kinds.clone(),
            found: AtomicU64::new(0),
            listing_error: std::sync::Mutex::new(None),
            start,
            listing: std::sync::OnceLock::new(),
            kept: Default::default(),
        });
        delete_pass(ctx.clone(), pass.clone()).await;
        let found = pass.found.load(Ordering::Relaxed);
        let broken = pass.listing_error.lock().unwrap().take();
        if number == 1 {
            // Whole, and not broken off: it saw every entry then there.
            first_full = !partial && broken.is_none();
        }
        if partial && broken.is_none() && !ctx.stopped() {
            // A resumed run listed only what was left open: the next pass is
            // the fresh listing of the whole scope that verifies it.
            continue;
        }
        if let Some(error) = broken {
            if ctx.stopped() {
                break;
            }
            // A listing that broke off proves nothing: list again, same kinds.
            ctx.emit(Event::Retried {
                op: format!("listing ({})", error),
                attempt: number,
            })
            .await;
            continue;
        }
        // This pass's listing was fresh: finding nothing (or nothing that can be
        // verified) means the scope is empty.
        let found = if verifiable.is_empty() { 0 } else { found };
        let failed = failures_in(&ctx, &all) > failures_before;
        match after_pass(&ctx, number, found, failed) {
            PassEnd::Empty => {
                // A fresh listing found nothing to delete: what it kept as
                // never confirmed is all that is left.
                let kept = std::mem::take(&mut *pass.kept.lock().unwrap());
                for c in &kinds {
                    match kept.get(c) {
                        Some(k) => ctx.kept_unconfirmed(*c, k).await,
                        // Current versions deleted alone are not verified
                        // empty: the versions below them are current now.
                        None if verifiable.contains(c) => ctx.verified(*c, number).await,
                        None => ctx.done_by_replies(*c),
                    }
                }
                break;
            }
            PassEnd::Stop => break,
            PassEnd::Again => {}
        }
        pass_kinds = verifiable.clone();
        if number > 1 {
            for c in &verifiable {
                ctx.emit(Event::Sweeping {
                    bucket: ctx.bucket().to_string(),
                    category: *c,
                    pass: number,
                    found,
                })
                .await;
            }
        }
    }
    for c in kinds {
        ctx.category_done(c).await;
    }
}

/// Where pass `number` starts listing, and whether that is only part of the
/// scope. The first pass of a resumed bucket lists the spans its journal
/// left open; the first pass of a scanned bucket starts spread over where the
/// scan found the keys; later passes list the whole scope afresh.
fn pass_start(ctx: &Ctx, number: u32) -> (Start, bool) {
    let lead = Some(LEAD_ENTRIES);
    if number == 1 {
        let open = ctx.journal.as_ref().and_then(|s| s.booked().open_spans);
        if let Some(spans) = open.filter(|s| !s.is_empty()) {
            // As many ranges as what is left is worth (a few pages each): the
            // spans left open late in a run each hold a few keys at most.
            let left = ctx.plan.estimates.values().sum::<u64>().saturating_sub(
                ctx.summary
                    .lock()
                    .unwrap()
                    .categories
                    .values()
                    .map(|t| t.deleted)
                    .sum(),
            );
            let ranges = crate::oss::listing::seed_ranges(left, LISTING_STREAMS) as usize;
            let spans = crate::oss::listing::merge_spans(spans, ranges);
            return (Start { spans, lead }, true);
        }
        if !ctx.plan.entries_map.is_empty() {
            let mut start = Start::from_map(&ctx.plan.entries_map, LISTING_STREAMS);
            start.lead = lead;
            return (start, false);
        }
    }
    (
        Start {
            spans: Vec::new(),
            lead,
        },
        false,
    )
}

/// One listing of the scope with its deletes, side by side.
async fn delete_pass(ctx: Arc<Ctx>, pass: Arc<Pass>) {
    let budget = ctx.client.budget().clone();
    let (tx, mut rx) = mpsc::channel::<Batch>(budget.max().max(2));
    let lister = tokio::spawn(list(ctx.clone(), pass.clone(), tx));
    let mut in_flight: JoinSet<Done> = JoinSet::new();
    let mut retries: VecDeque<Batch> = VecDeque::new();
    let mut listing_done = false;
    let mut consecutive_failures = 0u32;
    let mut shown_limit = 0usize;
    loop {
        // The UI shows the current concurrency; report it when it moves.
        let limit = budget.limit();
        if limit != shown_limit {
            shown_limit = limit;
            ctx.emit(Event::Concurrency { limit }).await;
        }
        while let Some(done) = in_flight.try_join_next() {
            if let Ok(done) = done {
                if let Some(r) = settle(&ctx, &pass, done, &mut consecutive_failures).await {
                    retries.push_back(r);
                }
            }
        }
        if ctx.stopped() {
            // Between batches: start nothing new; what is in flight finishes.
            rx.close();
            for b in retries.drain(..) {
                not_sent(&ctx, b.entries, b.reply_lost).await;
            }
            while let Some(done) = in_flight.join_next().await {
                if let Ok(done) = done {
                    if let Some(b) = settle(&ctx, &pass, done, &mut consecutive_failures).await {
                        not_sent(&ctx, b.entries, b.reply_lost).await;
                    }
                }
            }
            break;
        }
        if let Some(batch) = retries.pop_front() {
            let delay = Duration::from_millis(200 * batch.attempt as u64);
            in_flight.spawn(send_batch(ctx.clone(), batch, delay));
            continue;
        }
        if listing_done {
            match in_flight.join_next().await {
                Some(Ok(done)) => {
                    if let Some(r) = settle(&ctx, &pass, done, &mut consecutive_failures).await {
                        retries.push_back(r);
                    }
                }
                Some(Err(_)) => {}
                None => break,
            }
            continue;
        }
        // No more batches in flight than the budget lets start: the rest wait
        // in the channel, and the listing waits for room (memory stays bounded).
        let room = in_flight.len() < limit;
        tokio::select! {
            batch = rx.recv(), if room => match batch {
                Some(mut batch) => {
                    // Named in the journal, its keys on disk, before it is sent.
                    batch.seq = ctx.next_seq();
                    if !ctx.plan.dry_run {
                        let keys: Vec<BatchEntry> =
                            batch.entries.iter().map(Entry::journaled).collect();
                        book::batch_sent(&ctx, batch.seq, &keys).await;
                    }
                    in_flight.spawn(send_batch(ctx.clone(), batch, Duration::ZERO));
                }
                None => listing_done = true,
            },
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Ok(done) = done {
                    if let Some(r) = settle(&ctx, &pass, done, &mut consecutive_failures).await {
                        retries.push_back(r);
                    }
                }
            }
            _ = ctx.stop.cancelled() => {}
        }
    }
    let _ = lister.await;
}

mod batches;
use batches::{batches, not_sent, send_batch, settle, transient, Batch, Done, Entry};
