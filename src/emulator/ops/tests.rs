//! Handler tests against an in-memory store, no HTTP.

use base64::Engine;
use md5::{Digest, Md5};

use super::*;
use crate::emulator::faults::Faults;
use crate::oss::request;

struct World {
    store: Store,
    faults: Faults,
    now_ms: u64,
}

impl World {
    fn new() -> Self {
        World {
            store: Store::default(),
            faults: Faults::new(std::time::Duration::ZERO, 0.0, 1),
            now_ms: 1_000,
        }
    }

    /// Runs one of the client's request builders through the handlers.
    fn call(&mut self, req: &request::OssRequest) -> Result<Reply, EmuError> {
        let r = Request {
            method: req.method.into(),
            host: "127.0.0.1".into(),
            bucket: req.bucket.clone(),
            key: req.key.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
            body: req.body.clone(),
            region: None,
            vectors: (req.service == request::Service::Vectors).then(|| {
                crate::emulator::protocol::VectorAddress {
                    region: "cn-hangzhou".into(),
                    bucket: req.bucket.clone(),
                    account: Some(OWNER_ID.into()),
                }
            }),
        };
        let mut ctx = Ctx {
            store: &mut self.store,
            faults: &self.faults,
            now: 1_700_000_000,
            now_ms: self.now_ms,
            access_point_delay_ms: 100,
            default_region: "cn-hangzhou",
            list_v1_only: false,
        };
        handle(&mut ctx, &r)
    }

    fn raw(
        &mut self,
        method: &str,
        bucket: &str,
        key: Option<&str>,
        query: &[(&str, Option<&str>)],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Reply, EmuError> {
        let req = request::OssRequest {
            service: request::Service::Oss,
            read: false,
            op: "Raw",
            permission: "",
            method: Box::leak(method.to_string().into_boxed_str()),
            bucket: Some(bucket.into()),
            key: key.map(str::to_string),
            query: query
                .iter()
                .map(|(n, v)| (n.to_string(), v.map(str::to_string)))
                .collect(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        };
        self.call(&req)
    }

    fn code(&mut self, req: &request::OssRequest) -> String {
        self.call(req)
            .map(|r| r.status.to_string())
            .unwrap_or_else(|e| e.code.clone())
    }
}

fn md5(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(body))
}

#[test]
fn delete_bucket_refuses_while_anything_remains() {
    let mut w = World::new();
    w.call(&request::put_bucket("bkt", None)).unwrap();
    type AddBlocker = Box<dyn Fn(&mut World)>;
    let blockers: Vec<AddBlocker> = vec![
        Box::new(|w| {
            w.call(&request::put_object("bkt", "k", b"x".to_vec()))
                .unwrap();
        }),
        Box::new(|w| {
            w.raw(
                "POST",
                "bkt",
                Some("big.bin"),
                &[("uploads", None)],
                &[],
                b"",
            )
            .unwrap();
        }),
        Box::new(|w| {
            let cfg = b"<LiveChannelConfiguration><Status>enabled</Status><Target><Type>HLS</Type></Target></LiveChannelConfiguration>";
            w.raw("PUT", "bkt", Some("cam"), &[("live", None)], &[], cfg)
                .unwrap();
        }),
        Box::new(|w| {
            let cfg = b"<CreateAccessPointConfiguration><AccessPointName>ap-1</AccessPointName><NetworkOrigin>internet</NetworkOrigin></CreateAccessPointConfiguration>";
            w.raw("PUT", "bkt", None, &[("accessPoint", None)], &[], cfg)
                .unwrap();
        }),
        Box::new(|w| {
            w.call(&request::put_bucket_versioning("bkt", true))
                .unwrap();
            w.call(&request::delete_object("bkt", "gone", None))
                .unwrap();
        }),
    ];
    for (i, add) in blockers.iter().enumerate() {
        add(&mut w);
        let err = w.call(&request::delete_bucket("bkt")).unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str(), err.ec.as_deref()),
            (409, "BucketNotEmpty", Some("0015-00000301")),
            "blocker {i}"
        );
        w.store.buckets.get_mut("bkt").unwrap().objects.clear();
        let b = w.store.buckets.get_mut("bkt").unwrap();
        b.uploads.clear();
        b.live_channels.clear();
        b.access_points.clear();
    }
    assert_eq!(w.call(&request::delete_bucket("bkt")).unwrap().status, 204);
    assert_eq!(w.code(&request::delete_bucket("bkt")), "NoSuchBucket");
}

