//! The official signing vectors (shared/reference/signing-vectors.md), stage by stage.

use super::*;

fn s(v: &str) -> String {
    v.to_string()
}

fn vector_query() -> Vec<(String, Option<String>)> {
    vec![
        (s("param1"), Some(s("value1"))),
        (s("+param1"), Some(s("value3"))),
        (s("|param1"), Some(s("value4"))),
        (s("+param2"), Some(s(""))),
        (s("|param2"), Some(s(""))),
        (s("param2"), Some(s(""))),
    ]
}

fn vector_headers(date: &str) -> Vec<(String, String)> {
    vec![
        (s("x-oss-head1"), s("value")),
        (s("abc"), s("value")),
        (s("ZAbc"), s("value")),
        (s("XYZ"), s("value")),
        (s("content-type"), s("text/plain")),
        (s("x-oss-content-sha256"), s("UNSIGNED-PAYLOAD")),
        (s("x-oss-date"), s(date)),
    ]
}

fn creds() -> Credentials {
    Credentials::new("ak", "sk")
}

fn req<'a>(
    query: &'a [(String, Option<String>)],
    headers: &'a [(String, String)],
) -> SigningRequest<'a> {
    SigningRequest {
        method: "PUT",
        bucket: Some("bucket"),
        key: Some("1234+-/123/1.txt"),
        query,
        headers,
        vectors_account: None,
    }
}

#[test]
fn v4_canonical_uri_and_query_match_the_vectors() {
    assert_eq!(
        v4_canonical_uri(Some("bucket"), Some("1234+-/123/1.txt")),
        "/bucket/1234%2B-/123/1.txt"
    );
    assert_eq!(v4_canonical_uri(None, None), "/");
    assert_eq!(
        v4_canonical_uri(Some("examplebucket"), None),
        "/examplebucket/"
    );
    assert_eq!(
        v4_canonical_query(&vector_query()),
        "%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2"
    );
    assert_eq!(
        encode::query_string(&vector_query()),
        "param1=value1&%2Bparam1=value3&%7Cparam1=value4&%2Bparam2=&%7Cparam2=&param2="
    );
}

#[test]
fn v4_1_plain_header_signing() {
    let (q, h) = (vector_query(), vector_headers("20231216T162057Z"));
    let r = req(&q, &h);
    let canonical = v4_canonical_request(&r, "cn-hangzhou", &[]);
    assert_eq!(
        canonical,
        "PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\n\
content-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD"
    );
    let scope = v4_scope("20231216", "cn-hangzhou", "oss");
    let sts = v4_string_to_sign("20231216T162057Z", &scope, &canonical);
    assert_eq!(
        sts,
        "OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\nf4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4"
    );
    let key = v4_signing_key("sk", "20231216", "cn-hangzhou", "oss");
    assert_eq!(
        v4_signature(&key, &sts),
        "e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"
    );
    let ctx = V4Context {
        region: "cn-hangzhou",
        product: "oss",
        unix_time: 1702743657,
    };
    assert_eq!(
        v4_sign(&r, &creds(), ctx, &[]),
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"
    );
}

#[test]
fn v4_2_sts_token_is_signed() {
    let q = vector_query();
    let mut h = vector_headers("20231217T034736Z");
    h.push((s("x-oss-security-token"), s("token")));
    let r = req(&q, &h);
    let canonical = v4_canonical_request(&r, "cn-hangzhou", &[]);
    assert!(canonical.contains("x-oss-security-token:token\n"));
    assert_eq!(
        sha256_hex(canonical.as_bytes()),
        "69494678fb11579d4ee12996e2796d9e2ba43c34aa4c723c4aec018f3d6b86b8"
    );
    let ctx = V4Context {
        region: "cn-hangzhou",
        product: "oss",
        unix_time: 1702784856,
    };
    assert_eq!(
        v4_sign(&r, &creds().with_token("token"), ctx, &[]),
        "OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea"
    );
}

#[test]
fn v4_3_additional_headers() {
    let (q, h) = (vector_query(), vector_headers("20231216T172512Z"));
    let r = req(&q, &h);
    let expected = "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f";
    let ctx = V4Context {
        region: "cn-hangzhou",
        product: "oss",
        unix_time: 1702747512,
    };
    for requested in [
        vec![s("ZAbc"), s("abc")],
        vec![s("x-oss-no-exist"), s("ZAbc"), s("x-oss-head1"), s("abc")],
    ] {
        let additional = v4_additional_headers(&requested, &h);
        assert_eq!(additional, vec![s("abc"), s("zabc")]);
        let canonical = v4_canonical_request(&r, "cn-hangzhou", &additional);
        assert!(canonical.starts_with("PUT\n/bucket/1234%2B-/123/1.txt\n"));
        assert!(canonical.contains("\nabc:value\ncontent-type:text/plain\n"));
        assert!(canonical.ends_with("x-oss-head1:value\nzabc:value\n\nabc;zabc\nUNSIGNED-PAYLOAD"));
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "16b86004ed2cc3406dd7a13081bd940ef6a5ad49e508da2d4fdf84e8a5dd2145"
        );
        assert_eq!(v4_sign(&r, &creds(), ctx, &requested), expected);
    }
}

