//! The scan and the deletion engine against the emulator.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use ossweep::delete::{self, Audit, Event, Plan, Summary};
use ossweep::emulator::seed::Seed;
use ossweep::emulator::{EmulatorHandle, FaultKind, FaultRule};
use ossweep::oss::Client;
use ossweep::scan::{self, Category, ScanReport, State};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn now() -> i64 {
    ossweep::oss::time::unix_secs(std::time::SystemTime::now())
}

async fn scan_of(c: &Client, bucket: &str) -> ScanReport {
    scan::scan(c, bucket, None, &CancellationToken::new(), now())
        .await
        .unwrap()
}

fn counts(r: &ScanReport) -> BTreeMap<Category, u64> {
    r.categories.iter().map(|c| (c.category, c.count)).collect()
}

fn plan(bucket: &str, cats: impl IntoIterator<Item = Category>) -> Plan {
    let mut p = Plan::new(bucket, cats);
    p.poll_interval = Duration::from_millis(50);
    p.wait_timeout = Duration::from_secs(20);
    p
}

/// Runs a plan, collecting every event.
async fn run(c: &Client, p: Plan) -> (Summary, Vec<Event>) {
    run_with(c, p, CancellationToken::new(), |_| {}).await
}

async fn run_with(
    c: &Client,
    p: Plan,
    cancel: CancellationToken,
    on_event: impl Fn(&Event) + Send + 'static,
) -> (Summary, Vec<Event>) {
    // Room for every event: the engine's notices of throttling are sent
    // without waiting, and a collector slowed by a busy machine must not
    // lose them.
    let (tx, mut rx) = mpsc::channel(1 << 16);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let collector = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            on_event(&e);
            sink.lock().unwrap().push(e);
        }
    });
    let summary = delete::run(c, p, tx, cancel).await;
    collector.await.unwrap();
    let events = events.lock().unwrap().clone();
    (summary, events)
}

/// A versioned bucket holding one of everything.
async fn mixed_bucket(emu: &EmulatorHandle) -> Client {
    let c = common::client(emu);
    c.put_bucket("mixed", None).await.unwrap();
    c.put_bucket_versioning("mixed", true).await.unwrap();
    for i in 0..30 {
        let key = format!("data/{i:03}.bin");
        c.put_object("mixed", &key, b"v1".to_vec()).await.unwrap();
        c.put_object("mixed", &key, b"v2-longer".to_vec())
            .await
            .unwrap();
        if i % 3 == 0 {
            c.delete_object("mixed", &key, None).await.unwrap();
        }
    }
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("mixed").unwrap();
        b.uploads.insert(
            ("up/big.bin".into(), "U1".into()),
            ossweep::emulator::store::Upload {
                initiated: 0,
                class: Default::default(),
                parts: Default::default(),
            },
        );
        b.live_channels.insert(
            "cam".into(),
            ossweep::emulator::store::LiveChannel {
                description: String::new(),
                enabled: true,
                modified: 0,
                playlist: "p.m3u8".into(),
                pushing: false,
            },
        );
        b.access_points.insert(
            "ap-one".into(),
            ossweep::emulator::store::AccessPoint {
                network_origin: "internet".into(),
                vpc_id: None,
                created: 0,
                ready_at_ms: 0,
                gone_at_ms: None,
                policy: Some("{}".into()),
            },
        );
    }
    c
}

#[tokio::test]
async fn scan_streams_counts_states_and_risks_of_the_demo_buckets() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    let (tx, mut rx) = mpsc::channel(1024);
    let report = scan::scan(
        &c,
        "acme-app-backups",
        Some(tx),
        &CancellationToken::new(),
        now(),
    )
    .await
    .unwrap();
    let mut kinds = Vec::new();
    while let Ok(e) = rx.try_recv() {
        kinds.push(match e {
            scan::ScanEvent::Estimate(_) => "estimate",
            scan::ScanEvent::Counted { .. } => "counted",
            scan::ScanEvent::Finished(_) => "finished",
        });
    }
    assert_eq!(kinds.first(), Some(&"estimate"), "the estimate comes first");
    assert_eq!(kinds.last(), Some(&"finished"));
    assert!(report.complete);
    let stat = report.estimate.clone().unwrap();
    let n = counts(&report);
    assert_eq!(
        n[&Category::Objects] + n[&Category::PreviousVersions],
        stat.object_count
    );
    assert_eq!(n[&Category::DeleteMarkers], stat.delete_marker_count);
    assert!(n[&Category::PreviousVersions] > 0 && n[&Category::DeleteMarkers] > 0);
    assert_eq!(report.category(Category::Objects).state, State::Blocks);
    assert_eq!(report.category(Category::LiveChannels).state, State::Clear);

    let web = scan_of(&c, "acme-web-assets").await;
    let kinds: Vec<&str> = web.risks.iter().map(|r| r.kind).collect();
    assert!(
        kinds.contains(&"website")
            && kinds.contains(&"custom-domains")
            && kinds.contains(&"irreversible")
            && kinds.contains(&"name-cooldown")
    );
    let lake = scan_of(&c, "acme-data-lake").await;
    assert_eq!(lake.category(Category::OssHdfs).state, State::ManualStep);
    assert_eq!(lake.category(Category::AccessPoints).count, 2);
    assert_eq!(lake.category(Category::Accelerators).count, 1);
    let archive = scan_of(&c, "acme-compliance-archive").await;
    assert!(archive.worm_protected > 0 && archive.risks.iter().any(|r| r.kind == "worm"));
    // Every object is under the retention policy: none can be deleted early,
    // so no early-deletion fee is at stake (nor any API estimate).
    assert!(
        archive.early_deletion.is_empty(),
        "{:?}",
        archive.early_deletion
    );
    assert!(!archive
        .risks
        .iter()
        .any(|r| r.kind == "early-deletion" || r.kind == "cost-and-time"));
    let logs = scan_of(&c, "acme-logs-replicated").await;
    assert!(logs
        .risks
        .iter()
        .any(|r| r.kind == "replication" && r.text.contains("acme-logs-dr")));
    let ingest = scan_of(&c, "acme-media-ingest").await;
    assert_eq!(
        (
            ingest.category(Category::Parts).count,
            ingest.category(Category::LiveChannels).count
        ),
        (3, 2)
    );
    emu.shutdown().await.unwrap();
}

