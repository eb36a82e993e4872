//! The OSS client: sends the requests `request` builds, signed, to the right
//! region, with retries; parses replies with `parse`. The only I/O in `oss`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};

use super::credentials::Credentials;
use super::endpoint::{self, Addressing, Endpoint};
use super::error::{parse_error, snippet, ApiError, ErrorHeaders, OssError, TransportKind};
use super::model::*;
use super::parse;
use super::request::{self, OssRequest};
use super::retry::{self, Failure, Jitter, RetryPolicy, Verdict};
use super::sign::{self, SignatureVersion};
use super::xml::XmlError;
use super::{encode, time};

/// How a client reaches OSS.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub credentials: Credentials,
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
    pub timeout: Duration,
}

impl ClientConfig {
    pub fn new(credentials: Credentials, region: impl Into<String>) -> Self {
        ClientConfig {
            credentials,
            region: region.into(),
            endpoint: None,
            addressing: Addressing::Virtual,
            signature_version: SignatureVersion::V4,
            internal: false,
            scheme: "https".into(),
            port: None,
            connect_to: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
        }
    }
}

/// A retry the client is about to make, for the UI and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryNotice {
    pub op: &'static str,
    pub attempt: u32,
    pub delay: Duration,
    pub throttled: bool,
    pub reason: String,
}

/// Counters a UI can read at any time.
#[derive(Debug, Default)]
pub struct ClientStats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub throttles: AtomicU64,
}

pub type RetryObserver = Arc<dyn Fn(&RetryNotice) + Send + Sync>;
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
    http: reqwest::Client,
    accelerator_http: reqwest::Client,
    cfg: ClientConfig,
    regions: Mutex<HashMap<String, String>>,
    stats: ClientStats,
    sleeper: Sleeper,
    clock: Clock,
    jitter: Mutex<Jitter>,
}

/// One caller's own view of the client's work: the retries and throttling its
/// requests met, and who hears of each retry. A run watches itself, so other
/// callers of the same client (a details load in the wizard) never land in it.
pub struct Watch {
    pub stats: ClientStats,
    observer: Option<RetryObserver>,
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

/// Resolves every name to one address (reqwest keeps the URL's port).
struct FixedResolver(IpAddr);

impl reqwest::dns::Resolve for FixedResolver {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let addr = SocketAddr::new(self.0, 0);
        Box::pin(async move { Ok(Box::new(std::iter::once(addr)) as reqwest::dns::Addrs) })
    }
}

fn build_http(cfg: &ClientConfig, connect_timeout: Duration) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .timeout(cfg.timeout)
        .connect_timeout(connect_timeout)
        .pool_max_idle_per_host(64)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("ossweep/", env!("CARGO_PKG_VERSION")));
    if let Some(ip) = cfg.connect_to {
        b = b.dns_resolver(Arc::new(FixedResolver(ip)));
    }
    b.build().expect("the HTTP client configuration is valid")
}

pub struct ClientBuilder {
    cfg: ClientConfig,
    sleeper: Option<Sleeper>,
    clock: Option<Clock>,
    jitter_seed: Option<u64>,
}

impl ClientBuilder {
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
                cfg: self.cfg,
                regions: Mutex::new(HashMap::new()),
                stats: ClientStats::default(),
                sleeper: self
                    .sleeper
                    .unwrap_or_else(|| Arc::new(|d| Box::pin(tokio::time::sleep(d)))),
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
                jitter: Mutex::new(Jitter::seeded(seed)),
            }),
        }
    }
}

fn header_str<'a>(h: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn qos_delay(h: &http::HeaderMap) -> Option<Duration> {
    header_str(h, "x-oss-qos-delay-time")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
}

fn transport_kind(e: &reqwest::Error) -> TransportKind {
    if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    }
}

/// Describes a reqwest error without its URL (which never holds secrets, but keeps messages short).
fn transport_detail(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        let text = s.to_string();
        let text = match text.find(" for url (") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        if !parts.contains(&text) {
            parts.push(text);
        }
        src = s.source();
    }
    parts.join(": ")
}

enum Attempt {
    Done(Reply),
    Failed(OssError, Option<Duration>),
}

