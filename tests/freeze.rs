//! Writes frozen during a run (`--freeze-writes`), with the real binary
//! against the emulator, which enforces bucket policies as OSS documents
//! them (a Deny for everyone with a Condition stops the owner too):
//! - a writer during `delete --freeze-writes` is refused with AccessDenied
//!   and the run finishes on its first verification;
//! - a policy of the user's (an access point's statement, their spacing) is
//!   back byte for byte after `empty --freeze-writes`, after SIGKILL and
//!   `resume`, and after `resume --discard`.
//!
//! Runs are held at a known point by the emulator's gate (delete batches
//! after the first), so nothing depends on speed.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ossweep::emulator::faults::{FaultKind, FaultRule};
use ossweep::emulator::seed::Seed;
use ossweep::emulator::EmulatorHandle;
use ossweep::oss::Client;

/// A policy a user wrote, as they wrote it: an access point's statement.
const THEIRS: &str = r#"{
    "Version":"1",
    "Statement": [ {
        "Effect": "Allow",
        "Action": ["oss:GetObject", "oss:ListObjects"],
        "Principal": ["27737962156157"],
        "Resource": ["acs:oss:cn-hangzhou:1234567890123456:accesspoint/ap-reports/object/*"]
    } ]
}"#;

/// Waits (at most a minute, whatever the machine's speed) until `done`.
async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `args` running with `--json`: its run id once the journal exists, and
/// its events as they come.
fn start(emu: &EmulatorHandle, home: &Path, args: &[&str]) -> (Child, String, common::Events) {
    let mut child = common::cli(emu, home)
        .args(args)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (run, events) = common::journaled(&mut child);
    (child, run, events)
}

async fn policy(c: &Client, bucket: &str) -> Option<String> {
    c.get_bucket_policy(bucket).await.unwrap()
}

