use super::*;

#[test]
fn concurrency_starts_fast_grows_additively_and_halves_on_throttling() {
    let mut a = Aimd::new(4, 64);
    for _ in 0..4 {
        a.success();
    }
    assert_eq!(a.limit, 8, "slow start: one more per success");
    a.throttled();
    assert_eq!(a.limit, 4);
    for _ in 0..4 {
        a.success();
    }
    assert_eq!(a.limit, 5, "then one more per limit successes");
    for _ in 0..10_000 {
        a.success();
    }
    assert_eq!(a.limit, 64, "capped at max");
    a.throttled();
    assert_eq!(a.limit, 32);
    for _ in 0..10 {
        a.throttled();
    }
    assert_eq!(a.limit, 1, "never below one");
}

#[test]
fn starts_are_spaced_by_the_rate_and_bounded_by_the_places() {
    let t0 = Instant::now();
    let mut c = Control::new(2, 10);
    assert_eq!(c.start(t0), Ok(()));
    // 10 per second: the next one 100 ms later.
    assert_eq!(
        c.start(t0),
        Err(Wait::Until(t0 + Duration::from_millis(100)))
    );
    let t1 = t0 + Duration::from_millis(100);
    assert_eq!(c.start(t1), Ok(()));
    let t2 = t0 + Duration::from_millis(300);
    assert_eq!(c.start(t2), Err(Wait::Place), "two in flight at most");
    c.finish();
    assert_eq!(c.start(t2), Ok(()));
}

#[test]
fn an_idle_budget_gives_a_small_burst_only() {
    let t0 = Instant::now();
    let mut c = Control::new(16, 10);
    c.start(t0).unwrap();
    c.finish();
    // After a minute of quiet, the one that is due and BURST more start at once.
    let later = t0 + Duration::from_secs(60);
    let mut started = 0;
    while c.start(later).is_ok() {
        c.finish();
        started += 1;
    }
    assert_eq!(started, BURST + 1);
}

#[test]
fn throttling_pauses_cuts_below_what_was_sent_and_recovers_under_the_refusal() {
    let t0 = Instant::now();
    let mut c = Control::new(16, 1000);
    // 50 requests in the last second, then OSS says slow down for 300 ms.
    let mut t = t0;
    for _ in 0..50 {
        c.start(t).unwrap();
        c.finish();
        c.success(t, Duration::from_millis(100));
        t += Duration::from_millis(20);
    }
    let before = c.view().limit;
    c.throttled(t, Some(Duration::from_millis(300)));
    let v = c.view();
    assert!(v.rate <= 50.0 * 0.8 + 1e-9, "{v:?}");
    assert_eq!(v.limit, (before / 2).max(1));
    assert_eq!(
        c.start(t + Duration::from_millis(100)),
        Err(Wait::Until(t + Duration::from_millis(300)))
    );
    // A burst of signals from the same moment cuts once.
    let rate = c.view().rate;
    c.throttled(t + Duration::from_millis(10), None);
    assert_eq!(c.view().rate, rate);
    assert_eq!(c.view().throttled, 2);
    // A second during which requests use the whole rate.
    let serve_a_second = |c: &mut Control, now: &mut Instant| {
        let n = c.view().rate.ceil() as u32;
        for i in 0..n {
            c.success(
                *now + Duration::from_secs(1) * i / n,
                Duration::from_millis(100),
            );
        }
        *now += Duration::from_secs(1);
    };
    // A second with one reply: a rate not used does not grow.
    let mut now = t + Duration::from_secs(2);
    c.success(now, Duration::from_millis(100));
    now += Duration::from_secs(2);
    c.success(now, Duration::from_millis(100));
    assert_eq!(c.view().rate, rate, "unused");
    // Used for a long while: the rate grows, but not past 90% of the refusal.
    for _ in 0..20 {
        serve_a_second(&mut c, &mut now);
    }
    let v = c.view();
    assert!(v.rate > rate && v.rate <= 50.0 * 0.9 + 1e-9, "{v:?}");
    // Long after, the refusal is forgotten and the ceiling is reachable.
    for _ in 0..60 {
        serve_a_second(&mut c, &mut now);
    }
    assert_eq!(c.view().rate, 1000.0);
}

#[test]
fn slow_replies_hold_the_budget() {
    let t = Instant::now();
    let mut c = Control::new(64, 1000);
    for _ in 0..8 {
        c.success(t, Duration::from_millis(100));
    }
    let grown = c.view().limit;
    assert!(grown > 4, "{grown}");
    // The server slows down: replies take three times as long. Once the
    // average shows it, the budget stops growing.
    for _ in 0..20 {
        c.success(t, Duration::from_millis(300));
    }
    let held = c.view().limit;
    for _ in 0..200 {
        c.success(t, Duration::from_millis(300));
    }
    let v = c.view();
    assert_eq!(v.limit, held, "held, not grown: {v:?}");
    assert!(v.latency.unwrap() > Duration::from_millis(220));
}

