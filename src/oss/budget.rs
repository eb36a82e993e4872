//! The request budget of one account: every request a client sends (listing
//! pages, probes, deletes, configuration calls) takes a place in it first.
//! Concurrency adapts (AIMD: one more after a run of successes, halved on
//! throttling) under a requests-per-second ceiling the user sets (`--qps`); when
//! OSS throttles, the rate drops below what it accepted, waits as long as
//! `x-oss-qos-delay-time` asks, and recovers gradually, staying under the rate OSS
//! refused for a while. The state machine (`Control`) is pure, driven by given
//! instants; `Budget` wraps it for async callers. What OSS refused is kept
//! between commands (`memory`), so the next one starts under it. A throttle
//! of management calls alone (`MetaOperationQpsLimitExceeded`, their own lower
//! limit) is retried after a back-off and does not slow the budget
//! (`retry::slows_the_budget`).

pub mod memory;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// Requests per second when the user sets none: far below OSS's documented
/// 10,000 per account and region, and at the ~2,000 one bucket sustains when
/// its keys are sequential (oss-api.md §1.5).
pub const DEFAULT_QPS: u32 = 2_000;
/// Requests in flight at most, by default: the budget grows toward it only
/// while replies come as fast as the fastest seen.
pub const DEFAULT_CONCURRENCY: usize = 64;
/// The longest wait a server's `x-oss-qos-delay-time` is honoured for (it
/// asks for milliseconds to a few seconds; a larger number is not trusted),
/// and so the longest pause the budget ever takes.
pub const MAX_SERVER_DELAY: Duration = Duration::from_secs(5);
/// Where concurrency starts: it grows while requests succeed.
const INITIAL_CONCURRENCY: usize = 8;
/// Throttle signals closer together than this count once (a burst of in-flight
/// requests all seeing the same throttling must not collapse the budget).
const CUT_COOLDOWN: Duration = Duration::from_millis(250);
/// After a throttle the rate stays under what OSS refused this long.
const REMEMBER_REFUSAL: Duration = Duration::from_secs(30);
/// The rate grows by a quarter at most once per this interval.
const GROWTH_INTERVAL: Duration = Duration::from_secs(1);
/// Requests per second at the start: the rate doubles every second (a QPS
/// limit shows only once a whole second was sent at a rate) until OSS first
/// throttles (or the ceiling), then grows a quarter a second.
const INITIAL_RATE: f64 = 100.0;
/// Requests a round trip may carry before OSS first throttles: what finding
/// an unknown limit costs.
const START_REQUESTS_PER_TRIP: f64 = 10.0;
const START_INTERVAL: Duration = Duration::from_secs(1);
const WINDOW: Duration = Duration::from_secs(1);
/// The share of the rate the last window must have served before it grows.
const USED_SHARE: f64 = 0.8;
/// Requests that may start back to back after a quiet spell.
const BURST: u32 = 4;
/// Replies slower than twice the fastest (plus this) mean the server is busy:
/// the budget holds instead of growing.
const LATENCY_SLACK: Duration = Duration::from_millis(20);

/// Additive increase, multiplicative decrease of the concurrency limit (pure),
/// with a slow start: until the first throttle, one more per success (the limit
/// doubles every round trip), then one more per `limit` successes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aimd {
    pub limit: usize,
    pub min: usize,
    pub max: usize,
    successes: usize,
    slow_start: bool,
}

impl Aimd {
    pub fn new(initial: usize, max: usize) -> Self {
        let max = max.max(1);
        Aimd {
            limit: initial.clamp(1, max),
            min: 1,
            max,
            successes: 0,
            slow_start: true,
        }
    }

    /// One more in flight after each success while starting, else after
    /// `limit` successes in a row.
    pub fn success(&mut self) {
        self.successes += 1;
        if self.slow_start || self.successes >= self.limit {
            self.successes = 0;
            self.limit = (self.limit + 1).min(self.max);
        }
    }

    /// Halve on throttling (and grow carefully from then on).
    pub fn throttled(&mut self) {
        self.slow_start = false;
        self.successes = 0;
        self.limit = (self.limit / 2).max(self.min);
    }
}

/// Why a request may not start yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Every place is taken: wait for one to be given back.
    Place,
    /// The rate (or a throttling pause) lets the next request start then.
    Until(Instant),
}

/// A snapshot of the budget, for events and screens.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BudgetView {
    /// Requests allowed in flight now.
    pub limit: usize,
    pub in_flight: usize,
    /// Requests per second allowed now.
    pub rate: f64,
    /// The user's ceiling.
    pub ceiling: u32,
    /// Throttling replies seen (each, not only those that cut the budget).
    pub throttled: u64,
    /// Recent replies' latency (a moving average).
    pub latency: Option<Duration>,
}

