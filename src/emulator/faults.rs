//! Fault injection and the request log: latency, random failures, scripted
//! failures a test queues, a QPS cap, and a record of every request served.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::oss::retry::Jitter;

/// What an injected fault does to a matching request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// 503 with a throttling code and `x-oss-qos-delay-time`.
    Throttle { delay_ms: u64 },
    /// Serves the request, and the reply carries `x-oss-qos-delay-time`: OSS
    /// asking for a slower pace on a 200 (bandwidth throttling).
    SlowDown { delay_ms: u64 },
    /// 500 InternalError.
    InternalError,
    /// Close the connection without a reply.
    DropConnection,
    /// Reply with this status and raw body (HTML, empty, garbage...).
    Raw { status: u16, body: String },
    /// 403 AccessDenied.
    Deny,
    /// DeleteMultipleObjects leaves these keys out of `Deleted` and keeps them.
    OmitKeys,
    /// DeleteMultipleObjects reports these keys `Deleted` and keeps them: a
    /// server that lies, so that a later listing finds them again.
    FalseDeletes,
    /// Acts on the request, then sends only the first half of the reply body:
    /// a reply lost after the server acted.
    CutReply,
    /// Acts on the request, then closes the connection without a reply.
    DropAfter,
    /// Accepts the request and never answers (the connection stays open).
    Hang,
}

impl FaultKind {
    /// Whether the request is carried out before the fault shows.
    pub fn acts_first(&self) -> bool {
        matches!(self, FaultKind::CutReply | FaultKind::DropAfter)
    }

    /// Parses a kind as the command line and fault scripts name it.
    pub fn parse(name: &str, status: Option<u16>, body: Option<String>) -> Result<Self, String> {
        Ok(match name {
            "throttle" => FaultKind::Throttle { delay_ms: 100 },
            "slow-down" => FaultKind::SlowDown { delay_ms: 100 },
            "internal-error" => FaultKind::InternalError,
            "drop" => FaultKind::DropConnection,
            "drop-after" => FaultKind::DropAfter,
            "cut-reply" => FaultKind::CutReply,
            "hang" => FaultKind::Hang,
            "deny" => FaultKind::Deny,
            "omit-keys" => FaultKind::OmitKeys,
            "false-deletes" => FaultKind::FalseDeletes,
            "raw" => FaultKind::Raw {
                status: status.unwrap_or(200),
                body: body.unwrap_or_default(),
            },
            other => {
                return Err(format!(
                    "unknown fault kind {other:?}: use throttle, internal-error, drop, drop-after, cut-reply, hang, deny, omit-keys, false-deletes, slow-down or raw"
                ))
            }
        })
    }
}

pub use super::store::MarkerMode;

/// A fault script (`ossweep emulator --fault-script FILE`), TOML:
///
/// ```toml
/// fault_rate = 0.1                 # optional: random throttling, 500s and drops
/// version_marker = "skip-when-gone" # optional: the naive version-id-marker
/// [[fault]]
/// op = "DeleteMultipleObjects"      # optional, as the request log names it
/// bucket = "logs"                   # optional
/// key_prefix = "a/"                 # optional
/// kind = "cut-reply"                # see FaultKind::parse
/// times = 3                         # optional: how often it fires (default always)
/// status = 200                      # raw only
/// body = "<html>"                   # raw only
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultScript {
    pub fault_rate: Option<f64>,
    pub marker_mode: MarkerMode,
    pub rules: Vec<FaultRule>,
}

impl FaultScript {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            fault_rate: Option<f64>,
            version_marker: Option<String>,
            #[serde(default)]
            fault: Vec<RawRule>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawRule {
            op: Option<String>,
            bucket: Option<String>,
            key_prefix: Option<String>,
            kind: String,
            times: Option<u32>,
            status: Option<u16>,
            body: Option<String>,
            delay_ms: Option<u64>,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| e.to_string())?;
        let marker_mode = match raw.version_marker.as_deref() {
            None | Some("position") => MarkerMode::Position,
            Some("skip-when-gone") => MarkerMode::SkipWhenGone,
            Some(o) => {
                return Err(format!(
                    "version_marker {o:?}: use \"position\" or \"skip-when-gone\""
                ))
            }
        };
        if let Some(r) = raw.fault_rate {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("fault_rate must be between 0 and 1, not {r}"));
            }
        }
        let mut rules = Vec::new();
        for r in raw.fault {
            let mut kind = FaultKind::parse(&r.kind, r.status, r.body)?;
            if let (FaultKind::Throttle { delay_ms } | FaultKind::SlowDown { delay_ms }, Some(d)) =
                (&mut kind, r.delay_ms)
            {
                *delay_ms = d;
            }
            if let Some(op) = &r.op {
                known_op(op)?;
            }
            rules.push(FaultRule {
                matcher: Matcher {
                    op: r.op,
                    bucket: r.bucket,
                    key_prefix: r.key_prefix,
                },
                kind,
                remaining: r.times,
            });
        }
        Ok(FaultScript {
            fault_rate: raw.fault_rate,
            marker_mode,
            rules,
        })
    }
}

