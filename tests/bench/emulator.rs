//! The emulator's own throughput on this machine, so benchmarks of ossweep can
//! show they do not measure the emulator. Run: `cargo bench --bench emulator`.
//!
//! Reports: memory for 1,000,000 small objects; ListObjectVersions pages per
//! second over a 1,000,000-version bucket; keys deleted per second through
//! DeleteMultipleObjects (1000-key batches, 1 and 4 in flight).

use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use ossweep::emulator::{self, seed::Seed, EmulatorConfig};
use ossweep::oss::endpoint::{Addressing, Endpoint};
use ossweep::oss::model::ObjectIdentifier;
use ossweep::oss::{Client, ClientConfig};

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn seed(name: &str, keys: u64, versions: u32) -> Seed {
    let versioning = if versions > 1 {
        "versioning = \"Enabled\"\n"
    } else {
        ""
    };
    Seed::Inline(format!(
        "[[bucket]]\nname = \"{name}\"\nregion = \"cn-hangzhou\"\n{versioning}pattern = [{{ prefix = \"data/2025/obj-\", suffix = \".bin\", count = {keys}, size = 512, versions = {versions} }}]\n"
    ))
}

fn client(emu: &emulator::EmulatorHandle) -> Client {
    let mut cfg = ClientConfig::new(emu.credentials().clone(), "cn-hangzhou");
    cfg.endpoint = Some(Endpoint::parse(&emu.url()).unwrap());
    cfg.addressing = Addressing::Path;
    Client::new(cfg)
}

async fn delete_all(c: &Client, bucket: &str, in_flight: usize) -> (u64, f64) {
    let started = Instant::now();
    let deleted: u64 = c
        .list_object_versions_pages(bucket, None, 1000)
        .map(|page| {
            let c = c.clone();
            let bucket = bucket.to_string();
            async move {
                let ids: Vec<ObjectIdentifier> = page
                    .unwrap()
                    .into_iter()
                    .map(|v| ObjectIdentifier::version(v.key, v.version_id))
                    .collect();
                if ids.is_empty() {
                    return 0;
                }
                c.delete_multiple_objects(&bucket, &ids)
                    .await
                    .unwrap()
                    .len() as u64
            }
        })
        .buffer_unordered(in_flight)
        .fold(0, |a, n| async move { a + n })
        .await;
    (deleted, started.elapsed().as_secs_f64())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!(
        "ossweep emulator benchmark ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    // Memory for 1,000,000 small objects.
    let before = rss_mib();
    let t = Instant::now();
    let emu = emulator::start(EmulatorConfig {
        seed: seed("mem-1m", 1_000_000, 1),
        ..Default::default()
    })
    .await
    .unwrap();
    let seeded = t.elapsed().as_secs_f64();
    let mem = rss_mib() - before;
    println!("memory for 1,000,000 small objects: {mem:.0} MiB ({:.0} bytes/object; seeded in {seeded:.2} s)", mem * 1024.0 * 1024.0 / 1e6);
    emu.shutdown().await.unwrap();

    // ListObjectVersions over 1,000,000 versions (500,000 keys x 2).
    let emu = emulator::start(EmulatorConfig {
        seed: seed("versions-1m", 500_000, 2),
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&emu);
    let t = Instant::now();
    let pages: Vec<Vec<_>> = c
        .list_object_versions_pages("versions-1m", None, 1000)
        .try_collect()
        .await
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let entries: usize = pages.iter().map(Vec::len).sum();
    println!(
        "ListObjectVersions: {} pages ({entries} versions) in {secs:.2} s = {:.0} pages/s",
        pages.len(),
        pages.len() as f64 / secs
    );
    drop(pages);

    // DeleteMultipleObjects, listing and deleting together, 1 then 4 batches in flight.
    let (deleted, secs) = delete_all(&c, "versions-1m", 4).await;
    println!("DeleteMultipleObjects (4 in flight, with listing): {deleted} keys in {secs:.2} s = {:.0} keys/s", deleted as f64 / secs);
    emu.shutdown().await.unwrap();
    let emu = emulator::start(EmulatorConfig {
        seed: seed("versions-200k", 100_000, 2),
        ..Default::default()
    })
    .await
    .unwrap();
    let (deleted, secs) = delete_all(&client(&emu), "versions-200k", 1).await;
    println!("DeleteMultipleObjects (1 in flight, with listing): {deleted} keys in {secs:.2} s = {:.0} keys/s", deleted as f64 / secs);
    emu.shutdown().await.unwrap();
}