impl Client {
    pub fn builder(cfg: ClientConfig) -> ClientBuilder {
        ClientBuilder {
            cfg,
            sleeper: None,
            clock: None,
            jitter_seed: None,
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

    /// A client sharing this one's connections and learned regions whose requests
    /// are also counted in the returned [`Watch`]; `observer` hears of each of
    /// their retries (after the failure, before the wait).
    pub fn watched(&self, observer: Option<RetryObserver>) -> (Client, Arc<Watch>) {
        let watch = Arc::new(Watch {
            stats: ClientStats::default(),
            observer,
        });
        (
            Client {
                inner: self.inner.clone(),
                watch: Some(watch.clone()),
            },
            watch,
        )
    }

    /// Adds to the shared counters and, for a watched client, to its own.
    fn count(&self, f: impl Fn(&ClientStats)) {
        f(&self.inner.stats);
        if let Some(w) = &self.watch {
            w.count(&f);
        }
    }

    /// Records a bucket's region (ListBuckets does this for every bucket it sees).
    pub fn learn_region(&self, bucket: &str, region: &str) {
        if !region.is_empty() {
            self.inner
                .regions
                .lock()
                .unwrap()
                .insert(bucket.to_string(), region.to_string());
        }
    }

    pub fn region_of(&self, bucket: &str) -> String {
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
        let (host, path) = endpoint::target(
            &ep.host,
            self.inner.cfg.addressing,
            req.bucket.as_deref(),
            req.key.as_deref(),
        );
        let authority = ep.authority(&host);
        let query = encode::query_string(&req.query);
        let url = if query.is_empty() {
            format!("{}://{authority}{path}", ep.scheme)
        } else {
            format!("{}://{authority}{path}?{query}", ep.scheme)
        };
        (url, authority)
    }

    async fn attempt(
        &self,
        http: &reqwest::Client,
        url: &str,
        authority: &str,
        region: &str,
        req: &OssRequest,
    ) -> Attempt {
        let cfg = &self.inner.cfg;
        let mut headers = req.headers.clone();
        let now = time::unix_secs((self.inner.clock)());
        sign::sign_headers(
            cfg.signature_version,
            sign::Target {
                method: req.method,
                bucket: req.bucket.as_deref(),
                key: req.key.as_deref(),
                query: &req.query,
            },
            &mut headers,
            &cfg.credentials,
            region,
            now,
        );
        let method =
            http::Method::from_bytes(req.method.as_bytes()).expect("builders use valid methods");
        let mut rb = http.request(method, url);
        for (n, v) in &headers {
            match http::HeaderValue::from_str(v) {
                Ok(mut hv) => {
                    if n.eq_ignore_ascii_case("authorization")
                        || n.eq_ignore_ascii_case("x-oss-security-token")
                    {
                        hv.set_sensitive(true);
                    }
                    rb = rb.header(n.as_str(), hv);
                }
                Err(_) => {
                    return Attempt::Failed(
                        OssError::InvalidInput(format!(
                            "{}: header {n} has characters HTTP cannot carry",
                            req.op
                        )),
                        None,
                    )
                }
            }
        }
        if !req.body.is_empty() || matches!(req.method, "POST" | "PUT") {
            rb = rb.body(req.body.clone());
        }
        self.count(|s| {
            s.requests.fetch_add(1, Ordering::Relaxed);
        });
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                let host = authority.to_string();
                return Attempt::Failed(
                    OssError::Transport {
                        op: req.op,
                        host,
                        kind: transport_kind(&e),
                        detail: transport_detail(&e),
                    },
                    None,
                );
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return Attempt::Failed(
                    OssError::Transport {
                        op: req.op,
                        host: authority.to_string(),
                        kind: transport_kind(&e),
                        detail: transport_detail(&e),
                    },
                    None,
                )
            }
        };
        if (200..300).contains(&status) {
            if qos_delay(&headers).is_some() {
                self.count(|s| {
                    s.throttles.fetch_add(1, Ordering::Relaxed);
                });
            }
            return Attempt::Done(Reply {
                status,
                headers,
                body,
            });
        }
        let eh = ErrorHeaders {
            request_id: header_str(&headers, "x-oss-request-id"),
            ec: header_str(&headers, "x-oss-ec"),
            err: header_str(&headers, "x-oss-err"),
            error_type: header_str(&headers, "x-oss-error-type"),
        };
        let mut api: ApiError = parse_error(req.op, status, &body, &eh);
        api.permission = Some(req.permission);
        Attempt::Failed(OssError::Api(Box::new(api)), qos_delay(&headers))
    }

    /// Sends a request: signs it for the bucket's region, follows one wrong-region
    /// reply, retries what is retryable. Non-2xx replies become `OssError::Api`.
    pub async fn send(&self, req: &OssRequest) -> Result<Reply, OssError> {
        self.send_via(&self.inner.http, req, None).await
    }

