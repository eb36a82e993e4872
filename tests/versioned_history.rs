//! A property over random versioned histories (puts, deletes that leave
//! markers, deletes of one version): whatever a run clears (the whole bucket's
//! data, a prefix, or one or two of the object kinds), the after-state the
//! preflight predicts is what a rescan of the emulator finds, and the report's
//! counts are what the emulator lost. This is what makes "49 objects they hid
//! are readable again" and "N previous versions became current" true.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use ossweep::delete::{self, Audit};
use ossweep::emulator::seed::Seed;
use ossweep::engine::{preflight, Action};
use ossweep::scan::{self, Category};
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;

const OBJECT_KINDS: [Category; 3] = [
    Category::Objects,
    Category::PreviousVersions,
    Category::DeleteMarkers,
];

#[derive(Clone, Debug)]
enum Op {
    Put(u8),
    /// A delete without a version: a delete marker on top.
    Delete(u8),
    /// The newest version of the key, whatever it is, goes.
    DeleteNewest(u8),
}

fn key(i: u8) -> String {
    format!("{}/k{i}", if i.is_multiple_of(2) { "a" } else { "b" })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..6).prop_map(Op::Put),
        2 => (0u8..6).prop_map(Op::Delete),
        1 => (0u8..6).prop_map(Op::DeleteNewest),
    ]
}

/// Which object kinds a run clears: every non-empty subset.
fn scope() -> impl Strategy<Value = Vec<Category>> {
    (1u8..8).prop_map(|bits| {
        OBJECT_KINDS
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, c)| *c)
            .collect()
    })
}

/// Entries the emulator holds under `prefix`.
fn held(emu: &ossweep::emulator::EmulatorHandle, prefix: &str) -> u64 {
    let store = emu.store();
    store.buckets["history"]
        .objects
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, vs)| vs.len() as u64)
        .sum()
}

async fn check(ops: Vec<Op>, scope: Vec<Category>, prefixed: bool) {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("history", None).await.unwrap();
    c.put_bucket_versioning("history", true).await.unwrap();
    for op in &ops {
        match op {
            Op::Put(i) => c
                .put_object("history", &key(*i), vec![*i; 1 + *i as usize])
                .await
                .unwrap(),
            Op::Delete(i) => c.delete_object("history", &key(*i), None).await.unwrap(),
            Op::DeleteNewest(i) => {
                let newest = emu.store().buckets["history"]
                    .objects
                    .get(&key(*i))
                    .and_then(|vs| vs.last().map(|v| v.id));
                if let Some(id) = newest {
                    let id = ossweep::emulator::store::render_version_id(id);
                    c.delete_object("history", &key(*i), Some(&id))
                        .await
                        .unwrap();
                }
            }
        }
    }
    let prefix = prefixed.then_some("a/");
    let cancel = CancellationToken::new();
    let now = ossweep::oss::time::unix_secs(std::time::SystemTime::now());
    let report = scan::scan_under(&c, "history", prefix, None, &cancel, now)
        .await
        .unwrap();
    let p = preflight::preflight(&report, Action::clear(scope.iter().copied())).unwrap();
    let before = held(&emu, prefix.unwrap_or(""));
    let mut plan = p.plan(Audit::none(), false);
    plan.poll_interval = Duration::from_millis(20);
    let (tx, mut rx) = tokio::sync::mpsc::channel(1 << 16);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let summary = delete::run(&c, plan, tx, CancellationToken::new()).await;
    drain.await.unwrap();
    assert!(summary.complete(), "{summary:?}");
    let lost = before - held(&emu, prefix.unwrap_or(""));
    assert_eq!(summary.deleted(), lost, "the report counts what OSS lost");
    let rescan = scan::scan_under(&c, "history", prefix, None, &cancel, now)
        .await
        .unwrap();
    let found: BTreeMap<Category, u64> = OBJECT_KINDS
        .iter()
        .map(|c| (*c, rescan.category(*c).count))
        .collect();
    let predicted: BTreeMap<Category, u64> = OBJECT_KINDS
        .iter()
        .map(|c| (*c, p.after(&summary).get(c).copied().unwrap_or(0)))
        .collect();
    assert_eq!(
        predicted,
        found,
        "{ops:?} cleared {scope:?} under {prefix:?}: {}",
        p.outcome(&summary)
    );
    emu.shutdown().await.unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_after_state_the_preflight_predicts_is_what_oss_holds(
        ops in proptest::collection::vec(op(), 1..40),
        scope in scope(),
        prefixed in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(check(ops, scope, prefixed));
    }
}