/// Every (key, version id, is delete marker) the emulator holds for a bucket.
fn versions_of(emu: &EmulatorHandle, bucket: &str) -> BTreeSet<(String, u64, bool)> {
    let store = emu.store();
    store.buckets[bucket]
        .objects
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.id, v.delete_marker)))
        .collect()
}

#[tokio::test]
async fn each_category_cleared_alone_leaves_the_others_intact() {
    for category in [
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
        Category::Parts,
        Category::LiveChannels,
        Category::AccessPoints,
    ] {
        let emu = common::emulator(Seed::Empty).await;
        let c = mixed_bucket(&emu).await;
        let before = counts(&scan_of(&c, "mixed").await);
        let versions_before = versions_of(&emu, "mixed");
        // Which versions are in which category, as the scan sees them before the run.
        let mut in_category = BTreeSet::new();
        {
            let store = emu.store();
            for (k, vs) in &store.buckets["mixed"].objects {
                for (i, v) in vs.iter().enumerate() {
                    let cat = if v.delete_marker {
                        Category::DeleteMarkers
                    } else if i == 0 {
                        Category::Objects
                    } else {
                        Category::PreviousVersions
                    };
                    if cat == category {
                        in_category.insert((k.clone(), v.id, v.delete_marker));
                    }
                }
            }
        }
        assert!(before[&category] > 0, "{category:?} present before");
        let (summary, _) = run(&c, plan("mixed", [category])).await;
        assert!(summary.complete(), "{category:?}: {summary:?}");
        assert_eq!(summary.categories[&category].deleted, before[&category]);
        // Exactly that category's versions went; every other version is still there.
        let expected: BTreeSet<_> = versions_before.difference(&in_category).cloned().collect();
        assert_eq!(
            versions_of(&emu, "mixed"),
            expected,
            "clearing {category:?}"
        );
        let after = counts(&scan_of(&c, "mixed").await);
        for k in [
            Category::Parts,
            Category::LiveChannels,
            Category::AccessPoints,
        ] {
            assert_eq!(
                after[&k],
                if k == category { 0 } else { before[&k] },
                "clearing {category:?} changed {k:?}"
            );
        }
        emu.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn an_emptied_versioned_bucket_has_no_versions_or_markers_and_is_deleted() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    let before = scan_of(&c, "acme-app-backups").await;
    let mut p = plan(
        "acme-app-backups",
        Plan::everything(ossweep::vocab::BucketKind::Object),
    );
    p.delete_bucket = true;
    let (summary, events) = run(&c, p).await;
    assert!(summary.complete() && summary.bucket_deleted, "{summary:?}");
    assert_eq!(summary.deleted(), before.object_entries());
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::BucketDeleted { .. })));
    assert!(matches!(events.last(), Some(Event::Finished { .. })));
    assert!(!emu.store().buckets.contains_key("acme-app-backups"));
    // Every delete named a version: no request created a delete marker.
    let log = emu.faults().log();
    assert!(log
        .iter()
        .filter(|e| e.op == "DeleteMultipleObjects")
        .all(|e| e.status == 200));
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn deleting_a_bucket_clears_every_attachment_first() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    for bucket in ["acme-media-ingest", "acme-tmp-suspended", "acme-web-assets"] {
        let mut p = plan(bucket, Plan::everything(ossweep::vocab::BucketKind::Object));
        p.delete_bucket = true;
        let (summary, _) = run(&c, p).await;
        assert!(summary.bucket_deleted, "{bucket}: {summary:?}");
    }
    // OSS-HDFS data is never deleted: the data lake stays, with an explanation.
    let mut p = plan(
        "acme-data-lake",
        Plan::everything(ossweep::vocab::BucketKind::Object),
    );
    p.delete_bucket = true;
    let (summary, _) = run(&c, p).await;
    assert!(!summary.bucket_deleted);
    let remaining = summary.remaining.unwrap();
    assert_eq!(remaining.counts.get(&Category::OssHdfs), Some(&40));
    assert!(
        !remaining.counts.contains_key(&Category::AccessPoints)
            && !remaining.counts.contains_key(&Category::Accelerators)
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn dry_run_sends_no_delete_request() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    emu.faults().clear_log();
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut p = plan(
        "acme-media-ingest",
        Plan::everything(ossweep::vocab::BucketKind::Object),
    );
    p.dry_run = true;
    p.audit = Audit::to_file(report.path()).unwrap();
    let (summary, _) = run(&c, p).await;
    assert!(summary.dry_run && summary.deleted() > 0);
    let log = emu.faults().log();
    let writes: Vec<_> = log
        .iter()
        .filter(|e| e.method != "GET" && e.method != "HEAD")
        .collect();
    assert!(writes.is_empty(), "a dry run sent {writes:?}");
    let text = std::fs::read_to_string(report.path()).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().contains("\"action\":\"opened\""));
    let records: Vec<&str> = lines.collect();
    assert_eq!(records.len() as u64, summary.deleted());
    assert!(records
        .iter()
        .all(|l| l.contains("\"action\":\"would-delete\"")));
    assert_eq!(
        scan_of(&c, "acme-media-ingest")
            .await
            .category(Category::Objects)
            .count,
        302
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn keys_a_batch_did_not_delete_are_retried_then_reported() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("sticky", None).await.unwrap();
    for k in ["ok/1", "ok/2", "flaky/1", "stuck/1", "stuck/2"] {
        c.put_object("sticky", k, b"x".to_vec()).await.unwrap();
    }
    emu.faults().push(
        FaultRule::new(FaultKind::OmitKeys)
            .key_prefix("flaky/")
            .times(1),
    );
    emu.faults()
        .push(FaultRule::new(FaultKind::OmitKeys).key_prefix("stuck/"));
    let audit = tempfile::NamedTempFile::new().unwrap();
    let mut p = plan("sticky", [Category::Objects]);
    p.audit = Audit::to_file(audit.path()).unwrap();
    let (summary, events) = run(&c, p).await;
    assert_eq!(
        summary.categories[&Category::Objects].deleted,
        3,
        "flaky/1 went through on retry"
    );
    assert_eq!(summary.failures_total, 2);
    let failed: BTreeSet<&str> = summary.failures.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(failed, BTreeSet::from(["stuck/1", "stuck/2"]));
    assert!(summary.failures.iter().all(|f| f.code == "NotDeleted"));
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::ItemsFailed { count: 2, .. })));
    let keys: Vec<String> = c
        .list_objects("sticky", None)
        .map(|o| o.unwrap().key)
        .collect()
        .await;
    assert_eq!(keys, ["stuck/1", "stuck/2"]);
    let trail = std::fs::read_to_string(audit.path()).unwrap();
    assert_eq!(
        trail.lines().filter(|l| l.contains("\"deleted\"")).count(),
        3
    );
    assert_eq!(
        trail.lines().filter(|l| l.contains("\"failed\"")).count(),
        2
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn throttling_lowers_concurrency_and_the_run_still_completes() {
    let emu = common::emulator(Seed::Empty).await;
    // At most 8 in flight: how far slow start grew the limit before the first
    // throttle depends on the machine's speed, a cut to below 8 does not.
    let mut cfg = common::path_config(&emu, "cn-hangzhou");
    cfg.concurrency = 8;
    let c = Client::new(cfg);
    c.put_bucket("throttled", None).await.unwrap();
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("throttled").unwrap();
        for i in 0..8000 {
            b.objects
                .insert(format!("k/{i:05}"), vec![common::stored_version(1)]);
        }
    }
    emu.faults().push(
        FaultRule::new(FaultKind::Throttle { delay_ms: 20 })
            .op("DeleteMultipleObjects")
            .times(3),
    );
    let p = plan("throttled", [Category::Objects]);
    let (summary, events) = run(&c, p).await;
    assert!(summary.complete(), "{summary:?}");
    assert_eq!(summary.deleted(), 8000);
    assert!(summary.throttles >= 3);
    let lowest = events
        .iter()
        .filter_map(|e| {
            if let Event::Concurrency { limit } = e {
                Some(*limit)
            } else {
                None
            }
        })
        .min()
        .unwrap();
    assert!(lowest < 8, "throttling cut the concurrency to {lowest}");
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Throttled { delay_ms } if *delay_ms >= 20)));
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_run_cancelled_half_way_reports_exactly_what_the_emulator_lost() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("halfway", None).await.unwrap();
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("halfway").unwrap();
        for i in 0..30_000 {
            b.objects
                .insert(format!("k/{i:05}"), vec![common::stored_version(10)]);
        }
    }
    emu.faults()
        .set_latency(Duration::from_millis(15), Duration::ZERO);
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let seen = Arc::new(Mutex::new(0u64));
    let (summary, events) = run_with(&c, plan("halfway", [Category::Objects]), cancel, move |e| {
        if let Event::Progress { keys, .. } = e {
            let mut s = seen.lock().unwrap();
            *s += keys;
            if *s >= 5000 {
                trigger.cancel();
            }
        }
    })
    .await;
    assert!(summary.cancelled);
    assert!(matches!(events.last(), Some(Event::Cancelled { .. })));
    let left = emu.store().buckets["halfway"].objects.len() as u64;
    assert!(left > 0 && left < 30_000, "stopped part-way: {left} left");
    assert_eq!(
        summary.deleted(),
        30_000 - left,
        "the summary says exactly what was deleted"
    );
    assert_eq!(
        summary.categories[&Category::Objects].bytes,
        (30_000 - left) * 10
    );
    emu.shutdown().await.unwrap();
}

