use super::*;
use std::collections::HashMap;

/// A home directory with the aliyun CLI's config and the credentials file in
/// the formats Alibaba's tools write them.
fn home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let aliyun = dir.path().join(".aliyun");
    std::fs::create_dir_all(&aliyun).unwrap();
    std::fs::write(
        aliyun.join("config.json"),
        r#"{
    "current": "AK",
    "profiles": [
        { "name": "AK", "mode": "AK", "access_key_id": "LTAI5tCliProfileAK", "access_key_secret": "cli-secret" },
        { "name": "sts", "mode": "StsToken", "access_key_id": "STS.CliProfileKey", "access_key_secret": "sts-secret", "sts_token": "cli-token" },
        { "name": "role", "mode": "RamRoleArn", "access_key_id": "LTAI5tRole", "access_key_secret": "s", "ram_role_arn": "acs:ram::1:role/x", "sts_region": "cn-hangzhou" },
        { "name": "oidc", "mode": "OIDC", "ram_role_arn": "acs:ram::1:role/x", "oidc_provider_arn": "p", "oidc_token_file": "/t" },
        { "name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": "https://signin.example/login" },
        { "name": "empty", "mode": "AK", "access_key_id": "", "access_key_secret": "s" }
    ],
    "meta_path": ""
}"#,
    )
    .unwrap();
    let ac = dir.path().join(".alibabacloud");
    std::fs::create_dir_all(&ac).unwrap();
    std::fs::write(
        ac.join("credentials"),
        "[default]\nenable = true\ntype = access_key\naccess_key_id = LTAI5tIniDefault   # the team key\naccess_key_secret = ini-secret\n\n[ecs]\ntype = ecs_ram_role\nrole_name = EcsRamRoleTest\n\n[other]\ntype = access_key\naccess_key_id = LTAI5tIniOther\naccess_key_secret = other-secret\n",
    )
    .unwrap();
    dir
}

fn resolve_with(
    vars: &[(&str, &str)],
    home: Option<&Path>,
    profile: Option<Credentials>,
) -> Result<Found, ChainError> {
    let mut map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // Nothing leaves loopback: the ECS metadata service only when a test names one.
    map.entry("ALIBABA_CLOUD_ECS_METADATA_DISABLED".into())
        .or_insert_with(|| "true".into());
    let env = move |k: &str| map.get(k).cloned();
    let config = PathBuf::from("/nowhere/config.toml");
    let ossutil = home.map(|h| h.join(".ossutilconfig"));
    let s = Sources {
        env: &env,
        home: home.map(Path::to_path_buf),
        profile: ("default", &config, Ok(profile.map(Mode::Key))),
        ossutil: (ossutil.as_deref(), Ok(None)),
    };
    resolve(&s, &mut Vec::new())
}

fn id(r: Result<Found, ChainError>) -> String {
    r.unwrap().credentials.access_key_id
}

#[test]
fn the_environment_comes_first_oss_before_alibaba_cloud() {
    let h = home();
    let both = [
        ("OSS_ACCESS_KEY_ID", "LTAI5tOssEnv"),
        ("OSS_ACCESS_KEY_SECRET", "s"),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tAlibabaEnv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
    ];
    assert_eq!(
        id(resolve_with(&both, Some(h.path()), None)),
        "LTAI5tOssEnv"
    );
    let found = resolve_with(&both[2..], Some(h.path()), None).unwrap();
    assert_eq!(found.credentials.access_key_id, "LTAI5tAlibabaEnv");
    assert_eq!(
        found.source,
        "the environment (ALIBABA_CLOUD_ACCESS_KEY_ID)"
    );
    let with_token = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.AlibabaEnv"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok"),
    ];
    let found = resolve_with(&with_token, None, None).unwrap();
    assert_eq!(found.credentials.security_token.unwrap().expose(), "tok");
}

