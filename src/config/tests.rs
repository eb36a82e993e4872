use super::*;
use std::collections::HashMap;

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let mut map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // Nothing leaves loopback: no ECS metadata service is asked.
    map.entry("ALIBABA_CLOUD_ECS_METADATA_DISABLED".into())
        .or_insert_with(|| "true".into());
    move |k| map.get(k).cloned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn with_file(path: PathBuf) -> Overrides {
    Overrides {
        config: Some(path),
        ..Default::default()
    }
}

#[test]
fn concurrency_and_qps_come_from_the_flags_then_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "c.toml", "[profiles.default]\naccess_key_id = \"id\"\naccess_key_secret = \"s\"\nconcurrency = 8\nqps = 300\n");
    let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
    assert_eq!((s.client.concurrency, s.client.qps), (8, 300));
    let o = Overrides {
        concurrency: Some(32),
        qps: Some(45),
        ..with_file(p.clone())
    };
    let s = load(&o, &env_of(&[])).unwrap();
    assert_eq!((s.client.concurrency, s.client.qps), (32, 45));
    let o = Overrides {
        qps: Some(0),
        ..with_file(p)
    };
    assert!(load(&o, &env_of(&[]))
        .unwrap_err()
        .to_string()
        .contains("qps"));
}

#[test]
fn the_account_id_comes_from_the_environment_or_the_profile_and_is_all_digits() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "c.toml", "[profiles.default]\naccess_key_id = \"id\"\naccess_key_secret = \"s\"\naccount_id = \"111\"\n");
    let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
    assert_eq!(s.client.account_id.as_deref(), Some("111"));
    let s = load(&with_file(p.clone()), &env_of(&[("OSS_ACCOUNT_ID", "222")])).unwrap();
    assert_eq!(s.client.account_id.as_deref(), Some("222"));
    let err = load(
        &with_file(p),
        &env_of(&[("OSS_ACCOUNT_ID", "1.evil.example")]),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("OSS_ACCOUNT_ID"), "{err}");
}

#[test]
fn environment_credentials_win_and_tokens_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "c.toml", "[profiles.default]\naccess_key_id = \"file-id\"\naccess_key_secret = \"file-secret\"\nregion = \"cn-beijing\"\n");
    let s = load(
        &with_file(p.clone()),
        &env_of(&[
            ("OSS_ACCESS_KEY_ID", "env-id"),
            ("OSS_ACCESS_KEY_SECRET", "env-secret"),
            ("OSS_SESSION_TOKEN", "tok"),
        ]),
    )
    .unwrap();
    assert_eq!(s.client.credentials.access_key_id, "env-id");
    assert_eq!(
        s.client
            .credentials
            .security_token
            .as_ref()
            .unwrap()
            .expose(),
        "tok"
    );
    assert_eq!(s.client.region, "cn-beijing");
    let s = load(&with_file(p), &env_of(&[])).unwrap();
    assert_eq!(s.client.credentials.access_key_id, "file-id");
}

#[test]
fn profiles_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let text = "default_profile = \"emu\"\n[profiles.emu]\nendpoint = \"http://127.0.0.1:9000\"\naddressing = \"path\"\nsignature_version = 1\nconcurrency = 8\naccess_key_id = \"a\"\naccess_key_secret = \"b\"\n[profiles.prod]\nregion = \"ap-southeast-1\"\ninternal = true\naccess_key_id = \"c\"\naccess_key_secret = \"d\"\n";
    let p = write(dir.path(), "c.toml", text);
    let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
    assert_eq!((s.profile.as_str(), s.client.concurrency), ("emu", 8));
    assert_eq!(s.client.addressing, Addressing::Path);
    assert_eq!(s.client.signature_version, SignatureVersion::V1);
    assert_eq!(s.client.endpoint.as_ref().unwrap().port, Some(9000));
    let o = Overrides {
        profile: Some("prod".into()),
        region: Some("cn-shenzhen".into()),
        path_style: true,
        ..with_file(p.clone())
    };
    let s = load(&o, &env_of(&[])).unwrap();
    assert_eq!(
        (
            s.client.region.as_str(),
            s.client.internal,
            s.client.addressing
        ),
        ("cn-shenzhen", true, Addressing::Path)
    );
    let o = Overrides {
        profile: Some("nope".into()),
        ..with_file(p)
    };
    assert!(matches!(
        load(&o, &env_of(&[])).unwrap_err(),
        ConfigError::UnknownProfile { .. }
    ));
}