/// After a stop nothing new is sent: only the requests in flight at that
/// moment may still reach OSS. Under a low `--qps` ceiling deletes wait for
/// the rate as well as for a place: before the client checked the stop after
/// that wait, every waiting delete was sent after it (this failed then). The bound is
/// speed-independent: every delete the emulator serves after the stop was
/// served before it or held one of the budget's places when it came.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_stop_no_new_delete_is_sent() {
    use std::sync::atomic::{AtomicBool, Ordering};
    for trial in 0..5u64 {
        let emu = common::emulator(Seed::Empty).await;
        let mut cfg = common::path_config(&emu, "cn-hangzhou");
        cfg.qps = 60;
        let c = Client::new(cfg);
        let entries = common::versioned_with_markers(&emu, "stopping", 12_000);
        emu.faults()
            .set_latency(Duration::from_millis(10), Duration::from_millis(5));
        let cancel = CancellationToken::new();
        let done = AtomicBool::new(false);
        let at = 2 + trial * 3;
        let run = async {
            let r = run_with(
                &c,
                plan(
                    "stopping",
                    Plan::everything(ossweep::vocab::BucketKind::Object),
                ),
                cancel.clone(),
                |_| {},
            )
            .await;
            done.store(true, Ordering::SeqCst);
            r
        };
        let watch = async {
            while emu.faults().count("DeleteMultipleObjects") < at && !done.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            cancel.cancel();
            let in_flight = c.budget().view().in_flight as u64;
            (emu.faults().count("DeleteMultipleObjects"), in_flight)
        };
        let ((summary, _), (served, in_flight)) = tokio::join!(run, watch);
        let after = emu.faults().count("DeleteMultipleObjects");
        assert!(
            summary.cancelled,
            "trial {trial}: stopped after {at} batches"
        );
        assert_eq!(
            summary.failures_total,
            0,
            "trial {trial}: what the stop kept from being sent is no failure: {:?}",
            summary.failures.first()
        );
        assert!(
            after <= served + in_flight,
            "trial {trial}: {after} deletes served, {served} at the stop with {in_flight} requests in flight"
        );
        let left: u64 = emu.store().buckets["stopping"]
            .objects
            .values()
            .map(|v| v.len() as u64)
            .sum();
        assert_eq!(
            summary.deleted(),
            entries - left,
            "trial {trial}: the books equal what the emulator lost"
        );
        emu.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_during_the_run_gets_a_clear_explanation() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    common::flat_bucket(&emu, "busy-writer", "old/", 3000);
    let mut p = plan(
        "busy-writer",
        Plan::everything(ossweep::vocab::BucketKind::Object),
    );
    p.delete_bucket = true;
    // Someone keeps uploading while the bucket is being emptied: the verification
    // sweeps cannot keep up with a writer that never stops.
    let stop = CancellationToken::new();
    // The writers are another program: their own client and request budget.
    // Several at once, as fast as they can: the bucket is never empty for
    // long enough to be verified (one writer alone can lose that race now).
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (c, stop) = (common::client(&emu), stop.clone());
            tokio::spawn(async move {
                let mut i = 0u64;
                while !stop.is_cancelled() {
                    let key = format!("aaa/new-upload-{w}-{i:05}.bin");
                    if c.put_object("busy-writer", &key, b"fresh".to_vec())
                        .await
                        .is_err()
                    {
                        break;
                    }
                    i += 1;
                    tokio::task::yield_now().await;
                }
                i
            })
        })
        .collect();
    let (summary, _) = run(&c, p).await;
    stop.cancel();
    let mut written = 0;
    for w in writers {
        written += w.await.unwrap();
    }
    assert!(
        written > 0 && !summary.bucket_deleted && !summary.complete(),
        "{summary:?}"
    );
    let r = summary
        .remaining
        .clone()
        .unwrap_or_else(|| panic!("an explanation, not a bare BucketNotEmpty: {summary:?}"));
    assert!(r.written_during_run >= 1);
    // The stop names the way out: freezing writes during the run.
    assert!(
        summary
            .error
            .as_ref()
            .is_some_and(|e| e.message.contains("something may be writing")
                && e.message.contains("--freeze-writes")),
        "{summary:?}"
    );
    assert!(
        r.explanation.contains("written since this run started")
            && r.explanation.contains("aaa/new-upload-"),
        "{}",
        r.explanation
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn one_upload_behind_the_listing_is_swept_by_verification() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    common::flat_bucket(&emu, "late-writer", "old/", 3000);
    let mut p = plan(
        "late-writer",
        Plan::everything(ossweep::vocab::BucketKind::Object),
    );
    p.delete_bucket = true;
    // A one-slot channel: while this test handles an event the engine cannot move on.
    let (tx, mut rx) = mpsc::channel(1);
    let engine = c.clone();
    let handle =
        tokio::spawn(async move { delete::run(&engine, p, tx, CancellationToken::new()).await });
    let mut wrote = false;
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        if matches!(
            e,
            Event::Progress {
                category: Category::Objects,
                ..
            }
        ) && !wrote
        {
            // Written behind the listing: the delete pass never sees it.
            c.put_object("late-writer", "aaa/new-upload.bin", b"fresh".to_vec())
                .await
                .unwrap();
            wrote = true;
        }
        events.push(e);
    }
    let summary = handle.await.unwrap();
    assert!(
        wrote && summary.bucket_deleted && summary.complete(),
        "{summary:?}"
    );
    assert_eq!(summary.deleted(), 3001);
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::Verified {
                category: Category::Objects,
                passes: 3,
                ..
            }
        )),
        "pass 2 found the upload, pass 3 found nothing"
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn worm_protected_objects_are_skipped_and_keep_the_bucket() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    let mut p = plan(
        "acme-compliance-archive",
        Plan::everything(ossweep::vocab::BucketKind::Object),
    );
    p.delete_bucket = true;
    let (summary, events) = run(&c, p).await;
    assert!(!summary.bucket_deleted && !summary.complete());
    assert!(summary.categories[&Category::Objects].skipped > 0);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::ItemsSkipped { reason, .. } if reason.contains("retention"))));
    assert!(summary
        .remaining
        .unwrap()
        .explanation
        .contains("could not be deleted"));
    emu.shutdown().await.unwrap();
}