#[test]
fn ossweeps_profile_comes_before_alibabas_files() {
    let h = home();
    let mine = Credentials::new("LTAI5tMyProfile", "s");
    assert_eq!(
        id(resolve_with(&[], Some(h.path()), Some(mine))),
        "LTAI5tMyProfile"
    );
}

#[test]
fn the_aliyun_cli_profile_is_its_current_one_or_the_one_named() {
    let h = home();
    let found = resolve_with(&[], Some(h.path()), None).unwrap();
    assert_eq!(found.credentials.access_key_id, "LTAI5tCliProfileAK");
    assert!(found.credentials.security_token.is_none());
    assert!(
        found.source.starts_with("aliyun CLI profile \"AK\""),
        "{}",
        found.source
    );
    let sts = resolve_with(&[("ALIBABA_CLOUD_PROFILE", "sts")], Some(h.path()), None).unwrap();
    assert_eq!(sts.credentials.access_key_id, "STS.CliProfileKey");
    assert_eq!(
        sts.credentials.security_token.unwrap().expose(),
        "cli-token"
    );
    // Disabled: the credentials file's [default] is next.
    let off = [("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")];
    assert_eq!(
        id(resolve_with(&off, Some(h.path()), None)),
        "LTAI5tIniDefault"
    );
}

#[test]
fn a_way_ossweep_cannot_use_stops_the_chain_and_says_so() {
    let h = home();
    let sso = resolve_with(&[("ALIBABA_CLOUD_PROFILE", "sso")], Some(h.path()), None);
    let Err(ChainError::Refused(why)) = sso else {
        panic!("{sso:?}")
    };
    assert!(why.contains("mode \"CloudSSO\" is not supported"), "{why}");
    let empty = resolve_with(&[("ALIBABA_CLOUD_PROFILE", "empty")], Some(h.path()), None);
    assert!(matches!(empty, Err(ChainError::Refused(_))), "{empty:?}");
    // A credentials-file type ossweep does not read.
    std::fs::write(
        h.path().join(".alibabacloud").join("credentials"),
        "[default]\ntype = rsa_key_pair\npublic_key_id = x\n",
    )
    .unwrap();
    let off = [("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")];
    let r = resolve_with(&off, Some(h.path()), None);
    assert!(
        matches!(&r, Err(ChainError::Refused(w)) if w.contains("type \"rsa_key_pair\" is not supported")),
        "{r:?}"
    );
}

#[test]
fn oidc_roles_come_from_the_environment_the_cli_profile_and_the_credentials_file() {
    let h = home();
    let oidc = [
        ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/x"),
        (
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1:oidc-provider/y",
        ),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/token"),
    ];
    // An OIDC role in the environment comes before every file.
    let r = resolve_with(&oidc, Some(h.path()), None).unwrap();
    assert!(
        r.renewing.is_some()
            && r.source.starts_with(
                "the environment (ALIBABA_CLOUD_ROLE_ARN): OIDC role acs:ram::1:role/x (token /var/run/token)"
            ),
        "{}",
        r.source
    );
    let cli = resolve_with(&[("ALIBABA_CLOUD_PROFILE", "oidc")], Some(h.path()), None).unwrap();
    assert!(
        cli.renewing.is_some()
            && cli.source.contains("\"oidc\"")
            && cli
                .source
                .contains("OIDC role acs:ram::1:role/x (token /t)"),
        "{}",
        cli.source
    );
    std::fs::write(
        h.path().join(".alibabacloud").join("credentials"),
        "[default]\ntype = oidc_role_arn\nrole_arn = acs:ram::1:role/ini\noidc_provider_arn = p\noidc_token_file_path = /ini-token\n",
    )
    .unwrap();
    let off = [("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")];
    let ini = resolve_with(&off, Some(h.path()), None).unwrap();
    assert!(
        ini.source
            .contains("OIDC role acs:ram::1:role/ini (token /ini-token)"),
        "{}",
        ini.source
    );
}

