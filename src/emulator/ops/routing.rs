//! Which OSS operation a request names: the method, the bucket and key, and
//! the sub-resources, as OSS routes them (pure).

use super::Request;
use crate::emulator::op::Op;
use crate::oss::sign::V1_SUBRESOURCES;

/// Sub-resources this emulator implements; other known ones answer NotImplemented.
const IMPLEMENTED: &[&str] = &[
    "acl",
    "objectMeta",
    "bucketInfo",
    "location",
    "stat",
    "versioning",
    "versions",
    "uploads",
    "uploadId",
    "partNumber",
    "delete",
    "live",
    "status",
    "comp",
    "accessPoint",
    "accessPointPolicy",
    "replication",
    "worm",
    "wormId",
    "wormExtend",
    "website",
    "cname",
    "policy",
    "lifecycle",
    "dataAccelerator",
    "versionId",
    "continuation-token",
    "security-token",
];

/// The OSS operation a request names, as OSS routes it (`None`: no
/// operation the emulator knows).
pub fn route(r: &Request) -> Option<Op> {
    if r.vectors.is_some() {
        return vector_route(r);
    }
    let m = r.method.as_str();
    match (&r.bucket, &r.key) {
        (None, _) => match m {
            "GET" if r.has("accessPoint") => Some(Op::ListAccessPoints),
            "GET" if r.has("regions") => Some(Op::DescribeRegions),
            "GET" => Some(Op::ListBuckets),
            _ => None,
        },
        (Some(_), None) => bucket_route(r, m),
        (Some(_), Some(_)) => object_route(r, m),
    }
}

/// How a bucket sub-resource's operation follows from the request.
enum Rule {
    /// By method alone: GET, PUT, DELETE, POST.
    Method([Option<Op>; 4]),
    /// POST with `comp=add` or `comp=delete`; GET lists.
    Comp { get: Op, add: Op, delete: Op },
    /// The access point named by a header (GET with one; without: the list).
    AccessPoint,
}

const fn get(op: Op) -> Rule {
    Rule::Method([Some(op), None, None, None])
}

const fn get_put_delete(g: Op, p: Option<Op>, d: Option<Op>) -> Rule {
    Rule::Method([Some(g), p, d, None])
}

const fn post(op: Op) -> Rule {
    Rule::Method([None, None, None, Some(op)])
}

/// The bucket sub-resources, in the order they are looked for.
const BUCKET_ROUTES: &[(&str, Rule)] = &[
    ("acl", get(Op::GetBucketAcl)),
    ("bucketInfo", get(Op::GetBucketInfo)),
    ("location", get(Op::GetBucketLocation)),
    ("stat", get(Op::GetBucketStat)),
    (
        "versioning",
        get_put_delete(Op::GetBucketVersioning, Some(Op::PutBucketVersioning), None),
    ),
    ("versions", get(Op::ListObjectVersions)),
    ("uploads", get(Op::ListMultipartUploads)),
    ("live", get(Op::ListLiveChannel)),
    (
        "accessPointPolicy",
        get_put_delete(
            Op::GetAccessPointPolicy,
            Some(Op::PutAccessPointPolicy),
            Some(Op::DeleteAccessPointPolicy),
        ),
    ),
    ("accessPoint", Rule::AccessPoint),
    (
        "replication",
        Rule::Comp {
            get: Op::GetBucketReplication,
            add: Op::PutBucketReplication,
            delete: Op::DeleteBucketReplication,
        },
    ),
    ("wormExtend", post(Op::ExtendBucketWorm)),
    ("wormId", post(Op::CompleteBucketWorm)),
    (
        "worm",
        Rule::Method([
            Some(Op::GetBucketWorm),
            None,
            Some(Op::AbortBucketWorm),
            Some(Op::InitiateBucketWorm),
        ]),
    ),
    (
        "website",
        get_put_delete(
            Op::GetBucketWebsite,
            Some(Op::PutBucketWebsite),
            Some(Op::DeleteBucketWebsite),
        ),
    ),
    (
        "cname",
        Rule::Comp {
            get: Op::ListCname,
            add: Op::PutCname,
            delete: Op::DeleteCname,
        },
    ),
    (
        "policy",
        get_put_delete(
            Op::GetBucketPolicy,
            Some(Op::PutBucketPolicy),
            Some(Op::DeleteBucketPolicy),
        ),
    ),
    (
        "lifecycle",
        get_put_delete(
            Op::GetBucketLifecycle,
            Some(Op::PutBucketLifecycle),
            Some(Op::DeleteBucketLifecycle),
        ),
    ),
    (
        "dataAccelerator",
        get_put_delete(
            Op::GetBucketDataAccelerator,
            Some(Op::PutBucketDataAccelerator),
            Some(Op::DeleteBucketDataAccelerator),
        ),
    ),
    ("delete", post(Op::DeleteMultipleObjects)),
];

