//! The OSS client: sends the requests `request` builds, signed, to the right
//! region, with retries; parses replies with `parse`. The only I/O in `oss`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};
use tokio_util::sync::CancellationToken;

use super::budget::{Budget, DEFAULT_CONCURRENCY, DEFAULT_QPS};
use super::credentials::Credentials;
use super::endpoint::{self, Addressing, Endpoint};
use super::error::{parse_error, snippet, ApiError, ErrorHeaders, OssError};
use super::http::{Http, Response, Settings as HttpSettings};
use super::model::*;
use super::parse;
use super::request::{self, OssRequest, Service};
use super::retry::{self, Failure, Jitter, RetryPolicy, Verdict};
use super::sign::{self, SignatureVersion};
use super::xml::XmlError;
use super::{encode, time};

mod attachments;
mod attempt;
mod data;
mod notice;
mod pages;
mod vectors;

use attempt::Attempt;
pub use data::ObjectsFrom;
pub use notice::*;

use pages::flatten;
pub use pages::{
    paginate, paginate_pages, prefetched_pages, Advance, MarkerPeek, PageMarker, PageParser,
    PageRequest,
};

/// How a client reaches OSS.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub credentials: Credentials,
    /// Buckets reached through a host of their own (a custom domain, another
    /// endpoint), by name.
    pub bucket_hosts: std::collections::BTreeMap<String, endpoint::BucketHost>,
    /// Temporary credentials renewed from their source (an ECS instance's
    /// RAM role): when set, requests are signed with these, not `credentials`.
    pub renewing: Option<Arc<crate::oss::credentials::Renewing>>,
    /// Default region: ListBuckets goes here, and buckets whose region is not known yet.
    pub region: String,
    /// Every call goes to this endpoint when set (emulators, private deployments).
    pub endpoint: Option<Endpoint>,
    pub addressing: Addressing,
    pub signature_version: SignatureVersion,
    /// Use `oss-<region>-internal` hosts (inside Alibaba Cloud only).
    pub internal: bool,
    /// `http` or `https` for region hosts (HTTPS by default).
    pub scheme: String,
    /// Port for region hosts, when not the scheme's default.
    pub port: Option<u16>,
    /// Connect every host name to this address (emulators with real host names).
    pub connect_to: Option<IpAddr>,
    pub retry: RetryPolicy,
    /// How long one attempt may wait for its reply.
    pub timeout: Duration,
    /// How long one request may take, every attempt and backoff included: a
    /// server that accepts and never answers fails within this.
    pub deadline: Duration,
    /// The Alibaba Cloud account id (UID): OSS Vectors hosts and signatures need
    /// it. Learned from ListBuckets' `Owner/ID` when not set.
    pub account_id: Option<String>,
    /// Requests in flight at most (the budget adapts below this).
    pub concurrency: usize,
    /// Requests per second at most, for the account (`--qps`).
    pub qps: u32,
    /// The file where the rate OSS refused this account is kept between
    /// commands (`None`: not kept).
    pub throttle_memory: Option<std::path::PathBuf>,
}

impl ClientConfig {
    pub fn new(credentials: Credentials, region: impl Into<String>) -> Self {
        ClientConfig {
            credentials,
            renewing: None,
            bucket_hosts: Default::default(),
            region: region.into(),
            endpoint: None,
            addressing: Addressing::Virtual,
            signature_version: SignatureVersion::V4,
            internal: false,
            scheme: "https".into(),
            port: None,
            connect_to: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_ATTEMPT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            account_id: None,
            concurrency: DEFAULT_CONCURRENCY,
            qps: DEFAULT_QPS,
            throttle_memory: None,
        }
    }

    /// Where the account's requests go, to tell accounts apart: the custom
    /// endpoint, or the default region.
    fn account_label(&self) -> String {
        match &self.endpoint {
            Some(e) => format!("{}://{}:{}", e.scheme, e.host, e.port.unwrap_or(0)),
            None => format!("oss-{}", self.region),
        }
    }

    /// Names the account (endpoint and AccessKey ID) without saying either:
    /// what files under the state directory record instead of credentials.
    pub fn account_digest(&self) -> String {
        crate::oss::budget::memory::digest(&self.account_label(), &self.credentials.access_key_id)
    }

    /// Names the account by its UID and the endpoint, whatever AccessKey it
    /// signs with today (temporary credentials change it every session).
    pub fn account_uid_digest(&self, uid: &str) -> String {
        crate::oss::budget::memory::digest(&self.account_label(), &format!("uid:{uid}"))
    }
}

