//! Batches: entries into 1000-key DeleteMultipleObjects requests (under the
//! 2 MB body limit), sending them, and booking what each reply says (deleted,
//! to retry, failed), with the audit records, the listing and the journal told.

use super::*;

/// One entry to delete and what it counts as.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) id: ObjectIdentifier,
    pub(super) category: Category,
    pub(super) size: u64,
    /// The listing page it came from (a contiguous run of keys).
    pub(super) run: u64,
    /// Booked already (see `BatchEntry::again`): deleted, not counted twice.
    pub(super) again: bool,
}

impl Entry {
    pub(super) fn journaled(&self) -> BatchEntry {
        BatchEntry {
            key: self.id.key.clone(),
            version_id: self.id.version_id.clone(),
            category: self.category,
            size: self.size,
            run: self.run,
            again: self.again,
        }
    }
}

#[derive(Debug)]
pub(super) struct Batch {
    pub(super) entries: Vec<Entry>,
    pub(super) attempt: u32,
    /// Its number in the run's journal (0: not named there yet).
    pub(super) seq: u64,
    /// An earlier attempt's reply was lost: OSS may have deleted its keys.
    pub(super) reply_lost: bool,
}

/// Bytes an entry adds to a `<Delete>` body (escaping can grow a key six-fold).
pub(super) fn body_cost(e: &Entry) -> usize {
    e.id.key.len() * 6 + e.id.version_id.as_ref().map_or(0, |v| v.len()) + 64
}

/// Splits a page into batches of at most 1000 keys and under the 2 MB body limit.
pub(super) fn batches(entries: Vec<Entry>) -> Vec<Batch> {
    let mut out = Vec::new();
    let mut cur: Vec<Entry> = Vec::new();
    let mut size = 128;
    for e in entries {
        let cost = body_cost(&e);
        if cur.len() == MAX_DELETE_KEYS || size + cost > MAX_DELETE_BODY {
            out.push(Batch {
                entries: std::mem::take(&mut cur),
                attempt: 1,
                seq: 0,
                reply_lost: false,
            });
            size = 128;
        }
        size += cost;
        cur.push(e);
    }
    if !cur.is_empty() {
        out.push(Batch {
            entries: cur,
            attempt: 1,
            seq: 0,
            reply_lost: false,
        });
    }
    out
}

/// What a finished batch came back with.
pub(super) struct Done {
    pub(super) batch: Batch,
    pub(super) result: Result<Vec<KeyOutcome>, OssError>,
}

/// Sends one batch (the client takes its place in the account's budget).
pub(super) async fn send_batch(ctx: Arc<Ctx>, batch: Batch, delay: Duration) -> Done {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if ctx.plan.dry_run {
        let outcomes = batch
            .entries
            .iter()
            .map(|e| {
                KeyOutcome::Deleted(crate::oss::model::DeletedEntry {
                    key: e.id.key.clone(),
                    version_id: e.id.version_id.clone(),
                    delete_marker: false,
                    delete_marker_version_id: None,
                })
            })
            .collect();
        return Done {
            batch,
            result: Ok(outcomes),
        };
    }
    let ids: Vec<ObjectIdentifier> = batch.entries.iter().map(|e| e.id.clone()).collect();
    let result = ctx.client.delete_multiple_objects(ctx.bucket(), &ids).await;
    if !matches!(result, Err(OssError::Halted { sent: 0, .. })) {
        ctx.add_requests(1);
    }
    Done { batch, result }
}

/// Whether a failure is transient: the reply was lost or garbled, or the
/// server failed (and, for a batch, may have acted all the same). A clear
/// refusal (AccessDenied, a 4xx) or a stalled listing is not.
pub(super) fn transient(e: &OssError) -> bool {
    match e {
        OssError::Transport { .. } | OssError::Malformed { .. } => true,
        OssError::Api(a) => a.status >= 500 || a.status == 429,
        _ => false,
    }
}

