//! When to retry and how long to wait (pure). Transport errors, 5xx and throttling
//! are retried with capped exponential backoff and full jitter; other 4xx never.

use std::time::Duration;

use super::error::is_throttle_code;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(20),
        }
    }
}

/// What a failed attempt looked like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure<'a> {
    Transport,
    Status {
        status: u16,
        code: &'a str,
        qos_delay: Option<Duration>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Retry { delay: Duration, throttled: bool },
    GiveUp,
}

/// Whether the failure is OSS telling us to slow down.
pub fn is_throttle(f: &Failure<'_>) -> bool {
    match f {
        Failure::Transport => false,
        Failure::Status {
            status,
            code,
            qos_delay,
        } => *status == 503 || *status == 429 || is_throttle_code(code) || qos_delay.is_some(),
    }
}

/// Whether a throttle says the account's request rate is too high, so the
/// one request budget slows down. `MetaOperationQpsLimitExceeded` limits
/// management calls (bucket configuration, ListBuckets, LiveChannel
/// management) on their own, lower limit: the call is retried after a
/// back-off, and listings and deletes keep their pace.
pub fn slows_the_budget(f: &Failure<'_>) -> bool {
    is_throttle(f)
        && !matches!(
            f,
            Failure::Status {
                code: "MetaOperationQpsLimitExceeded",
                qos_delay: None,
                ..
            }
        )
}

fn retryable(f: &Failure<'_>) -> bool {
    match f {
        Failure::Transport => true,
        Failure::Status { status, .. } => *status >= 500 || is_throttle(f),
    }
}

/// `attempt` counts from 1 (the attempt that just failed); `jitter` is in [0, 1).
pub fn decide(policy: &RetryPolicy, failure: &Failure<'_>, attempt: u32, jitter: f64) -> Verdict {
    if attempt >= policy.max_attempts || !retryable(failure) {
        return Verdict::GiveUp;
    }
    let exp = policy.base.saturating_mul(1u32 << attempt.min(20));
    let ceiling = exp.min(policy.cap);
    let mut delay = ceiling.mul_f64(jitter.clamp(0.0, 1.0));
    if let Failure::Status {
        qos_delay: Some(q), ..
    } = failure
    {
        delay = delay.max(*q);
    }
    Verdict::Retry {
        delay,
        throttled: is_throttle(failure),
    }
}

/// A small deterministic generator for jitter (SplitMix64).
#[derive(Clone, Debug)]
pub struct Jitter(u64);

impl Jitter {
    pub fn seeded(seed: u64) -> Self {
        Jitter(seed)
    }

    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, code: &str) -> Failure<'_> {
        Failure::Status {
            status,
            code,
            qos_delay: None,
        }
    }

    #[test]
    fn a_management_throttle_is_retried_without_slowing_the_budget() {
        let meta = status(503, "MetaOperationQpsLimitExceeded");
        assert!(is_throttle(&meta) && !slows_the_budget(&meta));
        assert!(matches!(
            decide(&RetryPolicy::default(), &meta, 1, 0.5),
            Verdict::Retry {
                throttled: true,
                ..
            }
        ));
        // The account's rate, and any throttle that names a delay, slow it.
        assert!(slows_the_budget(&status(503, "TotalQpsLimitExceeded")));
        let delayed = Failure::Status {
            status: 503,
            code: "MetaOperationQpsLimitExceeded",
            qos_delay: Some(Duration::from_millis(300)),
        };
        assert!(slows_the_budget(&delayed));
    }

    #[test]
    fn retries_transport_5xx_and_throttling_but_never_other_4xx() {
        let p = RetryPolicy::default();
        assert!(matches!(
            decide(&p, &Failure::Transport, 1, 0.5),
            Verdict::Retry {
                throttled: false,
                ..
            }
        ));
        assert!(matches!(
            decide(&p, &status(500, "InternalError"), 1, 0.5),
            Verdict::Retry {
                throttled: false,
                ..
            }
        ));
        assert!(matches!(
            decide(&p, &status(503, "TotalQpsLimitExceeded"), 1, 0.5),
            Verdict::Retry {
                throttled: true,
                ..
            }
        ));
        assert!(matches!(
            decide(&p, &status(429, ""), 1, 0.5),
            Verdict::Retry {
                throttled: true,
                ..
            }
        ));
        for (s, c) in [
            (403, "AccessDenied"),
            (404, "NoSuchBucket"),
            (409, "BucketNotEmpty"),
            (400, "MalformedXML"),
            (403, "RequestTimeTooSkewed"),
        ] {
            assert_eq!(decide(&p, &status(s, c), 1, 0.5), Verdict::GiveUp, "{c}");
        }
    }

    #[test]
    fn backoff_is_capped_exponential_with_full_jitter() {
        let p = RetryPolicy {
            max_attempts: 30,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(20),
        };
        let d = |attempt, j| match decide(&p, &Failure::Transport, attempt, j) {
            Verdict::Retry { delay, .. } => delay,
            Verdict::GiveUp => panic!(),
        };
        assert_eq!(d(1, 0.999_999).as_millis(), 399);
        assert_eq!(d(2, 0.5), Duration::from_millis(400));
        assert_eq!(d(3, 1.0), Duration::from_millis(1600));
        assert_eq!(d(12, 1.0), Duration::from_secs(20), "capped");
        assert_eq!(d(29, 1.0), Duration::from_secs(20), "no overflow");
        assert_eq!(d(4, 0.0), Duration::ZERO);
    }

    #[test]
    fn qos_delay_is_honoured_as_a_minimum() {
        let p = RetryPolicy::default();
        let f = Failure::Status {
            status: 503,
            code: "DownloadTrafficRateLimitExceeded",
            qos_delay: Some(Duration::from_millis(1500)),
        };
        assert_eq!(
            decide(&p, &f, 1, 0.0),
            Verdict::Retry {
                delay: Duration::from_millis(1500),
                throttled: true
            }
        );
    }

    #[test]
    fn gives_up_after_the_last_attempt() {
        let p = RetryPolicy {
            max_attempts: 3,
            ..Default::default()
        };
        assert!(matches!(
            decide(&p, &Failure::Transport, 2, 0.1),
            Verdict::Retry { .. }
        ));
        assert_eq!(decide(&p, &Failure::Transport, 3, 0.1), Verdict::GiveUp);
    }

    #[test]
    fn jitter_is_deterministic_and_in_range() {
        let mut a = Jitter::seeded(7);
        let mut b = Jitter::seeded(7);
        for _ in 0..1000 {
            let x = a.next_f64();
            assert_eq!(x, b.next_f64());
            assert!((0.0..1.0).contains(&x));
        }
    }
}