/// A rule naming an operation the emulator does not know would never fire:
/// refused, with the nearest name.
fn known_op(name: &str) -> Result<(), String> {
    use super::op::Op;
    if Op::from_name(name).is_some() {
        return Ok(());
    }
    let names: Vec<&str> = Op::ALL.iter().map(|op| op.name()).collect();
    let nearest = crate::text::did_you_mean(name, &names)
        .map(|near| format!(" (did you mean {near}?)"))
        .unwrap_or_default();
    Err(format!("no operation is named {name:?}{nearest}"))
}

/// A deny rule from the command line: `OP`, `OP:KEY_PREFIX` or `*:KEY_PREFIX`.
pub fn parse_deny(spec: &str) -> Result<FaultRule, String> {
    let (op, prefix) = match spec.split_once(':') {
        Some((op, p)) => (op, Some(p)),
        None => (spec, None),
    };
    if op.is_empty() || !op.chars().all(|c| c.is_ascii_alphanumeric() || c == '*') {
        return Err(format!(
            "--deny {spec:?}: expected OPERATION[:KEY_PREFIX], e.g. GetBucketStat or DeleteMultipleObjects:logs/"
        ));
    }
    let mut rule = FaultRule::new(FaultKind::Deny);
    if op != "*" {
        known_op(op).map_err(|e| format!("--deny {spec:?}: {e}"))?;
        rule = rule.op(op);
    }
    if let Some(p) = prefix.filter(|p| !p.is_empty()) {
        rule = rule.key_prefix(p);
    }
    Ok(rule)
}

/// Which requests a rule applies to; every given field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matcher {
    pub op: Option<String>,
    pub bucket: Option<String>,
    /// The object key (or, for DeleteMultipleObjects, any key in the body) starts with this.
    pub key_prefix: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    pub matcher: Matcher,
    pub kind: FaultKind,
    /// How many more times it fires; `None` = always.
    pub remaining: Option<u32>,
}

impl FaultRule {
    pub fn new(kind: FaultKind) -> Self {
        FaultRule {
            matcher: Matcher::default(),
            kind,
            remaining: None,
        }
    }

    pub fn op(mut self, op: &str) -> Self {
        self.matcher.op = Some(op.into());
        self
    }

    pub fn bucket(mut self, b: &str) -> Self {
        self.matcher.bucket = Some(b.into());
        self
    }

    pub fn key_prefix(mut self, p: &str) -> Self {
        self.matcher.key_prefix = Some(p.into());
        self
    }

    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(n);
        self
    }
}

/// One served request, as tests read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    pub op: String,
    pub method: String,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub status: u16,
    /// Objects named in a DeleteMultipleObjects body.
    pub keys_in_body: usize,
}

#[derive(Debug)]
pub struct Faults {
    latency: Mutex<Duration>,
    latency_jitter: Mutex<Duration>,
    fault_rate: Mutex<f64>,
    rules: Mutex<Vec<FaultRule>>,
    rng: Mutex<Jitter>,
    marker_mode: Mutex<MarkerMode>,
    qps_cap: Mutex<Option<u32>>,
    window: Mutex<VecDeque<Instant>>,
    log: Mutex<Vec<LogEntry>>,
    counts: Mutex<HashMap<String, u64>>,
    statuses: Mutex<BTreeMap<(String, u16), u64>>,
    gate: Gate,
}

/// Holds requests of one operation, after the first few, until a test opens
/// it: a run stopped at a known point without racing it.
#[derive(Debug)]
struct Gate {
    /// (operation, requests still let through).
    rule: Mutex<Option<(String, u64)>>,
    open: tokio::sync::watch::Sender<bool>,
    held: std::sync::atomic::AtomicU64,
}

/// Requests served, by operation and status (`ossweep emulator --stats FILE`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub requests: u64,
    /// Requests answered 503 (throttling, as `--qps-limit` and faults answer).
    pub throttled: u64,
    /// `op` -> status -> requests.
    pub by_op: BTreeMap<String, BTreeMap<u16, u64>>,
}

