//! The binary as a user meets it: global flags, clear errors, `buckets`.

mod common;

use std::process::Command;

use ossweep::emulator::seed::Seed;

fn ossweep(home: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ossweep"));
    c.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".state"));
    c
}

#[test]
fn no_credentials_names_the_variables_and_the_config_path() {
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(home.path()).args(["buckets"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("OSS_ACCESS_KEY_ID") && err.contains("OSS_ACCESS_KEY_SECRET"),
        "{err}"
    );
    assert!(
        err.contains(
            &home
                .path()
                .join(".config/ossweep/config.toml")
                .display()
                .to_string()
        ),
        "{err}"
    );
}

#[test]
fn a_broken_config_file_is_reported_with_file_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("broken.toml");
    std::fs::write(
        &cfg,
        "[profiles.default]\nregion = \"cn-hangzhou\"\nsignature_versoin = 4\n",
    )
    .unwrap();
    let out = ossweep(home.path())
        .args(["buckets", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.toml") && err.contains("line 3") && err.contains("signature_versoin"),
        "{err}"
    );
    // File, then line, column and key, then what is wrong, each on its own line.
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].ends_with("broken.toml:"), "{err}");
    assert_eq!(lines[1], "  line 3, column 1: signature_versoin", "{err}");
    assert!(
        lines[2].starts_with("  unknown field `signature_versoin`"),
        "{err}"
    );
    assert_eq!(lines[3], "  did you mean signature_version?", "{err}");
}

