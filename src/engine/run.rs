//! One runner for every destructive run, single bucket or batch, wizard or
//! headless, fresh or resumed: it re-checks the preflights, then runs them one
//! bucket after another under one shared request budget, one audit trail and
//! one journal, holding the run's locks throughout.

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::journal::Stage;
use super::preflight::{refusals, Preflight, Refusal};
use super::session::Session;
use crate::delete::book::JournalSlot;
use crate::delete::{self, Audit, Event, Plan, RunError, Summary};
use crate::freeze::FreezeOutcome;
use crate::oss::Client;

/// How a run goes; how fast is the client's request budget (`concurrency`, `qps`).
#[derive(Default)]
pub struct RunOptions {
    /// List and report; send no delete request.
    pub dry_run: bool,
    pub audit: Audit,
    /// The run's journal and locks, so it can be resumed and no other run
    /// touches its buckets meanwhile (`None`: it keeps none; dry runs never do).
    pub session: Option<Session>,
}

/// Runs confirmed preflights. Refuses the whole batch, before sending anything,
/// when any bucket may not go ahead. A bucket not reached because the run was
/// cancelled gets a cancelled summary with nothing deleted.
pub async fn run_many(
    client: &Client,
    preflights: &[Preflight],
    opts: RunOptions,
    events: mpsc::Sender<Event>,
    cancel: CancellationToken,
) -> Result<Vec<Summary>, Vec<Refusal>> {
    let refused = refusals(preflights);
    if !refused.is_empty() {
        return Err(refused);
    }
    let plans = preflights
        .iter()
        .map(|pf| pf.plan(opts.audit.clone(), opts.dry_run))
        .collect();
    Ok(run_plans(client, plans, opts, events, cancel).await)
}

/// Runs `plans` (a resumed run's come from its journal), booking each
/// bucket's progress in the session's journal.
pub(super) async fn run_plans(
    client: &Client,
    plans: Vec<Plan>,
    opts: RunOptions,
    events: mpsc::Sender<Event>,
    cancel: CancellationToken,
) -> Vec<Summary> {
    let session = opts.session.filter(|_| !opts.dry_run);
    let journal = session.as_ref().map(|s| s.journal().clone());
    let mut summaries = Vec::with_capacity(plans.len());
    for (i, mut plan) in plans.into_iter().enumerate() {
        let stage = journal.as_ref().map(|j| j.snapshot().buckets[i].stage);
        if stage == Some(Stage::Done) {
            // Finished in an earlier session of this run.
            continue;
        }
        if cancel.is_cancelled() {
            summaries.push(Summary {
                kind: plan.kind,
                bucket: plan.bucket.clone(),
                dry_run: opts.dry_run,
                cancelled: true,
                ..Default::default()
            });
            continue;
        }
        if let Some(j) = &journal {
            j.bucket(i, |b| b.stage = Stage::Running);
            j.commit().await;
            plan.journal = Some(JournalSlot {
                journal: j.clone(),
                bucket: i,
            });
        }
        let summary = run_frozen(client, plan, journal.as_deref(), i, &events, &cancel).await;
        if let Some(j) = &journal {
            // A bucket is done when its run ended, even with skips or
            // failures (the summary says what stays and why); only a run
            // stopped, or stopped by what going on later could mend, stays
            // resumable.
            let done = !summary.cancelled && summary.error.as_ref().is_none_or(|e| !e.resumable);
            j.bucket(i, |b| {
                b.deleted = summary
                    .categories
                    .iter()
                    .filter(|(_, t)| t.deleted > 0)
                    .map(|(c, t)| {
                        (
                            *c,
                            super::journal::Deleted {
                                entries: t.deleted,
                                bytes: t.bytes,
                            },
                        )
                    })
                    .collect();
                b.categories_done.extend(summary.verified.iter().copied());
                if done {
                    b.stage = Stage::Done;
                    b.open_spans = Some(Vec::new());
                }
            });
            j.commit().await;
        }
        summaries.push(summary);
    }
    if let Some(s) = session {
        s.end();
    }
    summaries
}

/// Runs one bucket's plan, with writes frozen around it when the plan says
/// so: on before the first delete, lifted afterwards however the run ended.
/// A freeze that cannot go on stops the bucket's run before anything is
/// deleted.
async fn run_frozen(
    client: &Client,
    plan: Plan,
    journal: Option<&super::journal::Journaler>,
    i: usize,
    events: &mpsc::Sender<Event>,
    cancel: &CancellationToken,
) -> Summary {
    if !plan.freeze_writes {
        return delete::run(client, plan, events.clone(), cancel.clone()).await;
    }
    let put_on = match journal {
        Some(j) => super::freeze::put_on(client, j, i, &plan).await,
        None => Err("the run keeps no journal to save the policy it replaces in".into()),
    };
    if let Ok(until) = &put_on {
        let _ = events
            .send(Event::WritesFrozen {
                bucket: plan.bucket.clone(),
                until: *until,
            })
            .await;
    }
    if let Err(why) = put_on {
        return Summary {
            kind: plan.kind,
            bucket: plan.bucket.clone(),
            prefix: plan.prefix.clone(),
            error: Some(RunError::local(
                "freezing writes",
                format!("{why}; nothing was deleted"),
            )),
            freeze: Some(FreezeOutcome::NotApplied { why }),
            ..Default::default()
        };
    }
    let bucket = plan.bucket.clone();
    let mut summary = delete::run(client, plan, events.clone(), cancel.clone()).await;
    if let Some(outcome) = match journal {
        Some(j) => super::freeze::after_run(client, j, i, &summary).await,
        None => None,
    } {
        let _ = events
            .send(Event::FreezeEnded {
                bucket: bucket.clone(),
                outcome: outcome.clone(),
            })
            .await;
        summary.freeze = Some(outcome);
    }
    debug_assert_eq!(summary.bucket, bucket);
    summary
}
