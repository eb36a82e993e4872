//! ossweep's built-in OSS emulator: `ossweep demo`, `ossweep emulator`, and the
//! backend of every integration test and benchmark.
//!
//! Layers: `server` (HTTP, addressing, auth, faults) -> `ops` (routes a request
//! to its [`op::Op`] once, and one exhaustive match picks its handler) -> the
//! handlers (`ops::buckets`, `ops::objects`, `multipart`, `live`,
//! `access_point`, `config`, `vectors`: one function per operation) -> `store`
//! (the data and OSS's rules). What handlers share (request, reply, error
//! reply, context, the checks OSS applies everywhere) is in `protocol`, which
//! they import; nothing imports the router back.
//!
//! What the emulator models, in detail (its command and faults: tests/README.md):
//!
//! # The emulator
//!
//! The emulator behaves like OSS where a bucket-deletion tool depends on it:
//!
//! * virtual-hosted (`<bucket>.oss-<region>.aliyuncs.com`, `<bucket>.localhost`) and
//!   path-style addressing; buckets answer only in their own region (`AccessDenied` with
//!   `<Endpoint>` otherwise);
//! * a bucket (or vector bucket) deleted and created again under the same name gets a
//!   later CreationDate than the one before, even within the same second (OSS's has
//!   one-second resolution; its name cool-down keeps real ones apart); tests move the
//!   server's clock (`Date`, Last-Modified) instead of sleeping;
//! * V4 and V1 signatures verified with the configured keys, `SignatureDoesNotMatch`,
//!   `InvalidAccessKeyId`, `RequestTimeTooSkewed` (15 minutes), `AccessDenied` for
//!   anonymous calls, STS tokens; V4 signed at `x-oss-date`, or at `Date` when there is
//!   no `x-oss-date` (as OSS accepts and Go SDK V1 sends: the string to sign carries the
//!   `Date` header's RFC 1123 text), no date header at all being EC 0002-00000503 and a
//!   malformed one 0002-00000502;
//! * versioning (Enabled and Suspended) with real version ids, delete markers and the
//!   `null` version; a version-id-marker marks a position in the key's version order (ids
//!   grow with time, as OSS's encode it), so a listing resumes after it even when that
//!   version has since been deleted; ListObjects v1/v2 and ListObjectVersions with prefix, delimiter,
//!   markers, tokens, the 1000 cap and `encoding-type=url`; continuation tokens shaped
//!   like real ones (standard base64, always with `+` and `/`, percent-encoded under
//!   `encoding-type=url`), so a client that mangles them is caught;
//! * the read calls Alibaba's own tools make: GetObjectMeta (`HEAD /key?objectMeta`),
//!   GetBucketAcl, GetObjectAcl, HeadObject and GetObject (content is kept for objects
//!   of up to 1 MiB written through the API; larger and seeded objects keep none, and
//!   GetObject on them answers `NotImplemented` rather than invent bytes), with
//!   `x-oss-version-id` on versioned reads;
//! * DeleteMultipleObjects as documented: Content-MD5 required and checked, more than 1000
//!   keys or bad XML is `MalformedXML`, quiet mode, verbose results with
//!   `DeleteMarker`/`DeleteMarkerVersionId`;
//! * multipart uploads (ListParts paged as OSS pages it: `max-parts` up to 1000,
//!   `part-number-marker`, `NextPartNumberMarker`; upload ids of 32 hex digits),
//!   LiveChannels (GetLiveChannelStat says `Live` while a client pushes, as seeded with
//!   `live_now`, and DeleteLiveChannel then answers 409 `ChannelStillLive` until the
//!   channel is disabled, as OSS does), access points (asynchronous: `creating`, then
//!   `enable`; `deleting` for a while before 404) and their policies; replication, WORM,
//!   website, CNAME, policy, lifecycle and accelerators stored and returned as
//!   configuration; OSS-HDFS data under `.dlsdata/`;
//! * keys taken from the request path exactly as sent (no dot-segment removal);
//! * lifecycle rules validated as OSS validates them, with its ECs: `Filter/Not` beside
//!   `AbortMultipartUpload` or `ExpiredObjectDeleteMarker` (0014-00000034),
//!   `ExpiredObjectDeleteMarker` beside `Days` (0014-00000059), an `Expiration` without
//!   either (0014-00000060), `AbortMultipartUpload` without `Days` (0014-00000073), a
//!   rule without an action (0014-00000026), two rules with one prefix (0014-00000085),
//!   overlapping prefixes with the same action unless `x-oss-allow-same-action-overlap`
//!   (0014-00000084), and days that are not positive;
//! * **DeleteBucket answers 409 `BucketNotEmpty` while any object, version, delete
//!   marker, part, LiveChannel, access point or accelerator remains**;
//! * OSS error XML (Code, Message, RequestId, HostId, EC) and `x-oss-request-id` on every
//!   reply; anything not implemented answers `NotImplemented`, never a silent success.
//!
//! Tests script faults (throttling, 500, dropped connections, connections dropped or
//! replies cut after the request was carried out, servers that never answer, raw HTML or
//! empty replies, AccessDenied for a prefix or operation, keys left out of a
//! DeleteMultipleObjects result, the naive version-id-marker), set a QPS cap, and read
//! the request log to prove what was (or was not) sent; `--deny` and `--fault-script`
//! give the same faults to the command line. `--qps-limit N` answers requests beyond N
//! per second (all operations, a one-second sliding window) the way OSS answers an
//! account over its QPS limit: 503 `TotalQpsLimitExceeded` (EC 0004-00000302) with
//! `x-oss-qos-delay-time` saying how many milliseconds until the window has room.

