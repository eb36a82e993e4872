//! A destructive run's hold on the world: whose run it is, the journal that
//! lets it be resumed, and the locks that keep every other ossweep run off its
//! buckets from before its first request to its end. Both front ends start
//! runs through `begin`, and resume them through `engine::resume`.

use std::path::Path;
use std::sync::Arc;

use super::journal::{BeginError, Journal, Journaler, RunLock, Runs};
use super::Preflight;
use crate::oss::Client;

/// Who runs belong to: the account (by its UID, the Owner ID of ListBuckets or
/// the profile's `account_id`) at an endpoint. Temporary credentials (STS, ECS
/// roles) change the AccessKey every session; the account stays. When the UID
/// cannot be learned, the AccessKey ID stands in for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    by_uid: Option<String>,
    by_key: String,
}

impl Account {
    /// The client's account (learning its UID may send one ListBuckets).
    pub async fn of(client: &Client) -> Account {
        let cfg = client.config();
        let by_uid = client
            .account_id()
            .await
            .ok()
            .map(|uid| cfg.account_uid_digest(&uid));
        Account {
            by_uid,
            by_key: cfg.account_digest(),
        }
    }

    /// What a new journal records.
    pub fn name(&self) -> &str {
        self.by_uid.as_deref().unwrap_or(&self.by_key)
    }

    /// Whether `journal` is this account's run.
    pub fn owns(&self, journal: &Journal) -> bool {
        journal.account == self.by_key || self.by_uid.as_deref() == Some(&journal.account)
    }

    #[cfg(test)]
    pub fn fixed(name: &str) -> Account {
        Account {
            by_uid: Some(name.into()),
            by_key: format!("key-{name}"),
        }
    }
}

/// A run's journal and locks, held until the run ends.
#[derive(Debug)]
pub struct Session {
    journal: Arc<Journaler>,
    lock: RunLock,
}

impl Session {
    pub(super) fn new(journal: Arc<Journaler>, lock: RunLock) -> Self {
        Session { journal, lock }
    }

    pub fn journal(&self) -> &Arc<Journaler> {
        &self.journal
    }

    /// Ends the session; a finished run's journal and lock files go.
    pub(super) fn end(self) {
        if self.journal.snapshot().finished() {
            self.journal.finish();
            self.lock.release_finished();
        }
    }
}

/// Why a fresh run has no session.
#[derive(Debug)]
pub enum NoSession {
    /// Another run holds a bucket (or the run): nothing may be sent.
    Busy(String),
    /// The journal could not be written: the run may go on, but could not
    /// be resumed (the front end says so).
    Unjournaled(String),
}

/// Starts the session of a fresh run of `preflights`, appending to the
/// audit report at `report`: its account, its locks, its journal.
pub async fn begin(
    client: &Client,
    runs: &Runs,
    report: Option<&Path>,
    preflights: &[Preflight],
) -> Result<Session, NoSession> {
    let account = Account::of(client).await;
    match runs.begin(account.name(), report, preflights) {
        Ok((journal, lock)) => Ok(Session::new(journal, lock)),
        Err(BeginError::Busy(e)) => Err(NoSession::Busy(e.to_string())),
        Err(BeginError::Io(e)) => Err(NoSession::Unjournaled(format!(
            "{}: {e}",
            runs.dir().display()
        ))),
    }
}

/// How a fresh run's session began.
#[derive(Debug)]
pub struct Started {
    /// `None`: the run keeps no journal (a dry run, no runs directory, or
    /// one that could not be written).
    pub session: Option<Session>,
    /// Why a run that should keep a journal keeps none: it may go on, but
    /// could not be resumed (the front end says so).
    pub unjournaled: Option<String>,
}

/// Starts the session of a fresh run (none for a dry run, or without a
/// runs directory). `Err` when another run holds one of its buckets: nothing
/// may be sent.
pub async fn start(
    client: &Client,
    runs: Option<&Runs>,
    report: Option<&Path>,
    preflights: &[Preflight],
    dry_run: bool,
) -> Result<Started, String> {
    let Some(runs) = runs.filter(|_| !dry_run) else {
        return Ok(Started {
            session: None,
            unjournaled: None,
        });
    };
    match begin(client, runs, report, preflights).await {
        Ok(session) => Ok(Started {
            session: Some(session),
            unjournaled: None,
        }),
        Err(NoSession::Busy(why)) => Err(why),
        Err(NoSession::Unjournaled(why)) => Ok(Started {
            session: None,
            unjournaled: Some(why),
        }),
    }
}
