//! The endpoint rule for accounts that activated OSS after 2025-03-20
//! (`PublicEndpointForbidden` on data calls to mainland buckets through the
//! default public endpoint), played by the emulator: the scan says why and
//! names the ways out, and each way out works.

mod common;

use std::time::Duration;

use ossweep::emulator::{self, seed::Seed, EmulatorConfig};
use ossweep::engine::expiry;
use ossweep::oss::client::Client;
use tokio_util::sync::CancellationToken;

const NOW: i64 = 1_790_000_000;

async fn new_account() -> emulator::EmulatorHandle {
    emulator::start(EmulatorConfig {
        seed: Seed::Demo,
        access_point_delay: Duration::from_millis(100),
        public_endpoint_forbidden: true,
        ..Default::default()
    })
    .await
    .expect("emulator starts")
}

async fn scan(c: &Client, bucket: &str) -> ossweep::scan::ScanReport {
    ossweep::scan::scan(c, bucket, None, &CancellationToken::new(), NOW)
        .await
        .expect("management calls work")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scan_says_why_its_listings_are_refused_and_names_the_ways_out() {
    let emu = new_account().await;
    let public = Client::new(common::virtual_config(&emu, "cn-hangzhou"));
    let r = scan(&public, "acme-web-assets").await;
    assert!(r.public_endpoint_forbidden);
    assert!(!r.complete, "nothing is known of the contents");
    let risk = r
        .risks
        .iter()
        .find(|k| k.kind == "public-endpoint-forbidden")
        .expect("the rule is named");
    for way in [
        "--internal",
        "custom domain",
        "ossweep expire",
        "2025-03-20",
    ] {
        assert!(risk.text.contains(way), "{way}: {}", risk.text);
    }
    // The preflight blocks the run: nothing can be planned on unknown contents.
    let pf = ossweep::engine::preflight(&r, ossweep::engine::Action::DeleteBucket).unwrap();
    assert!(pf.refusal().is_some());
    // A bucket outside the mainland is not affected.
    let hk = scan(&public, "acme-tmp-suspended").await;
    assert!(hk.complete && !hk.public_endpoint_forbidden);
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_internal_endpoint_and_lifecycle_rules_are_ways_out() {
    let emu = new_account().await;
    let mut cfg = common::virtual_config(&emu, "cn-hangzhou");
    cfg.internal = true;
    let internal = Client::new(cfg);
    let r = scan(&internal, "acme-web-assets").await;
    assert!(
        r.complete && !r.public_endpoint_forbidden,
        "{:?}",
        r.unreadable
    );
    assert_eq!(r.object_entries(), 304);
    // Lifecycle rules are management calls: they go through the public endpoint.
    let public = Client::new(common::virtual_config(&emu, "cn-hangzhou"));
    let plan = expiry::prepare(&public, "acme-web-assets", expiry::MIN_DAYS)
        .await
        .expect("GetBucketLifecycle and GetBucketInfo are served");
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join(plan.backup_name(NOW));
    expiry::install(&public, &plan, &backup, NOW)
        .await
        .expect("PutBucketLifecycle is served");
    assert!(emu.store().buckets["acme-web-assets"]
        .config
        .lifecycle_xml
        .is_some());
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn check_says_what_reaches_the_account_and_what_does_not() {
    let home = tempfile::tempdir().unwrap();
    let emu = common::emulator(Seed::Demo).await;
    let secret = emu.credentials().access_key_secret.expose().to_string();
    let out = common::cli(&emu, home.path())
        .args(["check"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for line in [
        "credentials",
        "10 buckets",
        "clock",
        "ListObjectsV2 (a data call): lists",
    ] {
        assert!(text.contains(line), "{line}: {text}");
    }
    assert!(
        text.contains("LTAI****ator") && !text.contains(&secret),
        "{text}"
    );
    emu.shutdown().await.unwrap();

    let emu = new_account().await;
    let out = common::cli(&emu, home.path())
        .args(["check", "acme-web-assets", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].contains("PublicEndpointForbidden") && failed[0].contains("--internal"),
        "{}",
        failed[0]
    );
    emu.shutdown().await.unwrap();
}

/// An OSS-compatible endpoint that ignores `list-type=2` answers ListObjectsV2
/// with V1 pages (`NextMarker`, no continuation token), and OSS's own
/// sub-resources with the bucket's listing: ossweep lists it with ListObjects
/// V1 from then on, says which blockers it cannot know there ("does not
/// support"), leaves to OSS the blockers it guards itself (BucketNotEmpty),
/// and empties the objects exactly.
#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_that_answers_only_list_objects_v1_is_listed_with_it() {
    let emu = emulator::start(EmulatorConfig {
        seed: Seed::Empty,
        list_v1_only: true,
        ..Default::default()
    })
    .await
    .unwrap();
    common::flat_bucket(&emu, "v1-only", "k/", 3_500);
    let c = common::client(&emu);
    let r = scan(&c, "v1-only").await;
    assert_eq!(r.object_entries(), 3_500);
    assert!(c.lists_v1(), "learned from the first page");
    let live = r.category(ossweep::blockers::Category::LiveChannels);
    assert_eq!(live.state, ossweep::scan::State::Unknown);
    assert!(live.unsupported);
    assert_eq!(
        live.note.as_deref(),
        Some("not supported by this endpoint (ListLiveChannel)")
    );
    // Blockers it cannot list that OSS itself guards: deleting the bucket
    // settles them (BucketNotEmpty while any remain), and the verdict says so.
    let delete = ossweep::engine::preflight(&r, ossweep::engine::Action::DeleteBucket).unwrap();
    assert_eq!(delete.refusal(), None);
    let ossweep::engine::Verdict::Deletable { settled_by_oss } = &delete.verdict else {
        panic!("{:?}", delete.verdict)
    };
    assert_eq!(settled_by_oss.len(), 2, "{settled_by_oss:?}");
    assert!(
        settled_by_oss[1].starts_with("the access points could not be listed")
            && settled_by_oss[1].contains("OSS refuses (BucketNotEmpty) while any remain"),
        "{settled_by_oss:?}"
    );
    // The objects alone first, exactly.
    let pf = ossweep::engine::preflight(
        &r,
        ossweep::engine::Action::clear([ossweep::blockers::Category::Objects]),
    )
    .unwrap();
    let summary = run(&c, &pf).await;
    assert!(summary.error.is_none(), "{:?}", summary.error);
    assert_eq!(
        summary.categories[&ossweep::blockers::Category::Objects].deleted,
        3_500
    );
    assert!(summary
        .verified
        .contains(&ossweep::blockers::Category::Objects));
    assert!(emu.store().buckets["v1-only"].objects.is_empty());
    assert!(emu.faults().count("ListObjects") > 0);
    // Then the bucket: nothing unlisted remains, so OSS deletes it.
    let summary = run(&c, &delete).await;
    assert!(summary.bucket_deleted, "{:?}", summary.remaining);
    assert!(!emu.store().buckets.contains_key("v1-only"));
    // A bucket with an access point the endpoint cannot list: OSS refuses,
    // and the run says what may remain.
    common::flat_bucket(&emu, "v1-guarded", "k/", 10);
    emu.store()
        .buckets
        .get_mut("v1-guarded")
        .unwrap()
        .access_points
        .insert(
            "ap-hidden".into(),
            ossweep::emulator::store::AccessPoint {
                network_origin: "internet".into(),
                vpc_id: None,
                created: 0,
                ready_at_ms: 0,
                gone_at_ms: None,
                policy: None,
            },
        );
    let r = scan(&c, "v1-guarded").await;
    let delete = ossweep::engine::preflight(&r, ossweep::engine::Action::DeleteBucket).unwrap();
    let summary = run(&c, &delete).await;
    assert!(!summary.bucket_deleted);
    let why = summary.remaining.map(|r| r.explanation).unwrap_or_default();
    assert!(
        why.contains("BucketNotEmpty")
            && why.contains("the LiveChannels and access points could not be listed"),
        "{why}"
    );
    assert_eq!(
        emu.store().buckets["v1-guarded"].access_points.len(),
        1,
        "never touched"
    );
    emu.shutdown().await.unwrap();
}

/// Carries out `pf` against the emulator, its events drained.
async fn run(c: &Client, pf: &ossweep::engine::Preflight) -> ossweep::delete::Summary {
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    ossweep::delete::run(
        c,
        pf.plan(ossweep::delete::Audit::none(), false),
        tx,
        CancellationToken::new(),
    )
    .await
}

/// A custom domain bound to the bucket (CNAME) is the way out the OSS docs
/// give new accounts: data calls through it are served. ossweep sends the
/// bucket's requests to it (`<domain>/<key>`), signed as the SDKs sign in
/// CNAME mode.
#[tokio::test(flavor = "multi_thread")]
async fn a_custom_domain_bound_to_the_bucket_reaches_it() {
    let emu = new_account().await;
    emu.store()
        .buckets
        .get_mut("acme-web-assets")
        .unwrap()
        .config
        .cnames
        .push(("localhost".into(), 0));
    let mut cfg = common::virtual_config(&emu, "cn-hangzhou");
    cfg.bucket_hosts.insert(
        "acme-web-assets".into(),
        ossweep::oss::endpoint::BucketHost {
            endpoint: ossweep::oss::endpoint::Endpoint::parse(&format!(
                "http://localhost:{}",
                emu.addr.port()
            ))
            .unwrap(),
            cname: true,
            region: Some("cn-hangzhou".into()),
        },
    );
    let c = Client::new(cfg);
    let r = scan(&c, "acme-web-assets").await;
    assert!(
        r.complete && !r.public_endpoint_forbidden,
        "{:?}",
        r.unreadable
    );
    assert_eq!(r.object_entries(), 304);
    // Every request for the bucket went to its domain; another bucket still
    // goes through the default endpoint, and is refused there.
    let other = scan(&c, "acme-data-lake").await;
    assert!(other.public_endpoint_forbidden);
    emu.shutdown().await.unwrap();
}