    async fn send_via(
        &self,
        http: &reqwest::Client,
        req: &OssRequest,
        host_override: Option<&str>,
    ) -> Result<Reply, OssError> {
        if let Some(b) = &req.bucket {
            request::validate_bucket_name(b)?;
        }
        let cfg = &self.inner.cfg;
        let mut region = match &req.bucket {
            Some(b) => self.region_of(b),
            None => cfg.region.clone(),
        };
        let mut redirected = false;
        let mut attempt_no = 0u32;
        loop {
            attempt_no += 1;
            let ep = self.endpoint_for(&region);
            let (url, authority) = match host_override {
                Some(h) if cfg.endpoint.is_none() => {
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
            let (err, qos) = match self.attempt(http, &url, &authority, &region, req).await {
                Attempt::Done(reply) => return Ok(reply),
                Attempt::Failed(e, q) => (e, q),
            };
            // A wrong-region reply names the right endpoint: follow it once. With
            // `--endpoint` the host stays and only the signing region changes.
            if let OssError::Api(api) = &err {
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
            let failure = match &err {
                OssError::Transport { .. } => Failure::Transport,
                OssError::Api(api) => Failure::Status {
                    status: api.status,
                    code: &api.code,
                    qos_delay: qos,
                },
                _ => return Err(err),
            };
            let jitter = self.inner.jitter.lock().unwrap().next_f64();
            match retry::decide(&cfg.retry, &failure, attempt_no, jitter) {
                Verdict::GiveUp => return Err(err),
                Verdict::Retry { delay, throttled } => {
                    self.count(|s| {
                        s.retries.fetch_add(1, Ordering::Relaxed);
                        if throttled {
                            s.throttles.fetch_add(1, Ordering::Relaxed);
                        }
                    });
                    let notice = RetryNotice {
                        op: req.op,
                        attempt: attempt_no,
                        delay,
                        throttled,
                        reason: err.to_string(),
                    };
                    if let Some(obs) = self.watch.as_ref().and_then(|w| w.observer.as_ref()) {
                        obs(&notice);
                    }
                    (self.inner.sleeper)(delay).await;
                }
            }
        }
    }

    async fn parsed<T>(
        &self,
        req: OssRequest,
        parse: impl FnOnce(&str) -> Result<T, XmlError>,
    ) -> Result<T, OssError> {
        let reply = self.send(&req).await?;
        parse(&reply.text()).map_err(|e| OssError::Malformed {
            op: req.op,
            status: reply.status,
            detail: e.0,
            snippet: snippet(&reply.body),
        })
    }

    /// `Ok(None)` when OSS answers one of the "not configured" codes.
    async fn optional<T>(
        &self,
        req: OssRequest,
        absent: &[&str],
        parse: impl FnOnce(&str) -> Result<T, XmlError>,
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

    // ------------------------------------------------------------ buckets

    pub async fn list_buckets_page(
        &self,
        prefix: Option<&str>,
        marker: Option<&str>,
        max_keys: u32,
    ) -> Result<ListBucketsPage, OssError> {
        let page = self
            .parsed(
                request::list_buckets(prefix, marker, max_keys),
                parse::list_buckets,
            )
            .await?;
        for b in &page.buckets {
            self.learn_region(&b.name, &b.region);
        }
        Ok(page)
    }

    /// Every bucket of the account, all regions, page by page.
    pub fn list_buckets(&self) -> BoxStream<'static, Result<BucketSummary, OssError>> {
        let c = self.clone();
        paginate(move |marker: Option<String>| {
            let c = c.clone();
            async move {
                let page = c.list_buckets_page(None, marker.as_deref(), 1000).await?;
                Ok((page.buckets, page.next_marker))
            }
        })
    }

    pub async fn get_bucket_info(&self, bucket: &str) -> Result<BucketInfo, OssError> {
        let info = self
            .parsed(request::get_bucket_info(bucket), parse::bucket_info)
            .await?;
        self.learn_region(bucket, &info.region);
        Ok(info)
    }

    pub async fn get_bucket_location(&self, bucket: &str) -> Result<String, OssError> {
        self.parsed(request::get_bucket_location(bucket), parse::bucket_location)
            .await
    }

    pub async fn get_bucket_stat(&self, bucket: &str) -> Result<BucketStat, OssError> {
        self.parsed(request::get_bucket_stat(bucket), parse::bucket_stat)
            .await
    }

    pub async fn get_bucket_versioning(&self, bucket: &str) -> Result<Versioning, OssError> {
        self.parsed(
            request::get_bucket_versioning(bucket),
            parse::bucket_versioning,
        )
        .await
    }

    pub async fn delete_bucket(&self, bucket: &str) -> Result<(), OssError> {
        self.no_content(request::delete_bucket(bucket)).await
    }

    // ------------------------------------------------------------ objects

    pub async fn list_objects_v2_page(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        token: Option<&str>,
        max_keys: u32,
    ) -> Result<ListObjectsPage, OssError> {
        self.parsed(
            request::list_objects_v2(bucket, prefix, token, max_keys),
            parse::list_objects_v2,
        )
        .await
    }

    /// Current objects, one page (up to `max_keys`) at a time. The next page is
    /// requested before this one is parsed.
    pub fn list_objects_pages(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        max_keys: u32,
    ) -> BoxStream<'static, Result<Vec<ObjectSummary>, OssError>> {
        let (bucket, prefix) = (bucket.to_string(), prefix.map(str::to_string));
        prefetched_pages(
            self.clone(),
            None,
            move |token: Option<&String>| {
                request::list_objects_v2(
                    &bucket,
                    prefix.as_deref(),
                    token.map(String::as_str),
                    max_keys,
                )
            },
            parse::peek_objects_token,
            |body| parse::list_objects_v2(body).map(|p| (p.objects, p.next_continuation_token)),
        )
    }

    /// Current objects, listed by up to `streams` concurrent range listings after
    /// the first page (see `split`). Pages arrive in no particular order.
    pub fn list_objects_pages_split(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        streams: usize,
    ) -> BoxStream<'static, Result<Vec<ObjectSummary>, OssError>> {
        let (b1, p1, b2, p2) = (
            bucket.to_string(),
            prefix.map(str::to_string),
            bucket.to_string(),
            prefix.map(str::to_string),
        );
        split_pages(
            self.clone(),
            Splitter {
                build: Arc::new(move |m: Option<&ObjectsMarker>| match m {
                    None => request::list_objects_v2(&b1, p1.as_deref(), None, 1000),
                    Some(ObjectsMarker::Token(t)) => {
                        request::list_objects_v2(&b1, p1.as_deref(), Some(t), 1000)
                    }
                    Some(ObjectsMarker::StartAfter(k)) => {
                        request::list_objects_v2_after(&b1, p1.as_deref(), k, 1000)
                    }
                }),
                probe: Arc::new(move |after: &str| {
                    request::list_objects_v2_after(&b2, p2.as_deref(), after, 1)
                }),
                start_after: ObjectsMarker::StartAfter,
                key_of: |o: &ObjectSummary| o.key.as_str(),
                peek: |body| parse::peek_objects_token(body).map(|t| t.map(ObjectsMarker::Token)),
                parse: |body| {
                    parse::list_objects_v2(body).map(|p| {
                        (
                            p.objects,
                            p.next_continuation_token.map(ObjectsMarker::Token),
                        )
                    })
                },
            },
            prefix.unwrap_or_default().to_string(),
            streams,
        )
    }

    /// Every version and delete marker, listed by up to `streams` concurrent range
    /// listings after the first page. Pages arrive in no particular order; all
    /// versions of one key stay in one range.
    pub fn list_object_versions_pages_split(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        streams: usize,
    ) -> BoxStream<'static, Result<Vec<ObjectVersion>, OssError>> {
        let (b1, p1, b2, p2) = (
            bucket.to_string(),
            prefix.map(str::to_string),
            bucket.to_string(),
            prefix.map(str::to_string),
        );
        split_pages(
            self.clone(),
            Splitter {
                build: Arc::new(move |m: Option<&(String, Option<String>)>| {
                    let (km, vm) = match m {
                        Some((k, v)) => (Some(k.as_str()), v.as_deref()),
                        None => (None, None),
                    };
                    request::list_object_versions(&b1, p1.as_deref(), km, vm, 1000)
                }),
                probe: Arc::new(move |after: &str| {
                    request::list_object_versions(&b2, p2.as_deref(), Some(after), None, 1)
                }),
                start_after: |k| (k, None),
                key_of: |v: &ObjectVersion| v.key.as_str(),
                peek: parse::peek_versions_marker,
                parse: |body| {
                    parse::list_object_versions(body).map(|p| {
                        (
                            p.entries,
                            p.next_key_marker.map(|k| (k, p.next_version_id_marker)),
                        )
                    })
                },
            },
            prefix.unwrap_or_default().to_string(),
            streams,
        )
    }