/// Whether `body`, the reply to a request that names a sub-resource (`?worm`)
/// and is not itself a listing, is a bucket listing.
fn answered_with_a_listing(req: &OssRequest, body: &str) -> bool {
    let sub_resource = req.query.iter().any(|(_, v)| v.is_none());
    sub_resource
        && !req.op.starts_with("ListObject")
        && super::xml::parse_root(body, "ListBucketResult").is_ok()
}

pub type Sleeper = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// A successful reply.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Reply {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

struct Inner {
    http: Http,
    accelerator_http: Http,
    cfg: ClientConfig,
    regions: Mutex<HashMap<String, String>>,
    /// Regions of vector buckets (their names are unique per region, not globally).
    vector_regions: Mutex<HashMap<String, String>>,
    /// The account id, once known (configured or learned).
    account: Mutex<Option<String>>,
    stats: ClientStats,
    /// Every request of this account takes a place here first.
    budget: Arc<Budget>,
    sleeper: Sleeper,
    clock: Clock,
    jitter: Mutex<Jitter>,
    /// Hears of every request's retries and waits (the CLI's "waiting for OSS").
    observer: Option<Observer>,
    /// The endpoint answered ListObjectsV2 with V1 pages: current objects are
    /// listed with ListObjects V1 (by marker) from then on.
    lists_v1: std::sync::atomic::AtomicBool,
}

/// One caller's own view of the client's work: the retries and throttling its
/// requests met, and who hears of each retry. A run watches itself, so other
/// callers of the same client (a details load in the wizard) never land in it.
pub struct Watch {
    pub stats: ClientStats,
    observer: Option<Observer>,
    /// Once cancelled, requests that change something are no longer sent
    /// (reads still are): a stopped run sends nothing new.
    halt: Option<CancellationToken>,
}

impl Watch {
    fn count(&self, f: impl Fn(&ClientStats)) {
        f(&self.stats)
    }
}

/// Cheap to clone; clones share connections, counters and learned regions.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    watch: Option<Arc<Watch>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.cfg)
            .finish_non_exhaustive()
    }
}

fn build_http(cfg: &ClientConfig, connect_timeout: Duration) -> Http {
    Http::new(&HttpSettings {
        timeout: cfg.timeout,
        connect_timeout,
        connect_to: cfg.connect_to,
    })
}

pub struct ClientBuilder {
    cfg: ClientConfig,
    sleeper: Option<Sleeper>,
    clock: Option<Clock>,
    jitter_seed: Option<u64>,
    observer: Option<Observer>,
}

impl ClientBuilder {
    /// Hears of every retry and every long wait, whoever sent the request.
    pub fn observer(mut self, o: Observer) -> Self {
        self.observer = Some(o);
        self
    }

    /// Replaces `tokio::time::sleep` between retries (tests record the delays).
    pub fn sleeper(mut self, s: Sleeper) -> Self {
        self.sleeper = Some(s);
        self
    }

    pub fn clock(mut self, c: Clock) -> Self {
        self.clock = Some(c);
        self
    }

    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    pub fn build(self) -> Client {
        let seed = self.jitter_seed.unwrap_or_else(|| {
            time::unix_secs(SystemTime::now()) as u64 ^ std::process::id() as u64
        });
        Client {
            watch: None,
            inner: Arc::new(Inner {
                http: build_http(&self.cfg, Duration::from_secs(10)),
                accelerator_http: build_http(&self.cfg, Duration::from_secs(3)),
                budget: Budget::remembering(
                    self.cfg.concurrency,
                    self.cfg.qps,
                    self.cfg.throttle_memory.clone().map(|path| {
                        crate::oss::budget::memory::Memory::new(path, self.cfg.account_digest())
                    }),
                ),
                cfg: self.cfg,
                regions: Mutex::new(HashMap::new()),
                vector_regions: Mutex::new(HashMap::new()),
                account: Mutex::new(None),
                stats: ClientStats::default(),
                sleeper: self
                    .sleeper
                    .unwrap_or_else(|| Arc::new(|d| Box::pin(tokio::time::sleep(d)))),
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
                jitter: Mutex::new(Jitter::seeded(seed)),
                observer: self.observer,
                lists_v1: Default::default(),
            }),
        }
    }
}

