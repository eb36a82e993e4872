//! Temporary credentials from an ECS instance's RAM role, renewed before they
//! expire: a run longer than their life finishes with exact books. The
//! emulator plays the instance metadata service (`--ecs-role`): each fetch
//! hands out new credentials that live 5 s, refused as expired after.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use ossweep::emulator::{self, metadata::EcsRole, seed::Seed, EmulatorConfig};
use ossweep::oss::client::{Client, ClientConfig};
use ossweep::oss::credentials::Renewing;
use ossweep::oss::endpoint::{Addressing, Endpoint};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread")]
async fn a_run_longer_than_its_credentials_life_renews_them_and_keeps_exact_books() {
    let emu = emulator::start(EmulatorConfig {
        seed: Seed::Empty,
        ecs_role: Some(EcsRole {
            name: "ossweep-runner".into(),
            lifetime: Duration::from_secs(5),
        }),
        ..Default::default()
    })
    .await
    .unwrap();
    common::flat_bucket(&emu, "long-run", "k/", 12_000);
    // Signed only with what the role hands out: the emulator's own key is not known here.
    let role = ossweep::oss::metadata::EcsRole::new(&emu.url(), None);
    let mut cfg = ClientConfig::new(ossweep::oss::Credentials::new("", ""), "cn-hangzhou");
    cfg.renewing = Some(Arc::new(Renewing::new(Arc::new(role))));
    cfg.endpoint = Some(Endpoint::parse(&emu.url()).unwrap());
    cfg.addressing = Addressing::Path;
    // Two requests a second: the scan and the run take over 30 s.
    cfg.qps = 2;
    let c = Client::new(cfg);
    let started = Instant::now();
    let report = ossweep::scan::scan(&c, "long-run", None, &CancellationToken::new(), 0)
        .await
        .unwrap();
    assert!(report.complete, "{:?}", report.unreadable);
    assert_eq!(report.object_entries(), 12_000);
    let pf = ossweep::engine::preflight(&report, ossweep::engine::Action::DeleteBucket).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let summary = ossweep::delete::run(
        &c,
        pf.plan(ossweep::delete::Audit::none(), false),
        tx,
        CancellationToken::new(),
    )
    .await;
    let took = started.elapsed();
    assert!(summary.error.is_none(), "{:?}", summary.error);
    assert!(summary.bucket_deleted);
    assert_eq!(summary.failures_total, 0);
    assert_eq!(
        summary.categories[&ossweep::blockers::Category::Objects].deleted,
        12_000
    );
    assert!(took >= Duration::from_secs(30), "the run took {took:?}");
    // Credentials were fetched again and again (three metadata calls each),
    // at least once per 5-second life the run outlasted.
    let fetches = emu.faults().count("EcsMetadata") / 3;
    assert!(
        fetches as u64 >= took.as_secs() / 5,
        "{fetches} fetches in {took:?}"
    );
    emu.shutdown().await.unwrap();
}

/// Credentials OSS says expired (a request queued past their life, a clock
/// that differs) are renewed and the request sent again, once.
#[tokio::test(flavor = "multi_thread")]
async fn credentials_oss_calls_expired_are_renewed_and_the_request_sent_again() {
    let emu = emulator::start(EmulatorConfig {
        seed: Seed::Demo,
        ecs_role: Some(EcsRole {
            name: "ossweep-runner".into(),
            lifetime: Duration::from_secs(600),
        }),
        ..Default::default()
    })
    .await
    .unwrap();
    let role = ossweep::oss::metadata::EcsRole::new(&emu.url(), Some("ossweep-runner".into()));
    let mut cfg = ClientConfig::new(ossweep::oss::Credentials::new("", ""), "cn-hangzhou");
    cfg.renewing = Some(Arc::new(Renewing::new(Arc::new(role))));
    cfg.endpoint = Some(Endpoint::parse(&emu.url()).unwrap());
    cfg.addressing = Addressing::Path;
    let c = Client::new(cfg);
    c.get_bucket_info("acme-web-assets").await.unwrap();
    let fetched = emu.faults().count("EcsMetadata");
    // Eleven minutes later for OSS (within the 15 minutes of clock skew it
    // allows): what the client holds, for ten minutes, has expired.
    emu.state().advance_clock(660);
    c.get_bucket_info("acme-web-assets")
        .await
        .expect("renewed and sent again");
    assert!(emu.faults().count("EcsMetadata") > fetched, "renewed");
    assert_eq!(
        emu.faults().count("GetBucketInfo"),
        3,
        "one refused, then sent again"
    );
    emu.shutdown().await.unwrap();
}