/// Books entries OSS deleted (`detail` says how that is known, when not from
/// the batch's own reply), with their audit records, written before they count.
pub(super) async fn book_deleted(ctx: &Ctx, entries: &[&Entry], detail: Option<&str>) {
    let entries: Vec<BatchEntry> = entries.iter().map(|e| e.journaled()).collect();
    book::book_deleted(ctx, &entries, detail, true, true).await;
}

/// Books a finished batch; returns the entries to retry. The listing hears
/// which entries are done with, and the journal what is left of the batch.
pub(super) async fn settle(
    ctx: &Ctx,
    pass: &Pass,
    done: Done,
    consecutive_failures: &mut u32,
) -> Option<Batch> {
    let (seq, attempt) = (done.batch.seq, done.batch.attempt);
    let ids: Vec<(String, Option<String>)> = done
        .batch
        .entries
        .iter()
        .map(|e| (e.id.key.clone(), e.id.version_id.clone()))
        .collect();
    let retry = book(ctx, done, consecutive_failures).await;
    let again: std::collections::HashSet<(&str, Option<&str>)> = retry
        .iter()
        .flat_map(|b| &b.entries)
        .map(|e| (e.id.key.as_str(), e.id.version_id.as_deref()))
        .collect();
    pass.settled(
        ids.iter()
            .filter(|(k, v)| !again.contains(&(k.as_str(), v.as_deref())))
            .map(|(k, _)| k.as_str()),
    );
    let left: Option<Vec<BatchEntry>> = retry
        .as_ref()
        .map(|b| b.entries.iter().map(Entry::journaled).collect());
    let spans = pass.listing.get().map(|l| l.open_spans());
    book::batch_booked(ctx, seq, attempt, left.as_deref(), spans).await;
    retry
}

/// Books a batch's outcome: what was deleted, what failed; returns what to retry.
pub(super) async fn book(ctx: &Ctx, done: Done, consecutive_failures: &mut u32) -> Option<Batch> {
    let Done { batch, result } = done;
    match result {
        Ok(outcomes) => {
            *consecutive_failures = 0;
            let mut deleted = Vec::with_capacity(outcomes.len());
            let mut retry = Vec::new();
            for (entry, outcome) in batch.entries.iter().zip(&outcomes) {
                match outcome {
                    KeyOutcome::Deleted(_) => deleted.push(entry),
                    KeyOutcome::NotDeleted { .. } => retry.push(entry.clone()),
                }
            }
            book_deleted(ctx, &deleted, None).await;
            if retry.is_empty() {
                return None;
            }
            if batch.attempt < ctx.plan.key_attempts {
                return Some(Batch {
                    entries: retry,
                    attempt: batch.attempt + 1,
                    seq: batch.seq,
                    reply_lost: false,
                });
            }
            report_failed(
                ctx,
                &retry,
                "NotDeleted",
                &format!("not reported deleted after {} attempts", batch.attempt),
            )
            .await;
            None
        }
        // The reply was lost, so the batch may have been done: sending it again
        // is safe (a key already gone is reported deleted) and says what happened.
        Err(e) if transient(&e) && batch.attempt < ctx.plan.key_attempts => Some(Batch {
            entries: batch.entries,
            attempt: batch.attempt + 1,
            seq: batch.seq,
            reply_lost: true,
        }),
        // The run stopped before the batch went out: nothing new is sent.
        // It stays in the journal (the stop settles it, see `not_sent`).
        Err(OssError::Halted { sent, .. }) => Some(Batch {
            reply_lost: batch.reply_lost || sent > 0,
            ..batch
        }),
        // The bucket is gone (someone else deleted it): so are its keys. The
        // run stops, and its summary says so.
        Err(e) if e.is_code("NoSuchBucket") => {
            ctx.fatal(RunError::oss("DeleteMultipleObjects", &e));
            None
        }
        Err(e) => {
            ctx.denied(&e);
            let code = code_of(&e);
            let mut failed: Vec<Entry> = batch.entries;
            if transient(&e) {
                // Still no reply: list the batch's range before calling anything failed.
                let ids: Vec<(String, Option<String>, u64)> = failed
                    .iter()
                    .map(|x| (x.id.key.clone(), x.id.version_id.clone(), x.run))
                    .collect();
                if let Ok((gone, still)) = crate::delete::recheck::split_gone(ctx, &ids).await {
                    let gone: Vec<&Entry> = gone.iter().map(|i| &failed[*i]).collect();
                    book_deleted(ctx, &gone, Some("reply lost; a listing shows it gone")).await;
                    failed = still.into_iter().map(|i| failed[i].clone()).collect();
                }
            }
            if failed.is_empty() {
                *consecutive_failures = 0;
                return None;
            }
            report_failed(ctx, &failed, &code, &first_line(&e)).await;
            // A batch the client gave up on (after its own retries) that fails the
            // same way three times in a row will not get better: stop.
            *consecutive_failures += 1;
            if *consecutive_failures >= 3 {
                ctx.fatal(RunError::oss(
                    "stopping: DeleteMultipleObjects keeps failing",
                    &e,
                ));
            }
            None
        }
    }
}