#[test]
fn malformed_files_name_the_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.toml",
        "[profiles.default]\nregion = \"cn-hangzhou\"\nregoin = \"typo\"\n",
    );
    let err = load(&with_file(p.clone()), &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&p.display().to_string()) && err.contains("line 3") && err.contains("regoin"),
        "{err}"
    );
    let p = write(dir.path(), "broken.toml", "[profiles.default\nregion = 1\n");
    let err = load(&with_file(p), &env_of(&[])).unwrap_err().to_string();
    assert!(err.contains("line 1"), "{err}");
    let p = write(dir.path(), "sv.toml", "[profiles.default]\nsignature_version = 2\naccess_key_id = \"a\"\naccess_key_secret = \"b\"\n");
    assert!(load(&with_file(p), &env_of(&[]))
        .unwrap_err()
        .to_string()
        .contains("signature_version must be 1 or 4"));
    let missing = dir.path().join("missing.toml");
    assert!(matches!(
        load(&with_file(missing), &env_of(&[])).unwrap_err(),
        ConfigError::Unreadable { .. }
    ));
}

#[test]
fn no_credentials_names_the_variables_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "c.toml", "[profiles.default]\nregion = \"cn-hangzhou\"\nossutil_config = \"/nonexistent/ossutilconfig\"\n");
    assert!(load(&with_file(p.clone()), &env_of(&[]))
        .unwrap_err()
        .to_string()
        .contains("does not exist"));
    let p = write(
        dir.path(),
        "c2.toml",
        "[profiles.default]\nregion = \"cn-hangzhou\"\n",
    );
    let o = Overrides {
        config: Some(p.clone()),
        ..Default::default()
    };
    // HOME may hold a real ~/.ossutilconfig; only assert when it does not.
    if home()
        .map(|h| !h.join(".ossutilconfig").exists())
        .unwrap_or(true)
    {
        let err = load(&o, &env_of(&[])).unwrap_err().to_string();
        assert!(
            err.contains("OSS_ACCESS_KEY_ID")
                && err.contains("OSS_ACCESS_KEY_SECRET")
                && err.contains(&p.display().to_string()),
            "{err}"
        );
    }
}

#[test]
fn reads_ossutil_config_files() {
    let v1 = "[Credentials]\nlanguage=EN\nendpoint=oss-cn-shenzhen.aliyuncs.com\naccessKeyID=LTAIutil\naccessKeySecret=util-secret\nstsToken=\n";
    let c = parse_ossutil(v1);
    assert_eq!(
        (c.access_key_id.as_deref(), c.region.as_deref()),
        (Some("LTAIutil"), Some("cn-shenzhen"))
    );
    assert!(c.security_token.is_none());
    let v2 = "[default]\naccessKeyId = LTAIv2\naccessKeySecret = v2-secret\nregion = cn-qingdao\n[profile other]\naccessKeyId = nope\n";
    let c = parse_ossutil(v2);
    assert_eq!(
        (c.access_key_id.as_deref(), c.region.as_deref()),
        (Some("LTAIv2"), Some("cn-qingdao"))
    );
    let dir = tempfile::tempdir().unwrap();
    let util = write(dir.path(), "ossutilconfig", v1);
    let p = write(
        dir.path(),
        "c.toml",
        &format!(
            "[profiles.default]\nossutil_config = \"{}\"\n",
            util.display()
        ),
    );
    let s = load(&with_file(p), &env_of(&[])).unwrap();
    assert_eq!(
        (
            s.client.credentials.access_key_id.as_str(),
            s.client.region.as_str()
        ),
        ("LTAIutil", "cn-shenzhen")
    );
}

