//! Shared helpers: an emulator per test and clients pointed at it.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ossweep::emulator::{self, seed::Seed, EmulatorConfig, EmulatorHandle};
use ossweep::oss::client::{Client, ClientConfig, Sleeper};
use ossweep::oss::endpoint::{Addressing, Endpoint};
use ossweep::oss::retry::RetryPolicy;
use ossweep::oss::Credentials;

pub async fn emulator(seed: Seed) -> EmulatorHandle {
    let cfg = EmulatorConfig {
        seed,
        access_point_delay: Duration::from_millis(100),
        ..Default::default()
    };
    emulator::start(cfg).await.expect("emulator starts")
}

/// Path style, every call to the emulator, signed for `region`.
pub fn path_config(emu: &EmulatorHandle, region: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(emu.credentials().clone(), region);
    cfg.endpoint = Some(Endpoint::parse(&emu.url()).unwrap());
    cfg.addressing = Addressing::Path;
    cfg.retry = RetryPolicy {
        max_attempts: 4,
        base: Duration::from_millis(1),
        cap: Duration::from_millis(5),
    };
    cfg
}

/// Virtual-hosted style with real region host names, connected to the emulator.
pub fn virtual_config(emu: &EmulatorHandle, region: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(emu.credentials().clone(), region);
    cfg.scheme = "http".into();
    cfg.port = Some(emu.addr.port());
    cfg.connect_to = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    cfg.retry = RetryPolicy {
        max_attempts: 4,
        base: Duration::from_millis(1),
        cap: Duration::from_millis(5),
    };
    cfg
}

pub fn client(emu: &EmulatorHandle) -> Client {
    Client::new(path_config(emu, "cn-hangzhou"))
}

/// A client whose retry sleeps return at once and are recorded.
pub fn recording_client(cfg: ClientConfig) -> (Client, Arc<Mutex<Vec<Duration>>>) {
    let slept = Arc::new(Mutex::new(Vec::new()));
    let rec = slept.clone();
    let sleeper: Sleeper = Arc::new(move |d| {
        rec.lock().unwrap().push(d);
        Box::pin(async {})
    });
    (
        Client::builder(cfg).sleeper(sleeper).jitter_seed(7).build(),
        slept,
    )
}

pub fn wrong_secret(emu: &EmulatorHandle) -> Credentials {
    Credentials::new(emu.credentials().access_key_id.clone(), "not-the-secret")
}

/// A small current version, for filling the emulator's store directly.
pub fn stored_version(size: u64) -> ossweep::emulator::store::Version {
    ossweep::emulator::store::Version {
        id: 0,
        delete_marker: false,
        size,
        etag: 0,
        class: Default::default(),
        multipart: false,
        modified: 0,
        data: None,
    }
}

/// A versioned bucket of `keys` keys (`a/...` for the first half, `b/...` for the
/// rest), each with two versions, and a delete marker on every 5th key: written
/// straight into the store.
pub fn versioned_with_markers(emu: &EmulatorHandle, bucket: &str, keys: usize) -> u64 {
    use ossweep::emulator::store::{Bucket, StorageClass};
    use ossweep::oss::model::Versioning;
    let mut store = emu.store();
    let mut next_id = store.next_id;
    let mut b = Bucket::new("cn-hangzhou", 0, StorageClass::Standard);
    b.versioning = Versioning::Enabled;
    let mut entries = 0;
    for i in 0..keys {
        let half = if i < keys / 2 { "a" } else { "b" };
        let key = format!("{half}/{i:06}");
        for _ in 0..2 {
            b.put(&key, stored_version(10), &mut next_id);
            entries += 1;
        }
        if i % 5 == 0 {
            b.delete(&key, None, 0, &mut next_id);
            entries += 1;
        }
    }
    store.next_id = next_id;
    store.buckets.insert(bucket.to_string(), b);
    entries
}

/// Entries (versions and delete markers) a bucket holds, and how many under `prefix`.
pub fn entries(emu: &EmulatorHandle, bucket: &str, prefix: &str) -> (u64, u64) {
    let store = emu.store();
    let b = &store.buckets[bucket];
    let all: u64 = b.objects.values().map(|v| v.len() as u64).sum();
    let under: u64 = b
        .objects
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| v.len() as u64)
        .sum();
    (all, under)
}

/// The ossweep binary pointed at the emulator, with a clean environment and
/// `home` as its home.
pub fn cli(emu: &EmulatorHandle, home: &std::path::Path) -> std::process::Command {
    let creds = emu.credentials();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ossweep"));
    c.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".state"))
        .env("OSS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("OSS_ACCESS_KEY_SECRET", creds.access_key_secret.expose())
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .args(["--endpoint", &emu.url(), "--path-style"])
        .stdin(std::process::Stdio::null());
    c
}

/// A bucket of `n` current objects of one byte, `{prefix}{i:07}`, written
/// straight into the store.
pub fn flat_bucket(emu: &EmulatorHandle, bucket: &str, prefix: &str, n: usize) {
    use ossweep::emulator::store::{Bucket, StorageClass};
    let mut store = emu.store();
    let mut next_id = store.next_id;
    let mut b = Bucket::new("cn-hangzhou", 0, StorageClass::Standard);
    for i in 0..n {
        b.put(&format!("{prefix}{i:07}"), stored_version(1), &mut next_id);
    }
    store.next_id = next_id;
    store.buckets.insert(bucket.to_string(), b);
}

/// A size from the environment (figures for the README), else `default`.
pub fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every (key, version) the bucket holds.
pub fn held(emu: &EmulatorHandle, bucket: &str) -> std::collections::BTreeSet<(String, String)> {
    let store = emu.store();
    let Some(b) = store.buckets.get(bucket) else {
        return std::collections::BTreeSet::new();
    };
    b.objects
        .iter()
        .flat_map(|(k, vs)| {
            vs.iter()
                .map(move |v| (k.clone(), ossweep::emulator::store::render_version_id(v.id)))
        })
        .collect()
}

/// The report's `deleted` entries as (key, version).
pub fn reported(path: &std::path::Path) -> (std::collections::BTreeSet<(String, String)>, usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut set = std::collections::BTreeSet::new();
    let mut lines = 0;
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).expect("every report line is whole");
        if v["action"] == "deleted" {
            lines += 1;
            set.insert((
                v["key"].as_str().unwrap().to_string(),
                v["version_id"].as_str().unwrap_or("null").to_string(),
            ));
        }
    }
    (set, lines)
}

/// Events a command started with `--json` printed, collected as they come.
pub type Events = Arc<Mutex<Vec<serde_json::Value>>>;

/// Waits for the `journal` event of `child` (started with `--json` and its
/// stdout piped) and returns its run id; the rest of stdout is read on and
/// collected, so the run never blocks on a full pipe.
pub fn journaled(child: &mut std::process::Child) -> (String, Events) {
    use std::io::{BufRead, BufReader};
    let mut out = BufReader::new(child.stdout.take().expect("stdout piped"));
    let mut line = String::new();
    let run = loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "no journal event");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if v["event"] == "journal" {
            break v["run"].as_str().unwrap().to_string();
        }
    };
    let events: Events = Arc::default();
    let sink = events.clone();
    std::thread::spawn(move || {
        for l in out.lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&l) {
                sink.lock().unwrap().push(v);
            }
        }
    });
    (run, events)
}

/// `ossweep ARGS` run to its end: its exit code and its stderr.
pub fn ossweep(
    emu: &EmulatorHandle,
    home: &std::path::Path,
    args: &[&str],
) -> (Option<i32>, String) {
    let out = cli(emu, home).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