/// A server that admits `cap` requests per sliding second and answers in
/// `latency`, and clients that keep every place the budget gives busy:
/// over a long run, throttled replies stay under 2% and the server is kept
/// near its limit. (Simulated time: deterministic.)
fn simulate(cap: usize, latency: Duration, seconds: u64) -> (u64, u64) {
    simulate_from(cap, latency, seconds, None)
}

/// [`simulate`], by a budget that recalls an earlier refusal (`recalled`).
fn simulate_from(cap: usize, latency: Duration, seconds: u64, recalled: Option<f64>) -> (u64, u64) {
    let t0 = Instant::now();
    let mut c = Control::new(64, DEFAULT_QPS);
    if let Some(rate) = recalled {
        c.recall(t0, rate);
    }
    let mut window: VecDeque<Instant> = VecDeque::new();
    // Replies on their way: (when, throttled with this delay).
    let mut pending: Vec<(Instant, Option<Duration>)> = Vec::new();
    let (mut sent, mut throttled) = (0u64, 0u64);
    let step = Duration::from_millis(1);
    let mut now = t0;
    while now < t0 + Duration::from_secs(seconds) {
        // Replies due now.
        let (due, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(t, _)| *t <= now);
        pending = rest;
        for (_, delay) in due {
            c.finish();
            match delay {
                None => c.success(now, latency),
                Some(d) => {
                    c.throttled(now, Some(d));
                }
            }
        }
        // Start whatever the budget allows.
        while c.start(now).is_ok() {
            sent += 1;
            while window
                .front()
                .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
            {
                window.pop_front();
            }
            let verdict = if window.len() >= cap {
                throttled += 1;
                let wait = (*window.front().unwrap() + Duration::from_secs(1))
                    .saturating_duration_since(now);
                Some(wait.max(Duration::from_millis(1)))
            } else {
                window.push_back(now);
                None
            };
            pending.push((now + latency, verdict));
        }
        now += step;
    }
    (sent, throttled)
}

#[test]
fn under_a_qps_limit_throttling_stays_under_two_percent() {
    for (cap, latency_ms) in [(50, 20), (50, 100), (200, 20), (500, 5)] {
        let (sent, throttled) = simulate(cap, Duration::from_millis(latency_ms), 30);
        assert!(
            throttled * 50 < sent,
            "cap {cap}, {latency_ms} ms: {throttled} of {sent} throttled"
        );
        // And the limit is used: at least 60% of what the server allows.
        assert!(
            sent * 10 >= cap as u64 * 30 * 6,
            "cap {cap}: only {sent} sent in 30 s"
        );
    }
}

#[test]
fn the_first_throttling_costs_about_one_round_trip_of_requests() {
    // Finding the limit costs what is sent in the round trip before the first
    // 503 comes back: at 100 ms and a start of 100/s, about ten requests.
    let (sent, throttled) = simulate(50, Duration::from_millis(100), 2);
    assert!(throttled <= 16, "{throttled} of {sent}");
}

#[test]
fn a_recalled_refusal_starts_the_budget_under_it() {
    // An earlier command learned that OSS refuses 50/s: none of this one's
    // requests is throttled, and it still uses most of what OSS allows.
    let (sent, throttled) = simulate_from(50, Duration::from_millis(100), 20, Some(50.0));
    assert_eq!(throttled, 0, "{sent} sent");
    assert!(sent >= 50 * 20 * 7 / 10, "{sent} sent");
    let mut c = Control::new(64, 2000);
    c.recall(Instant::now(), 50.0);
    assert_eq!(c.view().rate, 40.0);
}

#[tokio::test]
async fn places_never_exceed_the_limit() {
    let b = Budget::new(2, 100_000);
    let a = b.acquire().await;
    let _b2 = b.acquire().await;
    assert_eq!(b.view().in_flight, 2);
    let b3 = b.clone();
    let waiter = tokio::spawn(async move { b3.acquire().await });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!waiter.is_finished());
    drop(a);
    let _c = tokio::time::timeout(Duration::from_secs(1), waiter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.view().in_flight, 2);
}

#[test]
fn a_pause_a_server_asks_for_is_capped() {
    let t = Instant::now();
    let mut c = Control::new(8, 100);
    // 11.5 days, as a hostile server asked.
    c.throttled(t, Some(Duration::from_millis(999_999_999)));
    assert_eq!(c.start(t), Err(Wait::Until(t + MAX_SERVER_DELAY)));
    assert!(c.start(t + MAX_SERVER_DELAY).is_ok());
}
