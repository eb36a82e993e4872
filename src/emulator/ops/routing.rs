//! Which OSS operation a request names: the method, the bucket and key, and
//! the sub-resources, as OSS routes them (pure).

use super::Request;
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

/// The OSS operation a request names (for routing, logs and fault rules).
pub fn op_name(r: &Request) -> &'static str {
    if r.vectors.is_some() {
        return crate::emulator::vectors::op_name(r);
    }
    let m = r.method.as_str();
    match (&r.bucket, &r.key) {
        (None, _) => match m {
            "GET" if r.has("accessPoint") => "ListAccessPoints",
            "GET" if r.has("regions") => "DescribeRegions",
            "GET" => "ListBuckets",
            _ => "Unknown",
        },
        (Some(_), None) => {
            let pick = |get: &'static str, put: &'static str, del: &'static str| match m {
                "GET" => get,
                "PUT" => put,
                "DELETE" => del,
                _ => "Unknown",
            };
            if r.has("acl") {
                pick("GetBucketAcl", "Unknown", "Unknown")
            } else if r.has("bucketInfo") {
                pick("GetBucketInfo", "Unknown", "Unknown")
            } else if r.has("location") {
                pick("GetBucketLocation", "Unknown", "Unknown")
            } else if r.has("stat") {
                pick("GetBucketStat", "Unknown", "Unknown")
            } else if r.has("versioning") {
                pick("GetBucketVersioning", "PutBucketVersioning", "Unknown")
            } else if r.has("versions") {
                pick("ListObjectVersions", "Unknown", "Unknown")
            } else if r.has("uploads") {
                pick("ListMultipartUploads", "Unknown", "Unknown")
            } else if r.has("live") {
                pick("ListLiveChannel", "Unknown", "Unknown")
            } else if r.has("accessPointPolicy") {
                pick(
                    "GetAccessPointPolicy",
                    "PutAccessPointPolicy",
                    "DeleteAccessPointPolicy",
                )
            } else if r.has("accessPoint") {
                match m {
                    "GET" if r.header("x-oss-access-point-name").is_some() => "GetAccessPoint",
                    "GET" => "ListAccessPoints",
                    "PUT" => "CreateAccessPoint",
                    "DELETE" => "DeleteAccessPoint",
                    _ => "Unknown",
                }
            } else if r.has("replication") {
                match (m, r.param("comp")) {
                    ("GET", _) => "GetBucketReplication",
                    ("POST", Some("add")) => "PutBucketReplication",
                    ("POST", Some("delete")) => "DeleteBucketReplication",
                    _ => "Unknown",
                }
            } else if r.has("wormExtend") {
                if m == "POST" {
                    "ExtendBucketWorm"
                } else {
                    "Unknown"
                }
            } else if r.has("wormId") {
                if m == "POST" {
                    "CompleteBucketWorm"
                } else {
                    "Unknown"
                }
            } else if r.has("worm") {
                match m {
                    "GET" => "GetBucketWorm",
                    "POST" => "InitiateBucketWorm",
                    "DELETE" => "AbortBucketWorm",
                    _ => "Unknown",
                }
            } else if r.has("website") {
                pick(
                    "GetBucketWebsite",
                    "PutBucketWebsite",
                    "DeleteBucketWebsite",
                )
            } else if r.has("cname") {
                match (m, r.param("comp")) {
                    ("GET", _) => "ListCname",
                    ("POST", Some("add")) => "PutCname",
                    ("POST", Some("delete")) => "DeleteCname",
                    _ => "Unknown",
                }
            } else if r.has("policy") {
                pick("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy")
            } else if r.has("lifecycle") {
                pick(
                    "GetBucketLifecycle",
                    "PutBucketLifecycle",
                    "DeleteBucketLifecycle",
                )
            } else if r.has("dataAccelerator") {
                pick(
                    "GetBucketDataAccelerator",
                    "PutBucketDataAccelerator",
                    "DeleteBucketDataAccelerator",
                )
            } else if r.has("delete") {
                if m == "POST" {
                    "DeleteMultipleObjects"
                } else {
                    "Unknown"
                }
            } else if unsupported_subresource(r).is_some() {
                "Unknown"
            } else {
                match m {
                    "GET" if r.param("list-type") == Some("2") => "ListObjectsV2",
                    "GET" => "ListObjects",
                    "PUT" => "PutBucket",
                    "DELETE" => "DeleteBucket",
                    _ => "Unknown",
                }
            }
        }
        (Some(_), Some(_)) => {
            if r.has("acl") {
                if m == "GET" {
                    "GetObjectAcl"
                } else {
                    "Unknown"
                }
            } else if r.has("objectMeta") {
                if m == "HEAD" || m == "GET" {
                    "GetObjectMeta"
                } else {
                    "Unknown"
                }
            } else if r.has("live") {
                match m {
                    "PUT" if r.has("status") => "PutLiveChannelStatus",
                    "PUT" => "PutLiveChannel",
                    "GET" if r.param("comp") == Some("stat") => "GetLiveChannelStat",
                    "GET" => "GetLiveChannelInfo",
                    "DELETE" => "DeleteLiveChannel",
                    _ => "Unknown",
                }
            } else if r.has("uploads") {
                if m == "POST" {
                    "InitiateMultipartUpload"
                } else {
                    "Unknown"
                }
            } else if r.has("uploadId") {
                match m {
                    "PUT" if r.has("partNumber") => "UploadPart",
                    "POST" => "CompleteMultipartUpload",
                    "DELETE" => "AbortMultipartUpload",
                    "GET" => "ListParts",
                    _ => "Unknown",
                }
            } else if unsupported_subresource(r).is_some() {
                "Unknown"
            } else {
                match m {
                    "PUT" => "PutObject",
                    "GET" => "GetObject",
                    "HEAD" => "HeadObject",
                    "DELETE" => "DeleteObject",
                    _ => "Unknown",
                }
            }
        }
    }
}

pub(super) fn unsupported_subresource(r: &Request) -> Option<&str> {
    r.query.iter().map(|(n, _)| n.as_str()).find(|n| {
        V1_SUBRESOURCES.contains(n) && !IMPLEMENTED.contains(n) && !n.starts_with("response-")
    })
}
