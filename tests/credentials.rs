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

/// An emulator that plays the instance role "ossweep-runner" and STS, whose
/// credentials live `lifetime` seconds.
async fn playing_roles(seed: Seed, lifetime: u64) -> emulator::EmulatorHandle {
    emulator::start(EmulatorConfig {
        seed,
        ecs_role: Some(EcsRole {
            name: "ossweep-runner".into(),
            lifetime: Duration::from_secs(lifetime),
        }),
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_longer_than_its_credentials_life_renews_them_and_keeps_exact_books() {
    let emu = playing_roles(Seed::Empty, 5).await;
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
    let emu = playing_roles(Seed::Demo, 600).await;
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

/// An aliyun CLI profile in mode RamRoleArn: ossweep assumes the role through
/// STS (played by the emulator, signed as Alibaba's credential library signs
/// it) and signs every request with the role's credentials.
#[tokio::test(flavor = "multi_thread")]
async fn a_ram_role_from_the_aliyun_cli_profile_is_assumed_through_sts() {
    let emu = playing_roles(Seed::Demo, 3_600).await;
    let home = tempfile::tempdir().unwrap();
    let key = emu.credentials();
    let config = serde_json::json!({
        "current": "runner",
        "profiles": [{
            "name": "runner", "mode": "RamRoleArn",
            "access_key_id": key.access_key_id,
            "access_key_secret": key.access_key_secret.expose(),
            "ram_role_arn": "acs:ram::1234567890:role/ossweep-runner",
            "ram_session_name": "ci"
        }]
    });
    aliyun_config(home.path(), &config);
    let (code, text) = check_with(&emu, home.path(), &[("OSSWEEP_STS_URL", emu.url())]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("RAM role acs:ram::1234567890:role/ossweep-runner assumed through STS"),
        "{text}"
    );
    // What is held: the role's key masked and until when, never its secret.
    let held = text
        .lines()
        .find(|l| l.starts_with("held"))
        .unwrap_or_default();
    assert!(
        held.contains("STS.****") && held.contains(" UTC, renewed before they expire"),
        "{text}"
    );
    assert!(!text.contains(key.access_key_secret.expose()));
    assert_eq!(emu.faults().count("AssumeRole"), 1);
    emu.shutdown().await.unwrap();
}

/// An aliyun CLI profile in mode ChainableRamRoleArn whose source profile is
/// itself a role: the first role is assumed with the AccessKey, the second
/// with the first's temporary credentials and token (STS, played by the
/// emulator, refuses an STS key without its token), and requests are signed
/// with the second's. An OIDC profile of the same file is used as the
/// libraries use it.
#[tokio::test(flavor = "multi_thread")]
async fn a_role_chained_from_a_role_and_an_oidc_profile_are_assumed_through_sts() {
    let emu = playing_roles(Seed::Demo, 3_600).await;
    let home = tempfile::tempdir().unwrap();
    let token = home.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.emulated.token\n").unwrap();
    let key = emu.credentials();
    let config = serde_json::json!({
        "current": "second",
        "profiles": [
            {
                "name": "first", "mode": "RamRoleArn",
                "access_key_id": key.access_key_id,
                "access_key_secret": key.access_key_secret.expose(),
                "ram_role_arn": "acs:ram::1234567890:role/first", "expired_seconds": 0
            },
            {
                "name": "second", "mode": "ChainableRamRoleArn", "source_profile": "first",
                "ram_role_arn": "acs:ram::1234567890:role/second"
            },
            {
                "name": "ack", "mode": "OIDC", "ram_role_arn": "acs:ram::1234567890:role/ack",
                "oidc_provider_arn": "acs:ram::1234567890:oidc-provider/ack",
                "oidc_token_file": token.display().to_string()
            }
        ]
    });
    aliyun_config(home.path(), &config);
    let sts = [("OSSWEEP_STS_URL", emu.url())];
    let (code, text) = check_with(&emu, home.path(), &sts);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("RAM role acs:ram::1234567890:role/second assumed through STS")
            && text.contains("with profile \"first\"'s credentials (role first)"),
        "{text}"
    );
    assert!(!text.contains(key.access_key_secret.expose()));
    let calls = emu.faults().log();
    let assumed: Vec<u16> = calls
        .iter()
        .filter(|e| e.op == "AssumeRole")
        .map(|e| e.status)
        .collect();
    assert_eq!(assumed, [200, 200], "each role assumed once: {assumed:?}");
    let ack = [
        ("OSSWEEP_STS_URL", emu.url()),
        ("ALIBABA_CLOUD_PROFILE", "ack".to_string()),
    ];
    let (code, text) = check_with(&emu, home.path(), &ack);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("OIDC role acs:ram::1234567890:role/ack"),
        "{text}"
    );
    emu.shutdown().await.unwrap();
}

/// Writes `config` as the aliyun CLI's config under `home`; its path.
fn aliyun_config(home: &std::path::Path, config: &serde_json::Value) -> std::path::PathBuf {
    let aliyun = home.join(".aliyun");
    std::fs::create_dir_all(&aliyun).unwrap();
    let path = aliyun.join("config.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

/// `ossweep check` with a clean environment plus `vars`, against `emu`.
fn check_with(
    emu: &emulator::EmulatorHandle,
    home: &std::path::Path,
    vars: &[(&str, String)],
) -> (Option<i32>, String) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ossweep"));
    c.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".state"))
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .args([
            "--endpoint",
            &emu.url(),
            "--path-style",
            "check",
            "acme-web-assets",
        ]);
    for (k, v) in vars {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// RRSA on ACK: the OIDC role in the environment, its token read from the
/// file the cluster writes; and a credentials URI, the chain's last source.
#[tokio::test(flavor = "multi_thread")]
async fn an_oidc_role_and_a_credentials_uri_are_used_as_the_libraries_use_them() {
    let emu = playing_roles(Seed::Demo, 3_600).await;
    let home = tempfile::tempdir().unwrap();
    let token = home.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.emulated.token\n").unwrap();
    let oidc = [
        (
            "ALIBABA_CLOUD_ROLE_ARN",
            "acs:ram::1234567890:role/ack-runner".to_string(),
        ),
        (
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1234567890:oidc-provider/ack".into(),
        ),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token.display().to_string()),
        ("OSSWEEP_STS_URL", emu.url()),
    ];
    let (code, text) = check_with(&emu, home.path(), &oidc);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("OIDC role acs:ram::1234567890:role/ack-runner"),
        "{text}"
    );
    assert_eq!(emu.faults().count("AssumeRole"), 1);
    // An empty token file: said, and nothing else is tried in its place.
    std::fs::write(&token, "").unwrap();
    let (code, text) = check_with(&emu, home.path(), &oidc);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("OIDC token file") && text.contains("is empty"),
        "{text}"
    );
    // A credentials URI answering as the metadata service does.
    let uri = format!(
        "{}/latest/meta-data/ram/security-credentials/ossweep-runner",
        emu.url()
    );
    let (code, text) = check_with(&emu, home.path(), &[("ALIBABA_CLOUD_CREDENTIALS_URI", uri)]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("the credentials URI"), "{text}");
    emu.shutdown().await.unwrap();
}