#[test]
fn the_credentials_files_ecs_role_is_the_instances_role_by_name() {
    let h = home();
    let off = [
        ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"),
        ("ALIBABA_CLOUD_PROFILE", "ecs"),
    ];
    let r = resolve_with(&off, Some(h.path()), None).unwrap();
    assert!(
        r.renewing.is_some()
            && r.source.contains("[ecs] in")
            && r.source
                .contains("the ECS instance's RAM role EcsRamRoleTest"),
        "{}",
        r.source
    );
}

#[test]
fn a_mode_is_read_as_ossutil_reads_it_and_refused_when_incomplete() {
    let key = || Some(Credentials::new("LTAI5tKey", "s"));
    let role = |arn: &str| RoleToAssume {
        arn: arn.into(),
        ..Default::default()
    };
    let with_token = Some(Credentials::new("STS.k", "s").with_token("t"));
    // No mode: the AccessKey, if any.
    assert!(matches!(
        Mode::declared(None, key(), role(""), None),
        Ok(Some(Mode::Key(_)))
    ));
    assert!(matches!(
        Mode::declared(Some(""), None, role(""), None),
        Ok(None)
    ));
    // In any case, as ossutil compares them.
    assert!(matches!(
        Mode::declared(Some("ststoken"), with_token.clone(), role(""), None),
        Ok(Some(Mode::Key(c))) if c.security_token.is_some()
    ));
    // AK drops a token; StsToken needs one.
    assert!(matches!(
        Mode::named("AK", with_token, role(""), None),
        Ok(Mode::Key(c)) if c.security_token.is_none()
    ));
    assert!(Mode::named("StsToken", key(), role(""), None)
        .unwrap_err()
        .contains("STS token"));
    assert!(matches!(
        Mode::named("RamRoleArn", key(), role("acs:ram::1:role/r"), None),
        Ok(Mode::Role(_, r)) if r.arn == "acs:ram::1:role/r"
    ));
    assert!(Mode::named("RamRoleArn", key(), role(""), None)
        .unwrap_err()
        .contains("role ARN"));
    assert!(Mode::named("RamRoleArn", None, role("a"), None)
        .unwrap_err()
        .contains("access_key_id"));
    assert!(matches!(
        Mode::named("EcsRamRole", None, role(""), Some("web".into())),
        Ok(Mode::EcsRole(Some(r))) if r == "web"
    ));
    assert!(Mode::named("Anonymous", None, role(""), None)
        .unwrap_err()
        .contains("\"Anonymous\""));
}

#[test]
fn the_credentials_file_is_found_by_either_name_or_by_its_variable() {
    let h = home();
    let off = [("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")];
    // The comment after the AccessKey ID is not part of it.
    assert_eq!(
        id(resolve_with(&off, Some(h.path()), None)),
        "LTAI5tIniDefault"
    );
    let ac = h.path().join(".alibabacloud");
    std::fs::rename(ac.join("credentials"), ac.join("credentials.ini")).unwrap();
    assert_eq!(
        id(resolve_with(&off, Some(h.path()), None)),
        "LTAI5tIniDefault"
    );
    let elsewhere = h.path().join("team.ini");
    std::fs::rename(ac.join("credentials.ini"), &elsewhere).unwrap();
    let named = [
        ("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"),
        (
            "ALIBABA_CLOUD_CREDENTIALS_FILE",
            elsewhere.to_str().unwrap(),
        ),
        ("ALIBABA_CLOUD_PROFILE", "other"),
    ];
    let found = resolve_with(&named, Some(h.path()), None).unwrap();
    assert_eq!(found.credentials.access_key_id, "LTAI5tIniOther");
    assert!(found.source.starts_with("[other] in "), "{}", found.source);
}