#[test]
fn v4_4_cloudbox_product() {
    let (q, h) = (vector_query(), vector_headers("20231216T162057Z"));
    let r = req(&q, &h);
    let ctx = V4Context {
        region: "cb-123",
        product: "oss-cloudbox",
        unix_time: 1702743657,
    };
    assert_eq!(
        v4_scope("20231216", "cb-123", "oss-cloudbox"),
        "20231216/cb-123/oss-cloudbox/aliyun_v4_request"
    );
    assert_eq!(
        v4_sign(&r, &creds(), ctx, &[]),
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cb-123/oss-cloudbox/aliyun_v4_request,Signature=94ce1f12c17d148ea681030275a94449d3357f5b5b21133996eec80af3e08a43"
    );
}

const V1_DATE: &str = "Wed, 28 Dec 2022 10:27:41 GMT";

fn v1_put_headers() -> Vec<(String, String)> {
    vec![
        (s("Content-MD5"), s("eB5eJF1ptWaXm4bijSPyxw==")),
        (s("Content-Type"), s("text/html")),
        (s("x-oss-meta-author"), s("alice")),
        (s("x-oss-meta-magic"), s("abracadabra")),
        (s("x-oss-date"), s(V1_DATE)),
        (s("Date"), s(V1_DATE)),
    ]
}

fn v1_case(
    method: &str,
    key: Option<&str>,
    query: &[(String, Option<String>)],
    headers: &[(String, String)],
    sts: &str,
    sig: &str,
) {
    let bucket = Some("examplebucket");
    let r = SigningRequest {
        method,
        bucket,
        key,
        query,
        headers,
        vectors_account: None,
    };
    assert_eq!(v1_string_to_sign(&r, V1_DATE), sts);
    assert_eq!(v1_signature("sk", sts), sig);
    assert_eq!(v1_authorization("ak", sig), format!("OSS ak:{sig}"));
}

#[test]
fn v1_1_put_object() {
    v1_case(
        "PUT",
        Some("nelson"),
        &[],
        &v1_put_headers(),
        "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson",
        "kSHKmLxlyEAKtZPkJhG9bZb5k7M=",
    );
}

#[test]
fn v1_2_subresource_acl() {
    v1_case(
        "PUT",
        Some("nelson"),
        &[(s("acl"), None)],
        &v1_put_headers(),
        "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson?acl",
        "/afkugFbmWDQ967j1vr6zygBLQk=",
    );
}

#[test]
fn v1_3_non_subresources_are_not_signed() {
    let h = vec![(s("x-oss-date"), s(V1_DATE)), (s("Date"), s(V1_DATE))];
    v1_case(
        "GET",
        None,
        &[(s("resourceGroup"), None), (s("non-resousce"), Some(s("null")))],
        &h,
        "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/?resourceGroup",
        "vkQmfuUDyi1uDi3bKt67oemssIs=",
    );
}

#[test]
fn v1_4_several_subresources_sorted() {
    let h = vec![(s("x-oss-date"), s(V1_DATE)), (s("Date"), s(V1_DATE))];
    v1_case(
        "GET",
        None,
        &[(s("resourceGroup"), None), (s("acl"), None)],
        &h,
        "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/?acl&resourceGroup",
        "x3E5TgOvl/i7PN618s5mEvpJDYk=",
    );
}

#[test]
fn v1_presign_string_to_sign_uses_expires_and_signs_the_token() {
    let q = vec![(s("versionId"), Some(s("versionId")))];
    let r = SigningRequest {
        method: "GET",
        bucket: Some("bucket"),
        key: Some("key"),
        query: &q,
        headers: &[],
        vectors_account: None,
    };
    let sts = v1_string_to_sign(&r, "1699807420");
    assert_eq!(sts, "GET\n\n\n1699807420\n/bucket/key?versionId=versionId");
    assert_eq!(v1_signature("sk", &sts), "dcLTea+Yh9ApirQ8o8dOPqtvJXQ=");

    let q = vec![
        (s("versionId"), Some(s("versionId"))),
        (s("security-token"), Some(s("token"))),
    ];
    let r = SigningRequest {
        method: "GET",
        bucket: Some("bucket"),
        key: Some("key+123"),
        query: &q,
        headers: &[],
        vectors_account: None,
    };
    let sts = v1_string_to_sign(&r, "1699808204");
    assert_eq!(
        sts,
        "GET\n\n\n1699808204\n/bucket/key+123?security-token=token&versionId=versionId"
    );
    assert_eq!(v1_signature("sk", &sts), "jzKYRrM5y6Br0dRFPaTGOsbrDhY=");
}

