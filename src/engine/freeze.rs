//! Freezing writes during a run, the calls (what to send is decided by
//! `crate::freeze`, pure).
//!
//! Before a bucket's first delete, the run reads the bucket's policy
//! (GetBucketPolicy), keeps it in the run's journal (sealed, committed to
//! disk: no freeze goes on that could not be undone) and in a private copy
//! for the user beside it, then puts the policy with ossweep's Deny statement
//! merged in (PutBucketPolicy). A resumed run keeps the policy saved before
//! its first freeze and renews the statement's end.
//!
//! After the bucket's run, however it ended (done, stopped, failed), the
//! freeze is lifted: the saved policy is put back exactly as GetBucketPolicy
//! returned it, or deleted if there was none, and read back to check it (as
//! JSON). A deleted bucket takes its policy along. If lifting fails, the run's
//! journal stays (the run is not finished while a freeze of it may be on) and
//! the summary says so loudly, with the saved copy's path and the command that
//! lifts it: `ossweep resume --discard RUN`. A run killed before it could
//! lift its freeze leaves one that ends by itself (its `acs:CurrentTime`
//! condition); `ossweep resume` and the wizard's banner show it and until
//! when, and a resume or `--discard` lifts it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::journal::{Journaler, Runs};
use super::preflight::Preflight;
use crate::delete::{Plan, Summary};
use crate::freeze::{self, FreezeOutcome, FreezePlan, Lift, Restored};
use crate::oss::model::BucketIdentity;
use crate::oss::{time, Client, OssError};
use crate::vocab::BucketKind;

/// What a run's journal keeps of a bucket's write freeze.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeRecord {
    /// The bucket's policy before the freeze, as GetBucketPolicy returned it
    /// (`None`: it had none).
    pub previous: Option<String>,
    /// Unix seconds: the statement ends by itself then.
    pub until: i64,
    /// Lifted, or gone with the bucket.
    pub lifted: bool,
}

impl Preflight {
    /// Asks for writes to be frozen during the run (`now`: the local clock),
    /// or no longer. A vector bucket has no bucket policy.
    pub fn freeze_writes(&mut self, on: bool, now: i64) -> Result<(), String> {
        if !on {
            self.freeze = None;
            return Ok(());
        }
        if self.kind == BucketKind::Vector {
            return Err(format!(
                "{} is a vector bucket: it has no bucket policy, so writes cannot be frozen",
                self.bucket
            ));
        }
        self.freeze = Some(FreezePlan::new(
            self.identity.as_ref().and_then(|i| i.owner.as_deref()),
            &self.bucket,
            self.prefix.as_deref(),
            now + freeze::hold_secs(self.entries()),
            self.policy.as_deref(),
        ));
        Ok(())
    }
}

