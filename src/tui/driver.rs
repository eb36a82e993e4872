//! Carries out the state machine's effects: each becomes a task whose results
//! come back as messages. The only place the TUI does I/O.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::msg::{Effect, ErrorInfo, Msg};
use crate::engine::expiry::{self, ExpiryError};
use crate::engine::journal::Runs;
use crate::engine::resume::{self, ResumeCheck};
use crate::engine::session::ReportTo;
use crate::engine::{self, Account, Preflight, RunFailed, RunOptions};
use crate::oss::{time, Client};
use crate::scan;
use crate::vocab::BucketKind;

pub struct Driver {
    client: Client,
    tx: mpsc::Sender<Msg>,
    details: Arc<Semaphore>,
    scan: Option<CancellationToken>,
    run: Option<(CancellationToken, JoinHandle<()>)>,
    /// Where audit reports and lifecycle backups go.
    pub report_dir: Option<PathBuf>,
    /// Where runs keep their journals (`None`: runs keep none).
    runs: Option<Runs>,
    /// Whose runs are this wizard's (learned once).
    account: Option<Account>,
    /// A resume checked and locked, waiting for the typed name; its check's
    /// token while it runs.
    pending_resume: Arc<tokio::sync::Mutex<Option<ResumeCheck>>>,
    resume_check: Option<CancellationToken>,
}

impl Driver {
    pub fn new(client: Client, tx: mpsc::Sender<Msg>, report_dir: Option<PathBuf>) -> Self {
        Driver {
            client,
            tx,
            details: Arc::new(Semaphore::new(4)),
            scan: None,
            run: None,
            report_dir,
            runs: None,
            account: None,
            pending_resume: Default::default(),
            resume_check: None,
        }
    }

    /// Runs keep their journals in `dir` (made private); `None` when it
    /// cannot be used.
    pub fn keep_runs_in(&mut self, dir: &std::path::Path) {
        self.runs = Runs::at(dir)
            .inspect_err(|e| crate::log::line(format!("no journals: {e}")))
            .ok();
    }

    async fn account(&mut self) -> Account {
        if self.account.is_none() {
            self.account = Some(Account::of(&self.client).await);
        }
        self.account.clone().expect("just set")
    }

    /// Runs an effect; `Some(path)` for a run that writes a report; `false` to quit.
    pub async fn execute(&mut self, e: Effect) -> (bool, Option<PathBuf>) {
        crate::log::line(format!("effect {e:?}"));
        match e {
            Effect::LoadBuckets => self.load_buckets(),
            Effect::LoadDetails(bucket) => self.load_details(bucket),
            Effect::SizeUploads { bucket, uploads } => self.size_uploads(bucket, uploads),
            Effect::StartScan(bucket) => self.scan_each(vec![(BucketKind::Object, bucket)]),
            Effect::StartVectorScan(bucket) => self.scan_each(vec![(BucketKind::Vector, bucket)]),
            Effect::ScanBatch(kind, buckets) => {
                self.scan_each(buckets.into_iter().map(|b| (kind, b)).collect())
            }
            Effect::ScanEach(buckets) => self.scan_each(buckets),
            Effect::LoadVectorBuckets => self.load_vector_buckets(),
            Effect::LoadAccount => self.load_account(),
            Effect::LoadVectorDetails(bucket) => self.load_vector_details(bucket),
            Effect::CancelScan => {
                if let Some(t) = self.scan.take() {
                    t.cancel();
                }
            }
            Effect::StartRun(preflights) => return (true, self.start_run(preflights).await),
            Effect::LoadInterrupted => {
                let runs = self.interrupted().await;
                let _ = self.tx.send(Msg::Interrupted(runs)).await;
            }
            Effect::CheckResume(id) => self.check_resume(id).await,
            Effect::DropResume => {
                if let Some(t) = self.resume_check.take() {
                    t.cancel();
                }
                // Releases the check's locks.
                *self.pending_resume.lock().await = None;
            }
            Effect::ResumeRun(id) => return (true, self.resume_run(id).await),
            Effect::DiscardRun(id) => {
                if let Some(runs) = self.runs.clone() {
                    let (client, tx) = (self.client.clone(), self.tx.clone());
                    tokio::spawn(async move {
                        let said = crate::engine::freeze::discard(Some(&client), &runs, &id).await;
                        if let Err(e) = &said {
                            crate::log::line(format!("discard {id}: {e}"));
                        }
                        let _ = tx.send(Msg::Discarded(said)).await;
                    });
                }
            }
            Effect::CancelRun => {
                if let Some((t, _)) = &self.run {
                    t.cancel();
                }
            }
            Effect::PrepareExpiry { bucket, days } => self.prepare_expiry(bucket, days),
            Effect::InstallExpiry(plan) => self.install_expiry(plan),
            Effect::Quit => {
                // Let a running deletion stop at a batch boundary before the terminal is restored.
                if let Some((t, task)) = self.run.take() {
                    t.cancel();
                    let _ = tokio::time::timeout(Duration::from_secs(30), task).await;
                }
                return (false, None);
            }
        }
        (true, None)
    }

