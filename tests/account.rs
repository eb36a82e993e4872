//! `ossweep account` over the demo account: every bucket and vector bucket,
//! each one's standing, and totals this test computes itself from OSS's
//! statistics and the price table's list prices. It only reads.

mod common;

use ossweep::emulator::seed::Seed;

const GB: f64 = 1024.0 * 1024.0 * 1024.0;

#[tokio::test(flavor = "multi_thread")]
async fn the_account_view_prices_every_bucket_and_says_what_can_go() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = common::cli(&emu, home.path())
        .args(["account", "--json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let buckets = v["buckets"].as_array().unwrap();
    let standing = |name: &str| {
        let b = buckets.iter().find(|b| b["name"] == name).unwrap();
        b["standing"].as_str().unwrap().to_string()
    };
    // A locked retention policy, OSS-HDFS data, a vector bucket.
    assert_eq!(standing("acme-compliance-archive"), "not-before");
    assert_eq!(standing("acme-data-lake"), "manual-step");
    assert_eq!(standing("acme-embeddings"), "can-go");
    assert_eq!(standing("acme-web-assets"), "can-go");
    // The month's total, from each bucket's statistics at the China site's
    // mainland list prices (CNY per GB-month; parts at Standard's).
    let client = common::client(&emu);
    let mut expected = 0.0;
    let mut can_go = 0.0;
    for b in buckets.iter().filter(|b| b["kind"] == "object") {
        let name = b["name"].as_str().unwrap();
        let region = b["region"].as_str().unwrap();
        if !region.starts_with("cn-") {
            continue;
        }
        let s = client.get_bucket_stat(name).await.unwrap();
        let month = ((s.standard.storage + s.multipart_part_storage) as f64 * 0.12
            + s.infrequent_access.storage as f64 * 0.08
            + s.archive.storage as f64 * 0.033
            + s.cold_archive.storage as f64 * 0.015)
            / GB;
        expected += month;
        if b["standing"] == "can-go" {
            can_go += month;
        }
    }
    let t = &v["totals"];
    let close = |a: &serde_json::Value, b: f64| (a.as_f64().unwrap() - b).abs() < 1e-6;
    assert!(
        close(&t["monthly"]["amount"], expected),
        "{t} vs {expected}"
    );
    assert!(
        close(&t["can_go_monthly"]["amount"], can_go),
        "{t} vs {can_go}"
    );
    assert_eq!(t["monthly"]["currency"], "CNY");
    assert_eq!(t["monthly"]["prices_as_of"], "2024-11-20");
    // What has no price is named, never counted as 0.
    let unpriced: Vec<&str> = t["monthly"]["unpriced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert_eq!(unpriced, ["Standard storage outside the mainland"]);
    // Vector buckets cost what OSS documents: nothing during the preview.
    let vectors = buckets
        .iter()
        .find(|b| b["name"] == "acme-embeddings")
        .unwrap();
    assert_eq!(vectors["monthly"]["amount"], 0.0);
    assert!(v["vector_buckets"]["note"]
        .as_str()
        .unwrap()
        .contains("invitational preview"));
    assert!(v["summary"]
        .as_str()
        .unwrap()
        .starts_with("This account's storage costs about"));
    // It only reads.
    assert!(emu.faults().log().iter().all(|e| e.method == "GET"
        || e.method == "HEAD"
        || e.op == "ListVectorBuckets"
        || e.op == "ListVectorIndexes"));
    emu.shutdown().await.unwrap();
}