mod prefix_property {
    use super::*;
    use proptest::prelude::*;

    fn key_part() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("a"),
                Just("é"),
                Just("ключ"),
                Just(" "),
                Just("%"),
                Just("+"),
                Just("/"),
                Just("\u{1}"),
                Just("\t"),
                Just("z9"),
                Just("&<>")
            ],
            1..6,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn a_prefix_scoped_run_never_touches_keys_outside_the_prefix(
            prefix in key_part(),
            keys in proptest::collection::btree_set(key_part(), 1..40),
            under in proptest::collection::btree_set(key_part(), 0..20),
            trailing_slash in any::<bool>(),
        ) {
            let prefix = if trailing_slash { format!("{prefix}/") } else { prefix };
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async {
                let emu = common::emulator(Seed::Empty).await;
                let c = common::client(&emu);
                c.put_bucket("prop", None).await.unwrap();
                c.put_bucket_versioning("prop", true).await.unwrap();
                let mut all: BTreeSet<String> = keys.iter().filter(|k| !k.starts_with('/')).cloned().collect();
                all.extend(under.iter().map(|k| format!("{prefix}{k}")).filter(|k| !k.starts_with('/')));
                for k in &all {
                    c.put_object("prop", k, b"1".to_vec()).await.unwrap();
                    c.put_object("prop", k, b"2".to_vec()).await.unwrap();
                }
                let outside: BTreeSet<(String, String)> = {
                    let store = emu.store();
                    store.buckets["prop"].objects.iter().filter(|(k, _)| !k.starts_with(&prefix)).flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), format!("{}", v.id)))).collect()
                };
                let mut p = plan("prop", [Category::Objects, Category::PreviousVersions, Category::DeleteMarkers]);
                p.prefix = Some(prefix.clone());
                let (summary, _) = run(&c, p).await;
                assert!(summary.complete(), "{summary:?}");
                let after: BTreeSet<(String, String)> = versions_of(&emu, "prop").into_iter().map(|(k, id, _)| (k, format!("{id}"))).collect();
                assert_eq!(after, outside, "everything outside {prefix:?} intact, everything inside gone");
                emu.shutdown().await.unwrap();
            });
        }
    }
}