fn is_denied(e: &ossweep::oss::OssError) -> bool {
    e.is_code("AccessDenied")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_is_refused_and_the_run_verifies_on_its_first_listing() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    common::flat_bucket(&emu, "busy", "old/", 3000);
    let home = tempfile::tempdir().unwrap();
    // The writer: another program, its own client; bounded.
    let stop = tokio_util::sync::CancellationToken::new();
    let (written, denied) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let writer = {
        let (c, stop, written, denied) = (
            common::client(&emu),
            stop.clone(),
            written.clone(),
            denied.clone(),
        );
        tokio::spawn(async move {
            for i in 0..50_000u64 {
                if stop.is_cancelled() {
                    break;
                }
                match c
                    .put_object("busy", &format!("aaa/new-{i:05}"), b"x".to_vec())
                    .await
                {
                    Ok(()) => written.fetch_add(1, Ordering::SeqCst),
                    Err(e) if is_denied(&e) => denied.fetch_add(1, Ordering::SeqCst),
                    Err(_) => break,
                };
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    // Some writes land before the run starts.
    wait_until("a first write", || written.load(Ordering::SeqCst) > 0).await;
    emu.faults().hold_after("DeleteMultipleObjects", 1);
    let (mut child, _run, events) = start(
        &emu,
        home.path(),
        &["delete", "busy", "--confirm", "busy", "--freeze-writes"],
    );
    // Held after its first batch: the freeze is on, and the writer meets it.
    wait_until("a batch held", || emu.faults().held() > 0).await;
    wait_until("a write refused", || denied.load(Ordering::SeqCst) > 0).await;
    let on = policy(&c, "busy").await.expect("a policy while frozen");
    assert!(on.contains(ossweep::freeze::SID), "{on}");
    let refused = c
        .put_object("busy", "zzz/owner", b"x".to_vec())
        .await
        .unwrap_err();
    assert!(is_denied(&refused), "{refused}");
    emu.faults().open_gate();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    stop.cancel();
    writer.await.unwrap();
    assert_eq!(status.code(), Some(0));
    let events = events.lock().unwrap().clone();
    let verified: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "verified" && e["category"] == "objects")
        .collect();
    assert_eq!(verified.len(), 1, "{events:?}");
    assert_eq!(
        verified[0]["passes"], 2,
        "one delete pass, then its first verification"
    );
    assert!(
        !events.iter().any(|e| e["event"] == "sweeping"),
        "{events:?}"
    );
    let summary = events
        .iter()
        .find(|e| e["event"] == "finished")
        .expect("a finished event");
    assert_eq!(summary["summary"]["bucket_deleted"], true);
    let ended = events
        .iter()
        .find(|e| e["event"] == "freeze-ended")
        .expect("a freeze-ended event");
    assert_eq!(ended["outcome"]["state"], "gone-with-bucket");
    assert!(events.iter().any(|e| e["event"] == "writes-frozen"));
    // Everything written before the freeze went with the bucket.
    assert_eq!(
        summary["summary"]["categories"]["objects"]["deleted"],
        3000 + written.load(Ordering::SeqCst)
    );
    emu.shutdown().await.unwrap();
}

/// An emulator with a bucket `kept` of 3,000 objects and the user's policy
/// on it; a client and a home for ossweep.
async fn with_their_policy() -> (EmulatorHandle, Client, tempfile::TempDir) {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    common::flat_bucket(&emu, "kept", "obj/", 3000);
    c.put_bucket_policy("kept", THEIRS).await.unwrap();
    assert_eq!(policy(&c, "kept").await.as_deref(), Some(THEIRS));
    (emu, c, tempfile::tempdir().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn their_policy_is_back_byte_for_byte_after_an_empty() {
    let (emu, c, home) = with_their_policy().await;
    // Management calls are throttled at first (OSS's MetaOperationQpsLimitExceeded):
    // retried, they go through.
    let throttled = FaultKind::Raw {
        status: 503,
        body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>MetaOperationQpsLimitExceeded</Code><Message>Please reduce your request rate.</Message><RequestId>5C3D9175B6FC201293AD4890</RequestId></Error>".into(),
    };
    for op in ["GetBucketPolicy", "PutBucketPolicy"] {
        emu.faults()
            .push(FaultRule::new(throttled.clone()).op(op).times(2));
    }
    let (code, stderr) = common::ossweep(
        &emu,
        home.path(),
        &["empty", "kept", "--yes", "--freeze-writes"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("beside its 1 statement, which stays")
            && stderr.contains("\"Sid\": \"ossweepFreezeWrites\""),
        "the preflight shows the freeze: {stderr}"
    );
    assert!(
        stderr.contains("writes unfrozen: the bucket policy is back as it was"),
        "{stderr}"
    );
    assert_eq!(policy(&c, "kept").await.as_deref(), Some(THEIRS));
    assert_eq!(common::entries(&emu, "kept", "").0, 0);
    c.put_object("kept", "after", b"x".to_vec()).await.unwrap();
    assert!(
        emu.faults().count("PutBucketPolicy") >= 4,
        "each throttled PutBucketPolicy was sent again"
    );
    // Nothing of the run is left behind: no journal, no saved copy.
    let runs = home.path().join(".state/ossweep/runs");
    let left: Vec<_> = std::fs::read_dir(&runs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "journal.key" && n != "locks")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    emu.shutdown().await.unwrap();
}

/// `empty kept --freeze-writes` killed (SIGKILL) after its first batch,
/// with the freeze on; its run id.
async fn killed_while_frozen(emu: &EmulatorHandle, c: &Client, home: &Path) -> String {
    emu.faults().hold_after("DeleteMultipleObjects", 1);
    let (mut child, run, _) = start(emu, home, &["empty", "kept", "--yes", "--freeze-writes"]);
    wait_until("a batch held", || emu.faults().held() > 0).await;
    let on = policy(c, "kept").await.unwrap();
    assert!(
        on.contains(ossweep::freeze::SID) && on.contains("ap-reports"),
        "{on}"
    );
    let refused = c
        .put_object("kept", "new", b"x".to_vec())
        .await
        .unwrap_err();
    assert!(is_denied(&refused), "{refused}");
    child.kill().unwrap();
    child.wait().unwrap();
    emu.faults().open_gate();
    // Killed: the freeze stays on (until it ends by itself).
    assert!(policy(c, "kept")
        .await
        .unwrap()
        .contains(ossweep::freeze::SID));
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_says_its_freeze_is_on_and_a_resume_lifts_it() {
    let (emu, c, home) = with_their_policy().await;
    let run = killed_while_frozen(&emu, &c, home.path()).await;
    let out = common::cli(&emu, home.path())
        .arg("resume")
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains(&run) && listed.contains("writes to kept are frozen until"),
        "{listed}"
    );
    let (code, stderr) = common::ossweep(&emu, home.path(), &["resume", "--last"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("writes unfrozen: the bucket policy is back as it was"),
        "{stderr}"
    );
    assert_eq!(policy(&c, "kept").await.as_deref(), Some(THEIRS));
    assert_eq!(common::entries(&emu, "kept", "").0, 0);
    c.put_object("kept", "after", b"x".to_vec()).await.unwrap();
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discarding_a_killed_run_lifts_its_freeze() {
    let (emu, c, home) = with_their_policy().await;
    let run = killed_while_frozen(&emu, &c, home.path()).await;
    let (code, stderr) = common::ossweep(&emu, home.path(), &["resume", "--discard", &run]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("kept: writes unfrozen: the bucket policy is back as it was")
            && stderr.contains(&format!("discarded run {run}")),
        "{stderr}"
    );
    assert_eq!(policy(&c, "kept").await.as_deref(), Some(THEIRS));
    assert!(!home
        .path()
        .join(format!(".state/ossweep/runs/{run}.json"))
        .exists());
    // The bucket keeps what the killed run did not delete.
    assert!(common::entries(&emu, "kept", "").0 > 0);
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_without_a_policy_has_none_again_and_a_refused_freeze_deletes_nothing() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    common::flat_bucket(&emu, "plain", "obj/", 500);
    let home = tempfile::tempdir().unwrap();
    let (code, stderr) = common::ossweep(
        &emu,
        home.path(),
        &["empty", "plain", "--yes", "--freeze-writes"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("writes unfrozen: no bucket policy before, none now"),
        "{stderr}"
    );
    assert_eq!(policy(&c, "plain").await, None);
    // PutBucketPolicy refused (no permission): the run stops before any delete.
    common::flat_bucket(&emu, "plain", "obj/", 500);
    emu.faults()
        .push(FaultRule::new(FaultKind::Deny).op("PutBucketPolicy"));
    let (code, stderr) = common::ossweep(
        &emu,
        home.path(),
        &["empty", "plain", "--yes", "--freeze-writes"],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("PutBucketPolicy") && stderr.contains("nothing was deleted"),
        "{stderr}"
    );
    assert_eq!(common::entries(&emu, "plain", "").0, 500);
    assert_eq!(
        emu.faults().count("DeleteMultipleObjects"),
        1,
        "the first run's only"
    );
    emu.shutdown().await.unwrap();
}

/// `empty kept --freeze-writes` (stderr piped), held by the emulator's gate
/// after its first delete batch, with its freeze on.
async fn held_empty(emu: &EmulatorHandle, home: &Path) -> Child {
    emu.faults().hold_after("DeleteMultipleObjects", 1);
    let child = common::cli(emu, home)
        .args(["empty", "kept", "--yes", "--freeze-writes"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("a batch held", || emu.faults().held() > 0).await;
    child
}

/// `empty kept --freeze-writes` whose freeze cannot be lifted (the policy
/// cannot be put back once the run is under way): the loud line's saved
/// copy and command, checked.
async fn left_frozen(emu: &EmulatorHandle, c: &Client, home: &Path) -> (String, String) {
    let child = held_empty(emu, home).await;
    // From now on the policy cannot be put back.
    emu.faults()
        .push(FaultRule::new(FaultKind::Deny).op("PutBucketPolicy"));
    emu.faults().open_gate();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let loud = stderr
        .lines()
        .find(|l| l.contains("WRITES ARE STILL FROZEN until"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(loud.contains("PutBucketPolicy"), "{loud}");
    let saved = loud
        .split("saved in ")
        .nth(1)
        .and_then(|r| r.split(". Put it back").next())
        .unwrap_or_else(|| panic!("{loud}"))
        .to_string();
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), THEIRS);
    let command = loud.split("Put it back with: ").nth(1).unwrap().trim();
    assert!(
        command.starts_with("ossweep resume --discard "),
        "{command}"
    );
    assert!(policy(c, "kept")
        .await
        .unwrap()
        .contains(ossweep::freeze::SID));
    // The run is kept while its freeze is on.
    let listed = common::cli(emu, home).arg("resume").output().unwrap();
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("writes to kept are frozen until"),
        "{listed:?}"
    );
    emu.faults().clear();
    (saved, command.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_freeze_that_cannot_be_lifted_is_said_loudly_with_the_way_back() {
    let (emu, c, home) = with_their_policy().await;
    let (saved, command) = left_frozen(&emu, &c, home.path()).await;
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let (code, stderr) = common::ossweep(&emu, home.path(), &args);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(policy(&c, "kept").await.as_deref(), Some(THEIRS));
    assert!(!Path::new(&saved).exists(), "the copy goes with the run");
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_a_finished_run_whose_freeze_stayed_on_lifts_it() {
    let (emu, c, home) = with_their_policy().await;
    left_frozen(&emu, &c, home.path()).await;
    let (code, stderr) = common::ossweep(&emu, home.path(), &["resume", "--last"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("kept: writes unfrozen: the bucket policy is back as it was")
            && stderr.contains("its write freeze is lifted"),
        "{stderr}"
    );
    assert_eq!(policy(&c, "kept").await.as_deref(), Some(THEIRS));
    let (code, _) = common::ossweep(&emu, home.path(), &["resume", "--last"]);
    assert_eq!(code, Some(1), "nothing left to resume");
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_at_once_says_its_freeze_stays_on() {
    let (emu, c, home) = with_their_policy().await;
    let mut child = held_empty(&emu, home.path()).await;
    let err = std::io::BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in err.lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let interrupt = |child: &Child| {
        std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap()
    };
    // Ctrl-C, then Ctrl-C again once it says it is stopping: at once.
    interrupt(&child);
    let mut said = Vec::new();
    while !said
        .iter()
        .any(|l: &String| l.contains("stopping after the requests in flight"))
    {
        said.push(rx.recv().expect("it says it is stopping"));
    }
    interrupt(&child);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    emu.faults().open_gate();
    said.extend(rx.iter());
    let said = said.join("\n");
    assert_eq!(status.code(), Some(3), "{said}");
    assert!(
        said.contains("WRITES STAY FROZEN: writes to kept are frozen until")
            && said.contains("resuming or discarding the run lifts it"),
        "{said}"
    );
    assert!(policy(&c, "kept")
        .await
        .unwrap()
        .contains(ossweep::freeze::SID));
    emu.shutdown().await.unwrap();
}