    fn load_buckets(&self) {
        let (c, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let r = c.list_buckets().try_collect().await.map_err(|e| {
                crate::log::line(format!(
                    "ListBuckets failed: {}",
                    e.to_string().lines().next().unwrap_or_default()
                ));
                ErrorInfo::from_oss("Could not list buckets:", &e)
            });
            let _ = tx.send(Msg::BucketsLoaded(r)).await;
        });
    }

    /// The account view's reads, then its id (for the typed confirmation).
    fn load_account(&self) {
        let (c, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let r = match crate::engine::account::gather(&c).await {
                Ok(g) => Ok(crate::tui::screens::account::Loaded {
                    facts: g.facts,
                    notes: g.notes,
                    account_id: c.account_id().await.ok(),
                    now: crate::oss::time::unix_secs(std::time::SystemTime::now()),
                }),
                Err(e) => Err(ErrorInfo::from_oss("Could not list buckets:", &e)),
            };
            let _ = tx.send(Msg::AccountLoaded(r)).await;
        });
    }

    fn load_details(&self, bucket: String) {
        let (c, tx, sem) = (self.client.clone(), self.tx.clone(), self.details.clone());
        tokio::spawn(async move {
            let _permit = sem.acquire().await;
            let (stat, versioning) =
                tokio::join!(c.get_bucket_stat(&bucket), c.get_bucket_versioning(&bucket));
            let r = versioning.map(|v| (stat.ok(), v));
            let result = r.map_err(|e| ErrorInfo::from_oss("", &e));
            let _ = tx.send(Msg::DetailsLoaded { bucket, result }).await;
        });
    }

    /// Each upload's bytes (ListParts), four at a time within the details' budget.
    fn size_uploads(&self, bucket: String, uploads: Vec<crate::vocab::Target>) {
        let (c, tx, sem) = (self.client.clone(), self.tx.clone(), self.details.clone());
        tokio::spawn(async move {
            use futures::StreamExt;
            let sized = futures::stream::iter(uploads).for_each_concurrent(4, |upload| {
                let (c, tx, sem, bucket) = (c.clone(), tx.clone(), sem.clone(), bucket.clone());
                async move {
                    let _permit = sem.acquire().await;
                    let id = upload.upload_id.clone().unwrap_or_default();
                    let result = c
                        .upload_size(&bucket, &upload.name, &id)
                        .await
                        .map_err(|e| {
                            if e.is_code("NoSuchUpload") {
                                "gone".to_string()
                            } else {
                                e.to_string().lines().next().unwrap_or_default().to_string()
                            }
                        });
                    let _ = tx
                        .send(Msg::UploadSized {
                            bucket,
                            upload,
                            result,
                        })
                        .await;
                }
            });
            sized.await
        });
    }

    /// Scans the buckets one after the other, each as what it is, until the
    /// scan is cancelled.
    fn scan_each(&mut self, buckets: Vec<(BucketKind, String)>) {
        let token = self.new_scan();
        let (c, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            for (kind, bucket) in buckets {
                if token.is_cancelled() {
                    break;
                }
                scan_into(&c, kind, bucket, &tx, &token).await;
            }
        });
    }

    fn load_vector_buckets(&self) {
        let (c, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let r = c
                .list_vector_buckets()
                .try_collect()
                .await
                .map_err(|e| ErrorInfo::from_oss("Could not list vector buckets:", &e));
            let _ = tx.send(Msg::VectorBucketsLoaded(r)).await;
        });
    }

    fn load_vector_details(&self, bucket: String) {
        let (c, tx, sem) = (self.client.clone(), self.tx.clone(), self.details.clone());
        tokio::spawn(async move {
            let _permit = sem.acquire().await;
            let result = c
                .list_vector_indexes(&bucket)
                .try_fold(0u64, |n, _| futures::future::ready(Ok(n + 1)))
                .await
                .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string());
            let _ = tx.send(Msg::VectorDetailsLoaded { bucket, result }).await;
        });
    }

    /// A run that cannot start: the progress pane turns into a report saying why.
    async fn refuse(&self, why: String) -> Option<PathBuf> {
        let _ = self
            .tx
            .send(Msg::RunEnded(Err(RunFailed::Stopped(why))))
            .await;
        None
    }

    /// Follows a launched run; the token stops it.
    fn follow(&mut self, launched: engine::Launched, token: CancellationToken) {
        self.run = Some((token, tokio::spawn(follow(launched, self.tx.clone()))));
    }

    /// Starts a run of confirmed preflights: its report and session first (no
    /// run without its audit trail, none while another run holds a bucket).
    async fn start_run(&mut self, preflights: Vec<Preflight>) -> Option<PathBuf> {
        let report_to = match &self.report_dir {
            Some(dir) => ReportTo::NewIn(dir.clone()),
            None => ReportTo::Nowhere,
        };
        let (audit, report) = match report_to.open(&preflights, false) {
            Ok(o) => o,
            Err(why) => return self.refuse(why).await,
        };
        let started = engine::session::start(
            &self.client,
            self.runs.as_ref(),
            report.as_deref(),
            &preflights,
            false,
        )
        .await;
        let started = match started {
            Ok(s) => s,
            Err(busy) => return self.refuse(format!("{busy}; nothing was sent")).await,
        };
        if let Some(why) = &started.unjournaled {
            crate::log::line(format!("the run keeps no journal: {why}"));
        }
        if let Some(s) = &started.session {
            let _ = self.tx.send(Msg::Journaled(s.journal().id())).await;
        }
        let opts = RunOptions {
            dry_run: false,
            audit,
            session: started.session,
        };
        let token = CancellationToken::new();
        let launched = engine::launch::start(&self.client, &preflights, opts, token.clone());
        self.follow(launched, token);
        report
    }

    /// The engine's resume check of run `id`, kept (with its locks) while the
    /// pane waits for the typed name.
    async fn check_resume(&mut self, id: String) {
        let Some(runs) = self.runs.clone() else {
            return;
        };
        let account = self.account().await;
        let token = CancellationToken::new();
        if let Some(t) = self.resume_check.replace(token.clone()) {
            t.cancel();
        }
        let (c, tx, slot) = (
            self.client.clone(),
            self.tx.clone(),
            self.pending_resume.clone(),
        );
        tokio::spawn(async move {
            let checked = resume::check(&c, &runs, &account, &id, &token).await;
            // Kept (with its locks) only while the pane still waits for it.
            let mut slot = slot.lock().await;
            if token.is_cancelled() {
                return;
            }
            let result = match checked {
                Ok(check) => {
                    let view = Box::new(check.view.clone());
                    *slot = Some(check);
                    Ok(view)
                }
                Err(e) => Err(ErrorInfo::text("Cannot resume:", e)),
            };
            drop(slot);
            let _ = tx.send(Msg::ResumeChecked { run: id, result }).await;
        });
    }

    /// Resumes run `id` as its check showed it, the typed name confirming
    /// everything the pane showed.
    async fn resume_run(&mut self, id: String) -> Option<PathBuf> {
        self.resume_check = None;
        let check = self.pending_resume.lock().await.take();
        let Some(check) = check.filter(|c| c.run_id() == id) else {
            return self
                .refuse("the resume's check is gone; nothing was sent".into())
                .await;
        };
        let names: Vec<String> = check
            .view
            .buckets
            .iter()
            .map(|b| b.bucket.clone())
            .collect();
        let accepted = match check.accept(&names).await {
            Ok(a) => a,
            Err(e) => return self.refuse(e).await,
        };
        let report = accepted.view.report.clone();
        let _ = self.tx.send(Msg::Journaled(id)).await;
        let token = CancellationToken::new();
        let launched = engine::launch::resume(&self.client, accepted, token.clone());
        self.follow(launched, token);
        report
    }

    fn prepare_expiry(&self, bucket: String, days: u32) {
        let (c, tx) = (self.client.clone(), self.tx.clone());
        tokio::spawn(async move {
            let result = expiry::prepare(&c, &bucket, days)
                .await
                .map_err(|e| expiry_error(&e));
            let _ = tx.send(Msg::ExpiryPrepared { bucket, result }).await;
        });
    }

    /// Installs expiry rules, their backup in the reports directory.
    fn install_expiry(&self, plan: crate::engine::expiry::ExpiryPlan) {
        let (c, tx) = (self.client.clone(), self.tx.clone());
        let dir = self.report_dir.clone().unwrap_or_else(std::env::temp_dir);
        if self.report_dir.is_some() {
            let _ = crate::private::dir(&dir);
        }
        tokio::spawn(async move {
            let now = time::unix_secs(std::time::SystemTime::now());
            let backup = dir.join(plan.backup_name(now));
            let result = match expiry::install(&c, &plan, &backup, now).await {
                // What was done and where the backup went; the
                // rescan's risks say what the rules do next.
                Ok(done) => Ok(done.describe(&plan)),
                Err(e) => Err(expiry_error(&e)),
            };
            let bucket = plan.bucket.clone();
            let _ = tx.send(Msg::ExpiryInstalled { bucket, result }).await;
        });
    }

    /// Cancels the scan under way, if any, and returns the token of the next one.
    fn new_scan(&mut self) -> CancellationToken {
        if let Some(t) = self.scan.take() {
            t.cancel();
        }
        let token = CancellationToken::new();
        self.scan = Some(token.clone());
        token
    }

    /// The interrupted runs of this account, most recent first.
    async fn interrupted(&mut self) -> Vec<crate::tui::app::interrupted::Interrupted> {
        let Some(runs) = self.runs.clone() else {
            return Vec::new();
        };
        let account = self.account().await;
        let now = time::unix_secs(std::time::SystemTime::now());
        runs.list()
            .runs
            .iter()
            .filter(|j| account.owns(j) && !j.finished())
            .map(|j| crate::tui::app::interrupted::Interrupted::of(j, now))
            .collect()
    }
}

