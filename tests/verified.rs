//! "Done" means done: verified emptying against a faithful and a naive
//! version-id-marker, lost replies, markers that never advance.

mod common;

use std::time::Duration;

use ossweep::delete::{self, Event, Plan, Summary};
use ossweep::emulator::faults::MarkerMode;
use ossweep::emulator::seed::Seed;
use ossweep::oss::Client;
use ossweep::scan::Category;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn plan(bucket: &str) -> Plan {
    let mut p = Plan::new(
        bucket,
        [
            Category::Objects,
            Category::PreviousVersions,
            Category::DeleteMarkers,
            Category::Parts,
        ],
    );
    p.poll_interval = Duration::from_millis(50);
    p
}

async fn run(c: &Client, p: Plan) -> (Summary, Vec<Event>) {
    let (tx, mut rx) = mpsc::channel(64);
    let collector = tokio::spawn(async move {
        let mut events = Vec::new();
        while let Some(e) = rx.recv().await {
            events.push(e);
        }
        events
    });
    let summary = delete::run(c, p, tx, CancellationToken::new()).await;
    (summary, collector.await.unwrap())
}

/// The issue's case: 20,000 keys x 2 versions, a delete marker on every 5th key,
/// emptied whole and by prefix, then deleted, with either marker behaviour.
async fn empties_for_real(mode: MarkerMode) {
    let emu = common::emulator(Seed::Empty).await;
    emu.faults().set_marker_mode(mode);
    let c = common::client(&emu);
    let total = common::versioned_with_markers(&emu, "vbk", 20_000);
    assert_eq!(total, 44_000);

    // --prefix a/: every entry under a/ goes, nothing under b/ is touched.
    let (_, under_a) = common::entries(&emu, "vbk", "a/");
    let mut p = plan("vbk");
    p.prefix = Some("a/".into());
    let (s, _) = run(&c, p).await;
    assert!(s.complete(), "{mode:?}: {s:?}");
    assert_eq!(s.deleted(), under_a, "{mode:?}: the summary matches");
    assert_eq!(common::entries(&emu, "vbk", "a/"), (total - under_a, 0));

    // The rest, then the bucket.
    let mut p = plan("vbk");
    p.categories = Plan::everything(ossweep::vocab::BucketKind::Object);
    p.delete_bucket = true;
    let (s, events) = run(&c, p).await;
    assert!(s.complete() && s.bucket_deleted, "{mode:?}: {s:?}");
    assert_eq!(s.deleted(), total - under_a, "{mode:?}");
    assert!(!emu.store().buckets.contains_key("vbk"));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Verified {
            category: Category::PreviousVersions,
            ..
        }
    )));
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_versioned_bucket_with_markers_empties_against_faithful_markers() {
    empties_for_real(MarkerMode::Position).await;
}

#[tokio::test]
async fn a_versioned_bucket_with_markers_empties_when_a_server_skips_after_a_deleted_marker() {
    empties_for_real(MarkerMode::SkipWhenGone).await;
}

/// The audit file's records (after its `opened` line), as (action, key).
fn audit_lines(path: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.contains(r#""action":"opened""#))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["action"].as_str().unwrap().to_string(),
                v["key"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn replies_lost_after_the_server_acted_are_counted_as_what_happened() {
    use ossweep::emulator::{FaultKind, FaultRule};
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    let dir = tempfile::tempdir().unwrap();

    // Every DeleteMultipleObjects reply is cut in half, however often it is sent.
    common::flat_bucket(&emu, "cut", "k/", 3000);
    emu.faults()
        .push(FaultRule::new(FaultKind::CutReply).op("DeleteMultipleObjects"));
    let report = dir.path().join("cut.jsonl");
    let mut p = plan("cut");
    p.audit = ossweep::delete::Audit::to_file(&report).unwrap();
    let (s, _) = run(&c, p).await;
    assert_eq!(
        emu.store().buckets["cut"].objects.len(),
        0,
        "OSS deleted all"
    );
    assert!(s.complete(), "{s:?}");
    assert_eq!((s.deleted(), s.failures_total), (3000, 0));
    let lines = audit_lines(&report);
    assert_eq!(lines.len(), 3000);
    assert!(lines.iter().all(|(a, _)| a == "deleted"));

    // Connections dropped after the server acted, twice: the re-sends settle it.
    emu.faults().clear();
    common::flat_bucket(&emu, "dropped", "k/", 3000);
    emu.faults().push(
        FaultRule::new(FaultKind::DropAfter)
            .op("DeleteMultipleObjects")
            .times(2),
    );
    let (s, _) = run(&c, plan("dropped")).await;
    assert!(s.complete(), "{s:?}");
    assert_eq!((s.deleted(), s.failures_total), (3000, 0));

    // A clear refusal is a failure, never re-checked into a success.
    common::flat_bucket(&emu, "denied", "k/", 10);
    emu.faults().push(
        FaultRule::new(FaultKind::Deny)
            .op("DeleteMultipleObjects")
            .bucket("denied"),
    );
    let (s, _) = run(&c, plan("denied")).await;
    assert_eq!((s.deleted(), s.failures_total), (0, 10));
    assert_eq!(emu.store().buckets["denied"].objects.len(), 10);
    assert!(!s.complete());
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_listing_whose_marker_never_advances_ends_with_a_clear_error() {
    use ossweep::emulator::{FaultKind, FaultRule};
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    common::flat_bucket(&emu, "loop", "k/", 5);
    // Every page says "truncated, continue at the same token".
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult><Name>loop</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><KeyCount>1</KeyCount>
<IsTruncated>true</IsTruncated><NextContinuationToken>AAAA</NextContinuationToken>
<Contents><Key>k/0000000</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"X"</ETag><Size>10</Size><StorageClass>Standard</StorageClass></Contents>
</ListBucketResult>"#;
    emu.faults().push(
        FaultRule::new(FaultKind::Raw {
            status: 200,
            body: body.into(),
        })
        .op("ListObjectsV2"),
    );
    let started = std::time::Instant::now();
    let report = ossweep::scan::scan(&c, "loop", None, &CancellationToken::new(), 0)
        .await
        .unwrap();
    assert!(report.finished && !report.complete);
    let objects = &report.categories[0];
    assert_eq!(objects.state, ossweep::scan::State::Unknown);
    assert!(
        objects
            .note
            .as_deref()
            .unwrap()
            .contains("stopped advancing"),
        "{:?}",
        objects.note
    );
    let (s, _) = run(&c, plan("loop")).await;
    assert!(!s.complete());
    let e = s.error.clone().expect("a clear error");
    assert!(e.to_string().contains("stopped advancing"), "{e}");
    assert!(s.deleted() <= 5, "no runaway counts: {}", s.deleted());
    let listings = emu.faults().count("ListObjectsV2");
    assert!(
        listings < 200,
        "bounded: {listings} listings (probes and split ranges included)"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    emu.shutdown().await.unwrap();
}