#[test]
fn a_deleting_access_point_still_blocks_until_it_is_gone() {
    let mut w = World::new();
    w.call(&request::put_bucket("bkt", None)).unwrap();
    let cfg = b"<CreateAccessPointConfiguration><AccessPointName>ap-1</AccessPointName><NetworkOrigin>internet</NetworkOrigin></CreateAccessPointConfiguration>";
    w.raw("PUT", "bkt", None, &[("accessPoint", None)], &[], cfg)
        .unwrap();
    assert_eq!(
        w.code(&request::delete_access_point("bkt", "ap-1")),
        "AccessPointCreatingConflict"
    );
    w.now_ms += 150;
    assert_eq!(
        w.call(&request::delete_access_point("bkt", "ap-1"))
            .unwrap()
            .status,
        204
    );
    let get = w.call(&request::get_access_point("bkt", "ap-1")).unwrap();
    assert!(String::from_utf8_lossy(&get.body).contains("<Status>deleting</Status>"));
    assert_eq!(w.code(&request::delete_bucket("bkt")), "BucketNotEmpty");
    w.now_ms += 150;
    assert_eq!(
        w.code(&request::get_access_point("bkt", "ap-1")),
        "NoSuchAccessPoint"
    );
    assert_eq!(w.code(&request::delete_bucket("bkt")), "204");
}

#[test]
fn delete_multiple_objects_is_strict_like_oss() {
    let mut w = World::new();
    w.call(&request::put_bucket("bkt", None)).unwrap();
    let body = b"<Delete><Object><Key>a</Key></Object></Delete>";
    let no_md5 = w
        .raw("POST", "bkt", None, &[("delete", None)], &[], body)
        .unwrap_err();
    assert_eq!(no_md5.code, "InvalidDigest");
    let bad_md5 = w
        .raw(
            "POST",
            "bkt",
            None,
            &[("delete", None)],
            &[("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==")],
            body,
        )
        .unwrap_err();
    assert_eq!(bad_md5.code, "InvalidDigest");
    let wrong_root = b"<Remove><Object><Key>a</Key></Object></Remove>";
    let e = w
        .raw(
            "POST",
            "bkt",
            None,
            &[("delete", None)],
            &[("Content-MD5", &md5(wrong_root))],
            wrong_root,
        )
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.ec.as_deref()),
        ("MalformedXML", Some("0016-00000608"))
    );
    assert!(e
        .extra
        .iter()
        .any(|(n, v)| n == "ErrorDetail" && v == "the root node is not named Delete."));
    let broken = b"<Delete><Object><Key>a</Key></Obj";
    assert_eq!(
        w.raw(
            "POST",
            "bkt",
            None,
            &[("delete", None)],
            &[("Content-MD5", &md5(broken))],
            broken
        )
        .unwrap_err()
        .code,
        "MalformedXML"
    );
    let mut many = String::from("<Delete>");
    for i in 0..1001 {
        many.push_str(&format!("<Object><Key>k{i}</Key></Object>"));
    }
    many.push_str("</Delete>");
    let e = w
        .raw(
            "POST",
            "bkt",
            None,
            &[("delete", None)],
            &[("Content-MD5", &md5(many.as_bytes()))],
            many.as_bytes(),
        )
        .unwrap_err();
    assert_eq!(e.code, "MalformedXML");
    let quiet = b"<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>";
    let r = w
        .raw(
            "POST",
            "bkt",
            None,
            &[("delete", None)],
            &[("Content-MD5", &md5(quiet))],
            quiet,
        )
        .unwrap();
    assert!(r.body.is_empty(), "quiet mode answers with no body");
    let odd = b"<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>";
    assert_eq!(
        w.raw(
            "POST",
            "bkt",
            None,
            &[("delete", None)],
            &[("Content-MD5", &md5(odd))],
            odd
        )
        .unwrap_err()
        .ec
        .as_deref(),
        Some("0016-00000610")
    );
}

