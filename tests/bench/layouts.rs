//! `cargo bench --bench layouts`: ossweep's `scan` and `delete` (the real
//! binary, as a user runs it) against the emulator in its own process, with
//! latency added to every reply, over several key layouts; and, on identical
//! data, the recipe from Alibaba's Python SDK docs (needs the `.venv` that
//! `bash tests/run.sh` creates).
//!
//! Knobs (environment):
//! - `OSSWEEP_BENCH_KEYS` entries per bucket, comma-separated (default `200000`)
//! - `OSSWEEP_BENCH_LATENCY_MS` added per request, comma-separated (default `100`)
//! - `OSSWEEP_BENCH_LAYOUTS` (default all: prefixes32,flat,dated,hashed,skewed,versioned)
//! - `OSSWEEP_BENCH_RECIPE` `0` to skip the SDK recipe (default: run it)
//! - `OSSWEEP_BENCH_QPS_LIMIT` N: the emulator answers over N requests per second
//!   with 503 TotalQpsLimitExceeded, as OSS does (default: no limit)
//!
//! Each row: wall time of `ossweep scan` and of `ossweep delete` (preflight
//! included) against the single-stream listing bound (pages x latency); keys
//! per second; ossweep's peak RSS; requests by kind as the emulator counted
//! them; the recipe's time. Results also go to `target/bench-layouts.md`.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const AK: &str = "LTAI5tBenchmarkLayouts";
const SK: &str = "benchmark-layouts-secret";
const BUCKET: &str = "bench";

