//! The emulator over raw HTTP: bad input gets OSS-shaped errors, never a panic
//! or a hang; `--data-dir` keeps data across restarts.

mod common;

use std::time::Duration;

use futures::StreamExt;
use ossweep::emulator::{self, seed::Seed, EmulatorConfig};
use ossweep::oss::Client;

async fn raw(
    url: &str,
    method: &str,
    path_and_query: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> (u16, String, reqwest::header::HeaderMap) {
    let client = reqwest::Client::new();
    let mut req = client
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{url}{path_and_query}"),
        )
        .body(body);
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    let resp = tokio::time::timeout(Duration::from_secs(10), req.send())
        .await
        .expect("no hang")
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, resp.text().await.unwrap(), headers)
}

fn code(body: &str) -> String {
    ossweep::oss::xml::parse_root(body, "Error")
        .map(|e| e.string("Code"))
        .unwrap_or_else(|_| format!("not an error body: {body}"))
}

#[tokio::test]
async fn bad_requests_get_oss_error_xml_with_a_request_id() {
    let emu = common::emulator(Seed::Demo).await;
    let url = emu.url();
    let (status, body, headers) = raw(&url, "GET", "/acme-web-assets/", vec![], &[]).await;
    assert_eq!(
        (status, code(&body).as_str()),
        (403, "AccessDenied"),
        "anonymous"
    );
    assert!(headers.contains_key("x-oss-request-id"));
    let (status, body, _) = raw(
        &url,
        "GET",
        "/",
        vec![],
        &[("Authorization", "OSS4-HMAC-SHA256 garbage")],
    )
    .await;
    assert_eq!((status, code(&body).as_str()), (400, "InvalidArgument"));
    let (status, body, _) = raw(
        &url,
        "GET",
        "/",
        vec![],
        &[("Authorization", "Bearer token")],
    )
    .await;
    assert_eq!((status, code(&body).as_str()), (400, "InvalidArgument"));
    let (status, body, _) = raw(
        &url,
        "GET",
        "/%FF%FE/",
        vec![],
        &[("Authorization", "OSS x:y"), ("Date", "yesterday")],
    )
    .await;
    assert!(
        status >= 400 && !code(&body).starts_with("not an error"),
        "{body}"
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn signed_bad_input_is_refused_the_oss_way() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    // Invalid bucket names never reach the wire from ossweep; over raw HTTP they are refused.
    let err = c.get_bucket_info("Bad_Bucket").await.unwrap_err();
    assert!(matches!(err, ossweep::oss::OssError::InvalidInput(_)));
    // Unknown sub-resources answer NotImplemented; unknown plain parameters are ignored like OSS.
    let mut cfg = common::path_config(&emu, "cn-hangzhou");
    cfg.retry.max_attempts = 1;
    let c = Client::new(cfg);
    let mut req = ossweep::oss::request::get_bucket_info("acme-web-assets");
    req.query.push(("cors".into(), None));
    assert!(c.send(&req).await.unwrap_err().is_code("NotImplemented"));
    let mut req = ossweep::oss::request::get_bucket_info("acme-web-assets");
    req.query.push(("frobnicate".into(), Some("1".into())));
    assert!(c.send(&req).await.is_ok());
    // A body over the limit is refused without buffering it all.
    let req = ossweep::oss::request::put_object(
        "acme-web-assets",
        "huge.bin",
        vec![0u8; 65 * 1024 * 1024],
    );
    let err = c.send(&req).await.unwrap_err();
    assert!(
        err.is_code("EntityTooLarge") || matches!(err, ossweep::oss::OssError::Transport { .. }),
        "{err}"
    );
    // Malformed XML bodies.
    let mut req = ossweep::oss::request::put_bucket_lifecycle(
        "acme-web-assets",
        "<LifecycleConfiguration><Rule>",
    );
    assert!(c.send(&req).await.unwrap_err().is_code("MalformedXML"));
    req.body = b"\xff\xfe not utf8".to_vec();
    req.headers.retain(|(n, _)| n != "Content-MD5");
    assert!(c.send(&req).await.unwrap_err().is_code("MalformedXML"));
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn list_buckets_pages_with_next_marker() {
    let emu = common::emulator(Seed::Demo).await;
    let c = common::client(&emu);
    let mut names = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = c
            .list_buckets_page(None, marker.as_deref(), 3)
            .await
            .unwrap();
        pages += 1;
        names.extend(page.buckets.into_iter().map(|b| b.name));
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    assert_eq!((pages, names.len()), (4, 10));
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, names);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn data_dir_keeps_everything_across_restarts_and_seeds_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = EmulatorConfig {
        seed: Seed::Demo,
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let emu = emulator::start(cfg.clone()).await.unwrap();
    let c = common::client(&emu);
    c.delete_bucket("acme-empty-staging").await.unwrap();
    c.put_object("acme-web-assets", "added-after-seed.txt", b"x".to_vec())
        .await
        .unwrap();
    emu.shutdown().await.unwrap();

    // Restart with other latency and fault settings: the data stays, the seed is not reapplied.
    let cfg = EmulatorConfig {
        latency: Duration::from_millis(5),
        fault_rate: 0.0,
        ..cfg
    };
    let emu = emulator::start(cfg).await.unwrap();
    let c = common::client(&emu);
    assert!(c
        .get_bucket_info("acme-empty-staging")
        .await
        .unwrap_err()
        .is_code("NoSuchBucket"));
    let keys: Vec<String> = c
        .list_objects("acme-web-assets", Some("added"))
        .map(|o| o.unwrap().key)
        .collect()
        .await;
    assert_eq!(keys, ["added-after-seed.txt"]);
    emu.shutdown().await.unwrap();
}

/// Over `--qps-limit`, the emulator answers as OSS does: 503
/// `TotalQpsLimitExceeded` with `x-oss-qos-delay-time`; the client's budget
/// holds every request back that long, so the retry goes through.
#[tokio::test]
async fn over_the_qps_limit_the_reply_says_how_long_to_wait() {
    let emu = common::emulator(Seed::Inline("[[bucket]]\nname = \"paced\"\n".into())).await;
    emu.faults().set_qps_cap(Some(1));
    let mut cfg = common::path_config(&emu, "cn-hangzhou");
    cfg.retry.max_attempts = 2;
    let (client, slept) = common::recording_client(cfg);
    client.get_bucket_info("paced").await.unwrap();
    let started = std::time::Instant::now();
    client.get_bucket_info("paced").await.unwrap();
    let waited = started.elapsed();
    assert_eq!(
        emu.faults().count("GetBucketInfo"),
        3,
        "one throttled, retried once"
    );
    let slept = slept.lock().unwrap().clone();
    // The retry's own sleep returns at once here: the wait came from
    // x-oss-qos-delay-time, through the budget.
    assert!(
        slept.len() == 1 && slept[0] > Duration::from_millis(100),
        "{slept:?}"
    );
    assert!(waited > Duration::from_millis(500), "{waited:?}");
    assert_eq!(client.budget().view().throttled, 1);
    emu.shutdown().await.unwrap();
}