/// Scans one bucket, forwarding its events as messages; a failure becomes `ScanFailed`.
async fn scan_into(
    c: &Client,
    kind: BucketKind,
    bucket: String,
    tx: &mpsc::Sender<Msg>,
    token: &CancellationToken,
) {
    let (etx, mut erx) = mpsc::channel(64);
    let fwd_tx = tx.clone();
    let name = bucket.clone();
    let forward = tokio::spawn(async move {
        while let Some(event) = erx.recv().await {
            let _ = fwd_tx
                .send(Msg::Scanned {
                    bucket: name.clone(),
                    event,
                })
                .await;
        }
    });
    // A slow reply shows on the status line instead of leaving the pane silent.
    let wait_tx = tx.clone();
    let (c, _) = c.watched(Some(std::sync::Arc::new(
        move |n: &crate::oss::client::Notice| {
            if let crate::oss::client::Notice::Waiting(w) = n {
                let _ = wait_tx.try_send(Msg::Waiting(
                    crate::text::visible(&w.to_string()).into_owned(),
                ));
            }
        },
    )));
    let now = time::unix_secs(std::time::SystemTime::now());
    let scanned = match kind {
        BucketKind::Object => scan::scan(&c, &bucket, Some(etx), token, now).await,
        BucketKind::Vector => scan::scan_vector(&c, &bucket, Some(etx), token).await,
    };
    if let Err(scan::ScanError::Oss(e)) = scanned {
        let _ = tx
            .send(Msg::ScanFailed {
                bucket,
                error: ErrorInfo::from_oss("Scan failed:", &e),
            })
            .await;
    }
    let _ = forward.await;
}

fn expiry_error(e: &ExpiryError) -> ErrorInfo {
    match e {
        ExpiryError::Oss(e) => ErrorInfo::from_oss("Expiry rules:", e),
        other => ErrorInfo::text("Expiry rules:", other.to_string()),
    }
}

/// Follows a run the engine launched: its events become messages, and its
/// end (however it came: a crash included) always becomes `RunEnded`, so the
/// progress pane never waits forever.
pub async fn follow(launched: engine::Launched, tx: mpsc::Sender<Msg>) {
    let engine::Launched { mut events, done } = launched;
    let forward = {
        let tx = tx.clone();
        async move {
            while let Some(e) = events.recv().await {
                if tx.send(Msg::Engine(e)).await.is_err() {
                    break;
                }
            }
        }
    };
    let (_, end) = tokio::join!(forward, engine::Launched::end(done));
    let _ = tx.send(Msg::RunEnded(end)).await;
}

#[cfg(test)]
mod tests;