    /// Every entry of a bucket as versions, listed in parallel ranges: versions and
    /// delete markers when `versioned`, else current objects (as `null` versions).
    pub fn list_entries_split(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        versioned: bool,
        streams: usize,
    ) -> BoxStream<'static, Result<Vec<ObjectVersion>, OssError>> {
        if versioned {
            return self.list_object_versions_pages_split(bucket, prefix, streams);
        }
        self.list_objects_pages_split(bucket, prefix, streams)
            .map(|page| page.map(|objects| objects.into_iter().map(ObjectVersion::from).collect()))
            .boxed()
    }

    pub fn list_objects(
        &self,
        bucket: &str,
        prefix: Option<&str>,
    ) -> BoxStream<'static, Result<ObjectSummary, OssError>> {
        flatten(self.list_objects_pages(bucket, prefix, 1000))
    }

    pub async fn list_object_versions_page(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        key_marker: Option<&str>,
        version_id_marker: Option<&str>,
        max_keys: u32,
    ) -> Result<ListVersionsPage, OssError> {
        self.parsed(
            request::list_object_versions(bucket, prefix, key_marker, version_id_marker, max_keys),
            parse::list_object_versions,
        )
        .await
    }

    /// Every version and delete marker, one page at a time. The next page is
    /// requested before this one is parsed.
    pub fn list_object_versions_pages(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        max_keys: u32,
    ) -> BoxStream<'static, Result<Vec<ObjectVersion>, OssError>> {
        let (bucket, prefix) = (bucket.to_string(), prefix.map(str::to_string));
        prefetched_pages(
            self.clone(),
            None,
            move |marker: Option<&(String, Option<String>)>| {
                let (km, vm) = match marker {
                    Some((k, v)) => (Some(k.as_str()), v.as_deref()),
                    None => (None, None),
                };
                request::list_object_versions(&bucket, prefix.as_deref(), km, vm, max_keys)
            },
            parse::peek_versions_marker,
            |body| {
                parse::list_object_versions(body).map(|p| {
                    (
                        p.entries,
                        p.next_key_marker.map(|k| (k, p.next_version_id_marker)),
                    )
                })
            },
        )
    }

    pub fn list_object_versions(
        &self,
        bucket: &str,
        prefix: Option<&str>,
    ) -> BoxStream<'static, Result<ObjectVersion, OssError>> {
        flatten(self.list_object_versions_pages(bucket, prefix, 1000))
    }

    /// DeleteObject. Without `version_id` on a versioned bucket this only adds a delete marker.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<(), OssError> {
        self.no_content(request::delete_object(bucket, key, version_id))
            .await
    }

    /// DeleteMultipleObjects (verbose): one outcome per requested key, in order.
    pub async fn delete_multiple_objects(
        &self,
        bucket: &str,
        objects: &[ObjectIdentifier],
    ) -> Result<Vec<KeyOutcome>, OssError> {
        let req = request::delete_multiple_objects(bucket, objects)?;
        let deleted = self.parsed(req, parse::delete_result).await?;
        Ok(parse::match_deleted(objects, &deleted))
    }

    // ------------------------------------------------------------ multipart uploads

    pub async fn list_multipart_uploads_page(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        key_marker: Option<&str>,
        upload_id_marker: Option<&str>,
        max: u32,
    ) -> Result<ListUploadsPage, OssError> {
        self.parsed(
            request::list_multipart_uploads(bucket, prefix, key_marker, upload_id_marker, max),
            parse::list_multipart_uploads,
        )
        .await
    }

    pub fn list_multipart_uploads_pages(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        max: u32,
    ) -> BoxStream<'static, Result<Vec<MultipartUpload>, OssError>> {
        let (c, bucket, prefix) = (self.clone(), bucket.to_string(), prefix.map(str::to_string));
        paginate_pages(move |marker: Option<(String, Option<String>)>| {
            let (c, bucket, prefix) = (c.clone(), bucket.clone(), prefix.clone());
            async move {
                let (km, um) = match &marker {
                    Some((k, u)) => (Some(k.as_str()), u.as_deref()),
                    None => (None, None),
                };
                let page = c
                    .list_multipart_uploads_page(&bucket, prefix.as_deref(), km, um, max)
                    .await?;
                Ok((
                    page.uploads,
                    page.next_key_marker
                        .map(|k| (k, page.next_upload_id_marker)),
                ))
            }
        })
    }

    pub fn list_multipart_uploads(
        &self,
        bucket: &str,
        prefix: Option<&str>,
    ) -> BoxStream<'static, Result<MultipartUpload, OssError>> {
        flatten(self.list_multipart_uploads_pages(bucket, prefix, 1000))
    }

    /// Aborts an upload; an upload already gone (`NoSuchUpload`) counts as done.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(), OssError> {
        match self
            .no_content(request::abort_multipart_upload(bucket, key, upload_id))
            .await
        {
            Err(e) if e.is_code("NoSuchUpload") => Ok(()),
            other => other,
        }
    }

    // ------------------------------------------------------------ LiveChannels

    pub fn list_live_channels(
        &self,
        bucket: &str,
    ) -> BoxStream<'static, Result<LiveChannel, OssError>> {
        let (c, bucket) = (self.clone(), bucket.to_string());
        paginate(move |marker: Option<String>| {
            let (c, bucket) = (c.clone(), bucket.clone());
            async move {
                let page = c
                    .parsed(
                        request::list_live_channel(&bucket, None, marker.as_deref(), 1000),
                        parse::list_live_channels,
                    )
                    .await?;
                Ok((page.channels, page.next_marker))
            }
        })
    }

    /// Deletes a LiveChannel; one that is being pushed to is disabled first.
    pub async fn delete_live_channel(&self, bucket: &str, channel: &str) -> Result<(), OssError> {
        let result = match self
            .no_content(request::delete_live_channel(bucket, channel))
            .await
        {
            Err(e) if e.is_code("ChannelStillLive") => {
                self.no_content(request::put_live_channel_status(bucket, channel, false))
                    .await?;
                self.no_content(request::delete_live_channel(bucket, channel))
                    .await
            }
            other => other,
        };
        match result {
            Err(e) if e.is_code("NoSuchLiveChannel") => Ok(()),
            other => other,
        }
    }

    // ------------------------------------------------------------ access points

    pub fn list_access_points(
        &self,
        bucket: &str,
    ) -> BoxStream<'static, Result<AccessPoint, OssError>> {
        let (c, bucket) = (self.clone(), bucket.to_string());
        paginate(move |token: Option<String>| {
            let (c, bucket) = (c.clone(), bucket.clone());
            async move {
                let page = c
                    .parsed(
                        request::list_access_points(&bucket, token.as_deref(), 100),
                        parse::list_access_points,
                    )
                    .await?;
                Ok((page.access_points, page.next_continuation_token))
            }
        })
    }

    /// `Ok(None)` once the access point is gone (`NoSuchAccessPoint`).
    pub async fn get_access_point(
        &self,
        bucket: &str,
        name: &str,
    ) -> Result<Option<AccessPointDetail>, OssError> {
        self.optional(
            request::get_access_point(bucket, name),
            &["NoSuchAccessPoint"],
            parse::get_access_point,
        )
        .await
    }

    pub async fn delete_access_point(&self, bucket: &str, name: &str) -> Result<(), OssError> {
        match self
            .no_content(request::delete_access_point(bucket, name))
            .await
        {
            Err(e) if e.is_code("NoSuchAccessPoint") => Ok(()),
            other => other,
        }
    }

    /// The policy document, `None` when the access point has none.
    pub async fn get_access_point_policy(
        &self,
        bucket: &str,
        name: &str,
    ) -> Result<Option<String>, OssError> {
        self.optional(
            request::get_access_point_policy(bucket, name),
            &["NoSuchAccessPointPolicy", "NoSuchAccessPoint"],
            |s| Ok(s.to_string()),
        )
        .await
    }

    pub async fn delete_access_point_policy(
        &self,
        bucket: &str,
        name: &str,
    ) -> Result<(), OssError> {
        match self
            .no_content(request::delete_access_point_policy(bucket, name))
            .await
        {
            Err(e) if e.is_code("NoSuchAccessPointPolicy") || e.is_code("NoSuchAccessPoint") => {
                Ok(())
            }
            other => other,
        }
    }

    // ------------------------------------------------------------ configuration

    pub async fn get_bucket_replication(
        &self,
        bucket: &str,
    ) -> Result<Vec<ReplicationRule>, OssError> {
        Ok(self
            .optional(
                request::get_bucket_replication(bucket),
                &["NoSuchReplicationConfiguration"],
                parse::bucket_replication,
            )
            .await?
            .unwrap_or_default())
    }

    pub async fn get_bucket_worm(
        &self,
        bucket: &str,
    ) -> Result<Option<WormConfiguration>, OssError> {
        self.optional(
            request::get_bucket_worm(bucket),
            &["NoSuchWORMConfiguration"],
            parse::bucket_worm,
        )
        .await
    }

    pub async fn get_bucket_website(
        &self,
        bucket: &str,
    ) -> Result<Option<WebsiteConfiguration>, OssError> {
        self.optional(
            request::get_bucket_website(bucket),
            &["NoSuchWebsiteConfiguration"],
            parse::bucket_website,
        )
        .await
    }

    pub async fn list_cname(&self, bucket: &str) -> Result<Vec<CnameBinding>, OssError> {
        self.parsed(request::list_cname(bucket), parse::list_cname)
            .await
    }

    pub async fn get_bucket_policy(&self, bucket: &str) -> Result<Option<String>, OssError> {
        self.optional(
            request::get_bucket_policy(bucket),
            &["NoSuchBucketPolicy"],
            |s| Ok(s.to_string()),
        )
        .await
    }

    pub async fn get_bucket_lifecycle(
        &self,
        bucket: &str,
    ) -> Result<Option<LifecycleConfiguration>, OssError> {
        self.optional(
            request::get_bucket_lifecycle(bucket),
            &["NoSuchLifecycle"],
            parse::bucket_lifecycle,
        )
        .await
    }

    pub async fn put_bucket_lifecycle(&self, bucket: &str, xml: &str) -> Result<(), OssError> {
        self.no_content(request::put_bucket_lifecycle(bucket, xml))
            .await
    }

    pub async fn delete_bucket_lifecycle(&self, bucket: &str) -> Result<(), OssError> {
        self.no_content(request::delete_bucket_lifecycle(bucket))
            .await
    }

    // ------------------------------------------------------------ accelerators

    /// Accelerator calls go to `<bucket>.<zone>-internal.oss-data-acc.aliyuncs.com`,
    /// reachable only inside the region: a short connect timeout and a clear error
    /// instead of a long hang.
    async fn accelerator_call<T>(
        &self,
        req: OssRequest,
        zone: &str,
        parse: impl FnOnce(&str) -> Result<T, XmlError>,
    ) -> Result<T, OssError> {
        let bucket = req.bucket.clone().unwrap_or_default();
        let host = endpoint::accelerator_host(&bucket, zone);
        let reply = match self
            .send_via(&self.inner.accelerator_http, &req, Some(&host))
            .await
        {
            Ok(r) => r,
            Err(OssError::Transport { .. }) if self.inner.cfg.endpoint.is_none() => {
                return Err(OssError::AcceleratorUnreachable {
                    op: req.op,
                    host,
                    region: self.region_of(&bucket),
                })
            }
            Err(e) => return Err(e),
        };
        parse(&reply.text()).map_err(|e| OssError::Malformed {
            op: req.op,
            status: reply.status,
            detail: e.0,
            snippet: snippet(&reply.body),
        })
    }

    /// The accelerators of a bucket in one zone (empty when there are none).
    pub async fn get_bucket_data_accelerator(
        &self,
        bucket: &str,
        zone: &str,
    ) -> Result<Vec<DataAccelerator>, OssError> {
        match self
            .accelerator_call(
                request::get_bucket_data_accelerator(bucket, zone),
                zone,
                parse::data_accelerators,
            )
            .await
        {
            Err(e) if e.is_code("DataAcceleratorNotFound") || e.is_code("NoSuchConfiguration") => {
                Ok(Vec::new())
            }
            other => other,
        }
    }

    pub async fn delete_bucket_data_accelerator(
        &self,
        bucket: &str,
        zone: &str,
    ) -> Result<(), OssError> {
        self.accelerator_call(
            request::delete_bucket_data_accelerator(bucket, zone),
            zone,
            |_| Ok(()),
        )
        .await
    }

    // ------------------------------------------------------------ writes for fixtures

    pub async fn put_bucket(
        &self,
        bucket: &str,
        storage_class: Option<&str>,
    ) -> Result<(), OssError> {
        self.no_content(request::put_bucket(bucket, storage_class))
            .await
    }

    pub async fn put_bucket_versioning(&self, bucket: &str, enabled: bool) -> Result<(), OssError> {
        self.no_content(request::put_bucket_versioning(bucket, enabled))
            .await
    }

    pub async fn put_object(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), OssError> {
        self.no_content(request::put_object(bucket, key, body))
            .await
    }
}