/// A request to a bucket (no key): its first sub-resource in
/// [`BUCKET_ROUTES`], else the bucket itself.
fn bucket_route(r: &Request, m: &str) -> Option<Op> {
    if let Some((_, rule)) = BUCKET_ROUTES.iter().find(|(sub, _)| r.has(sub)) {
        return match rule {
            Rule::Method([get, put, delete, post]) => match m {
                "GET" => *get,
                "PUT" => *put,
                "DELETE" => *delete,
                "POST" => *post,
                _ => None,
            },
            Rule::Comp { get, add, delete } => match (m, r.param("comp")) {
                ("GET", _) => Some(*get),
                ("POST", Some("add")) => Some(*add),
                ("POST", Some("delete")) => Some(*delete),
                _ => None,
            },
            Rule::AccessPoint => match m {
                "GET" if r.header("x-oss-access-point-name").is_some() => Some(Op::GetAccessPoint),
                "GET" => Some(Op::ListAccessPoints),
                "PUT" => Some(Op::CreateAccessPoint),
                "DELETE" => Some(Op::DeleteAccessPoint),
                _ => None,
            },
        };
    }
    if unsupported_subresource(r).is_some() {
        return None;
    }
    match m {
        "GET" if r.param("list-type") == Some("2") => Some(Op::ListObjectsV2),
        "GET" => Some(Op::ListObjects),
        "PUT" => Some(Op::PutBucket),
        "DELETE" => Some(Op::DeleteBucket),
        _ => None,
    }
}

/// A request to an object.
fn object_route(r: &Request, m: &str) -> Option<Op> {
    if r.has("acl") {
        if m == "GET" {
            Some(Op::GetObjectAcl)
        } else {
            None
        }
    } else if r.has("objectMeta") {
        if m == "HEAD" || m == "GET" {
            Some(Op::GetObjectMeta)
        } else {
            None
        }
    } else if r.has("live") {
        match m {
            "PUT" if r.has("status") => Some(Op::PutLiveChannelStatus),
            "PUT" => Some(Op::PutLiveChannel),
            "GET" if r.param("comp") == Some("stat") => Some(Op::GetLiveChannelStat),
            "GET" => Some(Op::GetLiveChannelInfo),
            "DELETE" => Some(Op::DeleteLiveChannel),
            _ => None,
        }
    } else if r.has("uploads") {
        if m == "POST" {
            Some(Op::InitiateMultipartUpload)
        } else {
            None
        }
    } else if r.has("uploadId") {
        match m {
            "PUT" if r.has("partNumber") => Some(Op::UploadPart),
            "POST" => Some(Op::CompleteMultipartUpload),
            "DELETE" => Some(Op::AbortMultipartUpload),
            "GET" => Some(Op::ListParts),
            _ => None,
        }
    } else if unsupported_subresource(r).is_some() {
        None
    } else {
        match m {
            "PUT" => Some(Op::PutObject),
            "GET" => Some(Op::GetObject),
            "HEAD" => Some(Op::HeadObject),
            "DELETE" => Some(Op::DeleteObject),
            _ => None,
        }
    }
}

/// The operation a Vectors request names.
fn vector_route(r: &Request) -> Option<Op> {
    let m = r.method.as_str();
    match (&r.bucket, m) {
        (None, "GET") => Some(Op::ListVectorBuckets),
        (None, _) => None,
        (Some(_), "PUT") if r.query.is_empty() => Some(Op::PutVectorBucket),
        (Some(_), "DELETE") if r.query.is_empty() => Some(Op::DeleteVectorBucket),
        (Some(_), "GET") if r.has("bucketInfo") => Some(Op::GetVectorBucket),
        (Some(_), "POST") => {
            const OPS: [(&str, Op); 9] = [
                ("putVectorIndex", Op::PutVectorIndex),
                ("getVectorIndex", Op::GetVectorIndex),
                ("listVectorIndexes", Op::ListVectorIndexes),
                ("deleteVectorIndex", Op::DeleteVectorIndex),
                ("putVectors", Op::PutVectors),
                ("getVectors", Op::GetVectors),
                ("listVectors", Op::ListVectors),
                ("deleteVectors", Op::DeleteVectors),
                ("queryVectors", Op::QueryVectors),
            ];
            OPS.iter().find(|(sub, _)| r.has(sub)).map(|(_, op)| *op)
        }
        _ => None,
    }
}

