//! The Vectors parsers against the recorded bodies F33-F37 and X6 (Go v2 SDK
//! tests), and the request builders' wire form.

use super::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/xml/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn vector_buckets_pages() {
    let page = parse_vector_buckets(&fixture("F34.json")).unwrap();
    assert_eq!(page.next_marker, None);
    assert_eq!(
        page.buckets[0],
        VectorBucketSummary {
            name: "app-base-oss".into(),
            region: "cn-shanghai".into(),
            creation_date: time::parse_iso8601("2014-02-17T18:12:43.000Z"),
        }
    );
    assert_eq!(page.buckets[1].region, "cn-hangzhou");
    let page = parse_vector_buckets(&fixture("F35.json")).unwrap();
    assert_eq!(page.next_marker.as_deref(), Some("mybucket10"));
    assert_eq!(page.buckets[0].name, "mybucket01");
    // Truncated without a marker would loop or stop early: refused.
    assert!(parse_vector_buckets(
        r#"{"ListAllMyBucketsResult":{"IsTruncated":"true","Buckets":[]}}"#
    )
    .is_err());
    // PascalCase is the wire form; lower-case names are not silently accepted.
    assert!(parse_vector_buckets(r#"{"listAllMyBucketsResult":{"buckets":[]}}"#).is_err());
}

#[test]
fn vector_bucket_info() {
    let b = parse_vector_bucket(&fixture("F33.json")).unwrap();
    assert_eq!(
        (b.name.as_str(), b.region.as_str()),
        ("oss-example", "cn-hangzhou")
    );
}

#[test]
fn vector_indexes_pages_and_states() {
    let page = parse_vector_indexes(&fixture("F37.json")).unwrap();
    assert_eq!(page.next_token.as_deref(), Some("123"));
    let names: Vec<(&str, &str, u64)> = page
        .indexes
        .iter()
        .map(|i| (i.name.as_str(), i.status.as_str(), i.dimension))
        .collect();
    assert_eq!(
        names,
        [("demo1", "running", 128), ("demo2", "deleting", 128)]
    );
    assert!(page.indexes[1].is_deleting());
    assert_eq!(
        page.indexes[0].created,
        time::parse_iso8601("2025-08-02T10:49:17Z")
    );
    let last = parse_vector_indexes(r#"{"indexes":[],"nextToken":""}"#).unwrap();
    assert_eq!(last.next_token, None, "an empty token ends the listing");
    let index = parse_vector_index(&fixture("F36.json")).unwrap();
    assert_eq!((index.name.as_str(), index.dimension), ("string", 128));
    assert!(parse_vector_indexes("<Error/>").is_err());
}

#[test]
fn vector_keys_count_a_page() {
    assert_eq!(
        parse_vector_keys(&fixture("X6.json")).unwrap(),
        (1, Some("123".to_string()))
    );
}

fn header<'a>(r: &'a OssRequest, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn requests_carry_json_and_content_md5_as_the_sdks_do() {
    let r = list_vector_indexes("bucket", None, None, None);
    assert_eq!(r.service, Service::Vectors);
    assert!(r.body.is_empty(), "no field set: no body at all");
    assert_eq!(header(&r, "content-md5"), Some("1B2M2Y8AsgTpgAmY7PhCfg=="));
    assert!(r.read);
    let r = list_vector_indexes("bucket", Some("p"), Some("t1"), Some(500));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"maxResults": 100, "nextToken": "t1", "prefix": "p"})
    );
    assert_eq!(header(&r, "content-type"), Some("application/json"));
    let r = delete_vector_index("bucket", "idx-1");
    assert_eq!(r.query, vec![("deleteVectorIndex".to_string(), None)]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap(),
        serde_json::json!({"indexName": "idx-1"})
    );
    assert!(!r.read);
    let r = delete_vector_bucket("bucket");
    assert_eq!((r.method, r.op), ("DELETE", "DeleteVectorBucket"));
    assert_eq!(header(&r, "content-md5"), Some("1B2M2Y8AsgTpgAmY7PhCfg=="));
}

#[test]
fn names_and_account_ids_are_checked_before_any_request() {
    assert!(validate_bucket_name("vec").is_ok());
    assert!(validate_bucket_name(&"a".repeat(32)).is_ok());
    assert!(validate_bucket_name(&"a".repeat(33)).is_err());
    assert!(validate_bucket_name("ab").is_err());
    assert!(validate_bucket_name("-ab").is_err());
    assert!(validate_bucket_name("a.b").is_err());
    assert!(validate_index_name("idx-1").is_ok());
    assert!(validate_index_name("").is_err());
    assert!(validate_index_name("a b").is_err());
    assert!(valid_account_id("1234567890123456"));
    assert!(!valid_account_id("123.evil.com"));
    assert!(!valid_account_id(""));
    assert_eq!(
        bucket_host("vec", "123", &service_host("cn-hangzhou", false)),
        "vec-123.cn-hangzhou.oss-vectors.aliyuncs.com"
    );
    assert_eq!(
        service_host("cn-beijing", true),
        "cn-beijing-internal.oss-vectors.aliyuncs.com"
    );
}
