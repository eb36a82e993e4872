//! The OSS client against the emulator: addressing, region routing, pagination,
//! retries, batch deletes and errors.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use ossweep::emulator::seed::Seed;
use ossweep::emulator::{FaultKind, FaultRule};
use ossweep::oss::client::{Client, ClientConfig, Notice, RetryNotice};
use ossweep::oss::listing::Start;
use ossweep::oss::model::{KeyOutcome, ObjectIdentifier, Versioning};
use ossweep::oss::sign::SignatureVersion;
use ossweep::oss::{Credentials, OssError};

#[tokio::test]
async fn lists_every_bucket_of_every_region_with_virtual_hosted_addressing() {
    let emu = common::emulator(Seed::Demo).await;
    let c = Client::new(common::virtual_config(&emu, "cn-hangzhou"));
    let buckets: Vec<_> = c.list_buckets().try_collect().await.unwrap();
    assert!(buckets.len() >= 8);
    let shanghai = buckets.iter().find(|b| b.region == "cn-shanghai").unwrap();
    // The bucket's region was learned from ListBuckets: the next call goes straight there.
    let info = c.get_bucket_info(&shanghai.name).await.unwrap();
    assert_eq!(info.region, "cn-shanghai");
    let log = emu.faults().log();
    assert!(log.iter().all(|e| e.status == 200), "{log:?}");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_region_reply_is_followed_once() {
    let emu = common::emulator(Seed::Demo).await;
    for cfg in [
        common::virtual_config(&emu, "cn-hangzhou"),
        common::path_config(&emu, "cn-hangzhou"),
    ] {
        emu.faults().clear_log();
        let c = Client::new(cfg);
        let page = c
            .list_objects_v2_page("acme-media-ingest", None, None, 10)
            .await
            .unwrap();
        assert_eq!(page.objects.len(), 10);
        let statuses: Vec<u16> = emu.faults().log().iter().map(|e| e.status).collect();
        assert_eq!(
            statuses,
            [403, 200],
            "one refused attempt, then the bucket's own region"
        );
        assert_eq!(c.region_of("acme-media-ingest"), "cn-shanghai");
    }
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn streams_walk_every_page_of_objects_versions_and_uploads() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("paged", None).await.unwrap();
    c.put_bucket_versioning("paged", true).await.unwrap();
    for i in 0..23 {
        c.put_object("paged", &format!("k/{i:02}"), vec![b'x'; i])
            .await
            .unwrap();
    }
    for i in 0..5 {
        c.put_object("paged", "k/00", vec![b'y'; i]).await.unwrap();
    }
    let pages: Vec<Vec<_>> = c
        .list_objects_pages("paged", Some("k/"), 7)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 7, 2]);
    let pages: Vec<Vec<_>> = c
        .list_object_versions_pages("paged", None, 4)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(Vec::len).sum::<usize>(),
        28,
        "23 keys + 5 overwrites"
    );
    assert_eq!(pages[0].len(), 4);
    assert!(
        pages[0].iter().all(|v| v.key == "k/00"),
        "a page boundary inside one key's versions"
    );
    let ids: std::collections::HashSet<_> = pages
        .iter()
        .flatten()
        .map(|v| (v.key.clone(), v.version_id.clone()))
        .collect();
    assert_eq!(ids.len(), 28, "no version listed twice across pages");
    assert_eq!(
        c.get_bucket_versioning("paged").await.unwrap(),
        Versioning::Enabled
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn batch_delete_names_versions_and_reports_every_key() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("odd-keys", None).await.unwrap();
    c.put_bucket_versioning("odd-keys", true).await.unwrap();
    let keys = [
        "a b.txt",
        "dir/x&y<z>.txt",
        "100%+plus",
        "ключ/файл",
        "trailing/",
        "ctl\u{1}\u{9}\n\u{1f}end",
    ];
    for k in keys {
        c.put_object("odd-keys", k, b"v1".to_vec()).await.unwrap();
        c.put_object("odd-keys", k, b"v2".to_vec()).await.unwrap();
    }
    let versions: Vec<_> = c
        .list_object_versions("odd-keys", None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 12);
    let mut ids: Vec<ObjectIdentifier> = versions
        .iter()
        .map(|v| ObjectIdentifier::version(v.key.clone(), v.version_id.clone()))
        .collect();
    ids.push(ObjectIdentifier::version(
        "never-existed",
        "CAEQ0000000000000999",
    ));
    let outcomes = c.delete_multiple_objects("odd-keys", &ids).await.unwrap();
    assert!(
        outcomes.iter().all(|o| matches!(o, KeyOutcome::Deleted(_))),
        "{outcomes:?}"
    );
    assert_eq!(c.list_object_versions("odd-keys", None).count().await, 0);
    c.delete_bucket("odd-keys").await.unwrap();
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn keys_left_out_of_a_delete_result_count_as_not_deleted() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("partial", None).await.unwrap();
    for k in ["keep/1", "keep/2", "go/1"] {
        c.put_object("partial", k, b"x".to_vec()).await.unwrap();
    }
    emu.faults().push(
        FaultRule::new(FaultKind::OmitKeys)
            .key_prefix("keep/")
            .times(1),
    );
    let ids: Vec<_> = ["keep/1", "keep/2", "go/1"]
        .into_iter()
        .map(ObjectIdentifier::key)
        .collect();
    let outcomes = c.delete_multiple_objects("partial", &ids).await.unwrap();
    let not_deleted: Vec<&str> = outcomes
        .iter()
        .filter_map(|o| match o {
            KeyOutcome::NotDeleted { key, .. } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(not_deleted, ["keep/1", "keep/2"]);
    assert_eq!(
        c.list_objects("partial", None).count().await,
        2,
        "the left-out keys are still there"
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn throttling_is_retried_honouring_the_qos_delay_and_every_retry_is_observable() {
    let emu = common::emulator(Seed::Empty).await;
    let (shared, slept) = common::recording_client(common::path_config(&emu, "cn-hangzhou"));
    let notices: Arc<Mutex<Vec<RetryNotice>>> = Arc::default();
    let sink = notices.clone();
    let (c, watch) = shared.watched(Some(Arc::new(move |n: &Notice| {
        if let Notice::Retry(n) = n {
            sink.lock().unwrap().push(n.clone())
        }
    })));
    c.put_bucket("busy", None).await.unwrap();
    emu.faults().push(
        FaultRule::new(FaultKind::Throttle { delay_ms: 1500 })
            .op("ListObjectsV2")
            .times(2),
    );
    let page = c
        .list_objects_v2_page("busy", None, None, 10)
        .await
        .unwrap();
    assert!(page.objects.is_empty());
    assert_eq!(
        *slept.lock().unwrap(),
        [Duration::from_millis(1500), Duration::from_millis(1500)]
    );
    let n = notices.lock().unwrap().clone();
    assert_eq!(n.len(), 2);
    assert!(n.iter().all(|n| n.throttled && n.op == "ListObjectsV2"));
    assert_eq!(
        c.stats().retries.load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    assert_eq!(
        c.stats()
            .throttles
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );
    let own = |w: &ossweep::oss::client::Watch| {
        (
            w.stats.retries.load(std::sync::atomic::Ordering::Relaxed),
            w.stats.throttles.load(std::sync::atomic::Ordering::Relaxed),
        )
    };
    assert_eq!(own(&watch), (2, 2));
    // Retries of another caller of the same client reach neither the watch nor its observer.
    emu.faults().push(
        FaultRule::new(FaultKind::Throttle { delay_ms: 10 })
            .op("ListObjectsV2")
            .times(1),
    );
    shared
        .list_objects_v2_page("busy", None, None, 10)
        .await
        .unwrap();
    assert_eq!(
        own(&watch),
        (2, 2),
        "another caller's retry landed in the watch"
    );
    assert_eq!(notices.lock().unwrap().len(), 2);
    assert_eq!(
        shared
            .stats()
            .retries
            .load(std::sync::atomic::Ordering::Relaxed),
        3,
        "the shared counters see every caller"
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried_with_backoff() {
    let emu = common::emulator(Seed::Empty).await;
    let mut cfg = common::path_config(&emu, "cn-hangzhou");
    cfg.retry.base = Duration::from_millis(100);
    cfg.retry.cap = Duration::from_secs(10);
    let (c, slept) = common::recording_client(cfg);
    c.put_bucket("flaky", None).await.unwrap();
    emu.faults().push(
        FaultRule::new(FaultKind::InternalError)
            .op("GetBucketStat")
            .times(1),
    );
    emu.faults().push(
        FaultRule::new(FaultKind::DropConnection)
            .op("GetBucketStat")
            .times(1),
    );
    let stat = c.get_bucket_stat("flaky").await.unwrap();
    assert_eq!(stat.object_count, 0);
    let slept = slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 2);
    assert!(
        slept[0] <= Duration::from_millis(200) && slept[1] <= Duration::from_millis(400),
        "full jitter under the exponential ceiling: {slept:?}"
    );
    assert_eq!(emu.faults().count("GetBucketStat"), 3);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    let emu = common::emulator(Seed::Empty).await;
    let (c, slept) = common::recording_client(common::path_config(&emu, "cn-hangzhou"));
    c.put_bucket("denied", None).await.unwrap();
    emu.faults()
        .push(FaultRule::new(FaultKind::Deny).op("DeleteBucket"));
    let err = c.delete_bucket("denied").await.unwrap_err();
    assert!(err.is_code("AccessDenied"));
    assert!(err.to_string().contains("oss:DeleteBucket"), "{err}");
    assert!(slept.lock().unwrap().is_empty());
    assert_eq!(emu.faults().count("DeleteBucket"), 1);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn html_and_empty_replies_are_errors_with_status_and_first_bytes() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("proxied", None).await.unwrap();
    let html = "<!DOCTYPE html><html><body><h1>Welcome to our captive portal</h1></body></html>";
    emu.faults().push(
        FaultRule::new(FaultKind::Raw {
            status: 200,
            body: html.into(),
        })
        .op("ListObjectsV2")
        .times(1),
    );
    // One garbled reply to a read is asked for again...
    assert!(c
        .list_objects_v2_page("proxied", None, None, 10)
        .await
        .is_ok());
    // ...three in a row are an error that shows what came back.
    emu.faults().push(
        FaultRule::new(FaultKind::Raw {
            status: 200,
            body: html.into(),
        })
        .op("ListObjectsV2")
        .times(3),
    );
    match c
        .list_objects_v2_page("proxied", None, None, 10)
        .await
        .unwrap_err()
    {
        OssError::Malformed {
            status, snippet, ..
        } => {
            assert_eq!(status, 200);
            assert!(
                snippet.starts_with("<!DOCTYPE html><html><body><h1>Welcome"),
                "{snippet}"
            );
        }
        other => panic!("{other:?}"),
    }
    emu.faults().push(
        FaultRule::new(FaultKind::Raw {
            status: 200,
            body: String::new(),
        })
        .op("GetBucketStat")
        .times(3),
    );
    assert!(matches!(
        c.get_bucket_stat("proxied").await.unwrap_err(),
        OssError::Malformed { .. }
    ));
    emu.faults().push(
        FaultRule::new(FaultKind::Raw {
            status: 502,
            body: "<html>Bad Gateway</html>".into(),
        })
        .op("GetBucketInfo"),
    );
    let err = c.get_bucket_info("proxied").await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 502);
    assert!(api.message.contains("Bad Gateway"), "{}", api.message);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn wrong_credentials_and_unknown_buckets_explain_themselves() {
    let emu = common::emulator(Seed::Empty).await;
    let mut cfg = common::path_config(&emu, "cn-hangzhou");
    cfg.credentials = common::wrong_secret(&emu);
    let err = Client::new(cfg.clone())
        .list_buckets_page(None, None, 10)
        .await
        .unwrap_err();
    assert!(err.is_code("SignatureDoesNotMatch"));
    assert!(err.hint().unwrap().contains("OSS_ACCESS_KEY_SECRET"));
    assert!(
        !err.to_string().contains("not-the-secret"),
        "the secret never appears"
    );
    cfg.credentials = Credentials::new("LTAI-nobody", "x");
    assert!(Client::new(cfg)
        .list_buckets_page(None, None, 10)
        .await
        .unwrap_err()
        .is_code("InvalidAccessKeyId"));
    let c = common::client(&emu);
    let err = c.get_bucket_info("no-such-bucket-here").await.unwrap_err();
    assert!(err.is_code("NoSuchBucket"));
    assert_eq!(err.api().unwrap().ec.as_deref(), Some("0015-00000101"));
    let log_before = emu.faults().log().len();
    let err = c.get_bucket_info("Invalid_Name").await.unwrap_err();
    assert!(matches!(err, OssError::InvalidInput(_)), "{err:?}");
    assert_eq!(
        emu.faults().log().len(),
        log_before,
        "rejected before any request"
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn v1_signatures_and_sts_tokens_are_accepted() {
    let cfg = ossweep::emulator::EmulatorConfig {
        sts: Some(Credentials::new("STS.tmp", "tmp-secret").with_token("tok-123")),
        ..Default::default()
    };
    let emu = ossweep::emulator::start(cfg).await.unwrap();
    let mut v1 = common::path_config(&emu, "cn-hangzhou");
    v1.signature_version = SignatureVersion::V1;
    let c = Client::new(v1.clone());
    c.put_bucket("signed-v1", None).await.unwrap();
    c.put_object("signed-v1", "a+b c", b"x".to_vec())
        .await
        .unwrap();
    assert_eq!(c.list_objects("signed-v1", None).count().await, 1);
    for version in [SignatureVersion::V1, SignatureVersion::V4] {
        let mut sts: ClientConfig = v1.clone();
        sts.signature_version = version;
        sts.credentials = Credentials::new("STS.tmp", "tmp-secret").with_token("tok-123");
        assert_eq!(
            Client::new(sts.clone())
                .list_objects("signed-v1", None)
                .count()
                .await,
            1
        );
        sts.credentials = Credentials::new("STS.tmp", "tmp-secret").with_token("forged");
        assert!(Client::new(sts)
            .list_buckets_page(None, None, 1)
            .await
            .unwrap_err()
            .is_code("InvalidSecurityToken"));
    }
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn non_empty_buckets_refuse_deletion() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    let err = c.delete_bucket("acme-web-assets").await.unwrap_err();
    assert!(err.is_code("BucketNotEmpty"), "{err}");
    c.delete_bucket("acme-empty-staging").await.unwrap();
    assert!(c
        .get_bucket_info("acme-empty-staging")
        .await
        .unwrap_err()
        .is_code("NoSuchBucket"));
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn configuration_probes_read_the_demo_buckets() {
    let emu = common::emulator(Seed::Demo).await;
    let c = Client::new(common::virtual_config(&emu, "cn-hangzhou"));
    let _: Vec<_> = c.list_buckets().try_collect().await.unwrap();
    assert!(c
        .get_bucket_website("acme-web-assets")
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        c.list_cname("acme-web-assets").await.unwrap()[0].domain,
        "static.acme-demo.com"
    );
    let rules = c
        .get_bucket_replication("acme-logs-replicated")
        .await
        .unwrap();
    assert!(rules[0].replicates_deletes());
    assert_eq!(
        c.get_bucket_worm("acme-compliance-archive")
            .await
            .unwrap()
            .unwrap()
            .state,
        "Locked"
    );
    assert!(c
        .get_bucket_lifecycle("acme-logs-replicated")
        .await
        .unwrap()
        .is_some());
    assert!(c
        .get_bucket_lifecycle("acme-web-assets")
        .await
        .unwrap()
        .is_none());
    assert!(c
        .get_bucket_policy("acme-web-assets")
        .await
        .unwrap()
        .is_none());
    let aps: Vec<_> = c
        .list_access_points("acme-data-lake")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(aps.len(), 2);
    assert!(c
        .get_access_point_policy("acme-data-lake", "ap-analytics")
        .await
        .unwrap()
        .is_some());
    let channels: Vec<_> = c
        .list_live_channels("acme-media-ingest")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(channels.len(), 2);
    let uploads: Vec<_> = c
        .list_multipart_uploads("acme-media-ingest", None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(uploads.len(), 3);
    let stat = c.get_bucket_stat("acme-app-backups").await.unwrap();
    assert!(stat.delete_marker_count > 0);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn accelerators_outside_the_region_fail_fast_with_an_explanation() {
    // Nothing listens on the accelerator host from here: the client must say why, quickly.
    let emu = common::emulator(Seed::Demo).await;
    let mut cfg = common::virtual_config(&emu, "cn-shanghai");
    cfg.port = Some(1); // region hosts reach nothing, as outside Alibaba Cloud
    let c = Client::new(cfg);
    let started = std::time::Instant::now();
    let err = c
        .get_bucket_data_accelerator("acme-data-lake", "cn-shanghai-g")
        .await
        .unwrap_err();
    assert!(
        matches!(err, OssError::AcceleratorUnreachable { .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("acme-data-lake.cn-shanghai-g-internal.oss-data-acc.aliyuncs.com")
            && text.contains("inside region cn-shanghai"),
        "{text}"
    );
    assert!(started.elapsed() < Duration::from_secs(15));
    // Through an explicit endpoint (the emulator) the same call works.
    let acc = common::client(&emu)
        .get_bucket_data_accelerator("acme-data-lake", "cn-shanghai-g")
        .await
        .unwrap();
    assert_eq!(acc[0].available_zone, "cn-shanghai-g");
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn split_listings_return_exactly_what_a_serial_listing_does() {
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    let layouts: Vec<(&str, Vec<String>)> = vec![
        (
            "numeric",
            (0..5000)
                .map(|i| format!("data/2025/obj-{i:06}.bin"))
                .collect(),
        ),
        (
            "hex",
            (0..3000u32)
                .map(|i| format!("{:08x}", i.wrapping_mul(2_654_435_761)))
                .collect(),
        ),
        (
            "mixed",
            (0..2500)
                .map(|i| {
                    format!(
                        "{}/{}/ключ {i}",
                        ["img", "logs", "a b", "z%+"][i % 4],
                        i % 7
                    )
                })
                .collect(),
        ),
    ];
    for (bucket, keys) in &layouts {
        let name = format!("split-{bucket}");
        c.put_bucket(&name, None).await.unwrap();
        c.put_bucket_versioning(&name, true).await.unwrap();
        {
            let mut store = emu.store();
            let b = store.buckets.get_mut(&name).unwrap();
            let mut next = 0;
            for k in keys {
                for _ in 0..2 {
                    let v = common::stored_version(1);
                    b.put(k, v, &mut next);
                }
            }
            store.next_id = next;
        }
        for prefix in [None, Some(&keys[0][..2])] {
            let serial: Vec<(String, String)> = c
                .list_object_versions(&name, prefix)
                .map(|v| v.unwrap())
                .map(|v| (v.key, v.version_id))
                .collect()
                .await;
            emu.faults().clear_log();
            let (pages, stats) = c.list_entries_split(&name, prefix, true, 8, Default::default());
            let pages: Vec<Vec<_>> = pages.try_collect().await.unwrap();
            let mut split: Vec<(String, String)> = pages
                .into_iter()
                .flatten()
                .map(|v| (v.key, v.version_id))
                .collect();
            split.sort();
            let mut sorted = serial.clone();
            sorted.sort();
            assert_eq!(
                split, sorted,
                "{bucket} {prefix:?}: same entries, each once"
            );
            // The next listing of the scope starts from where this one found
            // the keys: the same entries again, each once.
            let map = stats.key_map();
            assert_eq!(map.entries(), serial.len() as u64);
            let pages: Vec<Vec<_>> = c
                .list_entries_split(&name, prefix, true, 8, Start::from_map(&map, 8))
                .0
                .try_collect()
                .await
                .unwrap();
            let mut again: Vec<(String, String)> = pages
                .into_iter()
                .flatten()
                .map(|v| (v.key, v.version_id))
                .collect();
            again.sort();
            assert_eq!(again, sorted, "{bucket} {prefix:?}: seeded");
            let probes = emu
                .faults()
                .log()
                .iter()
                .filter(|e| e.op == "ListObjectVersions")
                .count();
            assert!(probes >= serial.len() / 1000, "{bucket}");
        }
        let serial: Vec<String> = {
            c.put_bucket(&format!("{name}-plain"), None).await.unwrap();
            let mut store = emu.store();
            let b = store.buckets.get_mut(&format!("{name}-plain")).unwrap();
            let mut next = 0;
            for k in keys {
                let v = common::stored_version(1);
                b.put(k, v, &mut next);
            }
            let mut k = keys.clone();
            k.sort();
            k
        };
        let pages: Vec<Vec<_>> = c
            .list_entries_split(&format!("{name}-plain"), None, false, 8, Default::default())
            .0
            .try_collect()
            .await
            .unwrap();
        let mut split: Vec<String> = pages.into_iter().flatten().map(|o| o.key).collect();
        split.sort();
        assert_eq!(split, serial, "{bucket} (unversioned)");
    }
    emu.shutdown().await.unwrap();
}

/// An upload's size comes from ListParts, page by page (1000 parts a page);
/// a marker that does not advance stops with a clear error, not a loop.
#[tokio::test]
async fn an_uploads_size_is_summed_over_every_page_of_its_parts() {
    use ossweep::emulator::store::{Part, Upload};
    let emu = common::emulator(Seed::Empty).await;
    let c = common::client(&emu);
    c.put_bucket("parts", None).await.unwrap();
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("parts").unwrap();
        let parts = (1..=2_345u32)
            .map(|n| {
                (
                    n,
                    Part {
                        size: u64::from(n),
                        etag: u128::from(n),
                    },
                )
            })
            .collect();
        b.uploads.insert(
            ("big/video.mov".into(), "U-BIG".into()),
            Upload {
                initiated: 0,
                class: Default::default(),
                parts,
            },
        );
    }
    let (parts, size) = c
        .upload_size("parts", "big/video.mov", "U-BIG")
        .await
        .unwrap();
    assert_eq!((parts, size), (2_345, 2_345 * 2_346 / 2));
    assert_eq!(emu.faults().count("ListParts"), 3, "three pages");
    let gone = c.upload_size("parts", "big/video.mov", "U-NONE").await;
    assert!(gone.unwrap_err().is_code("NoSuchUpload"));

    let stuck = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult><Bucket>parts</Bucket><Key>big/video.mov</Key><UploadId>U-BIG</UploadId>
<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>0</NextPartNumberMarker><MaxParts>1000</MaxParts>
<IsTruncated>true</IsTruncated><Part><PartNumber>1</PartNumber><Size>5</Size></Part></ListPartsResult>"#;
    emu.faults().push(
        FaultRule::new(FaultKind::Raw {
            status: 200,
            body: stuck.into(),
        })
        .op("ListParts"),
    );
    let e = c
        .upload_size("parts", "big/video.mov", "U-BIG")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("stopped advancing"), "{e}");
}

/// A stopped run sends nothing new: a delete that waited for its place in the
/// budget while the run was stopped is not sent when the place frees up, and
/// a read still is. Deterministic: one place, the first delete held in the
/// emulator until after the stop.
#[tokio::test]
async fn once_halted_a_watched_client_sends_no_write_even_one_that_waited_for_the_budget() {
    let emu = common::emulator(Seed::Demo).await;
    let mut cfg = common::path_config(&emu, "cn-hangzhou");
    cfg.concurrency = 1;
    let halt = tokio_util::sync::CancellationToken::new();
    let (c, _) = Client::new(cfg).watched_until(None, Some(halt.clone()));
    emu.faults().hold_after("DeleteObject", 0);
    let first = tokio::spawn({
        let c = c.clone();
        async move { c.delete_object("acme-web-assets", "index.html", None).await }
    });
    while emu.faults().held() == 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // The only place is taken: this one waits in the budget.
    let second = tokio::spawn({
        let c = c.clone();
        async move { c.delete_object("acme-web-assets", "robots.txt", None).await }
    });
    tokio::task::yield_now().await;
    halt.cancel();
    emu.faults().open_gate();
    assert!(
        first.await.unwrap().is_ok(),
        "the request in flight finishes"
    );
    let second = second.await.unwrap();
    assert!(
        matches!(second, Err(OssError::Halted { sent: 0, .. })),
        "{second:?}"
    );
    assert_eq!(
        emu.faults().count("DeleteObject"),
        1,
        "nothing new was sent"
    );
    assert!(
        c.get_bucket_info("acme-web-assets").await.is_ok(),
        "reads go on"
    );
    emu.shutdown().await.unwrap();
}

/// Every paged listing has an end: an upload's parts listing that answers a
/// truncated page without a part (a marker creeping forward one part at a
/// time could go on for ever) stops at that page, and part numbers end at
/// 10,000.
#[tokio::test]
async fn an_upload_whose_parts_listing_adds_nothing_stops_at_once() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    for next in ["1", "10000"] {
        emu.faults().clear_log();
        emu.faults().push(
            FaultRule::new(FaultKind::Raw {
                status: 200,
                body: format!(
                    "<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>{next}</NextPartNumberMarker>{}</ListPartsResult>",
                    if next == "1" { "" } else { "<Part><PartNumber>9999</PartNumber><Size>5</Size></Part>" }
                ),
            })
            .op("ListParts")
            .times(1),
        );
        let e = c
            .upload_size("acme-media-ingest", "raw/keynote-2025.mp4", "X")
            .await
            .unwrap_err();
        assert!(matches!(e, OssError::Stalled { .. }), "{e}");
        assert_eq!(emu.faults().count("ListParts"), 1, "one page, then the end");
    }
    emu.shutdown().await.unwrap();
}