/// The budget's state (pure: every method takes the current instant).
#[derive(Debug)]
pub struct Control {
    aimd: Aimd,
    ceiling: f64,
    rate: f64,
    in_flight: usize,
    next_start: Option<Instant>,
    paused_until: Option<Instant>,
    last_cut: Option<Instant>,
    last_growth: Option<Instant>,
    /// The rate OSS refused, and when.
    refused: Option<(f64, Instant)>,
    /// When the requests served in the last second were answered.
    served: VecDeque<Instant>,
    throttled: u64,
    /// The fastest reply seen, and a moving average of recent ones.
    fastest: Option<Duration>,
    recent: Option<Duration>,
}

impl Control {
    pub fn new(concurrency: usize, qps: u32) -> Self {
        let concurrency = concurrency.max(1);
        let ceiling = f64::from(qps.max(1));
        Control {
            aimd: Aimd::new(INITIAL_CONCURRENCY.min(concurrency), concurrency),
            ceiling,
            rate: ceiling.min(INITIAL_RATE),
            in_flight: 0,
            next_start: None,
            paused_until: None,
            last_cut: None,
            last_growth: None,
            refused: None,
            served: VecDeque::new(),
            throttled: 0,
            fastest: None,
            recent: None,
        }
    }

    /// Takes a place for a request starting at `now`, or says what to wait for.
    pub fn start(&mut self, now: Instant) -> Result<(), Wait> {
        if let Some(p) = self.paused_until {
            if now < p {
                return Err(Wait::Until(p));
            }
            self.paused_until = None;
        }
        if self.in_flight >= self.aimd.limit {
            return Err(Wait::Place);
        }
        if let Some(t) = self.next_start {
            if now < t {
                return Err(Wait::Until(t));
            }
        }
        let spacing = Duration::from_secs_f64(1.0 / self.rate);
        // Idle time earns credit for a small burst only: a pause is not a flood.
        let earliest = now.checked_sub(spacing * BURST).unwrap_or(now);
        let base = self.next_start.map_or(now, |t| t.max(earliest));
        self.next_start = Some(base + spacing);
        // The rate first grows a whole interval after the first request.
        self.last_growth.get_or_insert(now);
        self.in_flight += 1;
        Ok(())
    }

    /// A request gave its place back (whatever its outcome).
    pub fn finish(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// A request succeeded after `latency`: while replies stay about as fast as
    /// the fastest seen, concurrency grows and the rate recovers toward the
    /// ceiling (a quarter per second at most, staying under a recent refusal);
    /// when they slow down, the server is busy and the budget holds.
    pub fn success(&mut self, now: Instant, latency: Duration) {
        self.served.push_back(now);
        self.forget_served(now);
        let fastest = self.fastest.map_or(latency, |f| f.min(latency));
        self.fastest = Some(fastest);
        let recent = self.recent.map_or(latency, |r| (r * 7 + latency) / 8);
        self.recent = Some(recent);
        if recent > fastest * 2 + LATENCY_SLACK {
            return;
        }
        self.aimd.success();
        if self
            .refused
            .is_some_and(|(_, t)| now.duration_since(t) > REMEMBER_REFUSAL)
        {
            self.refused = None;
        }
        let starting = self.last_cut.is_none();
        if starting && self.refused.is_none() {
            // Until OSS first throttles, a round trip may carry this many
            // requests: finding a limit then costs about that many, whatever
            // the latency (10 at 100 ms and 100/s, 10 at 20 ms and 500/s).
            let per_trip = START_REQUESTS_PER_TRIP / fastest.as_secs_f64().max(0.001);
            self.rate = self.rate.max(per_trip.min(self.ceiling));
        }
        let (interval, factor) = if starting {
            (START_INTERVAL, 2.0)
        } else {
            (GROWTH_INTERVAL, 1.25)
        };
        let quiet = self
            .last_cut
            .is_none_or(|t| now.duration_since(t) >= GROWTH_INTERVAL);
        let due = self
            .last_growth
            .is_none_or(|t| now.duration_since(t) >= interval);
        // Grow only a rate that is being used: a limit shows only once a whole
        // window was sent at a rate, so the rate never runs ahead of what
        // was tried (a listing that starts slowly cannot double it unseen).
        let used = self.served.len() as f64 >= self.rate * WINDOW.as_secs_f64() * USED_SHARE;
        if quiet && due && used && self.rate < self.ceiling {
            let cap = match self.refused {
                Some((r, _)) => (r * 0.9).max(1.0),
                None => self.ceiling,
            };
            self.rate = (self.rate * factor)
                .min(cap)
                .min(self.ceiling)
                .max(self.rate);
            self.last_growth = Some(now);
        }
    }

    /// OSS refused `rate` requests per second a while ago (an earlier command):
    /// start under it and grow carefully, as after a throttle.
    pub fn recall(&mut self, now: Instant, rate: f64) {
        let rate = rate.max(1.0);
        self.refused = Some((rate, now));
        self.rate = self.rate.min(rate * 0.8).max(1.0);
        self.last_cut = Some(now);
    }

    /// OSS throttled a request: wait `delay` (its `x-oss-qos-delay-time`) before
    /// starting anything, halve the concurrency, and set the rate below what was
    /// being sent when OSS refused. Signals within a short cooldown cut once.
    /// Returns the rate OSS refused when this signal cut the budget.
    pub fn throttled(&mut self, now: Instant, delay: Option<Duration>) -> Option<f64> {
        self.throttled += 1;
        if let Some(d) = delay {
            let until = now + d.min(MAX_SERVER_DELAY);
            self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
            // After the pause, requests resume one spacing apart: no burst.
            self.next_start = Some(self.next_start.map_or(until, |t| t.max(until)));
        }
        if self
            .last_cut
            .is_some_and(|t| now.duration_since(t) < CUT_COOLDOWN)
        {
            return None;
        }
        // OSS served this many in the last second and refused more: stay well
        // under that.
        self.forget_served(now);
        let served = (self.served.len() as f64).max(1.0);
        let refused = served.min(self.rate);
        self.refused = Some((refused, now));
        self.rate = (refused * 0.7).max(1.0);
        self.aimd.throttled();
        self.last_cut = Some(now);
        Some(refused)
    }

    fn forget_served(&mut self, now: Instant) {
        while self
            .served
            .front()
            .is_some_and(|t| now.duration_since(*t) > WINDOW)
        {
            self.served.pop_front();
        }
    }

    pub fn view(&self) -> BudgetView {
        BudgetView {
            limit: self.aimd.limit,
            in_flight: self.in_flight,
            rate: self.rate,
            ceiling: self.ceiling as u32,
            latency: self.recent,
            throttled: self.throttled,
        }
    }
}

/// The async budget: `acquire` waits for a place; the place is given back when
/// the returned [`Place`] drops.
pub struct Budget {
    control: Mutex<Control>,
    freed: Notify,
    memory: Option<memory::Memory>,
}

/// One request's place in the budget, given back on drop.
pub struct Place {
    budget: Arc<Budget>,
    started: Instant,
}

impl Place {
    /// The request succeeded: the budget learns how long it took.
    pub fn succeeded(self) {
        let latency = self.started.elapsed();
        self.budget
            .control
            .lock()
            .unwrap()
            .success(Instant::now(), latency);
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.budget.control.lock().unwrap().finish();
        self.budget.freed.notify_waiters();
    }
}

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("view", &self.view())
            .finish()
    }
}

