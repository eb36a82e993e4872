//! Carries out the state machine's effects: each becomes a task whose results
//! come back as messages. The only place the TUI does I/O.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::msg::{Effect, ErrorInfo, Msg, RunRequest};
use crate::delete::{self, Audit, Limiter, Plan, Summary};
use crate::oss::{time, Client};
use crate::scan;

pub struct Driver {
    client: Client,
    tx: mpsc::Sender<Msg>,
    details: Arc<Semaphore>,
    scan: Option<CancellationToken>,
    run: Option<(CancellationToken, JoinHandle<()>)>,
    /// Where audit reports and lifecycle backups go.
    pub report_dir: Option<PathBuf>,
    concurrency: usize,
}

impl Driver {
    pub fn new(
        client: Client,
        tx: mpsc::Sender<Msg>,
        report_dir: Option<PathBuf>,
        concurrency: usize,
    ) -> Self {
        Driver {
            client,
            tx,
            details: Arc::new(Semaphore::new(4)),
            scan: None,
            run: None,
            report_dir,
            concurrency,
        }
    }

    /// Runs an effect; `Some(path)` for a run that writes a report; `false` to quit.
    pub async fn execute(&mut self, e: Effect) -> (bool, Option<PathBuf>) {
        crate::log::line(format!("effect {e:?}"));
        match e {
            Effect::LoadBuckets => {
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
            Effect::LoadDetails(bucket) => {
                let (c, tx, sem) = (self.client.clone(), self.tx.clone(), self.details.clone());
                tokio::spawn(async move {
                    let _permit = sem.acquire().await;
                    let r = async {
                        Ok::<_, crate::oss::OssError>((
                            c.get_bucket_stat(&bucket).await?,
                            c.get_bucket_versioning(&bucket).await?,
                        ))
                    }
                    .await;
                    let result = r.map_err(|e| ErrorInfo::from_oss("", &e));
                    let _ = tx.send(Msg::DetailsLoaded { bucket, result }).await;
                });
            }
            Effect::StartScan(bucket) => {
                if let Some(t) = self.scan.take() {
                    t.cancel();
                }
                let token = CancellationToken::new();
                self.scan = Some(token.clone());
                let (c, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
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
                    let now = time::unix_secs(std::time::SystemTime::now());
                    if let Err(e) = scan::scan(&c, &bucket, Some(etx), &token, now).await {
                        let scan::ScanError::Oss(e) = e;
                        let _ = tx
                            .send(Msg::ScanFailed {
                                bucket,
                                error: ErrorInfo::from_oss("Scan failed:", &e),
                            })
                            .await;
                    }
                    let _ = forward.await;
                });
            }
            Effect::CancelScan => {
                if let Some(t) = self.scan.take() {
                    t.cancel();
                }
            }
            Effect::StartRun(req) => {
                let report = self.report_path(&req);
                let audit = report
                    .as_ref()
                    .and_then(|p| Audit::to_file(p).ok())
                    .unwrap_or_default();
                let report = if audit.is_on() { report } else { None };
                let token = CancellationToken::new();
                let task = tokio::spawn(run(
                    self.client.clone(),
                    req,
                    audit,
                    self.tx.clone(),
                    token.clone(),
                    self.concurrency,
                ));
                self.run = Some((token, task));
                return (true, report);
            }
            Effect::CancelRun => {
                if let Some((t, _)) = &self.run {
                    t.cancel();
                }
            }
            Effect::InstallExpiry(bucket) => {
                let (c, tx, dir) = (
                    self.client.clone(),
                    self.tx.clone(),
                    self.report_dir.clone(),
                );
                tokio::spawn(async move {
                    let result = install_expiry(&c, &bucket, dir).await;
                    let _ = tx.send(Msg::ExpiryInstalled { bucket, result }).await;
                });
            }
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

    fn report_path(&self, req: &RunRequest) -> Option<PathBuf> {
        let dir = self.report_dir.as_ref()?;
        std::fs::create_dir_all(dir).ok()?;
        let stamp = time::iso8601_basic(time::unix_secs(std::time::SystemTime::now()));
        let name = if req.buckets.len() == 1 {
            req.buckets[0].clone()
        } else {
            format!("{}-buckets", req.buckets.len())
        };
        Some(dir.join(format!("{name}-{stamp}.ndjson")))
    }
}

async fn run(
    client: Client,
    req: RunRequest,
    audit: Audit,
    tx: mpsc::Sender<Msg>,
    cancel: CancellationToken,
    concurrency: usize,
) {
    let limiter = Limiter::new(concurrency.min(4), concurrency);
    let mut summaries: Vec<Summary> = Vec::new();
    for bucket in &req.buckets {
        if cancel.is_cancelled() {
            break;
        }
        let mut plan = Plan::new(bucket, req.categories.iter().copied(), limiter.clone());
        plan.delete_bucket = req.delete_bucket;
        plan.audit = audit.clone();
        if let Ok(stat) = client.get_bucket_stat(bucket).await {
            plan.estimates = crate::cli::estimates(&stat, &req.categories);
        }
        let (etx, mut erx) = mpsc::channel(256);
        let fwd_tx = tx.clone();
        let forward = tokio::spawn(async move {
            while let Some(e) = erx.recv().await {
                if fwd_tx.send(Msg::Engine(e)).await.is_err() {
                    break;
                }
            }
        });
        summaries.push(delete::run(&client, plan, etx, cancel.clone()).await);
        let _ = forward.await;
    }
    let _ = tx.send(Msg::RunEnded(Ok(summaries))).await;
}

async fn install_expiry(
    c: &Client,
    bucket: &str,
    dir: Option<PathBuf>,
) -> Result<String, ErrorInfo> {
    use crate::expire::{self, Phase};
    let err = |e: crate::oss::OssError| ErrorInfo::from_oss("Expiry rules:", &e);
    let current = c.get_bucket_lifecycle(bucket).await.map_err(err)?;
    let mut backup = String::new();
    if let Some(cfg) = current.filter(|cfg| {
        expire::has_foreign_rules(&cfg.rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
    }) {
        let dir = dir.ok_or_else(|| ErrorInfo {
            title: "Expiry rules:".into(),
            code: None,
            message: "no directory to back up the current lifecycle configuration to".into(),
            request_id: None,
        })?;
        let path = dir.join(format!(
            "{bucket}-lifecycle-{}.xml",
            time::iso8601_basic(time::unix_secs(std::time::SystemTime::now()))
        ));
        std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(&path, &cfg.raw_xml))
            .map_err(|e| ErrorInfo {
                title: "Expiry rules:".into(),
                code: None,
                message: format!("cannot back up the lifecycle configuration: {e}"),
                request_id: None,
            })?;
        backup = format!(
            "; the previous configuration is saved in {}",
            path.display()
        );
    }
    c.put_bucket_lifecycle(bucket, &expire::configuration(Phase::A, 1))
        .await
        .map_err(err)?;
    Ok(format!(
        "Installed {} (OSS runs it within 24-48 hours){backup}",
        Phase::A.rule_id()
    ))
}