/// Pages as a stream with one request of lookahead: the next page's marker is
/// peeked from a reply (see `parse::peek_*`) and that page is requested while
/// this one is parsed. The full parse must agree with the peek, or the stream
/// ends with an error rather than skip or repeat a page.
pub fn prefetched_pages<M, T>(
    client: Client,
    initial: Option<M>,
    build: impl Fn(Option<&M>) -> OssRequest + Send + Sync + 'static,
    peek: MarkerPeek<M>,
    parse: PageParser<M, T>,
) -> BoxStream<'static, Result<Vec<T>, OssError>>
where
    M: Clone + PartialEq + Send + Sync + 'static,
    T: Send + 'static,
{
    type Pending = tokio::task::JoinHandle<Result<(Reply, &'static str), OssError>>;
    let build = Arc::new(build);
    let spawn = move |client: &Client, build: &PageRequest<M>, marker: Option<M>| -> Pending {
        let req = build(marker.as_ref());
        let client = client.clone();
        tokio::spawn(async move { client.send(&req).await.map(|r| (r, req.op)) })
    };
    let build: PageRequest<M> = build;
    let first = spawn(&client, &build, initial);
    stream::unfold(Some(first), move |pending| {
        let (client, build) = (client.clone(), build.clone());
        async move {
            let pending = pending?;
            let (reply, op) = match pending.await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => return Some((Err(e), None)),
                Err(e) => {
                    return Some((
                        Err(OssError::InvalidInput(format!("listing task failed: {e}"))),
                        None,
                    ))
                }
            };
            let malformed = |detail: String| OssError::Malformed {
                op,
                status: reply.status,
                detail,
                snippet: snippet(&reply.body),
            };
            let body = reply.text();
            let next = match peek(&body) {
                Ok(n) => n,
                Err(e) => return Some((Err(malformed(e.0)), None)),
            };
            let following = next.clone().map(|m| spawn(&client, &build, Some(m)));
            match parse(&body) {
                Ok((items, parsed_next)) if parsed_next == next => Some((Ok(items), following)),
                Ok(_) => {
                    if let Some(f) = following {
                        f.abort();
                    }
                    Some((
                        Err(malformed("the next-page marker is inconsistent".into())),
                        None,
                    ))
                }
                Err(e) => {
                    if let Some(f) = following {
                        f.abort();
                    }
                    Some((Err(malformed(e.0)), None))
                }
            }
        }
    })
    .boxed()
}