/// Keys whose path segments a URL parser would rewrite (`.`, `..`, `%2e`) or
/// that only differ by a trailing dot.
const DOTTED: [&str; 10] = [
    "a/./b",
    "a/../b",
    "./x",
    "../y",
    "dir/.",
    "dir/..",
    ".",
    "..",
    "a/%2e%2e/b",
    "a/%2E/c.",
];

#[tokio::test]
async fn keys_with_dot_segments_are_deleted_and_aborted_as_they_are_named() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("dots", None).await.unwrap();
    c.put_bucket_versioning("dots", true).await.unwrap();
    {
        // Written into the store, not through the client under test.
        let mut store = emu.store();
        let mut next = store.next_id;
        let b = store.buckets.get_mut("dots").unwrap();
        for key in DOTTED.iter().chain(["b", "x", "y", "a/c."].iter()) {
            b.put(key, common::stored_version(3), &mut next);
            b.put(key, common::stored_version(4), &mut next);
        }
        for (i, key) in DOTTED.iter().enumerate() {
            b.uploads.insert(
                (key.to_string(), format!("U{i}")),
                ossweep::emulator::store::Upload {
                    initiated: 0,
                    class: Default::default(),
                    parts: Default::default(),
                },
            );
        }
        store.next_id = next;
    }
    // A prefix-scoped clear of `a/` takes `a/./b`, `a/../b`, ... and never `b`,
    // which `a/../b` would become if the path were normalised.
    let mut p = plan("dots", Category::DATA);
    p.prefix = Some("a/".into());
    let (summary, _) = run(&c, p).await;
    assert!(
        summary.error.is_none() && summary.failures.is_empty() && summary.deleted() > 0,
        "{summary:?}"
    );
    let left: BTreeSet<String> = versions_of(&emu, "dots")
        .into_iter()
        .map(|(k, _, _)| k)
        .collect();
    let expected: BTreeSet<String> = DOTTED
        .iter()
        .chain(["b", "x", "y"].iter())
        .filter(|k| !k.starts_with("a/"))
        .map(|k| k.to_string())
        .collect();
    assert_eq!(left, expected);
    assert_eq!(
        emu.store().buckets["dots"]
            .uploads
            .keys()
            .filter(|(k, _)| k.starts_with("a/"))
            .count(),
        0
    );
    // The whole bucket: every version and every upload, then the bucket.
    let mut p = plan("dots", Plan::everything(ossweep::vocab::BucketKind::Object));
    p.delete_bucket = true;
    let (summary, _) = run(&c, p).await;
    assert!(summary.bucket_deleted, "{summary:?}");
    assert!(!emu.store().buckets.contains_key("dots"));
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn access_points_with_and_without_a_policy_in_every_state_are_deleted() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("aps", None).await.unwrap();
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("aps").unwrap();
        let ap =
            |ready_at_ms, gone_at_ms, policy: Option<&str>| ossweep::emulator::store::AccessPoint {
                network_origin: "internet".into(),
                vpc_id: None,
                created: 0,
                ready_at_ms,
                gone_at_ms,
                policy: policy.map(str::to_string),
            };
        b.access_points.insert("ap-plain".into(), ap(0, None, None));
        b.access_points
            .insert("ap-policy".into(), ap(0, None, Some("{}")));
        b.access_points
            .insert("ap-creating".into(), ap(400, None, Some("{}")));
        b.access_points
            .insert("ap-deleting".into(), ap(0, Some(300), None));
    }
    // OSS refuses the first DeleteAccessPoint (whatever the reason) and every
    // DeleteAccessPointPolicy: the access point is still tried again, and goes.
    let mut refuse_once = FaultRule::new(FaultKind::Raw {
        status: 409,
        body: "<?xml version=\"1.0\"?><Error><Code>AccessPointPolicyExists</Code><Message>x</Message><RequestId>1</RequestId></Error>".into(),
    });
    refuse_once.matcher.op = Some("DeleteAccessPoint".into());
    refuse_once.remaining = Some(1);
    emu.faults().push(refuse_once);
    let mut deny_policy = FaultRule::new(FaultKind::Deny);
    deny_policy.matcher.op = Some("DeleteAccessPointPolicy".into());
    emu.faults().push(deny_policy);

    let mut p = plan("aps", Plan::everything(ossweep::vocab::BucketKind::Object));
    p.delete_bucket = true;
    let (summary, _) = run(&c, p).await;
    assert!(summary.bucket_deleted, "{summary:?}");
    assert_eq!(summary.categories[&Category::AccessPoints].deleted, 4);
    assert!(!emu.store().buckets.contains_key("aps"));
    emu.shutdown().await.unwrap();
}

