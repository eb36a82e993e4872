//! The engine's resume check against the emulator, in process: a resume
//! deletes only what was confirmed (or confirmed again). A bucket created
//! again under the same name is never touched; what was written after the run
//! was confirmed is found key by key (writes and deletes that balance
//! included) and kept unless the bucket is named again; a property test
//! interrupts at random points and writes at random between the kill and the
//! resume; one run at a time holds a bucket; a bucket someone else deletes is
//! said to be. Server time is simulated (the emulator's clock is moved),
//! never slept for.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use ossweep::delete::{Audit, Summary};
use ossweep::emulator::seed::Seed;
use ossweep::emulator::EmulatorHandle;
use ossweep::engine::journal::Runs;
use ossweep::engine::resume::{self, CheckState};
use ossweep::engine::{self, Account, Action, RunOptions};
use ossweep::oss::Client;
use ossweep::vocab::BucketKind;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use common::held;

struct World {
    emu: EmulatorHandle,
    client: Client,
    _home: tempfile::TempDir,
    runs: Runs,
    report: PathBuf,
}

impl World {
    async fn new() -> World {
        World::seeded(Seed::Empty).await
    }

    async fn seeded(seed: Seed) -> World {
        let emu = common::emulator(seed).await;
        // One request at a time: a run held at the emulator's gate has
        // exactly one batch in flight, whatever the machine's speed.
        let mut cfg = common::path_config(&emu, "cn-hangzhou");
        cfg.concurrency = 1;
        let client = Client::new(cfg);
        let home = tempfile::tempdir().unwrap();
        let runs = Runs::at(&home.path().join("runs")).unwrap();
        let report = home.path().join("report.ndjson");
        World {
            emu,
            client,
            _home: home,
            runs,
            report,
        }
    }

    fn account(&self) -> impl std::future::Future<Output = Account> + '_ {
        Account::of(&self.client)
    }

    fn deletes(&self) -> u64 {
        self.emu.faults().count("DeleteMultipleObjects")
    }

    /// The preflight of deleting `bucket`.
    async fn preflight(&self, bucket: &str) -> engine::Preflight {
        engine::prepare(
            &self.client,
            BucketKind::Object,
            bucket,
            None,
            Action::DeleteBucket,
            None,
            &CancellationToken::new(),
        )
        .await
        .unwrap()
    }

    /// `delete bucket` confirmed and started, then interrupted once the
    /// emulator has seen `batches` of its delete batches (0: before any);
    /// returns the run's id.
    async fn interrupted_delete(&self, bucket: &str, batches: u64) -> String {
        let cancel = CancellationToken::new();
        let pf = self.preflight(bucket).await;
        let session = engine::session::begin(
            &self.client,
            &self.runs,
            Some(&self.report),
            std::slice::from_ref(&pf),
        )
        .await
        .unwrap();
        let id = session.journal().id();
        if batches == 0 {
            cancel.cancel();
            run(&self.client, &[pf], Some(session), &self.report, cancel).await;
            return id;
        }
        // The emulator holds every delete batch after the first `batches`:
        // once one is held, the run is stopped there, whatever the speed.
        let state = self.emu.state().clone();
        state.faults.hold_after("DeleteMultipleObjects", batches);
        let (client, report, token) = (self.client.clone(), self.report.clone(), cancel.clone());
        let task =
            tokio::spawn(async move { run(&client, &[pf], Some(session), &report, token).await });
        while state.faults.held() == 0 && !task.is_finished() {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        cancel.cancel();
        state.faults.open_gate();
        task.await.unwrap();
        id
    }

    /// The resume of `id`, checked, accepted with `named`, and run.
    async fn resume(&self, id: &str, named: &[&str]) -> Result<Vec<Summary>, String> {
        let account = self.account().await;
        let check = resume::check(
            &self.client,
            &self.runs,
            &account,
            id,
            &CancellationToken::new(),
        )
        .await?;
        let named: Vec<String> = named.iter().map(|s| s.to_string()).collect();
        let accepted = check.accept(&named).await?;
        let (tx, mut rx) = mpsc::channel(256);
        let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let out = engine::resume(&self.client, accepted, tx, CancellationToken::new()).await;
        drain.await.unwrap();
        out
    }

    /// Writes `keys` into `bucket` now (by the server's clock), one byte each.
    fn write_now(&self, bucket: &str, keys: impl IntoIterator<Item = String>) {
        let now = self.emu.state().now();
        let mut store = self.emu.store();
        let mut next_id = store.next_id;
        let b = store.buckets.get_mut(bucket).unwrap();
        for k in keys {
            let mut v = common::stored_version(2);
            v.modified = now;
            b.put(&k, v, &mut next_id);
        }
        store.next_id = next_id;
    }

    /// Removes `keys` from `bucket` (an unversioned delete by someone else).
    fn remove(&self, bucket: &str, keys: &[String]) {
        let mut store = self.emu.store();
        let b = store.buckets.get_mut(bucket).unwrap();
        for k in keys {
            b.objects.remove(k);
        }
    }

    /// The keys `bucket` holds now.
    fn keys(&self, bucket: &str) -> BTreeSet<String> {
        held(&self.emu, bucket)
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }
}