#[test]
fn verbose_delete_reports_markers_and_versions() {
    let mut w = World::new();
    w.call(&request::put_bucket("bkt", None)).unwrap();
    w.call(&request::put_bucket_versioning("bkt", true))
        .unwrap();
    let v1 = w
        .call(&request::put_object("bkt", "k", b"1".to_vec()))
        .unwrap();
    let v1 = v1
        .headers
        .iter()
        .find(|(n, _)| n == "x-oss-version-id")
        .unwrap()
        .1
        .clone();
    let plain = w
        .call(
            &request::delete_multiple_objects(
                "bkt",
                &[crate::oss::model::ObjectIdentifier::key("k")],
            )
            .unwrap(),
        )
        .unwrap();
    let text = String::from_utf8(plain.body).unwrap();
    let parsed = crate::oss::parse::delete_result(&text).unwrap();
    assert!(
        parsed[0].delete_marker && parsed[0].delete_marker_version_id.is_some(),
        "{text}"
    );
    let marker = parsed[0].delete_marker_version_id.clone().unwrap();
    let ids = [
        crate::oss::model::ObjectIdentifier::version("k", &marker),
        crate::oss::model::ObjectIdentifier::version("k", &v1),
    ];
    let r = w
        .call(&request::delete_multiple_objects("bkt", &ids).unwrap())
        .unwrap();
    let parsed = crate::oss::parse::delete_result(&String::from_utf8(r.body).unwrap()).unwrap();
    assert_eq!(
        crate::oss::parse::match_deleted(&ids, &parsed)
            .iter()
            .filter(|o| matches!(o, crate::oss::model::KeyOutcome::Deleted(_)))
            .count(),
        2
    );
    assert!(parsed[0].delete_marker && !parsed[1].delete_marker);
    assert!(w.store.buckets["bkt"].contents().is_empty());
}

#[test]
fn unsupported_requests_answer_not_implemented_and_bad_input_is_oss_shaped() {
    let mut w = World::new();
    w.call(&request::put_bucket("bkt", None)).unwrap();
    let e = w
        .raw(
            "PUT",
            "bkt",
            None,
            &[("cors", None)],
            &[],
            b"<CORSConfiguration/>",
        )
        .unwrap_err();
    assert_eq!((e.status, e.code.as_str()), (501, "NotImplemented"));
    assert_eq!(
        w.raw("POST", "bkt", None, &[], &[], b"").unwrap_err().code,
        "NotImplemented"
    );
    assert_eq!(
        w.raw("GET", "bkt", None, &[("max-keys", Some("5000"))], &[], b"")
            .unwrap_err()
            .code,
        "InvalidArgument"
    );
    assert_eq!(
        w.raw(
            "GET",
            "bkt",
            None,
            &[("versions", None), ("version-id-marker", Some("x"))],
            &[],
            b""
        )
        .unwrap_err()
        .code,
        "InvalidArgument"
    );
    assert_eq!(
        w.raw(
            "GET",
            "bkt",
            None,
            &[
                ("list-type", Some("2")),
                ("continuation-token", Some("!!!"))
            ],
            &[],
            b""
        )
        .unwrap_err()
        .code,
        "InvalidArgument"
    );
    assert_eq!(
        w.raw(
            "PUT",
            "bkt",
            None,
            &[("lifecycle", None)],
            &[],
            b"<Lifecycle"
        )
        .unwrap_err()
        .code,
        "MalformedXML"
    );
    let both = b"<LifecycleConfiguration><Rule><ID>x</ID><Prefix></Prefix><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>";
    assert_eq!(
        w.raw("PUT", "bkt", None, &[("lifecycle", None)], &[], both)
            .unwrap_err()
            .ec
            .as_deref(),
        Some("0014-00000059")
    );
    assert_eq!(
        w.raw("PUT", "bkt", Some("/abs"), &[], &[], b"")
            .unwrap_err()
            .code,
        "InvalidObjectName"
    );
    assert_eq!(
        w.call(&request::put_bucket("bkt", None)).unwrap_err().code,
        "BucketAlreadyExists"
    );
    assert_eq!(
        w.code(&request::get_bucket_lifecycle("bkt")),
        "NoSuchLifecycle"
    );
    assert_eq!(
        w.code(&request::get_bucket_worm("bkt")),
        "NoSuchWORMConfiguration"
    );
    assert_eq!(
        w.code(&request::get_bucket_replication("bkt")),
        "NoSuchReplicationConfiguration"
    );
}

#[test]
fn listings_encode_keys_when_asked() {
    let mut w = World::new();
    w.call(&request::put_bucket("bkt", None)).unwrap();
    let key = "dir/a b+c%\u{1}é";
    w.call(&request::put_object("bkt", key, b"x".to_vec()))
        .unwrap();
    let r = w
        .call(&request::list_objects_v2("bkt", None, None, 1000))
        .unwrap();
    let text = String::from_utf8(r.body).unwrap();
    assert!(
        text.contains("<Key>dir%2Fa%20b%2Bc%25%01%C3%A9</Key>"),
        "{text}"
    );
    assert_eq!(
        crate::oss::parse::list_objects_v2(&text).unwrap().objects[0].key,
        key
    );
}