struct Emulator {
    child: Child,
    url: String,
    stats: PathBuf,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Emulator {
    fn start(seed: &Path, latency_ms: u64, qps_limit: Option<u32>, stats: PathBuf) -> Emulator {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ossweep"));
        cmd.args(["emulator", "--listen", "127.0.0.1:0", "--seed"])
            .arg(seed)
            .args(["--access-key-id", AK, "--access-key-secret", SK])
            .args(["--latency-ms", &latency_ms.to_string()])
            .arg("--stats")
            .arg(&stats);
        if let Some(q) = qps_limit {
            cmd.args(["--qps-limit", &q.to_string()]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the ossweep binary runs");
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
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
            stats,
            _stdout: stdout,
        }
    }

    /// Stops it with SIGTERM (so it writes its request tally) and reads the tally.
    fn stop(mut self) -> serde_json::Value {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        let text = std::fs::read_to_string(&self.stats).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One layout: the seed's `pattern` tables and how many entries they make.
struct Layout {
    name: &'static str,
    versioned: bool,
    patterns: Vec<String>,
    entries: u64,
}

fn pattern(prefix: &str, count: u64, extra: &str) -> String {
    format!("{{ prefix = \"{prefix}\", count = {count}, size = 512{extra} }}")
}

fn layout(name: &'static str, n: u64) -> Layout {
    let even = |parts: u64, f: &dyn Fn(u64) -> String| -> Vec<String> {
        (0..parts)
            .map(|i| pattern(&f(i), n / parts + u64::from(i < n % parts), ""))
            .collect()
    };
    match name {
        "prefixes32" => Layout {
            name,
            versioned: false,
            patterns: even(32, &|i| format!("p{i:02}/obj-")),
            entries: n,
        },
        "flat" => Layout {
            name,
            versioned: false,
            patterns: vec![pattern("", n, "")],
            entries: n,
        },
        "dated" => Layout {
            name,
            versioned: false,
            patterns: even(365, &|d| {
                let (m, day) = (d / 31 + 1, d % 31 + 1);
                format!("logs/2025/{m:02}/{day:02}/part-")
            }),
            entries: n,
        },
        "hashed" => Layout {
            name,
            versioned: false,
            patterns: even(256, &|h| format!("{h:02x}")),
            entries: n,
        },
        "skewed" => {
            let big = n * 9 / 10;
            let mut patterns = vec![pattern("big/obj-", big, "")];
            let rest = n - big;
            patterns.extend((0..31).map(|i| {
                pattern(
                    &format!("s{i:02}/obj-"),
                    rest / 31 + u64::from(i < rest % 31),
                    "",
                )
            }));
            Layout {
                name,
                versioned: false,
                patterns,
                entries: n,
            }
        }
        "versioned" => {
            // Keys with 2 versions each and a delete marker on every 5th key:
            // 2.2 entries per key, n entries in all.
            let keys = n * 10 / 22;
            Layout {
                name,
                versioned: true,
                patterns: vec![pattern(
                    "data/obj-",
                    keys,
                    ", versions = 2, delete_marker_every = 5",
                )],
                entries: keys * 2 + keys.div_ceil(5),
            }
        }
        other => panic!("unknown layout {other}"),
    }
}

fn seed_file(dir: &Path, l: &Layout) -> PathBuf {
    let path = dir.join(format!("{}.toml", l.name));
    let mut text = String::from("clock = 1761955200\n[[bucket]]\nname = \"bench\"\n");
    if l.versioned {
        text.push_str("versioning = \"Enabled\"\n");
    }
    text.push_str("pattern = [\n");
    for p in &l.patterns {
        text.push_str("  ");
        text.push_str(p);
        text.push_str(",\n");
    }
    text.push_str("]\n");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs ossweep to its end, sampling its peak RSS; returns (seconds, stdout, peak MiB).
fn run_ossweep(url: &str, home: &Path, args: &[&str]) -> (f64, String, f64) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ossweep"))
        .args(["--endpoint", url, "--path-style"])
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".state"))
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).unwrap();
        s
    });
    let mut peak_kb = 0f64;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status_path) {
            if let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            {
                peak_kb = peak_kb.max(kb);
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let secs = started.elapsed().as_secs_f64();
    let stdout = reader.join().unwrap();
    (secs, stdout, peak_kb / 1024.0)
}

fn requests(stats: &serde_json::Value, op: &str) -> u64 {
    stats["by_op"][op]
        .as_object()
        .map(|m| m.values().filter_map(|v| v.as_u64()).sum())
        .unwrap_or(0)
}

fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn main() {
    let keys: Vec<u64> = env_list("OSSWEEP_BENCH_KEYS", "200000")
        .iter()
        .map(|k| k.parse().expect("OSSWEEP_BENCH_KEYS: numbers"))
        .collect();
    let latencies: Vec<u64> = env_list("OSSWEEP_BENCH_LATENCY_MS", "100")
        .iter()
        .map(|k| k.parse().expect("OSSWEEP_BENCH_LATENCY_MS: numbers"))
        .collect();
    let layouts = env_list(
        "OSSWEEP_BENCH_LAYOUTS",
        "prefixes32,flat,dated,hashed,skewed,versioned",
    );
    let recipe = std::env::var("OSSWEEP_BENCH_RECIPE").map_or(true, |v| v != "0");
    let qps_limit: Option<u32> = std::env::var("OSSWEEP_BENCH_QPS_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok());
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bench/python_recipe.py");
    let dir = tempfile::tempdir().unwrap();

    let mut report = String::new();
    let header = format!(
        "ossweep layouts benchmark: {} cores, emulator in its own process{}\n\n\
         | layout | entries | latency | bound | scan | delete | keys/s | peak RSS | DeleteMultipleObjects | listing pages | probes + folder listings | throttled | SDK recipe | vs recipe |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        qps_limit.map(|q| format!(", --qps-limit {q}")).unwrap_or_default()
    );
    print!("{header}");
    report.push_str(&header);
    for &latency in &latencies {
        for &n in &keys {
            for name in &layouts {
                let l = layout(Box::leak(name.clone().into_boxed_str()), n);
                let seed = seed_file(dir.path(), &l);
                let pages = l.entries.div_ceil(1000);
                let bound = (pages * latency) as f64 / 1000.0;

                let emu = Emulator::start(&seed, latency, qps_limit, dir.path().join("stats.json"));
                let (scan_s, scan_out, _) =
                    run_ossweep(&emu.url, dir.path(), &["scan", BUCKET, "--json"]);
                let scan: serde_json::Value = serde_json::from_str(&scan_out).unwrap_or_default();
                let listed: u64 = scan["categories"]
                    .as_array()
                    .map(|cs| {
                        cs.iter()
                            .filter(|c| {
                                matches!(
                                    c["category"].as_str(),
                                    Some("objects" | "previous-versions" | "delete-markers")
                                )
                            })
                            .filter_map(|c| c["count"].as_u64())
                            .sum()
                    })
                    .unwrap_or(0);
                assert_eq!(listed, l.entries, "{}: the scan counts every entry", l.name);
                let (del_s, del_out, rss) = run_ossweep(
                    &emu.url,
                    dir.path(),
                    &["delete", BUCKET, "--confirm", BUCKET, "--json"],
                );
                let summary: serde_json::Value = del_out
                    .lines()
                    .rev()
                    .find_map(|line| {
                        let v: serde_json::Value = serde_json::from_str(line).ok()?;
                        (v["event"] == "finished").then(|| v["summary"].clone())
                    })
                    .unwrap_or_default();
                assert_eq!(
                    summary["bucket_deleted"],
                    serde_json::Value::Bool(true),
                    "{}: {summary}",
                    l.name
                );
                let deleted: u64 = summary["categories"]
                    .as_object()
                    .map(|m| m.values().filter_map(|t| t["deleted"].as_u64()).sum())
                    .unwrap_or(0);
                assert_eq!(deleted, l.entries, "{}: every entry deleted", l.name);
                let stats = emu.stop();
                let dmo = requests(&stats, "DeleteMultipleObjects");
                let list_op = if l.versioned {
                    "ListObjectVersions"
                } else {
                    "ListObjectsV2"
                };
                let listing = &summary["listing"];
                let scan_listing = &scan["listing"];
                let sum = |k: &str| {
                    listing[k].as_u64().unwrap_or(0) + scan_listing[k].as_u64().unwrap_or(0)
                };
                let (pages_sent, probes, folders) =
                    (sum("pages"), sum("probes"), sum("folder_listings"));
                let total = stats["requests"].as_u64().unwrap_or(0);
                let throttled = stats["throttled"].as_u64().unwrap_or(0);

                let recipe_s = if recipe && python.exists() {
                    let emu = Emulator::start(&seed, latency, qps_limit, dir.path().join("r.json"));
                    let out = Command::new(&python)
                        .arg(&script)
                        .args([&emu.url, AK, SK, "cn-hangzhou", BUCKET])
                        .output()
                        .unwrap();
                    let text = String::from_utf8_lossy(&out.stdout);
                    let mut parts = text.split_whitespace();
                    let done: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
                    let secs: f64 = parts
                        .next()
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(f64::NAN);
                    assert_eq!(done, l.entries, "{}", String::from_utf8_lossy(&out.stderr));
                    drop(emu);
                    Some(secs)
                } else {
                    None
                };
                let row = format!(
                    "| {} | {} | {} ms | {:.1} s | {:.2} s ({:.1}x) | {:.2} s ({:.1}x) | {:.0} | {:.0} MiB | {} ({:.3} x keys/1000) | {} ({} {list_op}) | {} ({:.1}% of pages) | {} of {} ({:.2}%) | {} | {} |\n",
                    l.name,
                    l.entries,
                    latency,
                    bound,
                    scan_s,
                    bound / scan_s,
                    del_s,
                    bound / del_s,
                    l.entries as f64 / del_s,
                    rss,
                    dmo,
                    dmo as f64 / (l.entries as f64 / 1000.0),
                    pages_sent,
                    requests(&stats, list_op),
                    probes + folders,
                    (probes + folders) as f64 * 100.0 / pages_sent.max(1) as f64,
                    throttled,
                    total,
                    throttled as f64 * 100.0 / total.max(1) as f64,
                    recipe_s.map_or("-".into(), |s| format!("{s:.1} s")),
                    recipe_s.map_or("-".into(), |s| format!("{:.1}x", s / del_s)),
                );
                print!("{row}");
                std::io::stdout().flush().unwrap();
                report.push_str(&row);
                let per_op: BTreeMap<String, u64> = stats["by_op"]
                    .as_object()
                    .map(|m| {
                        m.keys()
                            .map(|op| (op.clone(), requests(&stats, op)))
                            .collect()
                    })
                    .unwrap_or_default();
                eprintln!("  {} requests by operation: {per_op:?}", l.name);
            }
        }
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-layouts.md");
    let _ = std::fs::write(&out, report);
    println!("\n(written to {})", out.display());
}