impl Client {
    pub fn builder(cfg: ClientConfig) -> ClientBuilder {
        ClientBuilder {
            cfg,
            sleeper: None,
            clock: None,
            jitter_seed: None,
            observer: None,
        }
    }

    pub fn new(cfg: ClientConfig) -> Self {
        Self::builder(cfg).build()
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.cfg
    }

    pub fn stats(&self) -> &ClientStats {
        &self.inner.stats
    }

    /// The account's request budget, shared by every clone of this client.
    pub fn budget(&self) -> &Arc<Budget> {
        &self.inner.budget
    }

    /// A client sharing this one's connections and learned regions whose requests
    /// are also counted in the returned [`Watch`]; `observer` hears of each of
    /// their retries (after the failure, before the wait).
    pub fn watched(&self, observer: Option<Observer>) -> (Client, Arc<Watch>) {
        self.watched_until(observer, None)
    }

    /// `watched`, and once `halt` is cancelled the returned client sends no
    /// request that changes something: not a new one, not a retry. Its attempt
    /// fails with [`OssError::Halted`] when it gets its place in the budget,
    /// so a request that waited for the budget through a stop is not sent.
    pub fn watched_until(
        &self,
        observer: Option<Observer>,
        halt: Option<CancellationToken>,
    ) -> (Client, Arc<Watch>) {
        let watch = Arc::new(Watch {
            stats: ClientStats::default(),
            observer,
            halt,
        });
        (
            Client {
                inner: self.inner.clone(),
                watch: Some(watch.clone()),
            },
            watch,
        )
    }

    /// Whether this caller's run was stopped (see `watched_until`).
    fn halted(&self) -> bool {
        self.watch
            .as_ref()
            .and_then(|w| w.halt.as_ref())
            .is_some_and(|h| h.is_cancelled())
    }

    /// Tells the client-wide observer and this caller's own.
    fn notify(&self, n: Notice) {
        if let Some(o) = &self.inner.observer {
            o(&n);
        }
        if let Some(o) = self.watch.as_ref().and_then(|w| w.observer.as_ref()) {
            o(&n);
        }
    }

    /// Adds to the shared counters and, for a watched client, to its own.
    fn count(&self, f: impl Fn(&ClientStats)) {
        f(&self.inner.stats);
        if let Some(w) = &self.watch {
            w.count(&f);
        }
    }

    /// Records a bucket's region (ListBuckets does this for every bucket it sees).
    /// A region a reply names that is not a valid region id is ignored: it would
    /// become part of a host name.
    pub fn learn_region(&self, bucket: &str, region: &str) {
        if endpoint::valid_region(region) {
            self.inner
                .regions
                .lock()
                .unwrap()
                .insert(bucket.to_string(), region.to_string());
        }
    }

    pub fn region_of(&self, bucket: &str) -> String {
        if let Some(r) = self
            .inner
            .cfg
            .bucket_hosts
            .get(bucket)
            .and_then(|h| h.region.clone())
        {
            return r;
        }
        self.inner
            .regions
            .lock()
            .unwrap()
            .get(bucket)
            .cloned()
            .unwrap_or_else(|| self.inner.cfg.region.clone())
    }

    /// (endpoint, host of the endpoint) for a request in `region`.
    fn endpoint_for(&self, region: &str) -> Endpoint {
        let cfg = &self.inner.cfg;
        match &cfg.endpoint {
            Some(e) => e.clone(),
            None => Endpoint {
                scheme: cfg.scheme.clone(),
                host: endpoint::region_host(region, cfg.internal),
                port: cfg.port,
            },
        }
    }

    fn url_and_host(&self, ep: &Endpoint, req: &OssRequest) -> (String, String) {
        let own = req
            .bucket
            .as_deref()
            .and_then(|b| Some((b, self.inner.cfg.bucket_hosts.get(b)?)));
        let (ep, (host, path)) = match own {
            Some((b, h)) => (&h.endpoint, h.target(b, req.key.as_deref())),
            None => (
                ep,
                endpoint::target(
                    &ep.host,
                    self.inner.cfg.addressing,
                    req.bucket.as_deref(),
                    req.key.as_deref(),
                ),
            ),
        };
        let authority = ep.authority(&host);
        let query = encode::query_string(&req.query);
        let url = if query.is_empty() {
            format!("{}://{authority}{path}", ep.scheme)
        } else {
            format!("{}://{authority}{path}?{query}", ep.scheme)
        };
        (url, authority)
    }

