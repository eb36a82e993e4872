//! "Done" means done: verified emptying against a faithful and a naive
//! version-id-marker, lost replies, markers that never advance.

mod common;

use std::time::Duration;

use ossweep::delete::{self, Event, Limiter, Plan, Summary};
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
        Limiter::new(4, 16),
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

/// The case: 20,000 keys x 2 versions, a delete marker on every 5th key,
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
    p.categories = Plan::everything();
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
