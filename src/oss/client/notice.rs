//! What the client tells observers while it works: retries and long waits,
//! and the time limits behind them.

use super::*;

/// One attempt's wait for a reply: OSS answers in well under a second; a batch
/// delete of 1000 keys in a few.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// One request, all attempts and backoffs included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(50);
/// How often a request still waiting for its reply is announced.
pub(super) const WAIT_NOTICE_EVERY: Duration = Duration::from_secs(5);

/// What the client tells an observer while it works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A failed attempt is about to be retried.
    Retry(RetryNotice),
    /// A request has been waiting for OSS this long.
    Waiting(WaitNotice),
}

/// A request still waiting for its reply: "waiting for OSS (attempt 2 of 5, 40 s)".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitNotice {
    pub op: &'static str,
    pub attempt: u32,
    pub max_attempts: u32,
    /// Since the request's first attempt was sent.
    pub elapsed: Duration,
}

impl std::fmt::Display for WaitNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "waiting for OSS ({}, attempt {} of {}, {} s)",
            self.op,
            self.attempt,
            self.max_attempts,
            self.elapsed.as_secs()
        )
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

pub type Observer = Arc<dyn Fn(&Notice) + Send + Sync>;
