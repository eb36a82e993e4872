//! One runner for every destructive run, single bucket or batch, wizard or
//! headless: it re-checks the preflights, then runs them one bucket after
//! another under one shared request budget and one audit trail.

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::preflight::{refusals, Preflight, Refusal};
use crate::delete::{self, Audit, Event, Summary};
use crate::oss::Client;

/// How a run goes; how fast is the client's request budget (`concurrency`, `qps`).
#[derive(Clone, Default)]
pub struct RunOptions {
    /// List and report; send no delete request.
    pub dry_run: bool,
    pub audit: Audit,
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
    let mut summaries = Vec::with_capacity(preflights.len());
    for pf in preflights {
        if cancel.is_cancelled() {
            summaries.push(Summary {
                kind: pf.kind,
                bucket: pf.bucket.clone(),
                dry_run: opts.dry_run,
                cancelled: true,
                ..Default::default()
            });
            continue;
        }
        let plan = pf.plan(opts.audit.clone(), opts.dry_run);
        summaries.push(delete::run(client, plan, events.clone(), cancel.clone()).await);
    }
    Ok(summaries)
}