    /// Sends a request: signs it for the bucket's region, follows one wrong-region
    /// reply, retries what is retryable. Non-2xx replies become `OssError::Api`.
    pub async fn send(&self, req: &OssRequest) -> Result<Reply, OssError> {
        self.send_via(&self.inner.http, req, None).await
    }

    async fn send_via(
        &self,
        http: &Http,
        req: &OssRequest,
        host_override: Option<&str>,
    ) -> Result<Reply, OssError> {
        let cfg = &self.inner.cfg;
        // OSS Vectors requests carry the account id (in the host and the ARN the
        // signature covers); a service-level call has none.
        let vectors_account = match (req.service, &req.bucket) {
            (Service::Oss, _) => None,
            (Service::Vectors, Some(b)) => {
                super::vectors::validate_bucket_name(b)?;
                Some(self.account_id().await?)
            }
            (Service::Vectors, None) => Some(String::new()),
        };
        if let (Some(b), Service::Oss) = (&req.bucket, req.service) {
            request::validate_bucket_name(b)?;
        }
        let mut region = match (&req.bucket, req.service) {
            (Some(b), Service::Oss) => self.region_of(b),
            (Some(b), Service::Vectors) => self.vector_region_of(b),
            (None, _) => cfg.region.clone(),
        };
        endpoint::check_region(&region)
            .map_err(|e| OssError::InvalidInput(format!("{}: {e}", req.op)))?;
        let mut redirected = false;
        let mut renewed = false;
        let mut attempt_no = 0u32;
        let started = tokio::time::Instant::now();
        let deadline = started + cfg.deadline;
        loop {
            attempt_no += 1;
            let ep = self.endpoint_for(&region);
            let (url, authority) = match (&vectors_account, host_override) {
                (Some(account), _) => self.vectors_url(&region, account, req),
                (None, Some(h)) if cfg.endpoint.is_none() => {
                    let authority = ep.authority(h);
                    let query = encode::query_string(&req.query);
                    let path = format!(
                        "/{}",
                        req.key.as_deref().map(encode::path).unwrap_or_default()
                    );
                    (
                        format!("{}://{authority}{path}?{query}", ep.scheme),
                        authority,
                    )
                }
                _ => self.url_and_host(&ep, req),
            };
            let attempt = self.attempt(
                http,
                &url,
                &authority,
                &region,
                vectors_account.as_deref(),
                req,
            );
            // Each attempt takes its place in the account's budget; the place is
            // given back before any wait for a retry. The wait for it is part
            // of the request: watched (notices) and bounded by its deadline.
            let halted = || OssError::Halted {
                op: req.op,
                sent: attempt_no - 1,
            };
            if !req.read && self.halted() {
                return Err(halted());
            }
            // Boxed: the attempt's future is large, and the callers' futures
            // nest deeply (a run's task stack must not grow with it).
            let watched = self
                .watching(
                    Box::pin(async {
                        let place = self.inner.budget.acquire().await;
                        // A stop that came while this waited for its place: not sent.
                        if !req.read && self.halted() {
                            return None;
                        }
                        Some((place, attempt.await))
                    }),
                    req.op,
                    attempt_no,
                    started,
                    deadline,
                    &authority,
                )
                .await;
            let (err, qos) = match watched {
                Ok(None) => return Err(halted()),
                Ok(Some((place, Attempt::Done(reply)))) => {
                    place.succeeded();
                    return Ok(reply);
                }
                Ok(Some((place, Attempt::Failed(e, q)))) => {
                    drop(place);
                    (e, q)
                }
                Err(timeout) => (timeout, None),
            };
            // A wrong-region reply names the right endpoint: follow it once. With
            // `--endpoint` the host stays and only the signing region changes.
            if let (OssError::Api(api), None) = (&err, &vectors_account) {
                if api.code == "AccessDenied" && !redirected {
                    if let (Some(ep), Some(bucket)) =
                        (api.endpoint.as_deref(), req.bucket.as_deref())
                    {
                        if let Some(r) = endpoint::region_of_host(ep) {
                            if r != region {
                                self.learn_region(bucket, &r);
                                region = r;
                                redirected = true;
                                attempt_no -= 1;
                                continue;
                            }
                        }
                    }
                }
            }
            // Renewed credentials that expired on the way (a request queued
            // past their life): renewed now, and the request sent again once.
            if let (OssError::Api(api), Some(r), false) = (&err, &cfg.renewing, renewed) {
                if api.code == "SecurityTokenExpired" {
                    r.expire().await;
                    renewed = true;
                    attempt_no -= 1;
                    continue;
                }
            }
            let failure = match &err {
                // No reply, or one too large to read: the next may be whole.
                OssError::Transport { .. } | OssError::Malformed { .. } => Failure::Transport,
                OssError::Api(api) => Failure::Status {
                    status: api.status,
                    code: &api.code,
                    qos_delay: qos,
                },
                _ => return Err(err),
            };
            if retry::slows_the_budget(&failure) {
                self.inner.budget.throttled(qos);
            }
            let jitter = self.inner.jitter.lock().unwrap().next_f64();
            match retry::decide(&cfg.retry, &failure, attempt_no, jitter) {
                Verdict::GiveUp => return Err(self.timed_out(err, attempt_no)),
                // No time left for the wait and another attempt: give up now.
                Verdict::Retry { delay, .. } if tokio::time::Instant::now() + delay >= deadline => {
                    return Err(self.timed_out(err, attempt_no))
                }
                Verdict::Retry { delay, throttled } => {
                    self.count(|s| {
                        s.retries.fetch_add(1, Ordering::Relaxed);
                        if throttled {
                            s.throttles.fetch_add(1, Ordering::Relaxed);
                        }
                    });
                    tracing::debug!(
                        op = req.op,
                        attempt = attempt_no,
                        delay_ms = delay.as_millis() as u64,
                        throttled,
                        reason = %err,
                        "retrying"
                    );
                    self.notify(Notice::Retry(RetryNotice {
                        op: req.op,
                        attempt: attempt_no,
                        delay,
                        throttled,
                        reason: err.to_string(),
                    }));
                    (self.inner.sleeper)(delay).await;
                }
            }
        }
    }