pub(super) fn unsupported_subresource(r: &Request) -> Option<&str> {
    r.query.iter().map(|(n, _)| n.as_str()).find(|n| {
        V1_SUBRESOURCES.contains(n) && !IMPLEMENTED.contains(n) && !n.starts_with("response-")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, bucket: Option<&str>, key: Option<&str>, query: &str) -> Request {
        Request {
            method: method.into(),
            host: "127.0.0.1".into(),
            bucket: bucket.map(str::to_string),
            key: key.map(str::to_string),
            query: query
                .split('&')
                .filter(|q| !q.is_empty())
                .map(|q| match q.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (q.to_string(), None),
                })
                .collect(),
            headers: Vec::new(),
            body: Vec::new(),
            region: None,
            vectors: None,
        }
    }

    #[test]
    fn requests_route_to_their_operation_as_oss_routes_them() {
        let b = Some("bkt");
        let k = Some("a/b.txt");
        for (method, bucket, key, query, want) in [
            ("GET", None, None, "", Some(Op::ListBuckets)),
            ("GET", None, None, "regions", Some(Op::DescribeRegions)),
            ("GET", b, None, "acl", Some(Op::GetBucketAcl)),
            ("PUT", b, None, "acl", None),
            ("PUT", b, None, "versioning", Some(Op::PutBucketVersioning)),
            (
                "POST",
                b,
                None,
                "replication&comp=add",
                Some(Op::PutBucketReplication),
            ),
            (
                "POST",
                b,
                None,
                "replication&comp=delete",
                Some(Op::DeleteBucketReplication),
            ),
            ("POST", b, None, "worm", Some(Op::InitiateBucketWorm)),
            ("POST", b, None, "wormExtend", Some(Op::ExtendBucketWorm)),
            ("POST", b, None, "wormId=1", Some(Op::CompleteBucketWorm)),
            ("DELETE", b, None, "worm", Some(Op::AbortBucketWorm)),
            ("GET", b, None, "accessPoint", Some(Op::ListAccessPoints)),
            (
                "DELETE",
                b,
                None,
                "accessPointPolicy",
                Some(Op::DeleteAccessPointPolicy),
            ),
            ("GET", b, None, "cname", Some(Op::ListCname)),
            ("POST", b, None, "delete", Some(Op::DeleteMultipleObjects)),
            ("GET", b, None, "delete", None),
            ("GET", b, None, "list-type=2", Some(Op::ListObjectsV2)),
            ("GET", b, None, "", Some(Op::ListObjects)),
            ("DELETE", b, None, "", Some(Op::DeleteBucket)),
            ("GET", b, None, "inventory", None),
            (
                "PUT",
                b,
                k,
                "live&status=enabled",
                Some(Op::PutLiveChannelStatus),
            ),
            ("GET", b, k, "live&comp=stat", Some(Op::GetLiveChannelStat)),
            ("GET", b, k, "uploadId=U", Some(Op::ListParts)),
            ("PUT", b, k, "uploadId=U&partNumber=1", Some(Op::UploadPart)),
            ("HEAD", b, k, "", Some(Op::HeadObject)),
            ("DELETE", b, k, "", Some(Op::DeleteObject)),
        ] {
            assert_eq!(
                route(&request(method, bucket, key, query)),
                want,
                "{method} {bucket:?} {key:?} ?{query}"
            );
        }
        let mut vector = request("POST", b, None, "putVectorIndex");
        vector.vectors = Some(crate::emulator::protocol::VectorAddress {
            region: "cn-hangzhou".into(),
            bucket: b.map(str::to_string),
            account: None,
        });
        assert_eq!(route(&vector), Some(Op::PutVectorIndex));
    }
}