#[test]
fn nothing_found_lists_every_source_tried_in_order() {
    let h = tempfile::tempdir().unwrap();
    let r = resolve_with(&[("OSS_ACCESS_KEY_ID", "LTAI5tHalf")], Some(h.path()), None);
    let Err(e @ ChainError::Nothing(_)) = r else {
        panic!("{r:?}")
    };
    let text = e.to_string();
    let order = [
        "1. OSS_ACCESS_KEY_ID: set, but OSS_ACCESS_KEY_SECRET is not",
        "2. ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET: not set",
        "3. an OIDC role",
        "4. profile \"default\" in /nowhere/config.toml",
        "5. the ossutil config",
        "6. the aliyun CLI config",
        "7. the Alibaba Cloud credentials file",
        "8. the ECS instance's RAM role: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
        "9. a credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI): not set",
    ];
    let mut at = 0;
    for line in order {
        let found = text[at..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} in\n{text}"));
        at += found + line.len();
    }
    assert!(!text.contains("LTAI5tHalf"), "{text}");
}

#[test]
fn an_access_key_is_named_masked_and_a_secret_never() {
    let found = Found {
        renewing: None,
        credentials: Credentials::new("LTAI5tExampleKey1234", "the-secret").with_token("tok"),
        source: "the environment (OSS_ACCESS_KEY_ID)".into(),
    };
    let said = found.describe();
    assert_eq!(
        said,
        "AccessKey LTAI****1234 (STS token) from the environment (OSS_ACCESS_KEY_ID)"
    );
    assert_eq!(mask("short"), "****");
}

#[test]
fn a_readable_secret_file_is_warned_about() {
    let h = home();
    let cli = h.path().join(".aliyun").join("config.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cli, std::fs::Permissions::from_mode(0o644)).unwrap();
        let map: HashMap<String, String> = [(
            "ALIBABA_CLOUD_ECS_METADATA_DISABLED".to_string(),
            "true".to_string(),
        )]
        .into();
        let env = move |k: &str| map.get(k).cloned();
        let config = PathBuf::from("/nowhere/config.toml");
        let s = Sources {
            env: &env,
            home: Some(h.path().to_path_buf()),
            profile: ("default", &config, Ok(None)),
            ossutil: (None, Ok(None)),
        };
        let mut warnings = Vec::new();
        resolve(&s, &mut warnings).unwrap();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("config.json") && w.contains("chmod 600")),
            "{warnings:?}"
        );
    }
}

#[test]
fn an_ecs_role_is_used_when_the_metadata_service_answers_and_skipped_when_not() {
    // Nothing listens on this loopback port: skipped, and said why.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let url = format!("http://127.0.0.1:{port}");
    let vars = [
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false"),
        ("OSSWEEP_ECS_METADATA_URL", url.as_str()),
    ];
    let r = resolve_with(&vars, None, None);
    assert!(
        matches!(&r, Err(ChainError::Nothing(t)) if t[7].contains("no metadata service")),
        "{r:?}"
    );
    // Something that accepts connections and is no metadata service: skipped.
    let mute = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", mute.local_addr().unwrap());
    let vars = [
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false"),
        ("OSSWEEP_ECS_METADATA_URL", url.as_str()),
    ];
    assert!(resolve_with(&vars, None, None).is_err());
    // A metadata service answers: the role, renewed from it.
    let service = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", service.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for conn in service.incoming().take(1) {
            let mut conn = conn.unwrap();
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ntoken");
        }
    });
    let vars = [
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false"),
        ("OSSWEEP_ECS_METADATA_URL", url.as_str()),
        ("ALIBABA_CLOUD_ECS_METADATA", "ossweep-role"),
    ];
    let found = resolve_with(&vars, None, None).unwrap();
    assert!(found.renewing.is_some());
    assert!(
        found
            .describe()
            .starts_with("temporary credentials from the ECS instance's RAM role ossweep-role"),
        "{}",
        found.describe()
    );
}

