//! The account's request budget against the emulator's `--qps-limit`, which
//! answers over-limit requests as OSS does (503 TotalQpsLimitExceeded with
//! x-oss-qos-delay-time): `ossweep delete` finishes, and once the limit is
//! found, throttled replies stay under 2% (the whole-run figure comes from
//! `cargo bench --bench layouts` and the budget's simulation test), and the
//! next command starts under the remembered refusal. Also: the split listing over HTTP on several key
//! layouts and a prefix, each key once, and a DeleteMultipleObjects per 1000.

mod common;

use std::time::Duration;

use ossweep::emulator::seed::Seed;

/// Speed-independent: a machine too busy to reach the cap is never
/// throttled, and then the checks that need a refusal have nothing to check
/// (it says so); every check that runs holds at any speed. The figures come
/// from the benchmark.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_qps_limit_the_budget_keeps_throttling_under_two_percent() {
    let emu = common::emulator(Seed::Empty).await;
    common::flat_bucket(&emu, "paced", "k/", 120_000);
    // 20 ms per reply (OSS is never instant), at most 25 requests a second:
    // a debug build on a loaded machine still goes faster than that.
    emu.faults()
        .set_latency(Duration::from_millis(20), Duration::ZERO);
    emu.faults().set_qps_cap(Some(25));
    emu.faults().clear_log();
    let home = tempfile::tempdir().unwrap();
    let out = tokio::task::spawn_blocking({
        let mut cmd = common::cli(&emu, home.path());
        cmd.args(["delete", "paced", "--confirm", "paced", "--json"]);
        move || cmd.output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!emu.store().buckets.contains_key("paced"));
    let tally = emu.faults().tally();
    assert!(tally.requests > 100, "{tally:?}");
    // At any speed, few replies are throttled: a fast client finds the limit
    // once and then holds under it; a slow one never reaches it.
    assert!(
        tally.throttled * 10 < tally.requests,
        "throttled {} of {} requests: {tally:?}",
        tally.throttled,
        tally.requests
    );
    let summary = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "finished")
        .expect("a finished event");
    assert_eq!(summary["summary"]["bucket_deleted"], true);
    // Finding the limit costs one burst (what was sent in the round trip
    // before the first 503 came back). After it the budget holds under the
    // limit: from 100 requests after the first 503 on, under 2% are throttled.
    let statuses: Vec<u16> = emu.faults().log().iter().map(|e| e.status).collect();
    let Some(first) = statuses.iter().position(|s| *s == 503) else {
        println!("never throttled: this machine did not reach 25 requests a second; nothing was refused to remember");
        emu.shutdown().await.unwrap();
        return;
    };
    let settled = &statuses[(first + 100).min(statuses.len())..];
    let late = settled.iter().filter(|s| **s == 503).count();
    assert!(
        late * 50 <= settled.len(),
        "{late} of the last {} requests throttled: {tally:?}",
        settled.len()
    );
    // The next command of the same account starts under what OSS refused
    // (remembered under the state directory): not one throttled reply.
    let memory = home.path().join(".state/ossweep/throttling.json");
    let text = std::fs::read_to_string(&memory).expect("the refusal is remembered");
    assert!(!text.contains(&emu.credentials().access_key_id), "{text}");
    common::flat_bucket(&emu, "paced-next", "k/", 30_000);
    emu.faults().clear_log();
    let out = tokio::task::spawn_blocking({
        let mut cmd = common::cli(&emu, home.path());
        cmd.args(["scan", "paced-next", "--json"]);
        move || cmd.output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log = emu.faults().log();
    assert!(log.len() >= 30, "{} requests", log.len());
    let throttled = log.iter().filter(|e| e.status == 503).count();
    assert_eq!(throttled, 0, "of {} requests", log.len());
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_split_listing_deletes_every_layout_once_with_full_batches() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    let layouts: Vec<(&str, Vec<String>)> = vec![
        ("flat", (0..30_000).map(|i| format!("{i:06}")).collect()),
        (
            "dated",
            (0..30_000)
                .map(|i| format!("logs/2025/{:02}/{:02}/p-{i:05}", i / 2600 + 1, i % 28 + 1))
                .collect(),
        ),
        (
            "hashed",
            (0..30_000u32)
                .map(|i| format!("{:08x}", i.wrapping_mul(2_654_435_761)))
                .collect(),
        ),
        (
            "skewed",
            (0..30_000)
                .map(|i| {
                    if i % 10 == 0 {
                        format!("s{:02}/{i:05}", i % 31)
                    } else {
                        format!("big/{i:05}")
                    }
                })
                .collect(),
        ),
    ];
    for (name, keys) in &layouts {
        let bucket = format!("layout-{name}");
        c.put_bucket(&bucket, None).await.unwrap();
        {
            let mut store = emu.store();
            let mut next = store.next_id;
            let b = store.buckets.get_mut(&bucket).unwrap();
            for k in keys {
                b.put(k, common::stored_version(1), &mut next);
            }
            store.next_id = next;
        }
        let (pages, stats) = c.list_entries_split(&bucket, None, false, 16, Default::default());
        let pages: Vec<Vec<_>> = futures::TryStreamExt::try_collect(pages).await.unwrap();
        let mut listed: Vec<String> = pages.into_iter().flatten().map(|v| v.key).collect();
        listed.sort();
        let mut want = keys.clone();
        want.sort();
        want.dedup();
        assert_eq!(listed, want, "{name}: every key once");
        let t = stats.tally();
        assert!(t.ranges > 1, "{name}: split {t:?}");
        // Scoped to a prefix: only keys under it.
        let prefix = &want[want.len() / 2][..2];
        let (pages, _) = c.list_entries_split(&bucket, Some(prefix), false, 16, Default::default());
        let pages: Vec<Vec<_>> = futures::TryStreamExt::try_collect(pages).await.unwrap();
        let under: Vec<String> = pages.into_iter().flatten().map(|v| v.key).collect();
        assert_eq!(
            under.len(),
            want.iter().filter(|k| k.starts_with(prefix)).count(),
            "{name} {prefix}"
        );
        assert!(under.iter().all(|k| k.starts_with(prefix)));

        emu.faults().clear_log();
        let mut plan = ossweep::delete::Plan::new(&bucket, [ossweep::scan::Category::Objects]);
        plan.delete_bucket = false;
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let summary =
            ossweep::delete::run(&c, plan, tx, tokio_util::sync::CancellationToken::new()).await;
        drain.await.unwrap();
        assert_eq!(summary.deleted(), want.len() as u64, "{name}");
        let batches = emu.faults().count("DeleteMultipleObjects");
        assert_eq!(
            batches,
            want.len().div_ceil(1000) as u64,
            "{name}: full batches"
        );
    }
    emu.shutdown().await.unwrap();
}