    /// Sends a request and parses its reply. A read whose reply does not parse
    /// (cut or garbled in transit) is sent again, a bounded number of times.
    pub(crate) async fn parsed<T>(
        &self,
        req: OssRequest,
        parse: impl Fn(&str) -> Result<T, XmlError>,
    ) -> Result<T, OssError> {
        Ok(self.parsed_dated(req, parse).await?.0)
    }

    /// `parsed`, with the server's clock when it answered (the `Date` header).
    pub(crate) async fn parsed_dated<T>(
        &self,
        req: OssRequest,
        parse: impl Fn(&str) -> Result<T, XmlError>,
    ) -> Result<(T, Option<i64>), OssError> {
        let read = req.read;
        let mut tries = 1;
        loop {
            let reply = self.send(&req).await?;
            match parse(&reply.text()) {
                Ok(v) => {
                    let date = reply
                        .headers
                        .get(http::header::DATE)
                        .and_then(|d| d.to_str().ok())
                        .and_then(parse::http_date);
                    return Ok((v, date));
                }
                // An OSS-compatible endpoint that does not know a sub-resource
                // may answer it with the bucket's listing: not supported there.
                Err(_) if answered_with_a_listing(&req, &reply.text()) => {
                    return Err(OssError::Api(Box::new(ApiError {
                        op: req.op,
                        status: 501,
                        code: "NotImplemented".into(),
                        message: format!(
                            "this endpoint does not support {}: it answered with a bucket listing",
                            req.op
                        ),
                        request_id: None,
                        host_id: None,
                        ec: None,
                        endpoint: None,
                        detail: None,
                        permission: None,
                    })))
                }
                Err(e) if read && tries < pages::MALFORMED_ATTEMPTS => {
                    tracing::debug!(op = req.op, detail = %e.0, "reply did not parse; asking again");
                    tries += 1;
                }
                Err(e) => {
                    return Err(OssError::Malformed {
                        op: req.op,
                        status: reply.status,
                        detail: e.0,
                        snippet: snippet(&reply.body),
                    })
                }
            }
        }
    }

    /// `Ok(None)` when OSS answers one of the "not configured" codes.
    async fn optional<T>(
        &self,
        req: OssRequest,
        absent: &[&str],
        parse: impl Fn(&str) -> Result<T, XmlError>,
    ) -> Result<Option<T>, OssError> {
        match self.parsed(req, parse).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.code().is_some_and(|c| absent.contains(&c)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn no_content(&self, req: OssRequest) -> Result<(), OssError> {
        self.send(&req).await.map(|_| ())
    }
}