async fn run(
    client: &Client,
    pfs: &[engine::Preflight],
    session: Option<engine::Session>,
    report: &std::path::Path,
    cancel: CancellationToken,
) -> Vec<Summary> {
    let (tx, mut rx) = mpsc::channel(256);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let opts = RunOptions {
        dry_run: false,
        audit: Audit::to_file(report).unwrap(),
        session,
    };
    let out = engine::run_many(client, pfs, opts, tx, cancel)
        .await
        .unwrap();
    drain.await.unwrap();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_created_again_under_the_same_name_is_never_touched() {
    let w = World::new().await;
    common::flat_bucket(&w.emu, "victim", "obj/", 12_000);
    let id = w.interrupted_delete("victim", 4).await;
    // Deleted by someone, and created again under the same name, in the
    // same second: the emulator still gives it another CreationDate.
    w.emu.store().buckets.remove("victim");
    w.client.put_bucket("victim", None).await.unwrap();
    w.write_now("victim", (0..300).map(|i| format!("theirs/{i:04}")));
    let sent = w.deletes();
    let account = w.account().await;
    let check = resume::check(&w.client, &w.runs, &account, &id, &CancellationToken::new())
        .await
        .unwrap();
    match &check.view.buckets[0].state {
        CheckState::Refused(why) => assert!(
            why.contains("not the bucket the run was confirmed for")
                && why.contains("created again"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    }
    let refused = check.accept(&["victim".into()]).await.unwrap_err();
    assert!(refused.contains("nothing was sent"), "{refused}");
    assert_eq!(w.deletes(), sent, "nothing was sent");
    assert_eq!(w.keys("victim").len(), 300, "the new bucket is whole");
    // The journal stays, to be discarded by the user.
    assert_eq!(w.runs.list().runs.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vector_bucket_created_again_is_never_touched() {
    let w = World::seeded(Seed::Inline(
        "[[vector_bucket]]\nname = \"vectors-a\"\nregion = \"cn-hangzhou\"\nindex = [{ name = \"docs\", dimension = 4, vectors = 3 }]\n".into(),
    ))
    .await;
    let c = &w.client;
    let pf = engine::prepare(
        c,
        BucketKind::Vector,
        "vectors-a",
        None,
        Action::DeleteBucket,
        None,
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    let session = engine::session::begin(c, &w.runs, None, std::slice::from_ref(&pf))
        .await
        .unwrap();
    let id = session.journal().id();
    // Interrupted before anything went.
    let cancelled = CancellationToken::new();
    cancelled.cancel();
    run(c, &[pf], Some(session), &w.report, cancelled).await;
    // Gone, and created again under the same name (an empty one).
    w.emu
        .store()
        .vector_buckets
        .get_mut("cn-hangzhou")
        .unwrap()
        .remove("vectors-a");
    c.send(&ossweep::oss::vectors::put_vector_bucket("vectors-a"))
        .await
        .unwrap();
    let account = w.account().await;
    let check = resume::check(c, &w.runs, &account, &id, &CancellationToken::new())
        .await
        .unwrap();
    assert!(
        matches!(&check.view.buckets[0].state, CheckState::Refused(why) if why.contains("created again")),
        "{:?}",
        check.view.buckets[0].state
    );
    assert!(check.accept(&["vectors-a".into()]).await.is_err());
    assert!(w.emu.store().vector_buckets["cn-hangzhou"].contains_key("vectors-a"));
}

#[tokio::test(flavor = "multi_thread")]
async fn new_entries_are_measured_key_by_key_against_what_is_left() {
    let w = World::new().await;
    common::flat_bucket(&w.emu, "victim", "obj/", 12_000);
    let id = w.interrupted_delete("victim", 6).await;
    let left_before = w.keys("victim").len();
    assert!(left_before > 0 && left_before < 12_000, "{left_before}");
    // 2,000 new objects: fewer than what was confirmed and is left, which a
    // count against the total would never notice.
    w.write_now("victim", (0..2_000).map(|i| format!("late/{i:05}")));
    w.emu.state().advance_clock(2);
    let account = w.account().await;
    let infos = w.emu.faults().count("GetBucketInfo");
    let check = resume::check(&w.client, &w.runs, &account, &id, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(
        w.emu.faults().count("GetBucketInfo") - infos,
        1,
        "the identity check and the scan share one GetBucketInfo"
    );
    let b = &check.view.buckets[0];
    assert_eq!(b.state, CheckState::Resumable);
    assert_eq!(b.unconfirmed, 2_000);
    assert!(
        b.differences[0].starts_with("2,000 entries written after the run was confirmed"),
        "{:?}",
        b.differences
    );
    assert_eq!(check.view.to_confirm(), ["victim"]);
    // Not named again: refused, nothing sent.
    let sent = w.deletes();
    let refused = check.accept(&[]).await.unwrap_err();
    assert!(refused.contains("not confirmed again: victim"), "{refused}");
    assert_eq!(w.deletes(), sent);
    // Named again: the new entries go too, and the bucket.
    let summaries = w.resume(&id, &["victim"]).await.unwrap();
    assert!(summaries[0].bucket_deleted, "{:?}", summaries[0]);
    let (audit, _) = common::reported(&w.report);
    assert!(audit.iter().filter(|(k, _)| k.starts_with("late/")).count() == 2_000);
    assert!(w.runs.list().runs.is_empty(), "the run finished");
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_and_deletes_that_balance_are_still_found_and_an_overwrite_is_new() {
    let w = World::new().await;
    common::flat_bucket(&w.emu, "victim", "obj/", 12_000);
    let id = w.interrupted_delete("victim", 3).await;
    // Someone deletes 2,000 of the keys left and writes 2,000 others, and
    // overwrites 10 more: the count stays where it was.
    let left: Vec<String> = w.keys("victim").into_iter().collect();
    let (gone, rest) = left.split_at(2_000);
    w.remove("victim", gone);
    w.write_now("victim", (0..2_000).map(|i| format!("late/{i:05}")));
    let overwritten: Vec<String> = rest.iter().take(10).cloned().collect();
    w.write_now("victim", overwritten.iter().cloned());
    assert_eq!(w.keys("victim").len(), left.len(), "the count balances");
    w.emu.state().advance_clock(2);
    let account = w.account().await;
    let check = resume::check(&w.client, &w.runs, &account, &id, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(check.view.buckets[0].unconfirmed, 2_010, "{:?}", check.view);
    drop(check);
    // Without the name: nothing. Headless answers come through `accept`.
    assert!(w
        .resume(&id, &[])
        .await
        .unwrap_err()
        .contains("not confirmed again"));
    assert!(w.keys("victim").contains(&overwritten[0]));
}

#[tokio::test(flavor = "multi_thread")]
async fn what_is_written_after_the_check_is_kept_and_said_to_be() {
    let w = World::new().await;
    common::flat_bucket(&w.emu, "victim", "obj/", 5_000);
    let id = w.interrupted_delete("victim", 2).await;
    let account = w.account().await;
    let check = resume::check(&w.client, &w.runs, &account, &id, &CancellationToken::new())
        .await
        .unwrap();
    assert!(
        check.view.buckets[0].differences.is_empty(),
        "{:?}",
        check.view
    );
    let accepted = check.accept(&[]).await.unwrap();
    // Written after the check, before the run lists: never confirmed.
    w.write_now("victim", (0..25).map(|i| format!("after/{i:03}")));
    let (tx, mut rx) = mpsc::channel(256);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let summaries = engine::resume(&w.client, accepted, tx, CancellationToken::new())
        .await
        .unwrap();
    drain.await.unwrap();
    let s = &summaries[0];
    assert!(!s.bucket_deleted);
    assert_eq!(s.unconfirmed_total(), 25, "{s:?}");
    assert!(!s.verified.contains(&ossweep::blockers::Category::Objects));
    assert!(!s.complete());
    let line = s.unconfirmed_line().unwrap();
    assert!(
        line.starts_with("kept 25 entries written or created after the run was confirmed"),
        "{line}"
    );
    assert!(
        s.remaining
            .as_ref()
            .unwrap()
            .explanation
            .contains("never confirmed"),
        "{:?}",
        s.remaining
    );
    let keys = w.keys("victim");
    assert_eq!(keys.len(), 25);
    assert!(keys.iter().all(|k| k.starts_with("after/")));
    // The run ran to its end: it is finished, not interrupted; what stays
    // is for a new run (a new scan and a new confirmation) to take.
    assert!(w.runs.list().runs.is_empty());
    assert!(
        resume::check(&w.client, &w.runs, &account, &id, &CancellationToken::new())
            .await
            .unwrap_err()
            .contains("there is no run")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_run_at_a_time_holds_a_bucket() {
    let w = World::new().await;
    common::flat_bucket(&w.emu, "victim", "obj/", 3_000);
    let id = w.interrupted_delete("victim", 1).await;
    let account = w.account().await;
    let first = resume::check(&w.client, &w.runs, &account, &id, &CancellationToken::new())
        .await
        .unwrap();
    // Two resumes of one run: the second is refused, naming the first.
    let second = resume::check(&w.client, &w.runs, &account, &id, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        second.contains(&format!(
            "run {id} is in use by another ossweep run (run {id}, process"
        )),
        "{second}"
    );
    // A fresh delete of the same bucket beside the resume: refused too.
    let pf = w.preflight("victim").await;
    match engine::session::begin(&w.client, &w.runs, None, std::slice::from_ref(&pf)).await {
        Err(engine::NoSession::Busy(why)) => {
            assert!(
                why.contains("bucket victim is in use by another ossweep run"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
    // The first goes on alone and finishes; then the bucket is free.
    let (tx, mut rx) = mpsc::channel(256);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let accepted = first.accept(&[]).await.unwrap();
    let s = engine::resume(&w.client, accepted, tx, CancellationToken::new())
        .await
        .unwrap();
    drain.await.unwrap();
    assert!(s[0].bucket_deleted);
    let (audit, lines) = common::reported(&w.report);
    assert_eq!(audit.len(), 3_000);
    assert_eq!(lines, 3_000, "each entry once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_someone_else_deletes_during_the_run_is_said_to_be() {
    let w = World::new().await;
    common::flat_bucket(&w.emu, "victim", "obj/", 6_000);
    let pf = w.preflight("victim").await;
    let session = engine::session::begin(&w.client, &w.runs, None, std::slice::from_ref(&pf))
        .await
        .unwrap();
    // After two batches, another tool empties and deletes the bucket (the
    // emulator holds the next batches until it has).
    let state = w.emu.state().clone();
    state.faults.hold_after("DeleteMultipleObjects", 2);
    let other = tokio::spawn(async move {
        while state.faults.held() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        state.store.lock().unwrap().buckets.remove("victim");
        state.faults.open_gate();
    });
    let s = run(
        &w.client,
        std::slice::from_ref(&pf),
        Some(session),
        &w.report,
        CancellationToken::new(),
    )
    .await;
    other.await.unwrap();
    let s = &s[0];
    assert!(s.deleted_elsewhere, "{s:?}");
    assert!(!s.bucket_deleted);
    assert!(s.complete(), "{s:?}");
    let outcome = pf.outcome(s);
    assert!(
        outcome.contains("deleted by someone else") && !outcome.contains("objects remain"),
        "{outcome}"
    );
    assert!(
        w.runs.list().runs.is_empty(),
        "the run is over: {:?}",
        w.runs.list().runs
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn another_accounts_run_is_not_resumed() {
    let w = World::new().await;
    common::flat_bucket(&w.emu, "victim", "obj/", 2_000);
    let id = w.interrupted_delete("victim", 0).await;
    let other = common::emulator(Seed::Empty).await;
    let theirs = Account::of(&common::client(&other)).await;
    let err = resume::check(&w.client, &w.runs, &theirs, &id, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        err.contains("belongs to another account or endpoint"),
        "{err}"
    );
    let bad = resume::check(
        &w.client,
        &w.runs,
        &theirs,
        "../../outside",
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(bad.contains("not a run id"), "{bad}");
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// What someone does to the bucket between the kill and the resume.
    #[derive(Clone, Debug)]
    enum Write {
        New(u16),
        Overwrite(u16),
        Delete(u16),
    }

    fn write() -> impl Strategy<Value = Write> {
        prop_oneof![
            (0u16..500).prop_map(Write::New),
            (0u16..3_000).prop_map(Write::Overwrite),
            (0u16..3_000).prop_map(Write::Delete),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        /// For random interruption points, random writes between the kill
        /// and the resume, with or without the name given again, and random
        /// writes after the check: everything the resume deletes was
        /// confirmed or confirmed again, and whatever came after the check
        /// is there, untouched.
        #[test]
        fn a_resume_deletes_only_what_was_confirmed(
            batches in 0u64..3,
            between in proptest::collection::vec(write(), 0..40),
            again in any::<bool>(),
            after in proptest::collection::vec(0u16..500, 0..20),
        ) {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let w = World::new().await;
                common::flat_bucket(&w.emu, "victim", "obj/", 3_000);
                let id = w.interrupted_delete("victim", batches).await;
                let before_kill_audit = common::reported(&w.report).0;
                // Between the kill and the resume.
                let mut touched: BTreeSet<String> = BTreeSet::new();
                for op in &between {
                    match op {
                        Write::New(i) => {
                            let k = format!("new/{i:04}");
                            w.write_now("victim", [k.clone()]);
                            touched.insert(k);
                        }
                        Write::Overwrite(i) => {
                            let k = format!("obj/{i:07}");
                            w.write_now("victim", [k.clone()]);
                            touched.insert(k);
                        }
                        Write::Delete(i) => {
                            // An overwritten key deleted again is gone: no
                            // longer something to keep.
                            let k = format!("obj/{i:07}");
                            w.remove("victim", std::slice::from_ref(&k));
                            touched.remove(&k);
                        }
                    }
                }
                w.emu.state().advance_clock(2);
                let account = w.account().await;
                let check = resume::check(&w.client, &w.runs, &account, &id, &CancellationToken::new())
                    .await
                    .unwrap();
                let named: Vec<String> = if again { vec!["victim".into()] } else { Vec::new() };
                let sent = w.deletes();
                let accepted = match check.accept(&named).await {
                    Ok(a) => a,
                    Err(e) => {
                        // Refused: only when something was written, and then nothing is sent.
                        assert!(!touched.is_empty() && !again, "{e}");
                        assert_eq!(w.deletes(), sent);
                        for k in &touched {
                            assert!(w.keys("victim").contains(k), "{k} kept");
                        }
                        return;
                    }
                };
                // After the check: never confirmed by anyone.
                let later: BTreeSet<String> = after.iter().map(|i| format!("later/{i:04}")).collect();
                w.write_now("victim", later.iter().cloned());
                let (tx, mut rx) = mpsc::channel(256);
                let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
                let s = engine::resume(&w.client, accepted, tx, CancellationToken::new()).await.unwrap();
                drain.await.unwrap();
                let keys = w.keys("victim");
                for k in &later {
                    assert!(keys.contains(k), "{k}, written after the check, is there");
                }
                if !again {
                    for k in &touched {
                        assert!(keys.contains(k), "{k} was never confirmed and is there");
                    }
                }
                // Every deletion of the resume was of a key confirmed, or named again.
                let (audit, _) = common::reported(&w.report);
                for (k, _) in audit.difference(&before_kill_audit) {
                    let confirmed = k.starts_with("obj/");
                    assert!(confirmed || (again && touched.contains(k)), "{k} deleted unconfirmed");
                    assert!(!later.contains(k));
                }
                assert_eq!(s[0].bucket_deleted, later.is_empty() && keys.is_empty());
            });
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_freeze_never_goes_on_a_bucket_created_again_since_it_was_confirmed() {
    let w = World::new().await;
    common::flat_bucket(&w.emu, "victim", "obj/", 500);
    let mut pf = w.preflight("victim").await;
    pf.freeze_writes(true, 0).unwrap();
    // Deleted and created again between the confirmation and the run.
    w.emu.store().buckets.remove("victim");
    w.client.put_bucket("victim", None).await.unwrap();
    w.write_now("victim", (0..300).map(|i| format!("theirs/{i:04}")));
    let session = engine::session::begin(
        &w.client,
        &w.runs,
        Some(&w.report),
        std::slice::from_ref(&pf),
    )
    .await
    .unwrap();
    let out = run(
        &w.client,
        &[pf],
        Some(session),
        &w.report,
        CancellationToken::new(),
    )
    .await;
    match &out[0].freeze {
        Some(ossweep::freeze::FreezeOutcome::NotApplied { why }) => {
            assert!(
                why.contains("not the bucket the run was confirmed for"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.emu.faults().count("PutBucketPolicy"), 0);
    assert_eq!(w.client.get_bucket_policy("victim").await.unwrap(), None);
    assert_eq!(w.deletes(), 0);
    assert_eq!(w.keys("victim").len(), 300, "the new bucket is whole");
}