/// The log keeps the newest entries up to this many; counts are kept for all.
const LOG_CAP: usize = 200_000;

impl Faults {
    pub fn new(latency: Duration, fault_rate: f64, seed: u64) -> Self {
        Faults {
            latency: Mutex::new(latency),
            latency_jitter: Mutex::new(Duration::ZERO),
            fault_rate: Mutex::new(fault_rate.clamp(0.0, 1.0)),
            rules: Mutex::new(Vec::new()),
            rng: Mutex::new(Jitter::seeded(seed)),
            marker_mode: Mutex::new(MarkerMode::Position),
            qps_cap: Mutex::new(None),
            window: Mutex::new(VecDeque::new()),
            log: Mutex::new(Vec::new()),
            counts: Mutex::new(HashMap::new()),
            statuses: Mutex::new(BTreeMap::new()),
            gate: Gate {
                rule: Mutex::new(None),
                open: tokio::sync::watch::channel(false).0,
                held: Default::default(),
            },
        }
    }

    /// Holds every request of `op` after the first `after` (from now) until
    /// [`Faults::open_gate`]; held requests are carried out once it opens.
    pub fn hold_after(&self, op: &str, after: u64) {
        self.gate.open.send_replace(false);
        *self.gate.rule.lock().unwrap() = Some((op.to_string(), after));
    }

