//! The deletion engine against the emulator with injected latency.
//! Run: `cargo bench --bench engine` (after `bash tests/run.sh`, which creates the
//! Python venv used for the baseline).
//!
//! 1,000,000 versions (500,000 keys x 2) in a versioned bucket, 20 ms added to
//! every reply. The emulator runs as its own process, so the peak RSS reported is
//! ossweep's alone. Reports: the listing bound (pages x latency), a pure listing
//! pass, ossweep's full emptying (wall time against the bound, peak RSS), and the
//! Python SDK recipe on the same data.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use ossweep::delete::{self, Plan};
use ossweep::oss::endpoint::{Addressing, Endpoint};
use ossweep::oss::{Client, ClientConfig, Credentials};
use ossweep::scan::Category;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const KEYS: u64 = 500_000;
const VERSIONS: u32 = 2;
const LATENCY_MS: u64 = 20;
const AK: &str = "LTAI5tBenchmark";
const SK: &str = "benchmark-secret";

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

struct Emulator {
    child: Child,
    url: String,
    /// Kept open: the emulator's banner writes must find a reader.
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_emulator(seed: &std::path::Path, latency_ms: u64) -> Emulator {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ossweep"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed"])
        .arg(seed)
        .args([
            "--access-key-id",
            AK,
            "--access-key-secret",
            SK,
            "--latency-ms",
            &latency_ms.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the ossweep binary runs");
    let mut first = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    let url = first
        .split("listening on ")
        .nth(1)
        .expect("emulator started")
        .trim()
        .to_string();
    Emulator {
        child,
        url,
        _stdout: stdout,
    }
}

fn client(url: &str) -> Client {
    let mut cfg = ClientConfig::new(Credentials::new(AK, SK), "cn-hangzhou");
    cfg.endpoint = Some(Endpoint::parse(url).unwrap());
    cfg.addressing = Addressing::Path;
    Client::new(cfg)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("bench.toml");
    std::fs::write(
        &seed,
        format!("clock = 1761955200\n[[bucket]]\nname = \"bench\"\nversioning = \"Enabled\"\npattern = [{{ prefix = \"data/2025/obj-\", suffix = \".bin\", count = {KEYS}, size = 512, versions = {VERSIONS} }}]\n"),
    )
    .unwrap();
    let entries = KEYS * VERSIONS as u64;
    let pages = entries.div_ceil(1000);
    let bound = Duration::from_millis(pages * LATENCY_MS);
    println!(
        "ossweep engine benchmark: {entries} versions, {LATENCY_MS} ms per request, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "listing bound (pages x latency): {pages} x {LATENCY_MS} ms = {:.2} s",
        bound.as_secs_f64()
    );

    // The emulator's and the client's own cost per page, without injected latency.
    let emu = start_emulator(&seed, 0);
    let t = Instant::now();
    let n: usize = client(&emu.url)
        .list_object_versions_pages("bench", None, 1000)
        .map_ok(|p| p.len())
        .try_fold(0, |a, n| async move { Ok(a + n) })
        .await
        .unwrap();
    let raw = t.elapsed().as_secs_f64();
    println!(
        "listing without latency: {n} versions in {raw:.2} s = {:.2} ms per page",
        raw * 1000.0 / pages as f64
    );
    drop(emu);

    // A pure listing pass with the latency: what is left on top of pages x latency.
    let emu = start_emulator(&seed, LATENCY_MS);
    let c = client(&emu.url);
    let t = Instant::now();
    let listed: Vec<usize> = c
        .list_object_versions_pages("bench", None, 1000)
        .map_ok(|p| p.len())
        .try_collect()
        .await
        .unwrap();
    let list_secs = t.elapsed().as_secs_f64();
    println!(
        "listing only: {} versions in {list_secs:.2} s ({:.3} x bound)",
        listed.iter().sum::<usize>(),
        list_secs / bound.as_secs_f64()
    );

    // ossweep: listing and deleting pipelined.
    let rss_before = peak_rss_mib();
    let mut plan = Plan::new(
        "bench",
        [
            Category::Objects,
            Category::PreviousVersions,
            Category::DeleteMarkers,
        ],
    );
    plan.estimates = [(Category::Objects, KEYS)].into();
    let (tx, mut rx) = mpsc::channel(256);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let t = Instant::now();
    let summary = delete::run(&c, plan, tx, CancellationToken::new()).await;
    let ours = t.elapsed().as_secs_f64();
    drain.await.unwrap();
    assert!(summary.complete(), "{summary:?}");
    assert_eq!(summary.deleted(), entries);
    println!(
        "ossweep empty: {} versions in {ours:.2} s = {:.3} x bound, {:.0} keys/s, {} delete requests; peak RSS {:.0} MiB (before the run {:.0} MiB)",
        summary.deleted(),
        ours / bound.as_secs_f64(),
        entries as f64 / ours,
        summary.requests,
        peak_rss_mib(),
        rss_before
    );
    drop(emu);

    // The Python SDK recipe on the same data.
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    if !python.exists() {
        println!("python recipe: skipped (no .venv; run `bash tests/run.sh` first)");
        return;
    }
    let emu = start_emulator(&seed, LATENCY_MS);
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bench/python_recipe.py");
    let out = Command::new(python)
        .arg(script)
        .args([&emu.url, AK, SK, "cn-hangzhou", "bench"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let (deleted, secs): (u64, f64) = (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
    );
    assert_eq!(deleted, entries, "{}", String::from_utf8_lossy(&out.stderr));
    println!(
        "python SDK recipe: {deleted} versions in {secs:.2} s; ossweep is {:.2} x faster",
        secs / ours
    );
}
