//! The figures, rerunnable: a `delete` through 30% injected faults, and
//! runs stopped by SIGKILL, SIGTERM and a double Ctrl-C, each compared with
//! what the emulator lost. Sizes default to CI-friendly ones; the
//! figures in tests/bench/README.md come from `OSSWEEP_FAULT_KEYS=45455 OSSWEEP_STOP_KEYS=200000 cargo
//! test --release --test stops -- --nocapture`.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use ossweep::emulator::seed::Seed;

use common::{held, reported, size};

fn config(home: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let p = home.join("ossweep.toml");
    std::fs::write(&p, format!("[profiles.default]\n{extra}\n")).unwrap();
    p
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delete_through_30_percent_faults_completes_and_its_books_match() {
    let keys = size("OSSWEEP_FAULT_KEYS", 4_546);
    let emu = common::emulator(Seed::Empty).await;
    let home = tempfile::tempdir().unwrap();
    let c = common::client(&emu);
    c.put_bucket("keep", None).await.unwrap();
    for i in 0..50 {
        c.put_object("keep", &format!("k{i}"), vec![1])
            .await
            .unwrap();
    }
    let entries = common::versioned_with_markers(&emu, "faulty", keys);
    let before = held(&emu, "faulty");
    let keep_before = held(&emu, "keep");
    // Throttling, 500s, dropped connections, drops after acting, cut replies.
    emu.faults().set_fault_rate(0.3);
    let report = home.path().join("report.jsonl");
    let cfg = config(home.path(), "max_attempts = 10");
    let started = Instant::now();
    let out = common::cli(&emu, home.path())
        .arg("--config")
        .arg(&cfg)
        .args([
            "delete",
            "faulty",
            "--confirm",
            "faulty",
            "--json",
            "--report",
        ])
        .arg(&report)
        .output()
        .unwrap();
    let took = started.elapsed();
    emu.faults().set_fault_rate(0.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!emu.store().buckets.contains_key("faulty"), "bucket gone");
    assert_eq!(
        held(&emu, "keep"),
        keep_before,
        "every other bucket unchanged"
    );
    let finished: serde_json::Value = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "finished")
        .expect("a finished event");
    let deleted: u64 = finished["summary"]["categories"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["deleted"].as_u64().unwrap())
        .sum();
    let (audit, lines) = reported(&report);
    println!(
        "30% faults: {entries} entries deleted in {:.1} s, {} requests served, summary {deleted}, report {lines}",
        took.as_secs_f64(),
        emu.faults().log().len()
    );
    assert_eq!(
        deleted, entries,
        "the summary matches what the emulator lost"
    );
    assert_eq!(
        audit, before,
        "the report names exactly what the emulator lost"
    );
    assert_eq!(lines as u64, entries, "each once");
    emu.shutdown().await.unwrap();
}

/// Runs `delete` on a flat bucket at 20 ms latency, stops it with `signals`
/// after `after`, and checks the report against what the emulator lost.
async fn stopped_run(signals: &[&str], after: Duration, keys: usize) {
    let emu = common::emulator(Seed::Empty).await;
    emu.faults()
        .set_latency(Duration::from_millis(20), Duration::ZERO);
    let home = tempfile::tempdir().unwrap();
    common::flat_bucket(&emu, "big", "obj/", keys);
    let before = held(&emu, "big");
    let report = home.path().join("report.jsonl");
    let cfg = config(home.path(), "concurrency = 8");
    let mut child = common::cli(&emu, home.path())
        .arg("--config")
        .arg(&cfg)
        .args(["delete", "big", "--confirm", "big", "--report"])
        .arg(&report)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until deleting has started, then a little longer.
    while emu.faults().count("DeleteMultipleObjects") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(after).await;
    for s in signals {
        let _ = std::process::Command::new("kill")
            .args([&format!("-{s}"), &child.id().to_string()])
            .status();
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let stderr: Vec<String> = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .collect();
    let status = child.wait().unwrap();
    let after_run = held(&emu, "big");
    let lost: BTreeSet<_> = before.difference(&after_run).cloned().collect();
    let (audit, _) = reported(&report);
    let missing = lost.difference(&audit).count();
    println!(
        "{signals:?} after {after:?}: {} deleted, {} in the report, {missing} missing (batches in flight), exit {:?}",
        lost.len(),
        audit.len(),
        status.code()
    );
    assert!(
        audit.is_subset(&lost),
        "the report names nothing that was not deleted"
    );
    // What the report lacks can only be batches whose replies had not arrived:
    // at most the requests in flight (8) of 1000 keys.
    assert!(
        missing <= 8 * 1000,
        "{missing} deleted keys missing from the report"
    );
    if signals != ["KILL"] {
        assert_eq!(status.code(), Some(3), "{}", stderr.join("\n"));
        let text = stderr.join("\n");
        assert!(
            text.contains("big: deleted"),
            "a summary is printed: {text}"
        );
        if signals.len() == 1 {
            assert_eq!(
                missing, 0,
                "a stop that waits for the batches in flight books them all"
            );
        }
    }
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn stops_at_random_points_keep_the_books() {
    let keys = size("OSSWEEP_STOP_KEYS", 30_000);
    let mut seed = ossweep::oss::retry::Jitter::seeded(0x5709);
    for signals in [&["KILL"][..], &["TERM"], &["INT", "INT"]] {
        for _ in 0..size("OSSWEEP_STOP_ROUNDS", 1) {
            let after = Duration::from_millis((seed.next_f64() * 400.0) as u64);
            stopped_run(signals, after, keys).await;
        }
    }
}
