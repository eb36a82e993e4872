//! The wizard end to end: the real binary in tmux against `ossweep emulator` with
//! the demo seed. Select a bucket, scan, D, type the name, Enter, wait for the
//! report; then the emulator must show that bucket gone and every other bucket
//! untouched. Then the replicated bucket: its confirm pane shows the replication
//! risk, and clearing all needs the typed name. Quitting mid-deletion, and
//! resuming. One upload deleted from the drill-down. Waits for text on screen
//! with a timeout, never sleep-then-assert.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use ossweep::oss::endpoint::{Addressing, Endpoint};
use ossweep::oss::{Client, ClientConfig, Credentials};

const AK: &str = "LTAI5tTuiEndToEnd";
const SK: &str = "tui-e2e-secret";

struct Emulator(Child, String);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is installed (.ci/run installs it)")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    fn text(&self, text: &str) {
        assert!(self
            .cmd(&["send-keys", "-t", "e2e", "-l", text])
            .status
            .success());
    }

    /// Polls the screen until it shows `needle`, or fails with what it shows.
    fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        self.wait_for_all(&[needle], timeout)
    }

    /// Polls the screen until it shows every one of `needles` at once, or
    /// fails with what it shows. A capture can catch a frame half drawn (top
    /// to bottom): what is asserted together is waited for together.
    fn wait_for_all(&self, needles: &[&str], timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needles:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// `ossweep emulator` in its own process with `args` (after the listen
/// address and the keys); returns it once it listens, and its URL.
fn start_emulator(args: &[&std::ffi::OsStr]) -> Emulator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ossweep"))
        .args(["emulator", "--listen", "127.0.0.1:0"])
        .args(["--access-key-id", AK, "--access-key-secret", SK])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    let url = line
        .split("listening on ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    // Keep its stdout open for as long as it runs.
    std::thread::spawn(move || for _ in out.lines() {});
    Emulator(child, url)
}

impl Tmux {
    /// A 120x40 session running `command` with the keys and a fresh home.
    fn start(name: &str, home: &std::path::Path, command: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("ossweep-{name}-{}", std::process::id()),
        };
        let started = tmux.cmd(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            "120",
            "-y",
            "40",
            "-e",
            &format!("OSS_ACCESS_KEY_ID={AK}"),
            "-e",
            &format!("OSS_ACCESS_KEY_SECRET={SK}"),
            "-e",
            &format!("HOME={}", home.display()),
            "-e",
            &format!("XDG_CONFIG_HOME={}", home.join("config").display()),
            "-e",
            &format!("XDG_STATE_HOME={}", home.join("state").display()),
            "-e",
            "NO_COLOR=1",
            command,
        ]);
        assert!(
            started.status.success(),
            "{}",
            String::from_utf8_lossy(&started.stderr)
        );
        tmux
    }
}

fn client(url: &str) -> Client {
    let mut cfg = ClientConfig::new(Credentials::new(AK, SK), "cn-hangzhou");
    cfg.endpoint = Some(Endpoint::parse(url).unwrap());
    cfg.addressing = Addressing::Path;
    Client::new(cfg)
}