/// Settles a batch the run stopped before sending: it was not deleted and
/// is no failure (the stop is; the outcome counts what remains), except that
/// when an earlier attempt's reply was lost, a listing finds what OSS deleted
/// all the same (a read: a stopped run may still look).
pub(super) async fn not_sent(ctx: &Ctx, entries: Vec<Entry>, reply_lost: bool) {
    if !reply_lost {
        return;
    }
    let ids: Vec<(String, Option<String>, u64)> = entries
        .iter()
        .map(|x| (x.id.key.clone(), x.id.version_id.clone(), x.run))
        .collect();
    match crate::delete::recheck::split_gone(ctx, &ids).await {
        Ok((gone, _)) => {
            let gone: Vec<&Entry> = gone.iter().map(|i| &entries[*i]).collect();
            book_deleted(ctx, &gone, Some("reply lost; a listing shows it gone")).await;
        }
        // Unknown whether OSS acted: said so, never booked either way.
        Err(_) => {
            report_failed(
                ctx,
                &entries,
                "Cancelled",
                "the run was stopped after a reply was lost; a listing could not say whether it was deleted",
            )
            .await
        }
    }
}

pub(super) async fn report_failed(ctx: &Ctx, entries: &[Entry], code: &str, message: &str) {
    let mut per: BTreeMap<Category, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        ctx.fail(
            e.category,
            &e.id.key,
            e.id.version_id.as_deref(),
            message,
            code,
        );
        per.entry(e.category).or_default().push(e);
    }
    for (category, list) in per {
        let sample = list.iter().take(5).map(|e| e.id.clone()).collect();
        ctx.emit(Event::ItemsFailed {
            bucket: ctx.bucket().to_string(),
            category,
            count: list.len() as u64,
            code: code.to_string(),
            message: message.to_string(),
            sample,
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str) -> Entry {
        Entry {
            id: ObjectIdentifier::key(key),
            category: Category::Objects,
            size: 1,
            run: 0,
            again: false,
        }
    }

    #[test]
    fn batches_hold_at_most_1000_keys_and_2_mb() {
        let small: Vec<Entry> = (0..2500).map(|i| entry(&format!("k{i}"))).collect();
        assert_eq!(
            batches(small)
                .iter()
                .map(|b| b.entries.len())
                .collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
        let long = "x".repeat(1000);
        let big: Vec<Entry> = (0..1000).map(|i| entry(&format!("{long}{i}"))).collect();
        let b = batches(big);
        assert!(b.len() >= 3, "long keys split under the body limit");
        for batch in &b {
            let ids: Vec<ObjectIdentifier> = batch.entries.iter().map(|e| e.id.clone()).collect();
            assert!(crate::oss::request::delete_multiple_objects("b", &ids).is_ok());
        }
        assert!(batches(Vec::new()).is_empty());
    }
}