fn first_line(e: &OssError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// The private copy of the policy a freeze replaced, for the user.
fn aside_name(bucket: &str) -> String {
    let safe: String = bucket
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("policy-before-{safe}.json")
}

/// Puts the freeze on bucket `i` of the run before its first delete; the
/// end of its statement (Unix seconds). `Err`: why it is not on (nothing
/// was deleted, and a policy that may have gone on was taken off again).
pub(super) async fn put_on(
    client: &Client,
    journal: &Journaler,
    i: usize,
    plan: &Plan,
) -> Result<i64, String> {
    let bucket = &plan.bucket;
    let run = journal.snapshot().buckets[i].clone();
    // Nothing is written to a bucket that is not the one confirmed.
    if let Some(confirmed) = &plan.identity {
        let info = client
            .get_bucket_info(bucket)
            .await
            .map_err(|e| format!("GetBucketInfo: {}", first_line(&e)))?;
        if let Some(why) = confirmed.differs(&BucketIdentity::of(&info)) {
            return Err(format!(
                "it is not the bucket the run was confirmed for: {why}"
            ));
        }
    }
    let current = client
        .get_bucket_policy(bucket)
        .await
        .map_err(|e| format!("GetBucketPolicy: {}", first_line(&e)))?;
    // A resumed run keeps what was there before its first freeze.
    let previous = match &run.freeze {
        Some(r) if !r.lifted => r.previous.clone(),
        _ => match current.as_deref().map(freeze::without_freeze) {
            Some(Ok(p)) => p,
            Some(Err(e)) => return Err(e.to_string()),
            None => None,
        },
    };
    let until = time::unix_secs(std::time::SystemTime::now()) + freeze::hold_secs(run.left());
    let wanted = FreezePlan::new(
        plan.identity.as_ref().and_then(|i| i.owner.as_deref()),
        bucket,
        plan.prefix.as_deref(),
        until,
        current.as_deref(),
    );
    let document =
        freeze::frozen(current.as_deref(), wanted.statement_value()).map_err(|e| e.to_string())?;
    journal.bucket(i, |b| {
        b.freeze = Some(FreezeRecord {
            previous: previous.clone(),
            until,
            lifted: false,
        })
    });
    let saved = journal
        .commit_or_fail()
        .await
        .and_then(|()| match &previous {
            Some(p) => journal
                .write_aside(&aside_name(bucket), p.as_bytes())
                .map(drop),
            None => Ok(()),
        });
    if let Err(e) = saved {
        journal.bucket(i, |b| b.freeze = None);
        return Err(format!(
            "the policy it replaces could not be saved in the run's journal ({e}), so the freeze did not go on"
        ));
    }
    if let Err(e) = client.put_bucket_policy(bucket, &document).await {
        // Whether it went on is not known when the reply was lost: lift it.
        if lift(client, bucket, previous.as_deref()).await.is_ok() {
            journal.bucket(i, |b| b.freeze = None);
        }
        journal.commit().await;
        return Err(format!("PutBucketPolicy: {}", first_line(&e)));
    }
    Ok(until)
}

/// Takes the freeze off `bucket`, putting back `previous` (the policy
/// before it, as GetBucketPolicy returned it; `None`: none), then reads it
/// back to check.
pub async fn lift(
    client: &Client,
    bucket: &str,
    previous: Option<&str>,
) -> Result<Restored, String> {
    let current = client
        .get_bucket_policy(bucket)
        .await
        .map_err(|e| format!("GetBucketPolicy: {}", first_line(&e)))?;
    let (what, restored, expected) =
        freeze::lift(previous, current.as_deref()).map_err(|e| e.to_string())?;
    match what {
        Lift::Put(p) => client
            .put_bucket_policy(bucket, &p)
            .await
            .map_err(|e| format!("PutBucketPolicy: {}", first_line(&e)))?,
        Lift::Delete => client
            .delete_bucket_policy(bucket)
            .await
            .map_err(|e| format!("DeleteBucketPolicy: {}", first_line(&e)))?,
        Lift::Nothing => {}
    }
    let after = client
        .get_bucket_policy(bucket)
        .await
        .map_err(|e| format!("GetBucketPolicy: {}", first_line(&e)))?;
    if !freeze::same(after.as_deref(), expected.as_deref()) {
        return Err("the policy read back is not the one put back".into());
    }
    Ok(restored)
}

/// After bucket `i`'s run (`summary`): lifts its freeze, or notes that it
/// went with the bucket, and books it in the journal (`None`: no freeze of
/// the run is on it).
pub(super) async fn after_run(
    client: &Client,
    journal: &Journaler,
    i: usize,
    summary: &Summary,
) -> Option<FreezeOutcome> {
    let record = journal.snapshot().buckets[i].freeze.clone()?;
    let outcome = if summary.bucket_deleted || summary.deleted_elsewhere {
        FreezeOutcome::GoneWithBucket
    } else {
        match lift(client, &summary.bucket, record.previous.as_deref()).await {
            Ok(restored) => FreezeOutcome::Lifted { restored },
            Err(why) => still_on(journal, &summary.bucket, &record, why),
        }
    };
    if !matches!(outcome, FreezeOutcome::LeftOn { .. }) {
        journal.bucket(i, |b| {
            if let Some(f) = b.freeze.as_mut() {
                f.lifted = true;
            }
        });
    }
    journal.commit().await;
    Some(outcome)
}

fn still_on(
    journal: &Journaler,
    bucket: &str,
    record: &FreezeRecord,
    why: String,
) -> FreezeOutcome {
    FreezeOutcome::LeftOn {
        until: record.until,
        why,
        saved: record
            .previous
            .as_ref()
            .map(|_| saved_copy(journal.path(), bucket)),
        command: format!("ossweep resume --discard {}", journal.id()),
    }
}

/// Where `put_on` keeps the user's copy of the policy it replaced.
fn saved_copy(journal_path: PathBuf, bucket: &str) -> PathBuf {
    journal_path.with_extension("").join(aside_name(bucket))
}

/// Lifts every freeze run `id` left on (a run killed, or one whose lifting
/// failed), for `ossweep resume --discard` (`forget`: the run goes then) and
/// a resume with nothing else to do: one sentence per bucket. `Err` when one
/// could not be lifted: the journal stays.
pub async fn lift_left_on(
    client: &Client,
    runs: &Runs,
    id: &str,
    forget: bool,
) -> Result<Vec<String>, String> {
    let mut lock = runs.lock(id, &[]).map_err(|e| e.to_string())?;
    let journal = runs.open(id)?;
    let frozen: Vec<(usize, String, FreezeRecord)> = journal
        .snapshot()
        .buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| b.frozen())
        .filter_map(|(i, b)| b.freeze.clone().map(|f| (i, b.confirmed.bucket.clone(), f)))
        .collect();
    let buckets: Vec<(BucketKind, String)> = frozen
        .iter()
        .map(|(_, b, _)| (BucketKind::Object, b.clone()))
        .collect();
    lock.extend(runs.dir(), &buckets)
        .map_err(|e| e.to_string())?;
    let mut said = Vec::new();
    for (i, bucket, record) in frozen {
        let outcome = match lift(client, &bucket, record.previous.as_deref()).await {
            Ok(restored) => FreezeOutcome::Lifted { restored },
            Err(_) if bucket_gone(client, &bucket).await => FreezeOutcome::GoneWithBucket,
            Err(why) => {
                let loud = still_on(&journal, &bucket, &record, why).sentence();
                return Err(format!("{bucket}: {loud}"));
            }
        };
        journal.bucket(i, |b| {
            if let Some(f) = b.freeze.as_mut() {
                f.lifted = true;
            }
        });
        journal.commit().await;
        said.push(format!("{bucket}: {}", outcome.sentence()));
    }
    if forget || journal.snapshot().finished() {
        journal.finish();
        lock.release_finished();
    }
    Ok(said)
}

async fn bucket_gone(client: &Client, bucket: &str) -> bool {
    matches!(client.get_bucket_info(bucket).await, Err(e) if e.is_code("NoSuchBucket"))
}

/// Whether run `id` may have left a write freeze on (its journal says so).
pub fn left_on(runs: &Runs, id: &str) -> bool {
    runs.open(id)
        .is_ok_and(|j| j.snapshot().frozen_until().is_some())
}

/// Forgets run `id` (`ossweep resume --discard`, the wizard's `X`), lifting
/// first a write freeze it may have left on (`client` is needed then): what
/// was done, a sentence each. `Err`: nothing was forgotten.
pub async fn discard(
    client: Option<&Client>,
    runs: &Runs,
    id: &str,
) -> Result<Vec<String>, String> {
    if !left_on(runs, id) {
        runs.discard(id)?;
        return Ok(vec![format!(
            "discarded run {id}: its journal is gone; nothing was sent"
        )]);
    }
    let Some(client) = client else {
        return Err(format!(
            "run {id} may have left a write freeze on: lifting it needs the run's credentials"
        ));
    };
    let mut said = lift_left_on(client, runs, id, true).await?;
    said.push(format!("discarded run {id}: its journal is gone"));
    Ok(said)
}