/// One item of a category, chosen in the drill-down: only it goes, through the
/// same preflight and run as a category; the scan shows what is behind the counts.
#[tokio::test]
async fn one_item_of_a_category_goes_and_its_siblings_stay() {
    use ossweep::engine::{preflight, Action};
    use ossweep::scan::found::Found;
    use ossweep::vocab::Target;
    let emu = common::emulator(Seed::Empty).await;
    let c = mixed_bucket(&emu).await;
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("mixed").unwrap();
        let upload = b.uploads[&("up/big.bin".to_string(), "U1".to_string())].clone();
        b.uploads
            .insert(("up/big.bin".into(), "U2".into()), upload.clone());
        b.uploads
            .insert(("up/other.bin".into(), "U3".into()), upload);
        let ch = b.live_channels["cam"].clone();
        b.live_channels.insert("cam-2".into(), ch);
        let ap = b.access_points["ap-one"].clone();
        b.access_points.insert("ap-two".into(), ap);
    }
    let report = scan_of(&c, "mixed").await;
    // What the drill-down shows: the items behind each count, and the prefixes.
    let names = |cat: Category| -> Vec<String> {
        report.found[&cat]
            .items
            .iter()
            .map(|f| f.name().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    assert_eq!(names(Category::AccessPoints), ["ap-one", "ap-two"]);
    assert_eq!(names(Category::LiveChannels), ["cam", "cam-2"]);
    assert_eq!(names(Category::Parts), ["up/big.bin", "up/other.bin"]);
    assert!(matches!(
        &report.found[&Category::Objects].items[..],
        [Found::Prefix { prefix, count: 20, .. }] if prefix == "data/"
    ));

    let cases = [
        (Category::AccessPoints, Target::named("ap-two")),
        (Category::LiveChannels, Target::named("cam")),
        (
            Category::Parts,
            Target {
                name: "up/big.bin".into(),
                upload_id: Some("U2".into()),
            },
        ),
    ];
    for (category, target) in cases {
        let p =
            preflight::preflight(&report, Action::clear_items(category, [target.clone()])).unwrap();
        assert!(p.refusal().is_none(), "{category:?}");
        let mut plan = p.plan(ossweep::delete::Audit::none(), false);
        plan.poll_interval = Duration::from_millis(50);
        let (summary, _) = run(&c, plan).await;
        assert!(summary.complete(), "{category:?}: {summary:?}");
        assert_eq!(summary.categories[&category].deleted, 1, "{category:?}");
        assert_eq!(
            summary.verified_line().as_deref(),
            Some("verified: a fresh listing no longer shows the 1 item named; the others stay")
        );
    }
    let after = scan_of(&c, "mixed").await;
    let left = |cat: Category| -> BTreeSet<String> {
        after.found[&cat]
            .items
            .iter()
            .map(|f| match f {
                Found::Upload { key, upload_id, .. } => format!("{key} {upload_id}"),
                other => other.name().to_string(),
            })
            .collect()
    };
    assert_eq!(left(Category::AccessPoints), ["ap-one".to_string()].into());
    assert_eq!(left(Category::LiveChannels), ["cam-2".to_string()].into());
    assert_eq!(
        left(Category::Parts),
        ["up/big.bin U1".to_string(), "up/other.bin U3".to_string()].into()
    );
    assert_eq!(counts(&after)[&Category::Objects], 20, "objects untouched");
    emu.shutdown().await.unwrap();
}

/// A LiveChannel a client is pushing to: the scan says so, the risk names it,
/// OSS refuses to delete it (`ChannelStillLive`), and the run disables it
/// first, then deletes it; the idle one goes as usual.
#[tokio::test]
async fn a_live_channel_is_named_as_a_risk_then_disabled_and_deleted() {
    use ossweep::engine::{preflight, Action};
    let emu = common::emulator(Seed::Empty).await;
    let c = mixed_bucket(&emu).await;
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("mixed").unwrap();
        let mut live = b.live_channels["cam"].clone();
        live.pushing = true;
        b.live_channels.insert("cam-live".into(), live);
    }
    let report = scan_of(&c, "mixed").await;
    let note = report.category(Category::LiveChannels).note.clone();
    assert_eq!(note.as_deref(), Some("1 receiving a stream now"));
    let risk = report
        .risks
        .iter()
        .find(|r| r.kind == "live-stream")
        .unwrap();
    assert!(
        risk.text.contains("(cam-live) is receiving a stream"),
        "{}",
        risk.text
    );
    // Clearing only the idle channel does not carry that risk.
    let idle = preflight::preflight(
        &report,
        Action::clear_items(
            Category::LiveChannels,
            [ossweep::vocab::Target::named("cam")],
        ),
    )
    .unwrap();
    assert!(idle.risks.iter().all(|r| r.kind != "live-stream"));
    let all = preflight::preflight(&report, Action::clear([Category::LiveChannels])).unwrap();
    assert!(all.risks.iter().any(|r| r.kind == "live-stream"));

    emu.faults().clear_log();
    let (summary, _) = run(&c, plan("mixed", [Category::LiveChannels])).await;
    assert!(summary.complete(), "{summary:?}");
    assert_eq!(summary.categories[&Category::LiveChannels].deleted, 2);
    assert_eq!(summary.requests, 3 + 1, "the live one took three requests");
    assert!(emu.store().buckets["mixed"].live_channels.is_empty());
    let log: Vec<(String, u16)> = emu
        .faults()
        .log()
        .into_iter()
        .filter(|e| e.key.as_deref() == Some("cam-live"))
        .map(|e| (e.op, e.status))
        .collect();
    assert_eq!(
        log,
        [
            ("DeleteLiveChannel".to_string(), 409),
            ("PutLiveChannelStatus".to_string(), 200),
            ("DeleteLiveChannel".to_string(), 204),
        ],
        "OSS refuses a live channel; ossweep disables it first"
    );
    emu.shutdown().await.unwrap();
}

