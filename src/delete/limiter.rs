//! The request budget shared by every bucket of a run: adaptive concurrency that
//! grows while requests succeed and halves when OSS throttles (AIMD).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// The pure part: limit bookkeeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aimd {
    pub limit: usize,
    pub min: usize,
    pub max: usize,
    successes: usize,
}

impl Aimd {
    pub fn new(initial: usize, max: usize) -> Self {
        let max = max.max(1);
        Aimd {
            limit: initial.clamp(1, max),
            min: 1,
            max,
            successes: 0,
        }
    }

    /// One more in flight after `limit` successes in a row.
    pub fn success(&mut self) {
        self.successes += 1;
        if self.successes >= self.limit {
            self.successes = 0;
            self.limit = (self.limit + 1).min(self.max);
        }
    }

    /// Halve on throttling.
    pub fn throttled(&mut self) {
        self.successes = 0;
        self.limit = (self.limit / 2).max(self.min);
    }
}

struct Inner {
    aimd: Aimd,
    in_flight: usize,
    last_cut: Option<Instant>,
}

pub struct Limiter {
    inner: Mutex<Inner>,
    notify: Notify,
}

/// One request's place in the budget, given back on drop.
pub struct Permit {
    limiter: Arc<Limiter>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter.inner.lock().unwrap().in_flight -= 1;
        self.limiter.notify.notify_one();
    }
}

/// Throttle signals closer together than this count once (a burst of in-flight
/// requests all seeing the same throttling must not collapse the limit to 1).
const CUT_COOLDOWN: Duration = Duration::from_millis(250);

impl Limiter {
    pub fn new(initial: usize, max: usize) -> Arc<Self> {
        Arc::new(Limiter {
            inner: Mutex::new(Inner {
                aimd: Aimd::new(initial, max),
                in_flight: 0,
                last_cut: None,
            }),
            notify: Notify::new(),
        })
    }

    pub async fn acquire(self: &Arc<Self>) -> Permit {
        loop {
            let notified = self.notify.notified();
            {
                let mut inner = self.inner.lock().unwrap();
                if inner.in_flight < inner.aimd.limit {
                    inner.in_flight += 1;
                    return Permit {
                        limiter: self.clone(),
                    };
                }
            }
            notified.await;
        }
    }

    pub fn success(&self) {
        self.inner.lock().unwrap().aimd.success();
        self.notify.notify_one();
    }

    pub fn throttled(&self) {
        let mut inner = self.inner.lock().unwrap();
        let now = Instant::now();
        if inner
            .last_cut
            .is_none_or(|t| now.duration_since(t) >= CUT_COOLDOWN)
        {
            inner.aimd.throttled();
            inner.last_cut = Some(now);
        }
    }

    pub fn limit(&self) -> usize {
        self.inner.lock().unwrap().aimd.limit
    }

    pub fn max(&self) -> usize {
        self.inner.lock().unwrap().aimd.max
    }

    pub fn in_flight(&self) -> usize {
        self.inner.lock().unwrap().in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_additively_and_halves_on_throttling() {
        let mut a = Aimd::new(4, 16);
        for _ in 0..4 {
            a.success();
        }
        assert_eq!(a.limit, 5);
        for _ in 0..1000 {
            a.success();
        }
        assert_eq!(a.limit, 16, "capped at max");
        a.throttled();
        assert_eq!(a.limit, 8);
        for _ in 0..10 {
            a.throttled();
        }
        assert_eq!(a.limit, 1, "never below one");
    }

    #[tokio::test]
    async fn permits_never_exceed_the_limit() {
        let l = Limiter::new(2, 2);
        let a = l.acquire().await;
        let _b = l.acquire().await;
        assert_eq!(l.in_flight(), 2);
        let l2 = l.clone();
        let waiter = tokio::spawn(async move { l2.acquire().await });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(a);
        let _c = tokio::time::timeout(Duration::from_secs(1), waiter)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(l.in_flight(), 2);
    }

    #[test]
    fn a_burst_of_throttles_cuts_once() {
        let l = Limiter::new(16, 16);
        for _ in 0..8 {
            l.throttled();
        }
        assert_eq!(l.limit(), 8);
    }
}