#[test]
fn worm_protects_objects_until_retention_ends() {
    let mut w = World::new();
    w.call(&request::put_bucket("bkt", None)).unwrap();
    w.call(&request::put_object("bkt", "ledger.pdf", b"x".to_vec()))
        .unwrap();
    let init = b"<InitiateWormConfiguration><RetentionPeriodInDays>30</RetentionPeriodInDays></InitiateWormConfiguration>";
    let id = w
        .raw("POST", "bkt", None, &[("worm", None)], &[], init)
        .unwrap()
        .headers
        .iter()
        .find(|(n, _)| n == "x-oss-worm-id")
        .unwrap()
        .1
        .clone();
    w.raw("POST", "bkt", None, &[("wormId", Some(&id))], &[], b"")
        .unwrap();
    assert_eq!(
        w.code(&request::delete_object("bkt", "ledger.pdf", None)),
        "AccessDenied"
    );
    let r = w
        .call(
            &request::delete_multiple_objects(
                "bkt",
                &[crate::oss::model::ObjectIdentifier::key("ledger.pdf")],
            )
            .unwrap(),
        )
        .unwrap();
    assert!(
        crate::oss::parse::delete_result(&String::from_utf8(r.body).unwrap())
            .unwrap()
            .is_empty(),
        "a protected key is left out of Deleted"
    );
    assert_eq!(
        w.raw("DELETE", "bkt", None, &[("worm", None)], &[], b"")
            .unwrap_err()
            .code,
        "WORMConfigurationLocked"
    );
}

#[test]
fn vector_buckets_hold_indexes_that_delete_asynchronously() {
    use crate::oss::vectors as v;
    let mut e = World::new();
    assert_eq!(e.call(&v::put_vector_bucket("vec")).unwrap().status, 200);
    let put_index = |name: &str| {
        let mut r = v::put_vector_bucket("vec");
        r.method = "POST";
        r.op = "PutVectorIndex";
        r.query = vec![("putVectorIndex".into(), None)];
        r.headers.clear();
        r.body = serde_json::json!({"indexName": name, "dataType": "float32", "dimension": 4, "distanceMetric": "cosine"})
                .to_string()
                .into_bytes();
        r
    };
    e.call(&put_index("a")).unwrap();
    e.call(&put_index("b")).unwrap();
    let err = e.call(&put_index("a")).unwrap_err();
    assert_eq!(err.status, 409);
    let list = |e: &mut World| {
        let reply = e
            .call(&v::list_vector_indexes("vec", None, None, None))
            .unwrap();
        v::parse_vector_indexes(std::str::from_utf8(&reply.body).unwrap()).unwrap()
    };
    assert_eq!(list(&mut e).indexes.len(), 2);
    // Paging by nextToken.
    let reply = e
        .call(&v::list_vector_indexes("vec", None, None, Some(1)))
        .unwrap();
    let page = v::parse_vector_indexes(std::str::from_utf8(&reply.body).unwrap()).unwrap();
    assert_eq!(
        (page.indexes.len(), page.next_token.as_deref()),
        (1, Some("a"))
    );
    let err = e.call(&v::delete_vector_bucket("vec")).unwrap_err();
    assert_eq!(
        (err.status, err.code.as_str()),
        (409, "VectorBucketNotEmpty")
    );
    assert_eq!(
        e.call(&v::delete_vector_index("vec", "a")).unwrap().status,
        204
    );
    let page = list(&mut e);
    assert_eq!(page.indexes[0].status, "deleting", "deletion takes a while");
    e.call(&v::delete_vector_index("vec", "b")).unwrap();
    assert!(
        e.call(&v::delete_vector_bucket("vec")).is_err(),
        "still deleting"
    );
    e.now_ms += 1_000;
    assert!(list(&mut e).indexes.is_empty());
    assert_eq!(e.call(&v::delete_vector_bucket("vec")).unwrap().status, 204);
    let err = e.call(&v::get_vector_bucket("vec")).unwrap_err();
    assert_eq!((err.status, err.code.as_str()), (404, "NoSuchBucket"));
    // A wrong Content-MD5 is refused, as on OSS.
    let mut bad = v::list_vector_buckets(None, None, 10);
    bad.headers = vec![("Content-MD5".into(), "AAAAAAAAAAAAAAAAAAAAAA==".into())];
    assert_eq!(e.call(&bad).unwrap_err().code, "InvalidDigest");
}