pub mod access_point;
pub mod auth;
pub mod config;
pub mod endpoints;
pub mod faults;
pub mod live;
pub mod metadata;
pub mod multipart;
pub mod op;
pub mod ops;
pub mod persist;
pub mod policy;
pub mod protocol;
pub mod seed;
pub mod server;
pub mod store;
pub mod sts;
pub mod vectors;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::oss::{time, Credentials};

pub use faults::{FaultKind, FaultRule, Faults, LogEntry};
pub use store::Store;

pub const DEMO_ACCESS_KEY_ID: &str = "LTAI5tDemoOssweepEmulator";
pub const DEMO_ACCESS_KEY_SECRET: &str = "demo-secret-for-the-built-in-emulator";

#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    pub listen: SocketAddr,
    pub credentials: Credentials,
    /// Temporary (STS) credentials also accepted, with their token.
    pub sts: Option<Credentials>,
    /// Region of buckets created without a region in the Host.
    pub region: String,
    pub latency: Duration,
    pub fault_rate: f64,
    pub data_dir: Option<PathBuf>,
    pub seed: seed::Seed,
    /// How long access points stay `creating` and `deleting`, and vector
    /// indexes `deleting`.
    pub access_point_delay: Duration,
    /// Plays an account that activated OSS after 2025-03-20: data calls to
    /// mainland buckets through public hosts answer `PublicEndpointForbidden`.
    pub public_endpoint_forbidden: bool,
    /// Plays an OSS-compatible endpoint that ignores `list-type=2`: ListObjectsV2
    /// is answered with ListObjects V1 pages (paged by marker), and OSS's own
    /// bucket sub-resources (bucket info aside) with the bucket's listing.
    pub list_v1_only: bool,
    /// Plays the ECS instance metadata service with this RAM role (see
    /// `metadata`): its credentials rotate, and expire.
    pub ecs_role: Option<metadata::EcsRole>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: Credentials::new(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET),
            sts: None,
            region: "cn-hangzhou".into(),
            latency: Duration::ZERO,
            fault_rate: 0.0,
            data_dir: None,
            seed: seed::Seed::default(),
            access_point_delay: Duration::from_millis(300),
            public_endpoint_forbidden: false,
            list_v1_only: false,
            ecs_role: None,
        }
    }
}

/// Shared by every connection.
pub struct State {
    pub store: Mutex<Store>,
    pub faults: Faults,
    pub keys: auth::Keys,
    pub region: String,
    pub access_point_delay: Duration,
    /// See `EmulatorConfig::public_endpoint_forbidden`.
    pub public_endpoint_forbidden: bool,
    /// See `EmulatorConfig::list_v1_only`.
    pub list_v1_only: bool,
    /// See `EmulatorConfig::ecs_role`.
    pub ecs_role: Option<metadata::EcsRole>,
    /// Credentials the metadata service handed out so far.
    pub(crate) issued_counter: AtomicU64,
    started: Instant,
    pub(crate) request_counter: AtomicU64,
    pub(crate) dirty: AtomicBool,
    /// Seconds the emulator's clock runs ahead of the machine's (tests move
    /// it instead of sleeping).
    clock_offset: std::sync::atomic::AtomicI64,
}