/// Builds the request for a page, given where to resume.
pub type PageRequest<M> = Arc<dyn Fn(Option<&M>) -> OssRequest + Send + Sync>;
/// Parses a page into its entries and the next page's marker.
pub type PageParser<M, T> = fn(&str) -> Result<(Vec<T>, Option<M>), XmlError>;
/// Reads the next page's marker without parsing the entries.
pub type MarkerPeek<M> = fn(&str) -> Result<Option<M>, XmlError>;

/// Where a range listing of current objects resumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectsMarker {
    StartAfter(String),
    Token(String),
}

/// How to list, probe and resume one kind of listing.
pub struct Splitter<M, T> {
    pub build: PageRequest<M>,
    /// A one-entry listing after a key.
    pub probe: Arc<dyn Fn(&str) -> OssRequest + Send + Sync>,
    /// The marker that starts a listing right after a key (and all its versions).
    pub start_after: fn(String) -> M,
    pub key_of: fn(&T) -> &str,
    pub peek: MarkerPeek<M>,
    pub parse: PageParser<M, T>,
}

/// Lists the first page, then splits the rest of the key space (`split`) and
/// lists the ranges at the same time, each stopping at its upper bound. Every key
/// is listed by exactly one range.
pub fn split_pages<M, T>(
    client: Client,
    s: Splitter<M, T>,
    prefix: String,
    streams: usize,
) -> BoxStream<'static, Result<Vec<T>, OssError>>
where
    M: Clone + PartialEq + Send + Sync + 'static,
    T: Send + 'static,
{
    use futures::TryStreamExt;
    let setup = async move {
        let req = (s.build)(None);
        let reply = client.send(&req).await?;
        let malformed = |e: XmlError| OssError::Malformed {
            op: req.op,
            status: reply.status,
            detail: e.0,
            snippet: snippet(&reply.body),
        };
        let (items, next) = (s.parse)(&reply.text()).map_err(malformed)?;
        let keys = items
            .first()
            .map(|f| (s.key_of)(f).to_string())
            .zip(items.last().map(|l| (s.key_of)(l).to_string()));
        let head = stream::iter(vec![Ok(items)]);
        let (Some(next), Some((first_key, last_key))) = (next, keys) else {
            return Ok::<_, OssError>(head.boxed());
        };
        let build = s.build.clone();
        let resume = move |client: &Client, from: M| {
            prefetched_pages(
                client.clone(),
                Some(from),
                {
                    let b = build.clone();
                    move |m: Option<&M>| b(m)
                },
                s.peek,
                s.parse,
            )
        };
        if streams <= 1 {
            return Ok(head.chain(resume(&client, next)).boxed());
        }
        // Probe the candidates at once: which of them have keys behind them?
        let candidates = crate::oss::split::candidates(&first_key, &last_key, &prefix, 8, 4);
        let probes = futures::future::join_all(candidates.into_iter().map(|c| {
            let (client, probe, parse, key_of) =
                (client.clone(), s.probe.clone(), s.parse, s.key_of);
            async move {
                let after = match client.send(&probe(&c)).await {
                    Ok(reply) => parse(&reply.text())
                        .ok()
                        .and_then(|(items, _)| items.first().map(|i| key_of(i).to_string())),
                    Err(_) => None,
                };
                (c, after)
            }
        }))
        .await;
        let splits = crate::oss::split::choose(&last_key, &probes, streams - 1);
        let key_of = s.key_of;
        let ranges: Vec<BoxStream<'static, Result<Vec<T>, OssError>>> =
            crate::oss::split::ranges(&splits)
                .into_iter()
                .map(|(lo, hi)| {
                    let from = match lo {
                        None => next.clone(),
                        Some(k) => (s.start_after)(k),
                    };
                    bounded(resume(&client, from), hi, key_of)
                })
                .collect();
        Ok(head.chain(stream::select_all(ranges)).boxed())
    };
    stream::once(setup).try_flatten().boxed()
}

