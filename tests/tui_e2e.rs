//! The wizard end to end: the real binary in tmux against `ossweep emulator` with
//! the demo seed. Select a bucket, scan, D, type the name, Enter, wait for the
//! report; then the emulator must show that bucket gone and every other bucket
//! untouched. Then the replicated bucket: its confirm pane shows the replication
//! risk, and clearing all needs the typed name. Waits for text on screen with a timeout, never sleep-then-assert.

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
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?}; the screen shows:\n{screen}"
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
    let mut child = Command::new(bin)
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--seed",
            "demo",
            "--access-key-id",
            AK,
            "--access-key-secret",
            SK,
        ])
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
    let emu = Emulator(child, url.clone());
    let _keep_stdout_open = out;
    let c = client(&emu.1);
    let before = stats(&c).await;
    assert_eq!(before.len(), 10);

    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux {
        socket: format!("ossweep-e2e-{}", std::process::id()),
    };
    let command = format!("{bin} --endpoint {url} --path-style");
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
        &format!("HOME={}", home.path().display()),
        "-e",
        &format!("XDG_CONFIG_HOME={}", home.path().join("config").display()),
        "-e",
        &format!("XDG_STATE_HOME={}", home.path().join("state").display()),
        "-e",
        "NO_COLOR=1",
        &command,
    ]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );

    tmux.wait_for("acme-web-assets", Duration::from_secs(20));
    // Select the bucket with the filter, then scan it.
    tmux.keys(&["/"]);
    tmux.text("web-assets");
    tmux.keys(&["Enter"]);
    tmux.wait_for("filter: web-assets", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    let scan = tmux.wait_for("versioning Off  scan complete", Duration::from_secs(20));
    assert!(
        scan.contains("static.acme-demo.com") && scan.contains("Current objects"),
        "{scan}"
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
    tmux.wait_for("Buckets (9)", Duration::from_secs(20));

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
    tmux.wait_for("filter: logs-replicated\n", Duration::from_secs(5));
    tmux.keys(&["Enter"]);
    // Not just "scan complete": "Risks appear when the scan completes" contains it.
    let scan = tmux.wait_for(
        "acme-logs-replicated  cn-hangzhou  versioning Off  scan complete",
        Duration::from_secs(20),
    );
    assert!(scan.contains("logs-to-dr"), "{scan}");
    tmux.keys(&["D"]);
    let confirm = tmux.wait_for(
        "Type acme-logs-replicated to confirm",
        Duration::from_secs(5),
    );
    assert!(
        confirm.contains("Delete bucket")
            && confirm.contains("Replication rule \"logs-to-dr\" (Action ALL)")
            && confirm.contains("acme-logs-dr"),
        "{confirm}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("a clear all", Duration::from_secs(5));
    tmux.keys(&["a"]);
    let clear_all = tmux.wait_for(
        "Type acme-logs-replicated to confirm",
        Duration::from_secs(5),
    );
    assert!(
        clear_all.contains("Clear (the bucket stays)") && clear_all.contains("logs-to-dr"),
        "{clear_all}"
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