impl State {
    /// The server's clock: Last-Modified, CreationDate, the `Date` header.
    pub fn now(&self) -> i64 {
        time::unix_secs(SystemTime::now()) + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Moves the server's clock `secs` ahead: simulated time for tests.
    pub fn advance_clock(&self, secs: i64) {
        self.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }

    pub fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }
}

/// A running emulator. Dropping it does not stop it; call [`EmulatorHandle::shutdown`].
pub struct EmulatorHandle {
    pub addr: SocketAddr,
    state: Arc<State>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    data_dir: Option<PathBuf>,
    /// Connections still being served.
    live: Arc<AtomicUsize>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn credentials(&self) -> &Credentials {
        &self.state.keys.main
    }

    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// Direct access to the data, for seeding and checking in tests.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.state.store.lock().unwrap()
    }

    pub fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// Stops accepting connections and saves the data (with `--data-dir`).
    pub async fn shutdown(self) -> std::io::Result<()> {
        self.cancel.cancel();
        let _ = self.task.await;
        // Every request that was being served has ended before the store is
        // saved: a reply the client got is never undone by a restart.
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.live.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if let Some(dir) = &self.data_dir {
            persist::save(dir, &self.state)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Seed(String),
    #[error("data directory {path}: {detail}")]
    DataDir { path: PathBuf, detail: String },
}

/// Starts the emulator on its own tasks and returns once it accepts connections.
pub async fn start(cfg: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
    let store = match &cfg.data_dir {
        Some(dir) => match persist::load(dir)? {
            Some(store) => store,
            None => seed::build(&cfg.seed, &cfg.region).map_err(EmulatorError::Seed)?,
        },
        None => seed::build(&cfg.seed, &cfg.region).map_err(EmulatorError::Seed)?,
    };
    let listener = TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| EmulatorError::Listen {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Listen {
            addr: cfg.listen,
            source,
        })?;
    let state = Arc::new(State {
        store: Mutex::new(store),
        faults: Faults::new(cfg.latency, cfg.fault_rate, 0x05_5EE9),
        keys: auth::Keys::new(cfg.credentials.clone(), cfg.sts.clone()),
        region: cfg.region.clone(),
        access_point_delay: cfg.access_point_delay,
        public_endpoint_forbidden: cfg.public_endpoint_forbidden,
        list_v1_only: cfg.list_v1_only,
        ecs_role: cfg.ecs_role.clone(),
        issued_counter: AtomicU64::new(0),
        started: Instant::now(),
        request_counter: AtomicU64::new(0),
        dirty: AtomicBool::new(cfg.data_dir.is_some()),
        clock_offset: Default::default(),
    });
    let cancel = CancellationToken::new();
    if let Some(dir) = &cfg.data_dir {
        persist::save(dir, &state).map_err(|e| EmulatorError::DataDir {
            path: dir.clone(),
            detail: e.to_string(),
        })?;
        tokio::spawn(persist::autosave(
            dir.clone(),
            state.clone(),
            cancel.clone(),
        ));
    }
    let live = Arc::new(AtomicUsize::new(0));
    let task = tokio::spawn(accept_loop(
        listener,
        state.clone(),
        cancel.clone(),
        live.clone(),
    ));
    Ok(EmulatorHandle {
        addr,
        state,
        cancel,
        task,
        data_dir: cfg.data_dir,
        live,
    })
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    cancel: CancellationToken,
    live: Arc<AtomicUsize>,
) {
    loop {
        let (stream, _) = tokio::select! {
            _ = cancel.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let cancel = cancel.clone();
        struct Live(Arc<AtomicUsize>);
        impl Drop for Live {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        live.fetch_add(1, Ordering::SeqCst);
        let guard = Live(live.clone());
        tokio::spawn(async move {
            let _guard = guard;
            let svc = service_fn(move |req| server::serve(state.clone(), req));
            let conn = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = cancel.cancelled() => {}
            }
        });
    }
}