/// An audit report that fails part-way stops the run before anything else
/// is sent: at most the batches already in flight go unrecorded (their keys
/// are in the journal's batch files when the run keeps one).
#[tokio::test]
async fn an_audit_report_that_fails_stops_the_run_before_the_next_batch() {
    struct FailsAfter(u32);
    impl std::io::Write for FailsAfter {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("No space left on device"));
            }
            self.0 -= 1;
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let emu = common::emulator(Seed::Empty).await;
    let mut cfg = common::path_config(&emu, "cn-hangzhou");
    cfg.concurrency = 2;
    let c = Client::new(cfg);
    common::flat_bucket(&emu, "full-disk", "k/", 20_000);
    let mut p = plan(
        "full-disk",
        Plan::everything(ossweep::vocab::BucketKind::Object),
    );
    p.delete_bucket = true;
    p.audit = Audit::to_writer(FailsAfter(1));
    let (summary, _) = run(&c, p).await;
    let e = summary.error.clone().expect("the run stopped");
    assert_eq!(e.context, "audit report", "{e:?}");
    assert!(e.message.contains("No space left on device"), "{e:?}");
    assert!(e.resumable, "a report that works again lets it go on");
    assert!(!summary.bucket_deleted);
    // One batch recorded, at most two more in flight when the write failed.
    let left = emu.store().buckets["full-disk"].objects.len();
    assert!(left >= 17_000, "{left} left");
    assert_eq!(emu.faults().count("DeleteBucket"), 0);
    emu.shutdown().await.unwrap();
}

/// An abort whose every reply was lost (the first carried out, the retries
/// answered 500) is reconciled by a listing of its key, as a batch delete's
/// lost reply is: booked as deleted, not reported failed.
#[tokio::test]
async fn a_lost_abort_reply_is_reconciled_by_a_listing() {
    use ossweep::emulator::store::{StorageClass, Upload};
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    common::flat_bucket(&emu, "uploads", "k/", 1);
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("uploads").unwrap();
        for (key, id) in [("a.bin", "0A"), ("b.bin", "0B"), ("c.bin", "0C")] {
            b.uploads.insert(
                (key.to_string(), id.to_string()),
                Upload {
                    initiated: 0,
                    class: StorageClass::Standard,
                    parts: Default::default(),
                },
            );
        }
    }
    emu.faults().push(
        FaultRule::new(FaultKind::DropAfter)
            .op("AbortMultipartUpload")
            .key_prefix("b.bin")
            .times(1),
    );
    emu.faults().push(
        FaultRule::new(FaultKind::InternalError)
            .op("AbortMultipartUpload")
            .key_prefix("b.bin"),
    );
    let sink = Shared::default();
    let mut p = plan("uploads", [Category::Parts]);
    p.audit = Audit::to_writer(sink.clone());
    let (summary, _) = run(&c, p).await;
    assert_eq!(summary.failures_total, 0, "{:?}", summary.failures);
    assert_eq!(summary.categories[&Category::Parts].deleted, 3);
    assert!(summary.complete(), "{summary:?}");
    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let lost: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("reply lost; a listing shows it gone"))
        .collect();
    assert_eq!(lost.len(), 1, "{text}");
    assert!(lost[0].contains(r#""key":"b.bin""#) && lost[0].contains(r#""upload_id":"0B""#));
    assert!(emu.store().buckets["uploads"].uploads.is_empty());
    emu.shutdown().await.unwrap();
}

/// A RAM user denied DeleteMultipleObjects on part of the bucket: the run
/// stops on the data, and the bucket keeps its access point and LiveChannel
/// (what its users depend on) instead of being stripped on the way to failing.
#[tokio::test]
async fn a_run_that_cannot_empty_the_bucket_leaves_its_attachments() {
    use ossweep::emulator::store::{AccessPoint, LiveChannel};
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    common::flat_bucket(&emu, "half-locked", "free/", 500);
    {
        let mut store = emu.store();
        let mut next_id = store.next_id;
        let b = store.buckets.get_mut("half-locked").unwrap();
        for i in 0..500 {
            b.put(
                &format!("locked/{i:04}"),
                common::stored_version(1),
                &mut next_id,
            );
        }
        b.access_points.insert(
            "ap-app".into(),
            AccessPoint {
                network_origin: "internet".into(),
                vpc_id: None,
                created: 0,
                ready_at_ms: 0,
                gone_at_ms: None,
                policy: None,
            },
        );
        b.live_channels.insert(
            "cam".into(),
            LiveChannel {
                description: String::new(),
                enabled: true,
                modified: 0,
                playlist: "playlist.m3u8".into(),
                pushing: false,
            },
        );
        store.next_id = next_id;
    }
    emu.faults().push(
        FaultRule::new(FaultKind::Deny)
            .op("DeleteMultipleObjects")
            .key_prefix("locked/"),
    );
    let mut p = plan(
        "half-locked",
        Plan::everything(ossweep::vocab::BucketKind::Object),
    );
    p.delete_bucket = true;
    let (summary, events) = run(&c, p).await;
    assert!(!summary.bucket_deleted);
    assert!(summary.failures_total > 0, "{summary:?}");
    assert!(
        summary.missing_permissions.contains("oss:DeleteObject"),
        "the RAM action refused is named: {:?}",
        summary.missing_permissions
    );
    assert!(
        summary
            .failures
            .iter()
            .all(|f| f.code == "AccessDenied" && f.message.ends_with("(needs oss:DeleteObject)")),
        "each failure says the permission it needs: {:?}",
        summary.failures.first()
    );
    let denied = summary.permission_line().unwrap();
    assert!(
        denied.contains("oss:DeleteObject") && denied.contains("fails the same way"),
        "{denied}"
    );
    {
        let store = emu.store();
        let b = &store.buckets["half-locked"];
        assert!(
            b.access_points.contains_key("ap-app"),
            "the access point stays"
        );
        assert!(b.live_channels.contains_key("cam"), "the LiveChannel stays");
    }
    assert_eq!(emu.faults().count("DeleteAccessPoint"), 0);
    assert_eq!(emu.faults().count("DeleteLiveChannel"), 0);
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::ItemsSkipped { category: Category::AccessPoints, reason, .. }
                if reason.contains("not touched")
        )),
        "the summary says they were not touched"
    );
    emu.shutdown().await.unwrap();
}