#[test]
fn sign_headers_adds_date_token_and_authorization() {
    let mut headers = vec![(s("Content-Type"), s("application/xml"))];
    let c = creds().with_token("tok");
    sign_headers(
        SignatureVersion::V4,
        Addressed {
            method: "GET",
            bucket: Some("b"),
            key: None,
            query: &[(s("versions"), None)],
            vectors_account: None,
        },
        &mut headers,
        &c,
        "cn-hangzhou",
        1702743657,
    );
    let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "Date",
            "x-oss-security-token",
            "x-oss-date",
            "x-oss-content-sha256",
            "Authorization"
        ]
    );
    let auth = &headers.last().unwrap().1;
    assert!(auth.starts_with(
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature="
    ));

    let mut headers = vec![];
    sign_headers(
        SignatureVersion::V1,
        Addressed {
            method: "GET",
            bucket: None,
            key: None,
            query: &[],
            vectors_account: None,
        },
        &mut headers,
        &creds(),
        "cn-hangzhou",
        1672223261,
    );
    let sts = "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n/";
    assert_eq!(
        headers.last().unwrap().1,
        format!("OSS ak:{}", v1_signature("sk", sts))
    );
}

// ---------------------------------------------------------------- OSS Vectors

/// The ARN canonical URIs of Go v2 `TestSignerVectorV4BuildBucketArn` and Python
/// v2 `tests/unit/signer/test_vectors_v4.py::test_build_bucket_arn` (account
/// `123`), percent-encoded as both SDKs encode them.
#[test]
fn vectors_canonical_uri_is_the_arn_path() {
    let uri = |b, k| vectors_canonical_uri("cn-hangzhou", "123", b, k);
    assert_eq!(uri(None, None), "/acs%3Aossvector%3Acn-hangzhou%3A%3A/");
    assert_eq!(
        uri(Some("bucket"), None),
        "/acs%3Aossvector%3Acn-hangzhou%3A123%3Abucket/"
    );
    assert_eq!(
        uri(Some("bucket"), Some("key")),
        "/acs%3Aossvector%3Acn-hangzhou%3A123%3Abucket/key"
    );
    assert_eq!(
        uri(Some("bucket"), Some("key-1/key-2")),
        "/acs%3Aossvector%3Acn-hangzhou%3A123%3Abucket/key-1/key-2"
    );
}

/// Whole signatures computed by the official Python v2 `VectorsSignerV4`
/// (account `123`, `ak`/`sk`, signed at 1702743657), for the requests ossweep
/// sends: ListVectorBuckets, ListVectorIndexes and DeleteVectorBucket, each with
/// the Content-MD5 of an empty body.
#[test]
fn vectors_signatures_match_the_official_signer() {
    const EMPTY_MD5: &str = "1B2M2Y8AsgTpgAmY7PhCfg==";
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        Vec<(String, Option<String>)>,
        Option<&'a str>,
        &'a str,
    );
    let cases: [Case; 3] = [
        (
            "GET",
            None,
            vec![(s("max-keys"), Some(s("100")))],
            None,
            "79735f8468272150b2f8ddc5ae99c46baf0038b223baa80ba8d5f47dff68c0c8",
        ),
        (
            "POST",
            Some("bucket"),
            vec![(s("listVectorIndexes"), None)],
            Some("application/json"),
            "2e485ce03696197e02e96feb0d9e5d9dea52281f73e4a9de10c2e82ed5408b0d",
        ),
        (
            "DELETE",
            Some("bucket"),
            vec![],
            Some("application/json"),
            "27b1e8e14b892b7d417f9ebec500c5a6e7252978e6ff22953f99e9f39e3f9124",
        ),
    ];
    for (method, bucket, query, content_type, signature) in cases {
        let mut headers = vec![(s("Content-MD5"), s(EMPTY_MD5))];
        if let Some(ct) = content_type {
            headers.push((s("Content-Type"), s(ct)));
        }
        sign_headers(
            SignatureVersion::V1, // ignored: Vectors only speak V4
            Addressed {
                method,
                bucket,
                key: None,
                query: &query,
                vectors_account: Some("123"),
            },
            &mut headers,
            &creds(),
            "cn-hangzhou",
            1702743657,
        );
        let auth = headers
            .iter()
            .find(|(n, _)| n == "Authorization")
            .map(|(_, v)| v.clone())
            .unwrap();
        assert_eq!(
            auth,
            format!("OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature={signature}"),
            "{method} {bucket:?}"
        );
    }
}