    /// Requests waiting at the gate now.
    pub fn held(&self) -> u64 {
        self.gate.held.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Lets every held request (and every later one) through.
    pub fn open_gate(&self) {
        *self.gate.rule.lock().unwrap() = None;
        self.gate.open.send_replace(true);
    }

    /// Waits at the gate, if it holds requests of `op`.
    pub(crate) async fn pass_gate(&self, op: &str) {
        let wait = match self.gate.rule.lock().unwrap().as_mut() {
            Some((held_op, left)) if held_op == op => {
                if *left > 0 {
                    *left -= 1;
                    false
                } else {
                    true
                }
            }
            _ => false,
        };
        if !wait {
            return;
        }
        let mut open = self.gate.open.subscribe();
        self.gate
            .held
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _ = open.wait_for(|o| *o).await;
        self.gate
            .held
            .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn set_latency(&self, fixed: Duration, jitter: Duration) {
        *self.latency.lock().unwrap() = fixed;
        *self.latency_jitter.lock().unwrap() = jitter;
    }

    pub fn set_fault_rate(&self, rate: f64) {
        *self.fault_rate.lock().unwrap() = rate.clamp(0.0, 1.0);
    }

    pub fn set_qps_cap(&self, cap: Option<u32>) {
        *self.qps_cap.lock().unwrap() = cap;
    }

    /// How ListObjectVersions reads a version-id-marker.
    pub fn set_marker_mode(&self, mode: MarkerMode) {
        *self.marker_mode.lock().unwrap() = mode;
    }

    pub fn marker_mode(&self) -> MarkerMode {
        *self.marker_mode.lock().unwrap()
    }

    /// Applies a script: its rules, its fault rate, its marker mode.
    pub fn apply(&self, script: &FaultScript) {
        if let Some(r) = script.fault_rate {
            self.set_fault_rate(r);
        }
        self.set_marker_mode(script.marker_mode);
        for r in &script.rules {
            self.push(r.clone());
        }
    }

    pub fn push(&self, rule: FaultRule) {
        self.rules.lock().unwrap().push(rule);
    }

    pub fn clear(&self) {
        self.rules.lock().unwrap().clear();
    }

    /// The delay to add before answering.
    pub fn latency(&self) -> Duration {
        let fixed = *self.latency.lock().unwrap();
        let jitter = *self.latency_jitter.lock().unwrap();
        if jitter.is_zero() {
            fixed
        } else {
            fixed + jitter.mul_f64(self.rng.lock().unwrap().next_f64())
        }
    }

    /// The first scripted rule matching (consuming one use), else a random fault.
    pub fn pick(&self, op: &str, bucket: Option<&str>, keys: &[&str]) -> Option<FaultKind> {
        {
            let mut rules = self.rules.lock().unwrap();
            let pos = rules.iter().position(|r| {
                !matches!(r.kind, FaultKind::OmitKeys | FaultKind::FalseDeletes)
                    && r.matcher.op.as_deref().is_none_or(|o| o == op)
                    && r.matcher
                        .bucket
                        .as_deref()
                        .is_none_or(|b| Some(b) == bucket)
                    && r.matcher
                        .key_prefix
                        .as_deref()
                        .is_none_or(|p| keys.iter().any(|k| k.starts_with(p)))
                    && r.remaining != Some(0)
            });
            if let Some(i) = pos {
                let kind = rules[i].kind.clone();
                if let Some(n) = rules[i].remaining.as_mut() {
                    *n -= 1;
                }
                return Some(kind);
            }
        }
        let rate = *self.fault_rate.lock().unwrap();
        if rate > 0.0 {
            let mut rng = self.rng.lock().unwrap();
            if rng.next_f64() < rate {
                return Some(match (rng.next_f64() * 5.0) as u32 {
                    0 => FaultKind::Throttle { delay_ms: 100 },
                    1 => FaultKind::InternalError,
                    2 => FaultKind::DropConnection,
                    3 => FaultKind::DropAfter,
                    _ => FaultKind::CutReply,
                });
            }
        }
        None
    }

    /// The key prefixes whose keys a DeleteMultipleObjects must leave out this time.
    pub fn omit_prefixes(&self, bucket: &str) -> Vec<String> {
        self.delete_prefixes(bucket, &FaultKind::OmitKeys)
    }

    /// The key prefixes whose keys a DeleteMultipleObjects reports deleted
    /// and keeps this time.
    pub fn false_delete_prefixes(&self, bucket: &str) -> Vec<String> {
        self.delete_prefixes(bucket, &FaultKind::FalseDeletes)
    }

    fn delete_prefixes(&self, bucket: &str, kind: &FaultKind) -> Vec<String> {
        let mut rules = self.rules.lock().unwrap();
        let mut out = Vec::new();
        for r in rules.iter_mut() {
            if r.kind == *kind
                && r.remaining != Some(0)
                && r.matcher.bucket.as_deref().is_none_or(|b| b == bucket)
            {
                out.push(r.matcher.key_prefix.clone().unwrap_or_default());
                if let Some(n) = r.remaining.as_mut() {
                    *n -= 1;
                }
            }
        }
        out
    }

    /// When this request exceeds the QPS cap (sliding one-second window): how
    /// long until the window has room again, which OSS reports in
    /// `x-oss-qos-delay-time`. `None` when it may go ahead.
    pub fn over_qps(&self) -> Option<Duration> {
        let cap = (*self.qps_cap.lock().unwrap())?;
        let now = Instant::now();
        let window = Duration::from_secs(1);
        let mut w = self.window.lock().unwrap();
        while w.front().is_some_and(|t| now.duration_since(*t) > window) {
            w.pop_front();
        }
        if w.len() as u32 >= cap {
            let oldest = *w.front()?;
            return Some(
                (oldest + window)
                    .saturating_duration_since(now)
                    .max(Duration::from_millis(1)),
            );
        }
        w.push_back(now);
        None
    }

    pub fn record(&self, entry: LogEntry) {
        *self
            .statuses
            .lock()
            .unwrap()
            .entry((entry.op.clone(), entry.status))
            .or_default() += 1;
        *self
            .counts
            .lock()
            .unwrap()
            .entry(entry.op.clone())
            .or_default() += 1;
        let mut log = self.log.lock().unwrap();
        if log.len() >= LOG_CAP {
            log.drain(..LOG_CAP / 2);
        }
        log.push(entry);
    }

    pub fn log(&self) -> Vec<LogEntry> {
        self.log.lock().unwrap().clone()
    }

    /// How many requests of `op` were served (any status).
    pub fn count(&self, op: &str) -> u64 {
        self.counts.lock().unwrap().get(op).copied().unwrap_or(0)
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
        self.counts.lock().unwrap().clear();
        self.statuses.lock().unwrap().clear();
    }

    /// Every request served since the start (or the last `clear_log`).
    pub fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for ((op, status), n) in self.statuses.lock().unwrap().iter() {
            t.requests += n;
            if *status == 503 {
                t.throttled += n;
            }
            *t.by_op
                .entry(op.clone())
                .or_default()
                .entry(*status)
                .or_default() += n;
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tally_counts_by_operation_and_status() {
        let f = Faults::new(Duration::ZERO, 0.0, 1);
        let entry = |op: &str, status| LogEntry {
            op: op.into(),
            method: "GET".into(),
            bucket: None,
            key: None,
            status,
            keys_in_body: 0,
        };
        f.record(entry("ListObjectsV2", 200));
        f.record(entry("ListObjectsV2", 200));
        f.record(entry("ListObjectsV2", 503));
        f.record(entry("DeleteMultipleObjects", 200));
        let t = f.tally();
        assert_eq!((t.requests, t.throttled), (4, 1));
        assert_eq!(t.by_op["ListObjectsV2"][&200], 2);
        f.clear_log();
        assert_eq!(f.tally(), Tally::default());
    }

    #[test]
    fn scripted_rules_fire_the_given_number_of_times() {
        let f = Faults::new(Duration::ZERO, 0.0, 1);
        f.push(
            FaultRule::new(FaultKind::InternalError)
                .op("ListObjectVersions")
                .times(2),
        );
        assert_eq!(
            f.pick("ListObjectVersions", Some("b"), &[]),
            Some(FaultKind::InternalError)
        );
        assert_eq!(f.pick("DeleteBucket", Some("b"), &[]), None);
        assert_eq!(
            f.pick("ListObjectVersions", Some("b"), &[]),
            Some(FaultKind::InternalError)
        );
        assert_eq!(f.pick("ListObjectVersions", Some("b"), &[]), None);
    }

    #[test]
    fn prefix_rules_match_keys() {
        let f = Faults::new(Duration::ZERO, 0.0, 1);
        f.push(FaultRule::new(FaultKind::Deny).key_prefix("secret/"));
        assert_eq!(f.pick("DeleteObject", Some("b"), &["public/a"]), None);
        assert_eq!(
            f.pick("DeleteObject", Some("b"), &["secret/a"]),
            Some(FaultKind::Deny)
        );
    }

    #[test]
    fn random_faults_follow_the_rate() {
        let f = Faults::new(Duration::ZERO, 0.25, 42);
        let hits = (0..4000)
            .filter(|_| f.pick("X", None, &[]).is_some())
            .count();
        assert!((800..1200).contains(&hits), "{hits}");
    }

    #[test]
    fn scripts_and_deny_specs_parse() {
        let s = FaultScript::parse(
            r#"
fault_rate = 0.3
version_marker = "skip-when-gone"
[[fault]]
op = "DeleteMultipleObjects"
key_prefix = "a/"
kind = "cut-reply"
times = 2
[[fault]]
kind = "raw"
status = 200
body = "<html>"
"#,
        )
        .unwrap();
        assert_eq!(s.fault_rate, Some(0.3));
        assert_eq!(s.marker_mode, MarkerMode::SkipWhenGone);
        assert_eq!(
            s.rules[0],
            FaultRule::new(FaultKind::CutReply)
                .op("DeleteMultipleObjects")
                .key_prefix("a/")
                .times(2)
        );
        assert_eq!(
            s.rules[1].kind,
            FaultKind::Raw {
                status: 200,
                body: "<html>".into()
            }
        );
        assert!(FaultScript::parse("[[fault]]\nkind = \"explode\"").is_err());
        assert!(FaultScript::parse("fault_rate = 2.0").is_err());
        assert!(FaultScript::parse("[[fault]]\nkind = \"deny\"\nopp = \"x\"").is_err());
        assert_eq!(
            parse_deny("DeleteMultipleObjects:logs/").unwrap(),
            FaultRule::new(FaultKind::Deny)
                .op("DeleteMultipleObjects")
                .key_prefix("logs/")
        );
        assert_eq!(
            parse_deny("GetBucketStat").unwrap(),
            FaultRule::new(FaultKind::Deny).op("GetBucketStat")
        );
        assert_eq!(
            parse_deny("*:secret/").unwrap(),
            FaultRule::new(FaultKind::Deny).key_prefix("secret/")
        );
        assert!(parse_deny("").is_err() && parse_deny("Get Bucket").is_err());
        // A misspelt operation would never fire: refused, with the nearest name.
        let e = parse_deny("DeleteMultipleObject:logs/").unwrap_err();
        assert!(e.contains("did you mean DeleteMultipleObjects?"), "{e}");
        let e = FaultScript::parse("[[fault]]\nop = \"GetBucketStats\"\nkind = \"deny\"\n")
            .unwrap_err();
        assert!(e.contains("did you mean GetBucketStat?"), "{e}");
    }

    #[test]
    fn qps_cap_throttles_within_a_second() {
        let f = Faults::new(Duration::ZERO, 0.0, 1);
        f.set_qps_cap(Some(3));
        let over: Vec<Option<Duration>> = (0..5).map(|_| f.over_qps()).collect();
        assert!(over[..3].iter().all(Option::is_none));
        // Refused with how long until the window has room: within the second.
        for wait in &over[3..] {
            let wait = wait.expect("over the cap");
            assert!(
                wait > Duration::ZERO && wait <= Duration::from_secs(1),
                "{wait:?}"
            );
        }
    }
}