/// Ends a range listing at its upper bound (inclusive): entries past it belong to
/// the next range.
fn bounded<T: Send + 'static>(
    pages: BoxStream<'static, Result<Vec<T>, OssError>>,
    hi: Option<String>,
    key_of: fn(&T) -> &str,
) -> BoxStream<'static, Result<Vec<T>, OssError>> {
    stream::unfold((pages, false), move |(mut pages, done)| {
        let hi = hi.clone();
        async move {
            if done {
                return None;
            }
            match pages.next().await? {
                Err(e) => Some((Err(e), (pages, true))),
                Ok(mut page) => {
                    let over = hi
                        .as_deref()
                        .is_some_and(|h| page.iter().any(|t| key_of(t) > h));
                    if let Some(h) = hi.as_deref().filter(|_| over) {
                        page.retain(|t| key_of(t) <= h);
                    }
                    Some((Ok(page), (pages, over)))
                }
            }
        }
    })
    .boxed()
}

/// Pages as a stream: `fetch(marker)` returns one page's items and the next marker.
/// One page is held at a time; after an error the stream ends.
pub fn paginate_pages<M, T, F, Fut>(fetch: F) -> BoxStream<'static, Result<Vec<T>, OssError>>
where
    M: Send + 'static,
    T: Send + 'static,
    F: Fn(Option<M>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<M>), OssError>> + Send + 'static,
{
    enum State<M> {
        Start,
        Next(M),
        Done,
    }
    stream::unfold((State::Start, fetch), |(state, fetch)| async move {
        let marker = match state {
            State::Start => None,
            State::Next(m) => Some(m),
            State::Done => return None,
        };
        match fetch(marker).await {
            Ok((items, Some(next))) => Some((Ok(items), (State::Next(next), fetch))),
            Ok((items, None)) => Some((Ok(items), (State::Done, fetch))),
            Err(e) => Some((Err(e), (State::Done, fetch))),
        }
    })
    .boxed()
}