impl Budget {
    pub fn new(concurrency: usize, qps: u32) -> Arc<Self> {
        Self::remembering(concurrency, qps, None)
    }

    /// A budget that starts under what OSS refused this account recently (in
    /// `memory`) and remembers each new refusal there.
    pub fn remembering(concurrency: usize, qps: u32, memory: Option<memory::Memory>) -> Arc<Self> {
        let mut control = Control::new(concurrency, qps);
        if let Some(rate) = memory.as_ref().and_then(|m| m.recall(unix_now())) {
            control.recall(Instant::now(), rate);
            tracing::debug!(rate, "starting under a recent refusal");
        }
        Arc::new(Budget {
            control: Mutex::new(control),
            freed: Notify::new(),
            memory,
        })
    }

    /// Waits until a request may start.
    pub async fn acquire(self: &Arc<Self>) -> Place {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            let wait = {
                let mut c = self.control.lock().unwrap();
                match c.start(Instant::now()) {
                    Ok(()) => {
                        return Place {
                            budget: self.clone(),
                            started: Instant::now(),
                        }
                    }
                    Err(w) => w,
                }
            };
            match wait {
                Wait::Place => freed.await,
                Wait::Until(t) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(tokio::time::Instant::from_std(t)) => {}
                        _ = freed => {}
                    }
                }
            }
        }
    }

    pub fn throttled(&self, delay: Option<Duration>) {
        let (refused, v) = {
            let mut c = self.control.lock().unwrap();
            (c.throttled(Instant::now(), delay), c.view())
        };
        tracing::debug!(
            rate = v.rate,
            limit = v.limit,
            in_flight = v.in_flight,
            delay_ms = delay.map(|d| d.as_millis() as u64),
            "throttled"
        );
        if let (Some(rate), Some(m)) = (refused, &self.memory) {
            m.remember(rate, unix_now());
        }
    }

    pub fn view(&self) -> BudgetView {
        self.control.lock().unwrap().view()
    }

    /// Requests allowed in flight now.
    pub fn limit(&self) -> usize {
        self.view().limit
    }

    /// The most requests ever allowed in flight.
    pub fn max(&self) -> usize {
        self.control.lock().unwrap().aimd.max
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests;
