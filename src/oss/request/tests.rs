use super::*;

#[test]
fn bucket_names_follow_the_oss_rules() {
    for ok in ["abc", "my-bucket-01", &"a".repeat(63)] {
        assert!(validate_bucket_name(ok).is_ok(), "{ok}");
    }
    for bad in [
        "ab",
        "-abc",
        "abc-",
        "ABC",
        "a_b",
        "a.b",
        &"a".repeat(64),
        "",
        "bucket/x",
    ] {
        let err = validate_bucket_name(bad).unwrap_err().to_string();
        assert!(err.contains("not a valid OSS bucket name"), "{bad}: {err}");
    }
}

#[test]
fn delete_multiple_objects_body_md5_and_limits() {
    let objs = vec![
        ObjectIdentifier::key("a b.txt"),
        ObjectIdentifier::version("dir/x&y.txt", "v1"),
        ObjectIdentifier::version("n", ""),
    ];
    let r = delete_multiple_objects("b", &objs).unwrap();
    let body = String::from_utf8(r.body.clone()).unwrap();
    assert!(body.ends_with("<Delete><Quiet>false</Quiet><Object><Key>a b.txt</Key></Object><Object><Key>dir/x&amp;y.txt</Key><VersionId>v1</VersionId></Object><Object><Key>n</Key><VersionId>null</VersionId></Object></Delete>"));
    assert_eq!(
        r.query,
        vec![
            ("delete".into(), None),
            ("encoding-type".into(), Some("url".into()))
        ]
    );
    let md5 = r
        .headers
        .iter()
        .find(|(n, _)| n == "Content-MD5")
        .unwrap()
        .1
        .clone();
    assert_eq!(
        md5,
        base64::engine::general_purpose::STANDARD.encode(Md5::digest(body.as_bytes()))
    );
    assert_eq!(r.permission, "oss:DeleteObjectVersion");

    assert!(delete_multiple_objects("b", &[]).is_err());
    let many: Vec<_> = (0..1001)
        .map(|i| ObjectIdentifier::key(format!("k{i}")))
        .collect();
    assert!(delete_multiple_objects("b", &many).is_err());
    assert!(delete_multiple_objects("b", &many[..1000]).is_ok());
    let huge: Vec<_> = (0..1000)
        .map(|i| ObjectIdentifier::key(format!("{i}{}", "\u{1}".repeat(1000))))
        .collect();
    assert!(delete_multiple_objects("b", &huge)
        .unwrap_err()
        .to_string()
        .contains("2 MB"));
}

#[test]
fn the_sdk_recorded_delete_body_is_reproduced() {
    let key: String = "go-sdk-v1"
        .chars()
        .chain((1u8..=0x1f).map(char::from))
        .collect();
    let body = delete_body(
        &[ObjectIdentifier::version(
            key,
            "CAEQNRiBgIDyz.6C0BYiIGQ2NWEwNmVhNTA3ZTQ3MzM5ODliYjM1ZTdjYjA4****",
        )],
        false,
    );
    let x4 = std::fs::read_to_string(format!(
        "{}/tests/fixtures/xml/X4.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let recorded = x4.lines().filter(|l| !l.is_empty()).nth(2).unwrap();
    assert_eq!(
        body.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        recorded
    );
}

#[test]
fn version_id_marker_needs_a_key_marker() {
    let r = list_object_versions("b", None, None, Some("v"), 5000);
    assert!(!r.query.iter().any(|(n, _)| n == "version-id-marker"));
    assert!(r.query.contains(&("max-keys".into(), Some("1000".into()))));
    let r = list_object_versions("b", Some("p/"), Some("k"), Some("v"), 10);
    assert!(r
        .query
        .contains(&("version-id-marker".into(), Some("v".into()))));
}