/// Item stream over [`paginate_pages`].
pub fn paginate<M, T, F, Fut>(fetch: F) -> BoxStream<'static, Result<T, OssError>>
where
    M: Send + 'static,
    T: Send + 'static,
    F: Fn(Option<M>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<M>), OssError>> + Send + 'static,
{
    flatten(paginate_pages(fetch))
}

fn flatten<T: Send + 'static>(
    pages: BoxStream<'static, Result<Vec<T>, OssError>>,
) -> BoxStream<'static, Result<T, OssError>> {
    pages
        .flat_map(|page| match page {
            Ok(items) => stream::iter(items.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(e) => stream::iter(vec![Err(e)]),
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    #[tokio::test]
    async fn pagination_walks_every_page_then_stops() {
        let pages = paginate(|marker: Option<u32>| async move {
            let n = marker.unwrap_or(0);
            let items: Vec<u32> = (n * 3..n * 3 + 3).collect();
            Ok((items, (n < 3).then_some(n + 1)))
        });
        let all: Vec<u32> = pages.try_collect().await.unwrap();
        assert_eq!(all, (0..12).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn pagination_ends_after_an_error() {
        let pages = paginate_pages(|marker: Option<u32>| async move {
            match marker {
                None => Ok((vec![1], Some(1))),
                Some(_) => Err(OssError::InvalidInput("boom".into())),
            }
        });
        let got: Vec<_> = pages.collect().await;
        assert_eq!(got.len(), 2);
        assert!(got[0].is_ok() && got[1].is_err());
    }
}
