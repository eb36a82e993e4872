//! A destructive run's hold on the world: whose run it is, the journal that
//! lets it be resumed, and the locks that keep every other ossweep run off its
//! buckets from before its first request to its end. Both front ends start
//! runs through `begin`, and resume them through `engine::resume`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::journal::{BeginError, Journal, Journaler, RunLock, Runs};
use super::Preflight;
use crate::delete::Audit;
use crate::oss::{time, Client};

/// Where a run's audit report goes: the one place its path is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportTo {
    /// Nowhere: no report is kept.
    Nowhere,
    /// This file, appended to (`--report FILE`).
    File(PathBuf),
    /// A new file in this directory (made private when missing), named after
    /// the buckets and the time: the wizard's reports.
    NewIn(PathBuf),
}

impl ReportTo {
    /// The run's audit trail and its report's path. A dry run without a file
    /// writes each item it would delete on stdout. `Err` when the report
    /// cannot be written: no run goes without its audit trail, and nothing
    /// was sent.
    pub fn open(
        &self,
        preflights: &[Preflight],
        dry_run: bool,
    ) -> Result<(Audit, Option<PathBuf>), String> {
        let path = match self {
            ReportTo::Nowhere if dry_run => return Ok((Audit::to_writer(std::io::stdout()), None)),
            ReportTo::Nowhere => None,
            ReportTo::File(p) => Some(p.clone()),
            ReportTo::NewIn(dir) => Some(new_report_in(dir, preflights)?),
        };
        Ok((Audit::open(path.as_deref())?, path))
    }
}

/// `<bucket>-<time>.ndjson` (`<n>-buckets-...` for several) in `dir`.
fn new_report_in(dir: &Path, preflights: &[Preflight]) -> Result<PathBuf, String> {
    crate::private::dir(dir).map_err(|e| {
        format!(
            "cannot make the reports directory {}: {e}; nothing was sent",
            dir.display()
        )
    })?;
    let stamp = time::iso8601_basic(time::unix_secs(std::time::SystemTime::now()));
    let name = match preflights {
        [one] => one.bucket.clone(),
        many => format!("{}-buckets", many.len()),
    };
    Ok(dir.join(format!("{name}-{stamp}.ndjson")))
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Action, Preflight};
    use crate::vocab::BucketKind;

    fn preflights(names: &[&str]) -> Vec<Preflight> {
        names
            .iter()
            .map(|n| Preflight::unavailable(BucketKind::Object, n, Action::DeleteBucket, "-"))
            .collect()
    }

    #[test]
    fn a_report_goes_where_asked_and_a_new_one_is_named_after_its_buckets() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("reports");
        let (_, path) = ReportTo::NewIn(dir.clone())
            .open(&preflights(&["logs"]), false)
            .unwrap();
        let path = path.unwrap();
        assert_eq!(path.parent(), Some(dir.as_path()));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("logs-") && name.ends_with(".ndjson"),
            "{name}"
        );
        let (_, path) = ReportTo::NewIn(dir.clone())
            .open(&preflights(&["a", "b"]), false)
            .unwrap();
        assert!(path.unwrap().to_string_lossy().contains("2-buckets-"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the reports directory is private");
        }
        let file = tmp.path().join("audit.ndjson");
        let (_, path) = ReportTo::File(file.clone())
            .open(&preflights(&["logs"]), false)
            .unwrap();
        assert_eq!(path, Some(file));
        assert_eq!(ReportTo::Nowhere.open(&[], true).unwrap().1, None);
        // A report that cannot be written refuses the run.
        let blocked = ReportTo::NewIn(tmp.path().join("audit.ndjson").join("x"));
        let err = blocked.open(&preflights(&["logs"]), false).err().unwrap();
        assert!(err.contains("nothing was sent"), "{err}");
    }
}