#[test]
fn usage_errors_exit_with_2() {
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(home.path())
        .args(["buckets", "--frobnicate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn buckets_lists_every_region_with_flags_before_or_after_the_subcommand() {
    let emu = common::emulator(Seed::Demo).await;
    let home = tempfile::tempdir().unwrap();
    let creds = emu.credentials().clone();
    let run = |args: Vec<String>| {
        let mut c = ossweep(home.path());
        c.env("OSS_ACCESS_KEY_ID", &creds.access_key_id)
            .env("OSS_ACCESS_KEY_SECRET", creds.access_key_secret.expose())
            .args(args);
        c.output().unwrap()
    };
    let url = emu.url();
    let before = run(vec![
        "--endpoint".into(),
        url.clone(),
        "--path-style".into(),
        "buckets".into(),
        "--json".into(),
    ]);
    let after = run(vec![
        "buckets".into(),
        "--json".into(),
        "--endpoint".into(),
        url.clone(),
        "--path-style".into(),
    ]);
    assert!(
        before.status.success(),
        "{}",
        String::from_utf8_lossy(&before.stderr)
    );
    assert_eq!(before.stdout, after.stdout);
    let listed: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    let regions: std::collections::BTreeSet<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions.len(), 4);
    let table = run(vec![
        "--endpoint".into(),
        url.clone(),
        "--path-style".into(),
        "buckets".into(),
    ]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.starts_with("NAME") && text.contains("acme-compliance-archive  cn-beijing"),
        "{text}"
    );
    // Each bucket's versioning, object count and size (GetBucketVersioning,
    // GetBucketStat), in the table and in JSON.
    assert!(
        text.lines().next().unwrap().contains("VERSIONING")
            && text.contains("OBJECTS")
            && text.contains("VERSIONS")
            && text.contains("SIZE"),
        "{text}"
    );
    // A versioned bucket's statistics count every version: its objects are
    // shown as a bound and the split as unknown; an unversioned one's exactly.
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let versioned = row("acme-app-backups");
    assert_eq!(
        row("acme-clickstream-big")[5..8],
        ["200,000", "-", "48.8"],
        "an unversioned bucket counts exactly"
    );
    assert!(
        versioned.iter().any(|c| c.starts_with('≤')) && versioned.contains(&"?".to_string()),
        "{versioned:?}"
    );
    assert!(
        text.contains("Enabled") && text.contains("Suspended"),
        "{text}"
    );
    let archive = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "acme-compliance-archive")
        .unwrap();
    assert_eq!(archive["objects"], 320, "{archive}");
    assert_eq!(archive["versioning"], "Off", "{archive}");
    assert!(archive["bytes"].as_u64().unwrap() > 0);

    let mut wrong = ossweep(home.path());
    wrong
        .env("OSS_ACCESS_KEY_ID", &creds.access_key_id)
        .env("OSS_ACCESS_KEY_SECRET", "definitely-wrong-secret");
    let out = wrong
        .args(["--endpoint", &url, "--path-style", "buckets"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("SignatureDoesNotMatch")
            && err.contains("hint:")
            && err.contains("request id"),
        "{err}"
    );
    assert!(!err.contains("definitely-wrong-secret"));
    emu.shutdown().await.unwrap();
}

#[test]
fn json_errors_oss_urls_and_did_you_mean() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = ossweep(home.path())
            .env("OSS_ACCESS_KEY_ID", "LTAI5tNoServer")
            .env("OSS_ACCESS_KEY_SECRET", "no-server")
            .args(["--endpoint", "http://127.0.0.1:9", "--path-style"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // With --json, an error is a JSON object on stdout too, with the exit code.
    let (code, stdout, stderr) = run(&["scan", "Bad_Name", "--json"]);
    assert_eq!(code, Some(2), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect(&stdout);
    assert_eq!(
        (v["event"].as_str(), v["exit_code"].as_u64()),
        (Some("error"), Some(2))
    );
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("not a valid OSS bucket name"));
    // Without it, stdout stays empty.
    let (code, stdout, _) = run(&["scan", "Bad_Name"]);
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    // A wrong argument under --json is a JSON error too, with clap's tip;
    // a misspelt --json asks for no JSON.
    let (code, stdout, stderr) = run(&["scan", "acme", "--json", "--confrim", "acme"]);
    assert_eq!(code, Some(2), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).expect(&stdout);
    assert_eq!(v["exit_code"].as_u64(), Some(2));
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("unexpected argument '--confrim'"),
        "{v}"
    );
    assert!(
        stderr.contains("unexpected argument '--confrim'"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run(&["scan", "acme", "--jsn"]);
    assert_eq!((code, stdout.as_str()), (Some(2), ""), "{stderr}");
    // Help and version are no errors.
    let (code, stdout, _) = run(&["--version", "--json"]);
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("ossweep "), "{stdout}");
    // oss:// URLs: a prefix where none applies is refused, with what to type.
    let (code, stdout, stderr) =
        run(&["delete", "oss://acme/logs/", "--confirm", "acme", "--json"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("ossweep empty oss://acme/logs/"),
        "{stderr}"
    );
    assert!(stdout.contains("\"event\":\"error\""), "{stdout}");
    // A category near a known one gets a suggestion; oss-hdfs says why not.
    let (code, _, stderr) = run(&["empty", "oss://acme", "--only", "objcts", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("did you mean objects?"), "{stderr}");
    let (code, _, stderr) = run(&["empty", "acme", "--only", "oss-hdfs", "--yes"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("OSS-HDFS page"), "{stderr}");
    assert!(!stderr.contains("use objects, previous-versions, delete-markers, parts, live-channels, access-points, accelerators, oss-hdfs"), "{stderr}");
}

#[test]
fn help_names_the_wizard_completions_and_a_manual_page() {
    let home = tempfile::tempdir().unwrap();
    let out = ossweep(home.path()).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("A bare `ossweep` on a terminal opens the wizard")
            && help.contains("Global options:")
            && help.contains("completions")
            && help.contains("Exit codes: 0 done"),
        "{help}"
    );
    // A subcommand's own flags stand apart from the global ones.
    let out = ossweep(home.path())
        .args(["scan", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    let (own, global) = help
        .split_once("Global options:")
        .expect("a heading of its own");
    assert!(own.contains("--json") && !own.contains("--qps"), "{help}");
    assert!(global.contains("--qps"), "{help}");
    for shell in ["bash", "zsh", "fish"] {
        let out = ossweep(home.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("resume") && script.contains("--confirm"),
            "{shell}: {script}"
        );
    }
    let out = ossweep(home.path()).arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.contains(".TH ossweep 1") && page.contains("completions"),
        "{page}"
    );
}

#[test]
fn the_demo_and_the_emulator_refuse_the_client_flags_they_would_ignore() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["demo", "--qps", "5"][..],
        &["demo", "--endpoint", "http://127.0.0.1:1"],
        &["emulator", "--profile", "x"],
    ] {
        let out = ossweep(home.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("runs its own emulator") && err.contains("would do nothing"),
            "{err}"
        );
    }
    // Their help lists only what they take.
    for command in ["demo", "emulator"] {
        let out = ossweep(home.path())
            .args([command, "--help"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains(&format!("Usage: ossweep {command}")) && help.contains("--latency-ms"),
            "{help}"
        );
        assert!(
            !help.contains("Global options")
                && !help.contains("--profile")
                && !help.contains("--qps "),
            "{help}"
        );
    }
}
