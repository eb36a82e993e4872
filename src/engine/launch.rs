//! A run under way, for both front ends: the engine spawns it and hands back
//! its events and its end. However the run ends (finished, refused, failed,
//! panicked), its end is a value the front end can show: no front end
//! spawns, forwards or supervises a run on its own.

use std::future::Future;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::preflight::{Preflight, Refusal};
use super::resume::AcceptedResume;
use super::run::{run_many, RunOptions};
use crate::delete::{Event, Summary};
use crate::oss::Client;

/// Events waiting for the front end: a slow front end slows the run's
/// events, never its requests (the engine's sends are awaited per batch).
const EVENTS: usize = 256;

/// Why a run ended without summaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunFailed {
    /// The preflights were refused before anything was sent.
    Refused(Vec<Refusal>),
    /// The run could not start or go on (a resume's report, say).
    Stopped(String),
    /// The run's task crashed: the audit report holds what was deleted.
    Crashed(String),
}

impl std::fmt::Display for RunFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunFailed::Refused(refused) => {
                let each: Vec<String> = refused
                    .iter()
                    .map(|r| format!("{}: {}", r.bucket, r.reasons.join("; ")))
                    .collect();
                write!(f, "{}", each.join("; "))
            }
            RunFailed::Stopped(why) | RunFailed::Crashed(why) => f.write_str(why),
        }
    }
}

/// A run under way.
pub struct Launched {
    pub events: mpsc::Receiver<Event>,
    /// Its end; a panic comes back as [`RunFailed::Crashed`].
    pub done: JoinHandle<Result<Vec<Summary>, RunFailed>>,
}

impl Launched {
    /// The run's end, however it came.
    pub async fn end(
        done: JoinHandle<Result<Vec<Summary>, RunFailed>>,
    ) -> Result<Vec<Summary>, RunFailed> {
        match done.await {
            Ok(r) => r,
            Err(e) if e.is_panic() => Err(RunFailed::Crashed(
                "the deletion task crashed; the audit report holds what was deleted".into(),
            )),
            Err(e) => Err(RunFailed::Crashed(format!("the deletion task failed: {e}"))),
        }
    }
}

/// Spawns `work`, which sends its events to the sender it is given.
fn spawn<F, Fut>(work: F) -> Launched
where
    F: FnOnce(mpsc::Sender<Event>) -> Fut,
    Fut: Future<Output = Result<Vec<Summary>, RunFailed>> + Send + 'static,
{
    let (tx, events) = mpsc::channel(EVENTS);
    Launched {
        events,
        done: tokio::spawn(work(tx)),
    }
}

/// Starts a fresh run of confirmed preflights (see [`run_many`]).
pub fn start(
    client: &Client,
    preflights: &[Preflight],
    opts: RunOptions,
    cancel: CancellationToken,
) -> Launched {
    let (client, preflights) = (client.clone(), preflights.to_vec());
    spawn(move |tx| async move {
        run_many(&client, &preflights, opts, tx, cancel)
            .await
            .map_err(RunFailed::Refused)
    })
}

/// Continues an accepted resume (see [`super::resume()`]).
pub fn resume(client: &Client, accepted: AcceptedResume, cancel: CancellationToken) -> Launched {
    let client = client.clone();
    spawn(move |tx| async move {
        super::resume::resume(&client, accepted, tx, cancel)
            .await
            .map_err(RunFailed::Stopped)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_run_that_panics_ends_as_crashed() {
        let launched = spawn(|_tx| async { panic!("boom") });
        let end = Launched::end(launched.done).await;
        assert!(
            matches!(end, Err(RunFailed::Crashed(ref why)) if why.contains("crashed")),
            "{end:?}"
        );
    }
}