#[test]
fn an_ossutil_config_names_its_mode_in_either_version_and_any_spelling() {
    // 1.x: mode and ramRoleArn in [Credentials].
    let v1 = "[Credentials]\nendpoint=oss-cn-shenzhen.aliyuncs.com\naccessKeyID=LTAIutil\naccessKeySecret=s\nmode=RamRoleArn\nramRoleArn=acs:ram::1:role/util\nroleSessionName=team\ntokenTimeout=900\n";
    let c = parse_ossutil(v1);
    assert_eq!(
        (
            c.mode.as_deref(),
            c.role.arn.as_str(),
            c.role.session_name.as_str(),
            c.role.duration_secs
        ),
        (
            Some("RamRoleArn"),
            "acs:ram::1:role/util",
            "team",
            Some(900)
        )
    );
    // 2.x: keys in kebab-case or snake_case mean the same.
    let v2 = "[default]\nmode = EcsRamRole\necs-role-name = web\nregion = cn-qingdao\n";
    let c = parse_ossutil(v2);
    assert_eq!(
        (c.mode.as_deref(), c.ecs_role_name.as_deref()),
        (Some("EcsRamRole"), Some("web"))
    );
    let c = parse_ossutil("[default]\naccess_key_id = LTAIsnake\naccess-key-secret = s\nrole_arn = acs:ram::1:role/v2\n");
    assert_eq!(
        (c.access_key_id.as_deref(), c.role.arn.as_str()),
        (Some("LTAIsnake"), "acs:ram::1:role/v2")
    );
    // Loaded: the role is what the chain assumes.
    let dir = tempfile::tempdir().unwrap();
    let util = write(dir.path(), "ossutilconfig", v1);
    let p = write(
        dir.path(),
        "c.toml",
        &format!(
            "[profiles.default]\nossutil_config = \"{}\"\n",
            util.display()
        ),
    );
    let s = load(&with_file(p), &env_of(&[])).unwrap();
    assert!(s.client.renewing.is_some());
    assert!(
        s.credentials_source
            .contains("RAM role acs:ram::1:role/util assumed through STS"),
        "{}",
        s.credentials_source
    );
}

#[test]
fn a_profile_names_a_mode_and_an_incomplete_one_is_refused_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "c.toml",
        "[profiles.default]\naccess_key_id = \"LTAI5tProfileKey\"\naccess_key_secret = \"s\"\nmode = \"RamRoleArn\"\nrole_arn = \"acs:ram::1:role/p\"\n",
    );
    let s = load(&with_file(p), &env_of(&[])).unwrap();
    assert!(
        s.client.renewing.is_some() && s.credentials_source.contains("RAM role acs:ram::1:role/p"),
        "{}",
        s.credentials_source
    );
    let p = write(
        dir.path(),
        "ecs.toml",
        "[profiles.default]\nmode = \"EcsRamRole\"\necs_role_name = \"web\"\n",
    );
    let s = load(&with_file(p), &env_of(&[])).unwrap();
    assert!(
        s.credentials_source
            .contains("the ECS instance's RAM role web"),
        "{}",
        s.credentials_source
    );
    let p = write(
        dir.path(),
        "bad.toml",
        "[profiles.default]\naccess_key_id = \"LTAI5tProfileKey\"\naccess_key_secret = \"not-to-be-echoed\"\nmode = \"StsToken\"\n",
    );
    let err = load(&with_file(p), &env_of(&[])).unwrap_err().to_string();
    assert!(err.contains("mode StsToken needs its STS token"), "{err}");
    assert!(!err.contains("not-to-be-echoed"), "{err}");
}

#[cfg(unix)]
#[test]
fn warns_when_a_secret_is_readable_by_others_and_debug_hides_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "c.toml",
        "[profiles.default]\naccess_key_id = \"a\"\naccess_key_secret = \"super-secret-value\"\n",
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
    assert!(s.warnings.iter().any(|w| w.contains("chmod 600")));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
    assert!(s.warnings.is_empty());
    let shown = format!("{s:?}");
    assert!(!shown.contains("super-secret-value"), "{shown}");
    let file = parse_config(&std::fs::read_to_string(&p).unwrap(), &p).unwrap();
    assert!(!format!("{file:?}").contains("super-secret-value"));
}