#[test]
fn a_ram_role_profile_is_assumed_through_sts_and_renewed() {
    let h = home();
    let found = resolve_with(&[("ALIBABA_CLOUD_PROFILE", "role")], Some(h.path()), None).unwrap();
    assert!(found.renewing.is_some());
    assert!(
        found
            .source
            .contains("RAM role acs:ram::1:role/x assumed through STS"),
        "{}",
        found.source
    );
    // Its role ARN missing: refused, never another identity.
    std::fs::write(
        h.path().join(".alibabacloud").join("credentials"),
        "[default]\ntype = ram_role_arn\naccess_key_id = LTAI5tSource\naccess_key_secret = s\n",
    )
    .unwrap();
    let off = [("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")];
    let r = resolve_with(&off, Some(h.path()), None);
    assert!(
        matches!(&r, Err(ChainError::Refused(w)) if w.contains("role ARN")),
        "{r:?}"
    );
}

#[test]
fn the_other_cli_modes_give_their_sources_and_a_command_runs_only_from_a_private_file() {
    let h = home();
    let path = h.path().join(".aliyun").join("config.json");
    let config = serde_json::json!({
        "current": "ext",
        "profiles": [
            { "name": "ak", "mode": "AK", "access_key_id": "LTAI5tChainSource", "access_key_secret": "s" },
            { "name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "ak", "ram_role_arn": "acs:ram::1:role/c" },
            { "name": "chain-bad", "mode": "ChainableRamRoleArn", "source_profile": "nobody", "ram_role_arn": "acs:ram::1:role/c" },
            { "name": "role", "mode": "RamRoleArn", "access_key_id": "LTAI5tRoleSource", "access_key_secret": "s", "ram_role_arn": "acs:ram::1:role/first" },
            { "name": "chain-of-roles", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": "acs:ram::1:role/second" },
            { "name": "loop-a", "mode": "ChainableRamRoleArn", "source_profile": "loop-b", "ram_role_arn": "acs:ram::1:role/a" },
            { "name": "loop-b", "mode": "ChainableRamRoleArn", "source_profile": "loop-a", "ram_role_arn": "acs:ram::1:role/b" },
            { "name": "ecs", "mode": "EcsRamRole", "ram_role_name": "web" },
            { "name": "ext", "mode": "External", "process_command": "/usr/local/bin/creds --for ossweep" }
        ]
    });
    std::fs::write(&path, config.to_string()).unwrap();
    let with =
        |profile: &str| resolve_with(&[("ALIBABA_CLOUD_PROFILE", profile)], Some(h.path()), None);
    let chain = with("chain").unwrap();
    assert!(chain.renewing.is_some() && chain.source.contains("RAM role acs:ram::1:role/c"));
    assert!(matches!(with("chain-bad"), Err(ChainError::Refused(_))));
    // A role chained from a role: the second is assumed with the first's
    // credentials, and the source names both.
    let roles = with("chain-of-roles").unwrap();
    assert!(
        roles.renewing.is_some()
            && roles.source.contains("RAM role acs:ram::1:role/second")
            && roles.source.contains(
                "with profile \"role\"'s credentials (role first): RAM role acs:ram::1:role/second"
            ),
        "{}",
        roles.source
    );
    let looped = with("loop-a");
    assert!(
        matches!(&looped, Err(ChainError::Refused(w)) if w.contains("more than 5 profiles")),
        "{looped:?}"
    );
    let ecs = with("ecs").unwrap();
    assert!(
        ecs.source.contains("the ECS instance's RAM role"),
        "{}",
        ecs.source
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let ext = with("ext").unwrap();
        assert!(
            ext.source
                .contains("the credential process /usr/local/bin/creds"),
            "{}",
            ext.source
        );
        // Writable by others: nothing is run from it.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        let r = with("ext");
        assert!(
            matches!(&r, Err(ChainError::Refused(w)) if w.contains("runs no command")),
            "{r:?}"
        );
    }
}

#[test]
fn a_credentials_uri_is_named_without_its_query() {
    let r = resolve_with(
        &[(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            "http://127.0.0.1:9/creds?token=query-secret-value",
        )],
        None,
        None,
    )
    .unwrap();
    assert!(
        r.source.contains("http://127.0.0.1:9/creds ") && !r.source.contains("query-secret-value"),
        "{}",
        r.source
    );
}