/// Aborted uploads are booked with their parts' bytes (ListParts before the
/// abort); when their parts cannot be listed their size is unknown, said so,
/// never 0.
#[tokio::test]
async fn aborted_uploads_are_booked_with_their_bytes_or_said_to_be_of_unknown_size() {
    let seed = r#"
[[bucket]]
name = "uploads"
uploads = [
  { key = "raw/a.mp4", parts = 3, part_size = 1000 },
  { key = "raw/b.mov", parts = 2, part_size = 500 },
]
"#;
    for denied in [false, true] {
        let emu = common::emulator(Seed::Inline(seed.into())).await;
        let c = common::client(&emu);
        if denied {
            emu.faults()
                .push(FaultRule::new(FaultKind::Deny).op("ListParts"));
        }
        emu.faults().clear_log();
        let (summary, _) = run(&c, plan("uploads", [Category::Parts])).await;
        assert!(summary.complete(), "{summary:?}");
        assert_eq!(
            summary.sent,
            emu.faults().tally().requests,
            "the report counts every request the run sent, listings included"
        );
        assert_eq!(summary.requests, 2, "two of them aborts");
        let t = &summary.categories[&Category::Parts];
        assert_eq!(t.deleted, 2);
        if denied {
            assert_eq!((t.bytes, t.size_unknown), (0, 2));
            assert_eq!(summary.bytes_text(), "size unknown");
        } else {
            assert_eq!((t.bytes, t.size_unknown), (4000, 0));
            assert_eq!(summary.bytes_text(), "3.9 KiB");
        }
        emu.shutdown().await.unwrap();
    }
}

/// A key is booked at most once per run: a server that reports keys deleted
/// and keeps them has them found again by the verification listing, deleted
/// again and recorded as such, never counted twice.
#[tokio::test]
async fn keys_listed_again_after_oss_reported_them_deleted_are_counted_once() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("liar", None).await.unwrap();
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("liar").unwrap();
        for i in 0..3000 {
            b.objects
                .insert(format!("k/{i:05}"), vec![common::stored_version(1)]);
        }
    }
    emu.faults().push(
        FaultRule::new(FaultKind::FalseDeletes)
            .op("DeleteMultipleObjects")
            .key_prefix("k/0001")
            .times(1),
    );
    let audit = tempfile::NamedTempFile::new().unwrap();
    let mut p = plan("liar", [Category::Objects]);
    p.audit = Audit::to_file(audit.path()).unwrap();
    let (summary, _) = run(&c, p).await;
    assert!(summary.complete(), "{summary:?}");
    assert!(emu.store().buckets["liar"].objects.is_empty());
    assert_eq!(summary.deleted(), 3000, "each key counted once");
    assert_eq!(summary.listed_again, 10);
    let trail = std::fs::read_to_string(audit.path()).unwrap();
    assert_eq!(
        trail
            .lines()
            .filter(|l| l.contains("\"deleted-again\""))
            .count(),
        10
    );
    emu.shutdown().await.unwrap();
}

/// A run carries the retention policy its preflight was confirmed with: a
/// policy that lapsed or appeared since changes which versions may go, so the
/// bucket is not touched; the run says what changed.
#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_whose_retention_policy_changed_since_the_confirmation_is_not_touched() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    let report = scan_of(&c, "acme-web-assets").await;
    assert!(report.worm.is_none());
    let preflight =
        ossweep::engine::preflight(&report, ossweep::engine::Action::DeleteBucket).unwrap();
    emu.store()
        .buckets
        .get_mut("acme-web-assets")
        .unwrap()
        .config
        .worm = Some(ossweep::emulator::store::Worm {
        id: "w-1".into(),
        locked: true,
        days: 30,
        created: 0,
    });
    let before = emu.faults().count("DeleteMultipleObjects");
    let (summary, _) = run(&c, preflight.plan(Audit::none(), false)).await;
    let error = summary.error.expect("stopped");
    assert_eq!(error.context, "retention policy changed");
    assert!(
        error
            .message
            .contains("is Locked, 30 days now; it was none when the run was confirmed"),
        "{}",
        error.message
    );
    assert_eq!(
        emu.faults().count("DeleteMultipleObjects"),
        before,
        "nothing sent"
    );
    assert_eq!(emu.store().buckets["acme-web-assets"].objects.len(), 304);
}

/// A run carries the versioning its preflight was confirmed with: a bucket
/// whose versioning changed since (a delete would now leave markers, or
/// remove data for good) is not touched; the run says what changed.
#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_whose_versioning_changed_since_the_confirmation_is_not_touched() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    let report = scan_of(&c, "acme-web-assets").await;
    let preflight =
        ossweep::engine::preflight(&report, ossweep::engine::Action::DeleteBucket).unwrap();
    c.put_bucket_versioning("acme-web-assets", true)
        .await
        .unwrap();
    let before = emu.faults().count("DeleteMultipleObjects");
    let (summary, _) = run(&c, preflight.plan(Audit::none(), false)).await;
    let error = summary.error.expect("stopped");
    assert_eq!(error.context, "versioning changed");
    assert!(
        error.message.contains("is Enabled now; it was Off"),
        "{}",
        error.message
    );
    assert_eq!(
        emu.faults().count("DeleteMultipleObjects"),
        before,
        "nothing sent"
    );
    assert!(!summary.bucket_deleted);
    assert_eq!(emu.store().buckets["acme-web-assets"].objects.len(), 304);
}
