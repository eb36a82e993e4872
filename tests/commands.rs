//! `scan`, `empty`, `delete` and `expire` through the binary, against the emulator.

mod common;

use std::process::Output;

use ossweep::emulator::seed::Seed;
use ossweep::emulator::{EmulatorHandle, FaultKind, FaultRule};

fn ossweep(emu: &EmulatorHandle, home: &std::path::Path, args: &[&str]) -> Output {
    common::cli(emu, home).args(args).output().unwrap()
}

fn writes(emu: &EmulatorHandle) -> Vec<String> {
    emu.faults()
        .log()
        .into_iter()
        .filter(|e| e.method != "GET" && e.method != "HEAD")
        .map(|e| e.op)
        .collect()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn scan_prints_the_report_and_its_json_shape() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(&emu, home.path(), &["scan", "acme-web-assets"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(
        t.contains("Bucket acme-web-assets (cn-hangzhou), versioning Off")
            && t.contains("Current objects")
            && t.contains("static.acme-demo.com"),
        "{t}"
    );
    let out = ossweep(&emu, home.path(), &["scan", "acme-app-backups", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "bucket",
        "region",
        "versioning",
        "estimate",
        "categories",
        "risks",
        "worm",
        "replication",
        "complete",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let cats = v["categories"].as_array().unwrap();
    assert_eq!(cats.len(), 8);
    assert!(cats.iter().any(|c| c["category"] == "delete-markers"
        && c["count"].as_u64().unwrap() > 0
        && c["state"] == "blocks"));
    assert!(v["risks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["severity"].is_string() && r["kind"].is_string() && r["text"].is_string()));
    let out = ossweep(&emu, home.path(), &["scan", "no-such-bucket-x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("NoSuchBucket"));
    assert!(writes(&emu).is_empty(), "scanning writes nothing");
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_refuses_without_a_terminal_or_yes_and_dry_run_sends_no_delete() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(&emu, home.path(), &["empty", "acme-media-ingest"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--yes"));
    let out = ossweep(
        &emu,
        home.path(),
        &["empty", "acme-media-ingest", "--dry-run"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        302 + 3,
        "every object and upload that would go; LiveChannels stay unless named"
    );
    assert!(lines.iter().all(|l| l["action"] == "would-delete"));
    assert!(writes(&emu).is_empty(), "a dry run sent {:?}", writes(&emu));
    let out = ossweep(
        &emu,
        home.path(),
        &["empty", "acme-media-ingest", "--only", "parts", "--yes"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(writes(&emu), ["AbortMultipartUpload"; 3]);
    let out = ossweep(
        &emu,
        home.path(),
        &["empty", "acme-media-ingest", "--only", "nonsense"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-media-ingest",
            "--only",
            "access-points",
            "--prefix",
            "x/",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_with_a_prefix_and_json_events_and_a_report() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let report = home.path().join("audit.ndjson");
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-web-assets",
            "--prefix",
            "site/img/2025/",
            "--yes",
            "--json",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let events: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["event"], "preflight", "the preflight comes first");
    let preflight = &events[0]["buckets"][0];
    assert_eq!(preflight["prefix"], "site/img/2025/");
    assert_eq!(preflight["goes"][0]["count"], 60, "{preflight}");
    // The run's journal (it could be resumed), then the run.
    assert_eq!(events[1]["event"], "journal");
    assert!(events[1]["run"]
        .as_str()
        .is_some_and(|r| r.starts_with("20")));
    assert_eq!(events[2]["event"], "started");
    assert_eq!(events.last().unwrap()["event"], "finished");
    assert_eq!(
        events.last().unwrap()["summary"]["categories"]["objects"]["deleted"],
        60
    );
    let audit = std::fs::read_to_string(&report).unwrap();
    let records: Vec<&str> = audit
        .lines()
        .filter(|l| !l.contains(r#""action":"opened""#))
        .collect();
    assert_eq!(records.len(), 60);
    assert!(records.iter().all(|l| l.contains("site/img/2025/")));
    assert_eq!(audit.lines().count(), 61, "one opened record first");
    let left = emu.store().buckets["acme-web-assets"].objects.len();
    assert_eq!(left, 304 - 60);
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_needs_every_name_confirmed_then_deletes_them_all() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "acme-empty-staging",
            "acme-tmp-suspended",
            "--confirm",
            "acme-empty-staging",
        ],
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("not confirmed: acme-tmp-suspended"));
    assert!(
        writes(&emu).is_empty(),
        "nothing happens unless every bucket is confirmed"
    );
    // Under --json the refusal is an event on stdout, as the last line.
    let out = ossweep(
        &emu,
        home.path(),
        &["delete", "acme-tmp-suspended", "--json"],
    );
    assert_eq!(out.status.code(), Some(4));
    let stdout = text(&out.stdout);
    let last: serde_json::Value =
        serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect(&stdout);
    assert_eq!(
        (last["event"].as_str(), last["exit_code"].as_u64()),
        (Some("refused"), Some(4))
    );
    assert!(last["message"]
        .as_str()
        .unwrap()
        .contains("not confirmed: acme-tmp-suspended"));
    assert!(writes(&emu).is_empty());
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "acme-empty-staging",
            "--confirm",
            "acme-empty-stagin",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "a --confirm for another bucket is refused"
    );
    let list = home.path().join("retire.txt");
    std::fs::write(
        &list,
        "# retiring\nacme-empty-staging\nacme-tmp-suspended\n",
    )
    .unwrap();
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "--from",
            list.to_str().unwrap(),
            "--confirm",
            "acme-empty-staging",
            "acme-tmp-suspended",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("acme-tmp-suspended (ap-southeast-1): the bucket can be deleted")
            && err.contains("2 buckets: ")
            && err.contains("the bucket is deleted."),
        "{err}"
    );
    assert!(err.contains("bucket acme-tmp-suspended deleted"));
    assert!(
        !emu.store().buckets.contains_key("acme-empty-staging")
            && !emu.store().buckets.contains_key("acme-tmp-suspended")
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_refuses_buckets_that_cannot_be_deleted_before_any_write() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    // Emptying instead is offered only where it deletes something: the data
    // lake's objects, not the archive whose every object is under retention.
    for (bucket, why, empties) in [
        ("acme-data-lake", "OSS-HDFS", true),
        ("acme-compliance-archive", "retention policy (WORM)", false),
    ] {
        let out = ossweep(&emu, home.path(), &["delete", bucket, "--confirm", bucket]);
        assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("refused: {bucket} cannot be deleted"))
                && err.contains(why)
                && err.contains("manual step:")
                && err.contains("not the bucket itself (see why)")
                && !err.contains("then the bucket itself"),
            "{err}"
        );
        assert_eq!(
            err.contains(&format!("ossweep delete {bucket} --empty-only")),
            empties,
            "{err}"
        );
        assert_eq!(
            err.contains("Nothing can be emptied either"),
            !empties,
            "{err}"
        );
        assert!(
            writes(&emu).is_empty(),
            "{bucket}: a refused delete sent {:?}",
            writes(&emu)
        );
    }
    // The WORM refusal names the date the last object frees up.
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "acme-compliance-archive",
            "--confirm",
            "acme-compliance-archive",
        ],
    );
    assert!(
        text(&out.stderr).contains("the last on 20"),
        "{}",
        text(&out.stderr)
    );
    // A batch with one such bucket sends nothing at all.
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "acme-empty-staging",
            "acme-data-lake",
            "--confirm",
            "acme-empty-staging",
            "acme-data-lake",
        ],
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(writes(&emu).is_empty() && emu.store().buckets.contains_key("acme-empty-staging"));

    // --empty-only empties the data and keeps the bucket with its attachments.
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "acme-data-lake",
            "--empty-only",
            "--confirm",
            "acme-data-lake",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("500 current objects cleared"), "{err}");
    let ops = writes(&emu);
    assert!(
        ops.iter().all(|op| op == "DeleteMultipleObjects"),
        "{ops:?}"
    );
    {
        let store = emu.store();
        let lake = &store.buckets["acme-data-lake"];
        assert!(lake.objects.keys().all(|k| k.starts_with(".dlsdata/")));
        assert_eq!(lake.objects.len(), 40, "OSS-HDFS data is never touched");
    }
    let out = ossweep(&emu, home.path(), &["scan", "acme-data-lake", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let count = |c: &str| {
        v["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["category"] == c)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!((count("access-points"), count("accelerators")), (2, 1));
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_prints_every_risk_before_it_proceeds_and_json_starts_with_the_preflight() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "acme-logs-replicated",
            "--confirm",
            "acme-logs-replicated",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let risk = err
        .find("Replication rule \"logs-to-dr\" (Action ALL) carries deletes to acme-logs-dr")
        .unwrap_or_else(|| panic!("{err}"));
    let deleted = err.find("bucket acme-logs-replicated deleted").unwrap();
    assert!(risk < deleted, "the risk is printed before the run");
    assert!(err.contains("1,500 current objects"), "{err}");

    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "acme-web-assets",
            "--confirm",
            "acme-web-assets",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let events: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["event"], "preflight");
    let p = &events[0]["buckets"][0];
    assert_eq!(
        (&p["verdict"], &p["action"]),
        (&"deletable".into(), &"delete-bucket".into())
    );
    let kinds: Vec<&str> = p["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    for k in ["website", "custom-domains", "name-cooldown", "irreversible"] {
        assert!(kinds.contains(&k), "{k} missing: {kinds:?}");
    }
    assert_eq!(p["risks"][0]["severity"], "danger", "most severe first");
    assert_eq!(events[1]["event"], "journal");
    assert_eq!(events[2]["event"], "started");
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn expire_backs_up_installs_both_phases_and_removes() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let refused_backup = home.path().join("refused.xml");
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "expire",
            "acme-logs-replicated",
            "--backup",
            refused_backup.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(4), "no terminal, no --yes: refused");
    assert!(
        !refused_backup.exists(),
        "a refused run writes nothing, not even a backup"
    );
    // OSS needs at least one day; 0 is refused before anything is sent.
    let out = ossweep(
        &emu,
        home.path(),
        &["expire", "acme-logs-replicated", "--days", "0", "--yes"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("at least 1 day"),
        "{}",
        text(&out.stderr)
    );
    assert!(writes(&emu).is_empty(), "{:?}", writes(&emu));
    let backup = home.path().join("backup.xml");
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "expire",
            "acme-logs-replicated",
            "--yes",
            "--backup",
            backup.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("logs-to-ia"),
        "the replaced configuration is shown"
    );
    assert!(std::fs::read_to_string(&backup)
        .unwrap()
        .contains("logs-to-ia"));
    let installed = emu.store().buckets["acme-logs-replicated"]
        .config
        .lifecycle_xml
        .clone()
        .unwrap();
    assert!(
        installed.contains("ossweep-expire-phase-a-")
            && !installed.contains(".dlsdata/")
            && installed.contains("<AbortMultipartUpload><Days>1</Days>")
            && installed.contains("<Days>1</Days>"),
        "{installed}"
    );
    assert!(
        text(&out.stdout).contains(&installed),
        "the exact rules are shown before they are sent"
    );
    // A rescan recognises ossweep's own rules instead of offering to replace them.
    let out = ossweep(&emu, home.path(), &["scan", "acme-logs-replicated"]);
    let scan = text(&out.stdout);
    assert!(
        scan.contains("ossweep expiry rules installed on 20") && scan.contains(", phase A"),
        "{scan}"
    );
    assert!(
        !scan.contains("`ossweep expire` would replace them"),
        "{scan}"
    );
    // A bucket with OSS-HDFS data: .dlsdata/ stays out, and since OSS refuses Not
    // beside AbortMultipartUpload, uploads are left to the API (and said so).
    let out = ossweep(&emu, home.path(), &["expire", "acme-data-lake", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let hdfs = emu.store().buckets["acme-data-lake"]
        .config
        .lifecycle_xml
        .clone()
        .unwrap();
    assert!(
        hdfs.contains("<Not><Prefix>.dlsdata/</Prefix></Not>") && !hdfs.contains("AbortMultipart"),
        "{hdfs}"
    );
    assert!(
        text(&out.stdout).contains("ossweep empty acme-data-lake --only parts"),
        "{}",
        text(&out.stdout)
    );
    // The suggested command works as written.
    let out = ossweep(
        &emu,
        home.path(),
        &["empty", "acme-data-lake", "--only", "parts", "--yes"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A versioned bucket whose data has expired gets phase B, for the delete markers.
    {
        let mut store = emu.store();
        let b = store.buckets.get_mut("acme-app-backups").unwrap();
        b.config.lifecycle_xml = Some(ossweep::lifecycle::configuration(
            ossweep::lifecycle::Phase::A,
            1,
            ossweep::lifecycle::Hdfs::Absent,
            "2026-11-22",
        ));
        for versions in b.objects.values_mut() {
            versions.retain(|v| v.delete_marker);
        }
        b.objects.retain(|_, v| !v.is_empty());
    }
    let out = ossweep(&emu, home.path(), &["expire", "acme-app-backups", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(emu.store().buckets["acme-app-backups"]
        .config
        .lifecycle_xml
        .as_ref()
        .unwrap()
        .contains("ExpiredObjectDeleteMarker"));
    let out = ossweep(
        &emu,
        home.path(),
        &["expire", "acme-logs-replicated", "--remove"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(emu.store().buckets["acme-logs-replicated"]
        .config
        .lifecycle_xml
        .is_none());
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "expire",
            "acme-logs-replicated",
            "--restore",
            backup.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(emu.store().buckets["acme-logs-replicated"]
        .config
        .lifecycle_xml
        .as_ref()
        .unwrap()
        .contains("logs-to-ia"));
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn scan_and_delete_work_without_bucket_statistics_and_say_the_estimate_is_unavailable() {
    let faults = [
        FaultKind::Deny,
        FaultKind::Raw {
            status: 501,
            body: "<?xml version=\"1.0\"?><Error><Code>NotImplemented</Code><Message>stat</Message><RequestId>1</RequestId></Error>".into(),
        },
        FaultKind::Raw {
            status: 200,
            body: "<?xml version=\"1.0\"?><Something><Else>1</Else></Something>".into(),
        },
    ];
    for (i, kind) in faults.into_iter().enumerate() {
        let emu = common::emulator(Seed::Demo).await;
        let home = tempfile::tempdir().unwrap();
        let mut rule = FaultRule::new(kind.clone());
        rule.matcher.op = Some("GetBucketStat".into());
        emu.faults().push(rule);
        let out = ossweep(&emu, home.path(), &["scan", "acme-web-assets"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{kind:?}: {}",
            text(&out.stderr)
        );
        let scan = text(&out.stdout);
        assert!(scan.contains("estimate unavailable ("), "{kind:?}: {scan}");
        assert!(
            scan.contains("304"),
            "{kind:?}: the listing still counts: {scan}"
        );
        let out = ossweep(
            &emu,
            home.path(),
            &["delete", "acme-web-assets", "--confirm", "acme-web-assets"],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{kind:?}: {}",
            text(&out.stderr)
        );
        assert!(!emu.store().buckets.contains_key("acme-web-assets"), "{i}");
        // The wizard's path: the engine's preflight does not need the estimate either.
        let c = common::client(&emu);
        let pre = ossweep::engine::prepare(
            &c,
            ossweep::vocab::BucketKind::Object,
            "acme-logs-dr",
            None,
            ossweep::engine::preflight::Action::DeleteBucket,
            None,
            &tokio_util::sync::CancellationToken::new(),
        )
        .await
        .unwrap();
        assert!(matches!(
            pre.verdict,
            ossweep::engine::preflight::Verdict::Deletable { .. }
        ));
        emu.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_names_upload_ids_and_every_item_a_retention_policy_keeps() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let report = home.path().join("audit.ndjson");
    // Uploads: each aborted one is recorded with its upload id.
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-media-ingest",
            "--only",
            "parts",
            "--yes",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // WORM: the retained objects are skipped, each one recorded with its date.
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-compliance-archive",
            "--only",
            "objects",
            "--yes",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let parts: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["category"] == "parts")
        .collect();
    assert_eq!(parts.len(), 3, "{parts:?}");
    for p in &parts {
        assert!(
            p["upload_id"].as_str().is_some_and(|u| !u.is_empty()),
            "{p}"
        );
        assert!(p.get("version_id").is_none(), "{p}");
    }
    let skipped: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["action"] == "skipped")
        .collect();
    assert_eq!(skipped.len(), 320, "every retained object");
    assert!(skipped
        .iter()
        .all(|r| r["bucket"] == "acme-compliance-archive"
            && r["detail"]
                .as_str()
                .is_some_and(|d| d.contains("retention policy (WORM) until 20"))));
    emu.shutdown().await.unwrap();
}

/// A run that ran to its end with items skipped (WORM) finished: it is not
/// "interrupted", leaves no journal, and never says "verified empty".
#[tokio::test(flavor = "multi_thread")]
async fn a_run_that_ends_with_skips_is_finished_and_claims_no_empty() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-compliance-archive",
            "--only",
            "objects",
            "--yes",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("320 skipped"), "{stderr}");
    assert!(!stderr.contains("verified empty"), "{stderr}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("interrupted:")) && !stderr.contains("Resume with"),
        "{stderr}"
    );
    let out = ossweep(&emu, home.path(), &["resume", "--last"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "nothing to resume is said, and not success"
    );
    assert!(
        text(&out.stderr).contains("no interrupted run of this account"),
        "{}",
        text(&out.stderr)
    );
    emu.shutdown().await.unwrap();
}

/// No run without its audit trail: a report that cannot take its first line
/// (a full disk, /dev/full) refuses the run before anything is sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_report_that_cannot_be_written_refuses_the_run() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "delete",
            "acme-web-assets",
            "--confirm",
            "acme-web-assets",
            "--report",
            "/dev/full",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write the audit report /dev/full")
            && stderr.contains("No space left"),
        "{stderr}"
    );
    assert!(writes(&emu).is_empty(), "{:?}", writes(&emu));
    assert_eq!(emu.store().buckets["acme-web-assets"].objects.len(), 304);
    emu.shutdown().await.unwrap();
}

/// One item headless, as in the wizard's drill-down: an access point, a
/// LiveChannel, an upload named by its id (the scan finds its key); the
/// siblings stay, and a name the scan did not find is refused before any write.
#[tokio::test(flavor = "multi_thread")]
async fn empty_deletes_named_items_one_by_one_and_refuses_unknown_ones() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    // The upload ids come from the scan's JSON, as a script would read them.
    let out = ossweep(&emu, home.path(), &["scan", "acme-media-ingest", "--json"]);
    let scan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let uploads = scan["found"]["parts"]["items"].as_array().unwrap().clone();
    assert_eq!(uploads.len(), 3);
    let interview = uploads
        .iter()
        .find(|u| u["key"] == "raw/interview-take-4.mov")
        .unwrap();
    let id = interview["upload_id"].as_str().unwrap().to_string();

    let out = ossweep(
        &emu,
        home.path(),
        &["empty", "acme-media-ingest", "--upload-id", &id, "--yes"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("raw/interview-take-4.mov"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(writes(&emu), ["AbortMultipartUpload"]);
    let left: Vec<String> = emu.store().buckets["acme-media-ingest"]
        .uploads
        .keys()
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(left, ["raw/keynote-2025.mp4"; 2]);

    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-media-ingest",
            "--live-channel",
            "cam-lobby",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let channels: Vec<String> = emu.store().buckets["acme-media-ingest"]
        .live_channels
        .keys()
        .cloned()
        .collect();
    assert_eq!(channels, ["cam-warehouse"]);

    let before = writes(&emu).len();
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-data-lake",
            "--access-point",
            "ap-nope",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("acme-data-lake has no access point named ap-nope"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(writes(&emu).len(), before, "nothing sent");
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-data-lake",
            "--access-point",
            "ap-partners",
            "--only",
            "parts",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "named items and --only conflict"
    );
    emu.shutdown().await.unwrap();
}

/// A prefix run speaks of the prefix: its risks (the website keeps serving the
/// rest, no name is released), what it verified and what remains; a prefix
/// that matches nothing is an error, not an empty bucket.
#[tokio::test(flavor = "multi_thread")]
async fn a_prefix_run_claims_only_what_is_under_its_prefix() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(
        &emu,
        home.path(),
        &["empty", "oss://acme-web-assets/nope/", "--dry-run"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("prefix \"nope/\" matches nothing in acme-web-assets"),
        "{stderr}"
    );
    assert!(!stderr.contains("would be empty"), "{stderr}");
    let out = ossweep(
        &emu,
        home.path(),
        &["empty", "oss://acme-web-assets/site/img/2025/", "--yes"],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("hosts a static website: the files under the prefix stop being served"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("it stops serving as soon as its files are gone"),
        "{stderr}"
    );
    assert!(!stderr.contains("cool-down"), "{stderr}");
    assert!(
        stderr.contains("under prefix \"site/img/2025/\": the bucket stays")
            && !stderr.contains("can be deleted"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Emptying prefix \"site/img/2025/\" by API"),
        "{stderr}"
    );
    assert!(
        stderr.contains("verified empty under prefix \"site/img/2025/\" by a fresh listing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nothing remains under the prefix"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("nothing that ossweep counted remains"),
        "{stderr}"
    );
    assert_eq!(
        emu.store().buckets["acme-web-assets"].objects.len(),
        304 - 60
    );
    emu.shutdown().await.unwrap();
}

/// Clearing the delete markers alone brings the objects they hid back: the
/// preflight says how many (before anything is asked), and what it predicts
/// remains is what a rescan of the emulator shows.
#[tokio::test(flavor = "multi_thread")]
async fn clearing_markers_says_which_objects_come_back_and_predicts_the_after_state() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let count = |c: &serde_json::Value, cat: &str| -> u64 {
        c["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["category"] == cat)
            .and_then(|x| x["count"].as_u64())
            .unwrap_or(0)
    };
    let scan = |home: &std::path::Path| -> serde_json::Value {
        let out = ossweep(&emu, home, &["scan", "acme-app-backups", "--json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = scan(home.path());
    let hidden = before["hidden"]["objects"].as_u64().unwrap();
    assert!(
        hidden > 0,
        "the demo's markers hide objects: {}",
        before["hidden"]
    );
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "empty",
            "acme-app-backups",
            "--only",
            "delete-markers",
            "--yes",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "Deleting the delete markers makes {hidden} objects"
        )) && stderr.contains("readable again"),
        "{stderr}"
    );
    assert!(!stderr.contains("cannot be recovered"), "{stderr}");
    let after = scan(home.path());
    let (objects, previous) = (count(&after, "objects"), count(&after, "previous-versions"));
    assert_eq!(objects, count(&before, "objects") + hidden);
    assert_eq!(previous, count(&before, "previous-versions") - hidden);
    assert!(
        stderr.contains(&format!("{hidden} objects they hid are readable again"))
            && stderr.contains(&format!(
                "{} current objects, {} previous versions remain",
                ossweep::units::count(objects),
                ossweep::units::count(previous)
            )),
        "the outcome predicts the rescan: {objects} current, {previous} previous\n{stderr}"
    );
    emu.shutdown().await.unwrap();
}

/// `--quiet` leaves errors, refusals and each bucket's outcome; a dry run
/// with `--json` lists each item it would delete among the events.
#[tokio::test(flavor = "multi_thread")]
async fn quiet_runs_say_only_the_outcome_and_json_dry_runs_list_the_items() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(
        &emu,
        home.path(),
        &["empty", "acme-web-assets", "--dry-run", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let items = stdout
        .lines()
        .filter(|l| l.contains(r#""action":"would-delete""#))
        .count();
    assert_eq!(items, 304, "{stdout}");
    assert!(stdout.contains(r#""event":"finished""#), "{stdout}");
    let out = ossweep(
        &emu,
        home.path(),
        &[
            "--quiet",
            "delete",
            "acme-web-assets",
            "--confirm",
            "acme-web-assets",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with("acme-web-assets: deleted 304 items")
            && stderr.contains("the bucket is deleted.")
            && stderr.lines().count() == 2,
        "{stderr}"
    );
    // Quiet never means unconfirmed.
    let out = ossweep(&emu, home.path(), &["-q", "delete", "acme-logs-dr"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("refused: not confirmed"));
    emu.shutdown().await.unwrap();
}

/// A bucket that does not exist gets the account's nearest name; a vector
/// bucket named without `--vector` is said to be one.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_bucket_gets_the_nearest_name_or_the_missing_flag() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(&emu, home.path(), &["scan", "acme-web-asets"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("did you mean acme-web-assets?"),
        "{}",
        text(&out.stderr)
    );
    let out = ossweep(
        &emu,
        home.path(),
        &["delete", "acme-embeddings", "--confirm", "acme-embeddings"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("acme-embeddings is a vector bucket: add --vector"),
        "{}",
        text(&out.stderr)
    );
    assert!(writes(&emu).is_empty());
    emu.shutdown().await.unwrap();
}
