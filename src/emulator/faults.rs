//! Fault injection and the request log: latency, random failures, scripted
//! failures a test queues, a QPS cap, and a record of every request served.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::oss::retry::Jitter;

/// What an injected fault does to a matching request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// 503 with a throttling code and `x-oss-qos-delay-time`.
    Throttle { delay_ms: u64 },
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
    qps_cap: Mutex<Option<u32>>,
    window: Mutex<VecDeque<Instant>>,
    log: Mutex<Vec<LogEntry>>,
    counts: Mutex<HashMap<String, u64>>,
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
            qps_cap: Mutex::new(None),
            window: Mutex::new(VecDeque::new()),
            log: Mutex::new(Vec::new()),
            counts: Mutex::new(HashMap::new()),
        }
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
                r.kind != FaultKind::OmitKeys
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
                return Some(match (rng.next_f64() * 3.0) as u32 {
                    0 => FaultKind::Throttle { delay_ms: 100 },
                    1 => FaultKind::InternalError,
                    _ => FaultKind::DropConnection,
                });
            }
        }
        None
    }

    /// The key prefixes whose keys a DeleteMultipleObjects must leave out this time.
    pub fn omit_prefixes(&self, bucket: &str) -> Vec<String> {
        let mut rules = self.rules.lock().unwrap();
        let mut out = Vec::new();
        for r in rules.iter_mut() {
            if r.kind == FaultKind::OmitKeys
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

    /// True when this request exceeds the QPS cap (sliding one-second window).
    pub fn over_qps(&self) -> bool {
        let Some(cap) = *self.qps_cap.lock().unwrap() else {
            return false;
        };
        let now = Instant::now();
        let mut w = self.window.lock().unwrap();
        while w
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
        {
            w.pop_front();
        }
        if w.len() as u32 >= cap {
            return true;
        }
        w.push_back(now);
        false
    }

    pub fn record(&self, entry: LogEntry) {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn qps_cap_throttles_within_a_second() {
        let f = Faults::new(Duration::ZERO, 0.0, 1);
        f.set_qps_cap(Some(3));
        let over: Vec<bool> = (0..5).map(|_| f.over_qps()).collect();
        assert_eq!(over, [false, false, false, true, true]);
    }
}