#[test]
fn no_malformed_shape_of_a_secret_echoes_it_in_the_error() {
    let secret = "Sup3rS3cretValue";
    let shapes = [
        format!("access_key_secret = [\"{secret}\"]"),
        "access_key_secret = 123456789".to_string(),
        format!("access_key_secret = {{ v = \"{secret}\" }}"),
        format!("access_key_secret = \"{secret}"),
        format!("access_key_secret = '{secret}' extra"),
        format!("access_key_secret = [\n  \"{secret}\",\n  1,\n]"),
        format!("security_token = [\"{secret}\"]"),
        format!("[profiles.p]\naccess_key_secret = [\"{secret}\"]"),
        format!(
            "[profiles.p]\nsecurity_token = 42\naccess_key_secret = \"{secret}\"\nqps = \"fast\""
        ),
        format!("access_key_secret = \"{secret}\"\nsignature_versoin = 4"),
    ];
    for shape in &shapes {
        let err = parse_config(shape, Path::new("config.toml"))
            .err()
            .unwrap_or_else(|| panic!("{shape:?} parsed"));
        let shown = err.to_string();
        assert!(
            !shown.contains(secret) && !shown.contains("123456789") && !shown.contains("42\n"),
            "{shape:?} echoed a secret: {shown}"
        );
        assert!(shown.contains("line "), "{shown}");
    }
}

#[cfg(unix)]
#[test]
fn config_files_are_regular_bounded_and_their_directory_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let env = env_of(&[
        ("OSS_ACCESS_KEY_ID", "LTAI5tX"),
        ("OSS_ACCESS_KEY_SECRET", "s"),
    ]);
    // A FIFO would hang a reader; a device would never end.
    let fifo = dir.path().join("fifo.toml");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for path in [fifo, PathBuf::from("/dev/zero"), dir.path().to_path_buf()] {
        let e = load(&with_file(path.clone()), &env)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("not a regular file"), "{path:?}: {e}");
    }
    // Too big.
    let big = write(dir.path(), "big.toml", &"# x\n".repeat(300_000));
    let e = load(&with_file(big), &env).err().unwrap().to_string();
    assert!(e.contains("at most"), "{e}");
    // A symlink to nothing names its target.
    let link = dir.path().join("link.toml");
    std::os::unix::fs::symlink(dir.path().join("gone.toml"), &link).unwrap();
    let e = load(&with_file(link), &env).err().unwrap().to_string();
    assert!(e.contains("symlink to") && e.contains("gone.toml"), "{e}");
    // A directory others can write to: a warning.
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let cfg = write(&shared, "config.toml", "");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let s = load(&with_file(cfg.clone()), &env).unwrap();
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("can be written by other users")),
        "{:?}",
        s.warnings
    );
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o700)).unwrap();
    let s = load(&with_file(cfg), &env).unwrap();
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn the_site_and_the_price_table_come_from_the_profile_or_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let key = "[profiles.default]\naccess_key_id = \"id\"\naccess_key_secret = \"s\"\n";
    let p = write(dir.path(), "c.toml", key);
    let s = load(&with_file(p), &env_of(&[])).unwrap();
    assert_eq!(s.prices.site, "china", "the documented default");
    let p = write(
        dir.path(),
        "usd.toml",
        &format!("{key}site = \"international\"\n"),
    );
    let s = load(&with_file(p), &env_of(&[])).unwrap();
    assert_eq!(s.prices.for_bucket("cn-hangzhou", None).currency, "USD");
    let p = write(dir.path(), "moon.toml", &format!("{key}site = \"moon\"\n"));
    let e = load(&with_file(p.clone()), &env_of(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("site \"moon\" is not in the price table"), "{e}");
    // A table of one's own, named by the flag.
    let own = crate::money::prices::BUILTIN.replace("storage = 0.12", "storage = 0.5");
    let table = write(dir.path(), "prices.toml", &own);
    let o = Overrides {
        prices: Some(table),
        ..with_file(write(dir.path(), "c2.toml", key))
    };
    let s = load(&o, &env_of(&[])).unwrap();
    let standard = s.prices.for_bucket("cn-hangzhou", None).classes["Standard"].clone();
    assert_eq!(standard.storage, Some(0.5));
    let o = Overrides {
        prices: Some(dir.path().join("missing.toml")),
        ..with_file(write(dir.path(), "c3.toml", key))
    };
    let e = load(&o, &env_of(&[])).unwrap_err().to_string();
    assert!(
        e.contains("price table") && e.contains("missing.toml"),
        "{e}"
    );
}