async fn stats(c: &Client) -> Vec<(String, u64, u64)> {
    let buckets: Vec<_> = c.list_buckets().try_collect().await.unwrap();
    let mut out = Vec::new();
    for b in buckets {
        let s = c.get_bucket_stat(&b.name).await.unwrap();
        out.push((b.name, s.object_count, s.delete_marker_count));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn select_scan_delete_and_report_in_the_real_terminal() {
    let bin = env!("CARGO_BIN_EXE_ossweep");
    let emu = start_emulator(&["--seed".as_ref(), "demo".as_ref()]);
    let url = emu.1.clone();
    let c = client(&url);
    let before = stats(&c).await;
    assert_eq!(before.len(), 10);

    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        "e2e",
        home.path(),
        &format!("{bin} --endpoint {url} --path-style"),
    );

    tmux.wait_for("acme-web-assets", Duration::from_secs(20));
    // Select the bucket with the filter, then scan it.
    tmux.keys(&["/"]);
    tmux.text("web-assets");
    tmux.keys(&["Enter"]);
    tmux.wait_for("filter: web-assets", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    tmux.wait_for_all(
        &[
            "versioning Off  scan complete",
            "static.acme-demo.com",
            "Current objects",
        ],
        Duration::from_secs(20),
    );
    tmux.keys(&["D"]);
    tmux.wait_for("Type acme-web-assets to confirm", Duration::from_secs(5));
    tmux.text("acme-web-asset");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Type acme-web-assets to confirm", Duration::from_secs(5));
    tmux.text("s");
    tmux.wait_for("matches", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    let report = tmux.wait_for("bucket deleted", Duration::from_secs(60));
    assert!(
        report.contains("Report") && report.contains("304 deleted"),
        "{report}"
    );

    let after = stats(&c).await;
    let expected: Vec<_> = before
        .iter()
        .filter(|(b, _, _)| b != "acme-web-assets")
        .cloned()
        .collect();
    assert_eq!(
        after, expected,
        "that bucket is gone and every other one untouched"
    );

    tmux.keys(&["Enter"]);
    // The refreshed list, the filter still applied: nothing matches now.
    tmux.wait_for("Buckets (0 of 9)", Duration::from_secs(20));

    // The replicated bucket: D shows the replication risk before anything is
    // typed, and clearing all (`a`) also needs the typed name.
    tmux.keys(&["/"]);
    tmux.wait_for("filter: web-assets▏", Duration::from_secs(5));
    for _ in 0.."web-assets".len() {
        tmux.keys(&["BSpace"]);
    }
    tmux.text("logs-replicated");
    tmux.wait_for("filter: logs-replicated▏", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        "filter: logs-replicated  (Esc clears)",
        Duration::from_secs(5),
    );
    tmux.keys(&["Enter"]);
    // Not just "scan complete": "Risks appear when the scan completes" contains it.
    tmux.wait_for_all(
        &[
            "acme-logs-replicated  cn-hangzhou  versioning Off  scan complete",
            "logs-to-dr",
        ],
        Duration::from_secs(20),
    );
    tmux.keys(&["D"]);
    tmux.wait_for_all(
        &[
            "Type acme-logs-replicated to confirm",
            "Delete bucket",
            "Replication rule \"logs-to-dr\" (Action ALL)",
            "acme-logs-dr",
        ],
        Duration::from_secs(5),
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("a clear all", Duration::from_secs(5));
    tmux.keys(&["a"]);
    tmux.wait_for_all(
        &[
            "Type acme-logs-replicated to confirm",
            "Clear (the bucket stays)",
            "logs-to-dr",
        ],
        Duration::from_secs(5),
    );
    // Enter without the name does nothing: the pane stays, nothing is deleted.
    tmux.keys(&["Enter"]);
    tmux.text("acme-logs");
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        "Type acme-logs-replicated to confirm",
        Duration::from_secs(5),
    );
    assert_eq!(stats(&c).await, expected, "no name typed, nothing deleted");
    tmux.keys(&["Escape"]);
    tmux.wait_for("a clear all", Duration::from_secs(5));
    tmux.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.cmd(&["has-session", "-t", "e2e"]).status.success() {
        assert!(Instant::now() < deadline, "q quits the wizard");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Quitting mid-deletion and resuming, in the real terminal: `q` asks and says
/// the run can be resumed; `y` stops after the batches in flight, and once the
/// terminal is restored the shell shows the summary, the report's path and the
/// resume command, with exit code 3. Something writes into the bucket.
/// Started again, the wizard offers the interrupted run on its list; `R`
/// shows the engine's check (what was written since) and deletes nothing
/// until the name is typed; then the run continues to the end.
#[tokio::test(flavor = "multi_thread")]
async fn quit_mid_deletion_prints_the_summary_and_the_wizard_resumes_it() {
    let bin = env!("CARGO_BIN_EXE_ossweep");
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.toml");
    std::fs::write(
        &seed,
        "clock = 1761955200\n[[bucket]]\nname = \"big-archive\"\npattern = [ { prefix = \"obj/\", count = 60000, size = 100 } ]\n[[bucket]]\nname = \"keep-me\"\npattern = [ { prefix = \"k/\", count = 50, size = 1 } ]\n",
    )
    .unwrap();
    let emu = start_emulator(&[
        "--seed".as_ref(),
        seed.as_os_str(),
        "--latency-ms".as_ref(),
        "60".as_ref(),
    ]);
    let url = emu.1.clone();
    let c = client(&url);

    let home = tempfile::tempdir().unwrap();
    // A shell, so what ossweep prints after restoring the terminal stays.
    let tmux = Tmux::start("e2e-quit", home.path(), "sh");
    let wizard = format!("{bin} --endpoint {url} --path-style");
    // The marker is split on the command line (`EX""IT=`), so only the
    // shell's output matches `EXIT=`, never the command being typed.
    tmux.text(&format!("{wizard}; echo EX\"\"IT=$?"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("big-archive", Duration::from_secs(20));
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        "big-archive  cn-hangzhou  versioning Off  scan complete",
        Duration::from_secs(60),
    );
    tmux.keys(&["D"]);
    tmux.wait_for("Type big-archive to confirm", Duration::from_secs(5));
    tmux.text("big-archive");
    tmux.wait_for("matches", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    tmux.wait_for("keys/s", Duration::from_secs(20));
    // Part-way: some batches are done, most are not.
    let deadline = Instant::now() + Duration::from_secs(30);
    while c.get_bucket_stat("big-archive").await.unwrap().object_count == 60_000 {
        assert!(Instant::now() < deadline, "the deletion never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tmux.keys(&["q"]);
    tmux.wait_for_all(
        &["A deletion is running. Quit?", "ossweep resume"],
        Duration::from_secs(5),
    );
    tmux.keys(&["y"]);
    let shell = tmux.wait_for("EXIT=", Duration::from_secs(60));
    assert!(shell.contains("EXIT=3"), "{shell}");
    assert!(shell.contains("big-archive: deleted"), "{shell}");
    assert!(shell.contains("report: "), "{shell}");
    assert!(
        shell.contains("can be resumed with: ossweep resume"),
        "{shell}"
    );
    let left = c.get_bucket_stat("big-archive").await.unwrap().object_count;
    assert!(left > 0 && left < 60_000, "stopped part-way: {left} left");

    // Meanwhile something writes 40 new objects into it; a second passes.
    for i in 0..40 {
        c.put_object("big-archive", &format!("late/{i:03}"), b"x".to_vec())
            .await
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(1100));
    let before_resume = c.get_bucket_stat("big-archive").await.unwrap().object_count;

    // Started again: the interrupted run is offered. R checks it: the pane
    // shows what was written since, and nothing is deleted before the name.
    tmux.text(&format!("clear; {wizard}; echo EX\"\"IT=$?"));
    tmux.keys(&["Enter"]);
    tmux.wait_for_all(
        &[
            "An interrupted deletion of big-archive",
            "R resume",
            "% done",
        ],
        Duration::from_secs(20),
    );
    // The list is loaded (R waits for it).
    tmux.wait_for("keep-me", Duration::from_secs(20));
    tmux.keys(&["R"]);
    tmux.wait_for_all(
        &[
            "it changed since",
            "40 entries written after the run was confirmed",
            "Type big-archive to confirm",
        ],
        Duration::from_secs(60),
    );
    assert_eq!(
        c.get_bucket_stat("big-archive").await.unwrap().object_count,
        before_resume,
        "nothing deleted before the name is typed"
    );
    tmux.text("big-archive");
    tmux.wait_for("matches", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    let report = tmux.wait_for("bucket deleted", Duration::from_secs(90));
    assert!(report.contains("Report"), "{report}");
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0", Duration::from_secs(10));
    let buckets: Vec<_> = c.list_buckets().try_collect().await.unwrap();
    let names: Vec<_> = buckets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        ["keep-me"],
        "the bucket is gone, the other one stays"
    );
    assert_eq!(c.get_bucket_stat("keep-me").await.unwrap().object_count, 50);
}

/// The drill-down in the real terminal: `Enter` on the uploads of a bucket
/// lists them with their sizes (ListParts); one marked upload is deleted
/// through the confirm pane, typed name and all; its siblings stay.
#[tokio::test(flavor = "multi_thread")]
async fn one_upload_is_deleted_from_the_drill_down_and_its_siblings_stay() {
    let bin = env!("CARGO_BIN_EXE_ossweep");
    let emu = start_emulator(&["--seed".as_ref(), "demo".as_ref()]);
    let url = emu.1.clone();
    let c = client(&url);
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        "e2e-drill",
        home.path(),
        &format!("{bin} --endpoint {url} --path-style"),
    );
    tmux.wait_for("acme-media-ingest", Duration::from_secs(20));
    tmux.keys(&["/"]);
    tmux.text("media-ingest");
    tmux.keys(&["Enter"]);
    tmux.wait_for("filter: media-ingest  (Esc clears)", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        "acme-media-ingest  cn-shanghai  versioning Off  scan complete",
        Duration::from_secs(20),
    );
    // The fourth category: incomplete multipart uploads.
    tmux.keys(&["j", "j", "j", "Enter"]);
    tmux.wait_for_all(
        &[
            "350.0 MiB",
            "Incomplete multipart uploads  (3)",
            "raw/keynote-2025.mp4",
            "1.2 GiB",
        ],
        Duration::from_secs(20),
    );
    // The first row is the interview; mark it, then delete the marked one.
    tmux.keys(&["Space"]);
    tmux.wait_for("1 marked", Duration::from_secs(5));
    tmux.keys(&["d"]);
    tmux.wait_for_all(
        &[
            "Type acme-media-ingest to confirm",
            "1 incomplete multipart upload",
            "raw/interview-take-4.mov (upload",
        ],
        Duration::from_secs(5),
    );
    tmux.text("acme-media-ingest");
    tmux.wait_for("matches", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    tmux.wait_for("no longer shows the 1 item named", Duration::from_secs(30));
    let left: Vec<_> = c
        .list_multipart_uploads("acme-media-ingest", None)
        .try_collect()
        .await
        .unwrap();
    let keys: Vec<&str> = left.iter().map(|u| u.key.as_str()).collect();
    assert_eq!(
        keys, ["raw/keynote-2025.mp4"; 2],
        "only the marked upload went"
    );
    let stat = c.get_bucket_stat("acme-media-ingest").await.unwrap();
    assert_eq!((stat.object_count, stat.live_channel_count), (302, 2));
}

/// A terminal that cannot move the cursor (`TERM=dumb`) gets a message that
/// points to the subcommands, not a wizard drawn over it.
#[test]
fn a_dumb_terminal_gets_a_message_not_a_wizard() {
    let bin = env!("CARGO_BIN_EXE_ossweep");
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        "e2e-dumb",
        home.path(),
        &format!("sh -c 'TERM=dumb {bin} --endpoint http://127.0.0.1:9 --path-style; echo exit=$?; sleep 60'"),
    );
    let screen = tmux.wait_for("exit=", Duration::from_secs(20));
    assert!(
        screen.contains("TERM=dumb")
            && screen.contains("ossweep buckets")
            && screen.contains("exit=2"),
        "{screen}"
    );
}

/// "Stop billing" from the account view, in the real terminal, over a small
/// account: two buckets that can go and one a locked retention policy keeps.
/// The view says so; `S` scans the two, one typed confirmation names the
/// count and the account; the report leads back to the account, read again:
/// what remains is what the view said would remain.
#[tokio::test(flavor = "multi_thread")]
async fn stopping_the_billing_of_a_small_account_leaves_what_the_view_said() {
    let bin = env!("CARGO_BIN_EXE_ossweep");
    let home = tempfile::tempdir().unwrap();
    let seed = home.path().join("small.toml");
    std::fs::write(
        &seed,
        r#"
[[bucket]]
name = "small-site"
region = "cn-hangzhou"
age_days = 10
objects = [{ key = "index.html", size = 1000 }]

[[bucket]]
name = "small-logs"
region = "cn-hangzhou"
age_days = 10
pattern = [{ prefix = "logs/", suffix = ".gz", count = 50, size = 2048 }]

[[bucket]]
name = "kept-archive"
region = "cn-beijing"
age_days = 100
worm_days = 365
pattern = [{ prefix = "audit/", suffix = ".pdf", count = 5, size = 1000, age_days = 10 }]
"#,
    )
    .unwrap();
    let emu = start_emulator(&["--seed".as_ref(), seed.as_os_str()]);
    let url = emu.1.clone();
    let c = client(&url);
    let uid = c.account_id().await.unwrap();
    let tmux = Tmux::start(
        "e2e-billing",
        home.path(),
        &format!("{bin} --endpoint {url} --path-style"),
    );
    tmux.wait_for("small-site", Duration::from_secs(20));
    tmux.keys(&["A"]);
    let view = tmux.wait_for_all(
        &[
            "This account's storage costs about",
            "S stops the billing of the 2 buckets marked x",
            "retained ≤",
        ],
        Duration::from_secs(20),
    );
    assert!(view.contains("kept-archive"), "{view}");
    tmux.keys(&["S"]);
    let expected = format!("delete 2 buckets of {uid}");
    tmux.wait_for(
        &format!("Type {expected} to confirm"),
        Duration::from_secs(30),
    );
    // Not the count alone: the account too.
    tmux.text("delete 2 buckets");
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        &format!("Type {expected} to confirm"),
        Duration::from_secs(5),
    );
    assert_eq!(stats(&c).await.len(), 3, "nothing deleted yet");
    tmux.text(&format!(" of {uid}"));
    tmux.wait_for("matches", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    tmux.wait_for_all(
        &[
            "Report",
            "small-site (delete the bucket): bucket deleted",
            "small-logs (delete the bucket): bucket deleted",
        ],
        Duration::from_secs(60),
    );
    tmux.keys(&["Enter"]);
    // Back on the account, read again: only the retained bucket.
    let after = tmux.wait_for_all(
        &["S stops the billing of the 0 buckets", "kept-archive"],
        Duration::from_secs(20),
    );
    assert!(
        !after.contains("small-site") && !after.contains("small-logs"),
        "{after}"
    );
    let left = stats(&c).await;
    assert_eq!(left, [("kept-archive".to_string(), 5, 0)]);
}
