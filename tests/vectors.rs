//! Vector buckets end to end against the emulator over HTTP: the client (path
//! style and OSS's host names), the engine (indexes, waiting, the bucket), and
//! the headless commands with their exit codes.

mod common;

use std::time::Duration;

use futures::TryStreamExt;
use ossweep::blockers::Category;
use ossweep::delete::{Audit, Event};
use ossweep::emulator::seed::Seed;
use ossweep::emulator::{EmulatorConfig, FaultKind, FaultRule};
use ossweep::engine::{self, Action};
use ossweep::oss::Client;
use ossweep::vocab::BucketKind;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use common::*;

const SEED: &str = r#"
[[vector_bucket]]
name = "vec-main"
region = "cn-hangzhou"
index = [
  { name = "docs", dimension = 8, vectors = 2500 },
  { name = "faq", dimension = 4, vectors = 7 },
  { name = "tickets", dimension = 4 },
]

[[vector_bucket]]
name = "vec-far"
region = "cn-shanghai"
index = [{ name = "only", dimension = 4, vectors = 3 }]

[[bucket]]
name = "objects-stay"
objects = [{ key = "a.txt" }]
"#;

async fn vector_emulator(delay: Duration) -> ossweep::emulator::EmulatorHandle {
    ossweep::emulator::start(EmulatorConfig {
        seed: Seed::Inline(SEED.into()),
        access_point_delay: delay,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn indexes(emu: &ossweep::emulator::EmulatorHandle, region: &str, bucket: &str) -> Vec<String> {
    emu.store()
        .vector_buckets
        .get(region)
        .and_then(|b| b.get(bucket))
        .map(|b| b.indexes.keys().cloned().collect())
        .unwrap_or_default()
}

fn exists(emu: &ossweep::emulator::EmulatorHandle, region: &str, bucket: &str) -> bool {
    emu.store()
        .vector_buckets
        .get(region)
        .is_some_and(|b| b.contains_key(bucket))
}

async fn run(client: &Client, bucket: &str, action: Action) -> ossweep::delete::Summary {
    run_waiting(client, bucket, action, Duration::from_secs(5)).await
}

/// Prepares and runs `action`, waiting up to `wait` for index deletions.
async fn run_waiting(
    client: &Client,
    bucket: &str,
    action: Action,
    wait: Duration,
) -> ossweep::delete::Summary {
    let cancel = CancellationToken::new();
    let pf = engine::prepare(
        client,
        BucketKind::Vector,
        bucket,
        None,
        action,
        None,
        &cancel,
    )
    .await
    .unwrap();
    let (tx, mut rx) = mpsc::channel::<Event>(1024);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let mut plan = pf.plan(Audit::none(), false);
    plan.poll_interval = Duration::from_millis(50);
    plan.wait_timeout = wait;
    ossweep::delete::run(client, plan, tx, cancel).await
}

#[tokio::test]
async fn both_addressing_styles_list_scan_and_delete_vector_buckets() {
    for style in ["path", "virtual"] {
        let emu = vector_emulator(Duration::from_millis(200)).await;
        let cfg = match style {
            "path" => path_config(&emu, "cn-hangzhou"),
            _ => virtual_config(&emu, "cn-hangzhou"),
        };
        let client = Client::new(cfg);
        let mut listed: Vec<(String, String)> = client
            .list_vector_buckets()
            .map_ok(|b| (b.name, b.region))
            .try_collect()
            .await
            .unwrap();
        listed.sort();
        assert_eq!(
            listed,
            [
                ("vec-far".to_string(), "cn-shanghai".to_string()),
                ("vec-main".to_string(), "cn-hangzhou".to_string())
            ],
            "{style}: every region, and no object bucket"
        );
        let report =
            ossweep::scan::scan_vector(&client, "vec-main", None, &CancellationToken::new())
                .await
                .unwrap();
        assert!(report.complete);
        assert_eq!(report.category(Category::VectorIndexes).count, 3);
        let counts: Vec<(String, String)> = report
            .indexes
            .iter()
            .map(|i| (i.index.name.clone(), i.vectors_text()))
            .collect();
        assert_eq!(
            counts,
            [
                ("docs".to_string(), "2,500".to_string()),
                ("faq".to_string(), "7".to_string()),
                ("tickets".to_string(), "0".to_string())
            ],
            "{style}"
        );
        // One index alone: the others and the bucket stay.
        let s = run(&client, "vec-main", Action::clear_indexes(["faq"])).await;
        assert!(s.complete(), "{style}: {s:?}");
        assert_eq!(
            indexes(&emu, "cn-hangzhou", "vec-main"),
            ["docs", "tickets"]
        );
        // The whole bucket, in its own region (cn-shanghai) too.
        for (region, bucket) in [("cn-hangzhou", "vec-main"), ("cn-shanghai", "vec-far")] {
            let s = run(&client, bucket, Action::DeleteBucket).await;
            assert!(s.complete() && s.bucket_deleted, "{style} {bucket}: {s:?}");
            assert!(s.verified.contains(&Category::VectorIndexes));
            assert!(!exists(&emu, region, bucket), "{style}: {bucket} is gone");
        }
        assert!(emu.store().buckets.contains_key("objects-stay"));
        emu.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn an_index_stuck_deleting_keeps_the_bucket_and_says_why() {
    let emu = vector_emulator(Duration::from_secs(3600)).await;
    let client = Client::new(path_config(&emu, "cn-hangzhou"));
    let s = run_waiting(
        &client,
        "vec-far",
        Action::DeleteBucket,
        Duration::from_millis(600),
    )
    .await;
    assert!(!s.complete() && !s.bucket_deleted);
    assert_eq!(s.failures[0].code, "VectorIndexDeleting");
    let remaining = s.remaining.expect("says what remains");
    assert!(
        remaining.explanation.contains("only (deleting)"),
        "{}",
        remaining.explanation
    );
    assert!(exists(&emu, "cn-shanghai", "vec-far"), "the bucket is kept");
    assert_eq!(emu.faults().count("DeleteVectorBucket"), 0, "never tried");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn throttled_vector_calls_are_retried_and_signatures_are_checked() {
    let emu = vector_emulator(Duration::from_millis(100)).await;
    emu.faults().push(
        FaultRule::new(FaultKind::Throttle { delay_ms: 5 })
            .op("ListVectorIndexes")
            .times(3),
    );
    emu.faults().push(
        FaultRule::new(FaultKind::Throttle { delay_ms: 5 })
            .op("DeleteVectorIndex")
            .times(2),
    );
    let client = Client::new(path_config(&emu, "cn-hangzhou"));
    let s = run(&client, "vec-main", Action::DeleteBucket).await;
    assert!(s.complete() && s.bucket_deleted, "{s:?}");
    assert!(s.throttles >= 2, "{s:?}");
    // A wrong secret is refused on the Vectors hosts as on OSS, with a JSON error.
    let mut cfg = virtual_config(&emu, "cn-hangzhou");
    cfg.credentials = wrong_secret(&emu);
    cfg.account_id = Some(ossweep::emulator::ops::OWNER_ID.into());
    let err = Client::new(cfg)
        .get_vector_bucket("vec-far")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"), "{err}");
    emu.shutdown().await.unwrap();
}

fn ossweep(
    emu: &ossweep::emulator::EmulatorHandle,
    home: &std::path::Path,
) -> std::process::Command {
    cli(emu, home)
}

fn out(c: &mut std::process::Command) -> (i32, String, String) {
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_headless_commands_for_vector_buckets() {
    let emu = vector_emulator(Duration::from_millis(100)).await;
    let home = tempfile::tempdir().unwrap();
    let (code, stdout, _) = out(ossweep(&emu, home.path()).args(["buckets", "--vector", "--json"]));
    assert_eq!(code, 0);
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rows[1]["name"], "vec-main");
    assert_eq!(rows[1]["indexes"], 3);
    assert_eq!(rows[0]["region"], "cn-shanghai");

    let (code, stdout, _) = out(ossweep(&emu, home.path()).args(["scan", "--vector", "vec-main"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("docs") && stdout.contains("2,500"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("cool-down"),
        "no invented cool-down: {stdout}"
    );

    // Invalid names are refused before any request.
    emu.faults().clear_log();
    let (code, _, stderr) = out(ossweep(&emu, home.path()).args(["scan", "--vector", "ab"]));
    assert_eq!(code, 2, "{stderr}");
    let long = "a".repeat(33);
    let (code, _, _) =
        out(ossweep(&emu, home.path()).args(["delete", "--vector", &long, "--confirm", &long]));
    assert_eq!(code, 2);
    assert!(emu.faults().log().is_empty(), "no request went out");

    // One index; an unknown one is refused with nothing sent.
    let (code, _, stderr) = out(ossweep(&emu, home.path()).args([
        "empty",
        "--vector",
        "vec-main",
        "--only-index",
        "nope",
        "--yes",
    ]));
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("no vector index named nope"), "{stderr}");
    let (code, _, stderr) = out(ossweep(&emu, home.path()).args([
        "empty",
        "--vector",
        "vec-main",
        "--only-index",
        "faq",
        "--yes",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        indexes(&emu, "cn-hangzhou", "vec-main"),
        ["docs", "tickets"]
    );

    // Deleting needs the name again; then the indexes and the bucket go.
    let (code, _, _) = out(ossweep(&emu, home.path()).args(["delete", "--vector", "vec-main"]));
    assert_eq!(code, 4, "refused without --confirm");
    assert!(exists(&emu, "cn-hangzhou", "vec-main"));
    let report = home.path().join("audit.ndjson");
    let (code, stdout, stderr) = out(ossweep(&emu, home.path()).args([
        "delete",
        "--vector",
        "vec-main",
        "vec-far",
        "--confirm",
        "vec-main",
        "vec-far",
        "--json",
        "--report",
        report.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(r#""kind":"vector""#), "{stdout}");
    assert!(!exists(&emu, "cn-hangzhou", "vec-main") && !exists(&emu, "cn-shanghai", "vec-far"));
    let audit = std::fs::read_to_string(&report).unwrap();
    let deleted = audit
        .lines()
        .filter(|l| l.contains(r#""action":"deleted""#))
        .count();
    assert_eq!(deleted, 3, "docs, tickets, only: {audit}");
    assert!(emu.store().buckets.contains_key("objects-stay"));
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_account_id_is_named_as_the_cause() {
    let emu = vector_emulator(Duration::from_millis(100)).await;
    let home = tempfile::tempdir().unwrap();
    let (code, _, stderr) = out(ossweep(&emu, home.path())
        .env("OSS_ACCOUNT_ID", "999")
        .args(["scan", "--vector", "vec-main"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("account id 999") && stderr.contains("OSS_ACCOUNT_ID"),
        "{stderr}"
    );
    let (code, _, stderr) = out(ossweep(&emu, home.path())
        .env("OSS_ACCOUNT_ID", "12.example.com")
        .args(["buckets", "--vector"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("not an Alibaba Cloud account id"),
        "{stderr}"
    );
    assert!(exists(&emu, "cn-hangzhou", "vec-main"));
    emu.shutdown().await.unwrap();
}