/// An aliyun CLI profile in mode External: ossweep runs its command (no
/// shell) and signs with what it prints.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn an_external_credential_process_is_run_and_its_credentials_used() {
    use std::os::unix::fs::PermissionsExt;
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let key = emu.credentials();
    let script = home.path().join("creds tool.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' '{{\"mode\":\"AK\",\"access_key_id\":\"{}\",\"access_key_secret\":\"{}\"}}'\n",
            key.access_key_id,
            key.access_key_secret.expose()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    let config = serde_json::json!({
        "current": "ext",
        "profiles": [{ "name": "ext", "mode": "External",
                       "process_command": format!("'{}' --for ossweep", script.display()) }]
    });
    let path = aliyun_config(home.path(), &config);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, text) = check_with(&emu, home.path(), &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("the credential process"), "{text}");
    assert!(!text.contains(key.access_key_secret.expose()), "{text}");
    emu.shutdown().await.unwrap();
}

/// A static STS token cannot be renewed: when OSS says it expired in the
/// middle of a run, the run stops there (no request after would fare better),
/// resumable, and says so.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_whose_static_token_expires_stops_cleanly_and_resumable() {
    use ossweep::oss::credentials::Source;
    let emu = emulator::start(EmulatorConfig {
        seed: Seed::Empty,
        latency: Duration::from_millis(20),
        ecs_role: Some(EcsRole {
            name: "ossweep-runner".into(),
            lifetime: Duration::from_secs(600),
        }),
        ..Default::default()
    })
    .await
    .unwrap();
    common::flat_bucket(&emu, "expiring", "k/", 40_000);
    // The role's credentials, taken once and held: a static STS token.
    let lease = ossweep::oss::metadata::EcsRole::new(&emu.url(), None)
        .fetch()
        .await
        .unwrap();
    let mut cfg = common::path_config(&emu, "cn-hangzhou");
    cfg.credentials = lease.credentials;
    cfg.concurrency = 4;
    let c = Client::new(cfg);
    let report = ossweep::scan::scan(&c, "expiring", None, &CancellationToken::new(), 0)
        .await
        .unwrap();
    let pf = ossweep::engine::preflight(&report, ossweep::engine::Action::DeleteBucket).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let run = tokio::spawn({
        let c = c.clone();
        async move {
            ossweep::delete::run(
                &c,
                pf.plan(ossweep::delete::Audit::none(), false),
                tx,
                CancellationToken::new(),
            )
            .await
        }
    });
    // Once deleting has begun, the token expires (for OSS).
    while emu.faults().count("DeleteMultipleObjects") == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    emu.state().advance_clock(660);
    let summary = run.await.unwrap();
    // Stopped by whichever request met the expiry first: a listing or a batch.
    let error = summary.error.expect("stopped");
    assert_eq!(
        error.code.as_deref(),
        Some("SecurityTokenExpired"),
        "{error:?}"
    );
    assert!(error.resumable);
    assert!(!summary.bucket_deleted);
    // Stopped at once: far fewer batches went than the 40 the bucket needed.
    let batches = emu.faults().count("DeleteMultipleObjects");
    assert!(batches < 20, "{batches} batches");
    assert!(emu.store().buckets["expiring"].objects.len() > 10_000);
    emu.shutdown().await.unwrap();
}
