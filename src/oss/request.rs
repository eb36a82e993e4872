//! One builder per OSS operation: pure functions returning an [`OssRequest`].
//! Query values are unencoded here; encoding happens once, when the URL is built.

use base64::Engine;
use md5::{Digest, Md5};

use super::error::OssError;
use super::model::ObjectIdentifier;
use super::xml;

pub const MAX_DELETE_KEYS: usize = 1000;
pub const MAX_DELETE_BODY: usize = 2 * 1024 * 1024;
pub const MAX_PAGE: u32 = 1000;

/// Which OSS surface a request is for: hosts, addressing and signing differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Service {
    #[default]
    Oss,
    /// OSS Vectors (oss-api.md §13): `<bucket>-<account>.<region>.oss-vectors...`.
    Vectors,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssRequest {
    pub service: Service,
    /// A read (whatever the method): a reply that does not parse is asked for again.
    pub read: bool,
    /// The OSS operation name, as in the API reference.
    pub op: &'static str,
    /// The RAM permission the call needs, for AccessDenied hints.
    pub permission: &'static str,
    pub method: &'static str,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub query: Vec<(String, Option<String>)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl OssRequest {
    pub(crate) fn new(
        op: &'static str,
        permission: &'static str,
        method: &'static str,
        bucket: Option<&str>,
    ) -> Self {
        OssRequest {
            service: Service::Oss,
            read: matches!(method, "GET" | "HEAD"),
            op,
            permission,
            method,
            bucket: bucket.map(str::to_string),
            key: None,
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub(crate) fn sub(mut self, name: &str) -> Self {
        self.query.push((name.to_string(), None));
        self
    }

    pub(crate) fn param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_string(), Some(value.into())));
        self
    }

    pub(crate) fn opt_param(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) if !v.is_empty() => self.param(name, v),
            _ => self,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn object(mut self, key: &str) -> Self {
        self.key = Some(key.to_string());
        self
    }

    /// Attaches a body with its Content-MD5 (mandatory for DeleteMultipleObjects).
    pub(crate) fn body(mut self, content_type: &str, body: Vec<u8>) -> Self {
        let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&body));
        self.headers
            .push(("Content-Type".into(), content_type.into()));
        self.headers.push(("Content-MD5".into(), md5));
        self.body = body;
        self
    }

    /// The Content-MD5 of an empty body, which the Vectors SDKs always send.
    pub(crate) fn empty_body_md5(mut self) -> Self {
        let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest([]));
        self.headers.push(("Content-MD5".into(), md5));
        self
    }
}

/// Lower-case letters, digits and `-`, not at either end, `len` characters: the
/// shape of bucket names of both kinds (oss-api.md §1.6).
pub(crate) fn name_shape_ok(name: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// OSS bucket naming rules (oss-api.md §1.6), checked before any request.
pub fn validate_bucket_name(name: &str) -> Result<(), OssError> {
    if name_shape_ok(name, 3..=63) {
        Ok(())
    } else {
        Err(OssError::InvalidInput(format!(
            "{name:?} is not a valid OSS bucket name: use 3-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit"
        )))
    }
}

fn page_size(max: u32) -> String {
    max.clamp(1, MAX_PAGE).to_string()
}

pub fn list_buckets(prefix: Option<&str>, marker: Option<&str>, max_keys: u32) -> OssRequest {
    OssRequest::new("ListBuckets", "oss:ListBuckets", "GET", None)
        .opt_param("prefix", prefix)
        .opt_param("marker", marker)
        .param("max-keys", page_size(max_keys))
}

pub fn get_bucket_info(bucket: &str) -> OssRequest {
    OssRequest::new("GetBucketInfo", "oss:GetBucketInfo", "GET", Some(bucket)).sub("bucketInfo")
}

pub fn get_bucket_location(bucket: &str) -> OssRequest {
    OssRequest::new(
        "GetBucketLocation",
        "oss:GetBucketLocation",
        "GET",
        Some(bucket),
    )
    .sub("location")
}

pub fn get_bucket_stat(bucket: &str) -> OssRequest {
    OssRequest::new("GetBucketStat", "oss:GetBucketStat", "GET", Some(bucket)).sub("stat")
}

pub fn get_bucket_versioning(bucket: &str) -> OssRequest {
    OssRequest::new(
        "GetBucketVersioning",
        "oss:GetBucketVersioning",
        "GET",
        Some(bucket),
    )
    .sub("versioning")
}

pub fn list_objects_v2(
    bucket: &str,
    prefix: Option<&str>,
    continuation_token: Option<&str>,
    max_keys: u32,
) -> OssRequest {
    OssRequest::new("ListObjectsV2", "oss:ListObjects", "GET", Some(bucket))
        .param("list-type", "2")
        .opt_param("prefix", prefix)
        .opt_param("continuation-token", continuation_token)
        .param("max-keys", page_size(max_keys))
        .param("encoding-type", "url")
}

/// ListObjects (V1), from after `marker`: for endpoints that do not
/// understand ListObjectsV2.
pub fn list_objects_v1(
    bucket: &str,
    prefix: Option<&str>,
    marker: Option<&str>,
    max_keys: u32,
) -> OssRequest {
    OssRequest::new("ListObjects", "oss:ListObjects", "GET", Some(bucket))
        .opt_param("prefix", prefix)
        .opt_param("marker", marker)
        .param("max-keys", page_size(max_keys))
        .param("encoding-type", "url")
}

/// ListObjectsV2 starting after `start_after` (a range of a split listing).
pub fn list_objects_v2_after(
    bucket: &str,
    prefix: Option<&str>,
    start_after: &str,
    max_keys: u32,
) -> OssRequest {
    let mut r = list_objects_v2(bucket, prefix, None, max_keys);
    r.query.insert(
        2,
        ("start-after".to_string(), Some(start_after.to_string())),
    );
    r
}

pub fn list_object_versions(
    bucket: &str,
    prefix: Option<&str>,
    key_marker: Option<&str>,
    version_id_marker: Option<&str>,
    max_keys: u32,
) -> OssRequest {
    let r = OssRequest::new(
        "ListObjectVersions",
        "oss:ListObjectVersions",
        "GET",
        Some(bucket),
    )
    .sub("versions")
    .opt_param("prefix", prefix)
    .opt_param("key-marker", key_marker);
    // version-id-marker is only valid together with key-marker.
    let r = if key_marker.is_some() {
        r.opt_param("version-id-marker", version_id_marker)
    } else {
        r
    };
    r.param("max-keys", page_size(max_keys))
        .param("encoding-type", "url")
}

pub fn delete_object(bucket: &str, key: &str, version_id: Option<&str>) -> OssRequest {
    let permission = if version_id.is_some() {
        "oss:DeleteObjectVersion"
    } else {
        "oss:DeleteObject"
    };
    OssRequest::new("DeleteObject", permission, "DELETE", Some(bucket))
        .object(key)
        .opt_param("versionId", version_id)
}

/// The `<Delete>` body: verbose mode, raw keys escaped, `VersionId` where given.
pub fn delete_body(objects: &[ObjectIdentifier], quiet: bool) -> String {
    let mut w = xml::Writer::new();
    w.open("Delete")
        .leaf("Quiet", if quiet { "true" } else { "false" });
    for o in objects {
        w.open("Object").leaf("Key", &o.key);
        if let Some(v) = &o.version_id {
            w.leaf("VersionId", v);
        }
        w.close("Object");
    }
    w.close("Delete");
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", w.finish())
}

/// DeleteMultipleObjects in verbose mode (every requested key must come back in
/// `Deleted`). 1-1000 keys and a body of at most 2 MB.
pub fn delete_multiple_objects(
    bucket: &str,
    objects: &[ObjectIdentifier],
) -> Result<OssRequest, OssError> {
    if objects.is_empty() || objects.len() > MAX_DELETE_KEYS {
        return Err(OssError::InvalidInput(format!(
            "DeleteMultipleObjects takes 1 to 1000 keys, not {}",
            objects.len()
        )));
    }
    let body = delete_body(objects, false);
    if body.len() > MAX_DELETE_BODY {
        return Err(OssError::InvalidInput(format!(
            "DeleteMultipleObjects body of {} bytes exceeds the 2 MB limit; split the batch",
            body.len()
        )));
    }
    let versioned = objects.iter().any(|o| o.version_id.is_some());
    let permission = if versioned {
        "oss:DeleteObjectVersion"
    } else {
        "oss:DeleteObject"
    };
    Ok(
        OssRequest::new("DeleteMultipleObjects", permission, "POST", Some(bucket))
            .sub("delete")
            .param("encoding-type", "url")
            .body("application/xml", body.into_bytes()),
    )
}

pub fn list_multipart_uploads(
    bucket: &str,
    prefix: Option<&str>,
    key_marker: Option<&str>,
    upload_id_marker: Option<&str>,
    max_uploads: u32,
) -> OssRequest {
    OssRequest::new(
        "ListMultipartUploads",
        "oss:ListMultipartUploads",
        "GET",
        Some(bucket),
    )
    .sub("uploads")
    .opt_param("prefix", prefix)
    .opt_param("key-marker", key_marker)
    .opt_param("upload-id-marker", upload_id_marker)
    .param("max-uploads", page_size(max_uploads))
    .param("encoding-type", "url")
}

pub fn list_parts(bucket: &str, key: &str, upload_id: &str, marker: u32) -> OssRequest {
    OssRequest::new("ListParts", "oss:ListParts", "GET", Some(bucket))
        .object(key)
        .param("uploadId", upload_id)
        .param("max-parts", "1000")
        .param("part-number-marker", marker.to_string())
}

pub fn abort_multipart_upload(bucket: &str, key: &str, upload_id: &str) -> OssRequest {
    OssRequest::new(
        "AbortMultipartUpload",
        "oss:AbortMultipartUpload",
        "DELETE",
        Some(bucket),
    )
    .object(key)
    .param("uploadId", upload_id)
}

pub fn list_live_channel(
    bucket: &str,
    prefix: Option<&str>,
    marker: Option<&str>,
    max_keys: u32,
) -> OssRequest {
    OssRequest::new(
        "ListLiveChannel",
        "oss:ListLiveChannel",
        "GET",
        Some(bucket),
    )
    .sub("live")
    .opt_param("prefix", prefix)
    .opt_param("marker", marker)
    .param("max-keys", page_size(max_keys))
}

pub fn delete_live_channel(bucket: &str, channel: &str) -> OssRequest {
    OssRequest::new(
        "DeleteLiveChannel",
        "oss:DeleteLiveChannel",
        "DELETE",
        Some(bucket),
    )
    .object(channel)
    .sub("live")
}

/// Whether a client is pushing to a LiveChannel now (`Live`, `Idle`, `Disabled`).
pub fn get_live_channel_stat(bucket: &str, channel: &str) -> OssRequest {
    OssRequest::new(
        "GetLiveChannelStat",
        "oss:GetLiveChannelStat",
        "GET",
        Some(bucket),
    )
    .object(channel)
    .sub("live")
    .param("comp", "stat")
}

/// Disables a LiveChannel (a channel that is being pushed to cannot be deleted).
pub fn put_live_channel_status(bucket: &str, channel: &str, enabled: bool) -> OssRequest {
    OssRequest::new(
        "PutLiveChannelStatus",
        "oss:PutLiveChannelStatus",
        "PUT",
        Some(bucket),
    )
    .object(channel)
    .sub("live")
    .param("status", if enabled { "enabled" } else { "disabled" })
}

pub fn list_access_points(
    bucket: &str,
    continuation_token: Option<&str>,
    max_keys: u32,
) -> OssRequest {
    OssRequest::new(
        "ListAccessPoints",
        "oss:ListAccessPoints",
        "GET",
        Some(bucket),
    )
    .sub("accessPoint")
    .opt_param("continuation-token", continuation_token)
    .param("max-keys", max_keys.clamp(1, 100).to_string())
}

fn access_point_op(
    op: &'static str,
    permission: &'static str,
    method: &'static str,
    sub: &str,
    bucket: &str,
    name: &str,
) -> OssRequest {
    OssRequest::new(op, permission, method, Some(bucket))
        .sub(sub)
        .header("x-oss-access-point-name", name)
}

pub fn get_access_point(bucket: &str, name: &str) -> OssRequest {
    access_point_op(
        "GetAccessPoint",
        "oss:GetAccessPoint",
        "GET",
        "accessPoint",
        bucket,
        name,
    )
}

pub fn delete_access_point(bucket: &str, name: &str) -> OssRequest {
    access_point_op(
        "DeleteAccessPoint",
        "oss:DeleteAccessPoint",
        "DELETE",
        "accessPoint",
        bucket,
        name,
    )
}

pub fn get_access_point_policy(bucket: &str, name: &str) -> OssRequest {
    access_point_op(
        "GetAccessPointPolicy",
        "oss:GetAccessPointPolicy",
        "GET",
        "accessPointPolicy",
        bucket,
        name,
    )
}

pub fn delete_access_point_policy(bucket: &str, name: &str) -> OssRequest {
    access_point_op(
        "DeleteAccessPointPolicy",
        "oss:DeleteAccessPointPolicy",
        "DELETE",
        "accessPointPolicy",
        bucket,
        name,
    )
}

pub fn get_bucket_replication(bucket: &str) -> OssRequest {
    OssRequest::new(
        "GetBucketReplication",
        "oss:GetBucketReplication",
        "GET",
        Some(bucket),
    )
    .sub("replication")
}

pub fn get_bucket_worm(bucket: &str) -> OssRequest {
    OssRequest::new("GetBucketWorm", "oss:GetBucketWorm", "GET", Some(bucket)).sub("worm")
}

pub fn get_bucket_website(bucket: &str) -> OssRequest {
    OssRequest::new(
        "GetBucketWebsite",
        "oss:GetBucketWebsite",
        "GET",
        Some(bucket),
    )
    .sub("website")
}

pub fn list_cname(bucket: &str) -> OssRequest {
    OssRequest::new("ListCname", "oss:ListCname", "GET", Some(bucket)).sub("cname")
}

pub fn get_bucket_policy(bucket: &str) -> OssRequest {
    OssRequest::new(
        "GetBucketPolicy",
        "oss:GetBucketPolicy",
        "GET",
        Some(bucket),
    )
    .sub("policy")
}

/// Replaces the bucket's whole policy with `json`.
pub fn put_bucket_policy(bucket: &str, json: &str) -> OssRequest {
    OssRequest::new(
        "PutBucketPolicy",
        "oss:PutBucketPolicy",
        "PUT",
        Some(bucket),
    )
    .sub("policy")
    .body("application/json", json.as_bytes().to_vec())
}

pub fn delete_bucket_policy(bucket: &str) -> OssRequest {
    OssRequest::new(
        "DeleteBucketPolicy",
        "oss:DeleteBucketPolicy",
        "DELETE",
        Some(bucket),
    )
    .sub("policy")
}

pub fn get_bucket_lifecycle(bucket: &str) -> OssRequest {
    OssRequest::new(
        "GetBucketLifecycle",
        "oss:GetBucketLifecycle",
        "GET",
        Some(bucket),
    )
    .sub("lifecycle")
}

/// Replaces the bucket's whole lifecycle configuration with `xml`.
pub fn put_bucket_lifecycle(bucket: &str, xml: &str) -> OssRequest {
    OssRequest::new(
        "PutBucketLifecycle",
        "oss:PutBucketLifecycle",
        "PUT",
        Some(bucket),
    )
    .sub("lifecycle")
    .body("application/xml", xml.as_bytes().to_vec())
}

pub fn delete_bucket_lifecycle(bucket: &str) -> OssRequest {
    OssRequest::new(
        "DeleteBucketLifecycle",
        "oss:DeleteBucketLifecycle",
        "DELETE",
        Some(bucket),
    )
    .sub("lifecycle")
}

pub fn delete_bucket(bucket: &str) -> OssRequest {
    OssRequest::new("DeleteBucket", "oss:DeleteBucket", "DELETE", Some(bucket))
}

/// GetBucketDataAccelerator for one zone (sent to that zone's accelerator host).
pub fn get_bucket_data_accelerator(bucket: &str, zone: &str) -> OssRequest {
    OssRequest::new(
        "GetBucketDataAccelerator",
        "oss:GetBucketDataAccelerator",
        "GET",
        Some(bucket),
    )
    .param("dataAccelerator", "")
    .param("x-oss-datalake-cache-available-zone", zone)
}

pub fn delete_bucket_data_accelerator(bucket: &str, zone: &str) -> OssRequest {
    OssRequest::new(
        "DeleteBucketDataAccelerator",
        "oss:DeleteBucketDataAccelerator",
        "DELETE",
        Some(bucket),
    )
    .param("dataAccelerator", "")
    .param("x-oss-datalake-cache-available-zone", zone)
}

// Writes used to build fixtures in tests and the conformance suite.

pub fn put_bucket(bucket: &str, storage_class: Option<&str>) -> OssRequest {
    let r = OssRequest::new("PutBucket", "oss:PutBucket", "PUT", Some(bucket));
    match storage_class {
        Some(class) => {
            let mut w = xml::Writer::new();
            w.open("CreateBucketConfiguration")
                .leaf("StorageClass", class)
                .close("CreateBucketConfiguration");
            r.body("application/xml", w.finish().into_bytes())
        }
        None => r,
    }
}

pub fn put_bucket_versioning(bucket: &str, enabled: bool) -> OssRequest {
    let mut w = xml::Writer::new();
    w.open("VersioningConfiguration")
        .leaf("Status", if enabled { "Enabled" } else { "Suspended" })
        .close("VersioningConfiguration");
    OssRequest::new(
        "PutBucketVersioning",
        "oss:PutBucketVersioning",
        "PUT",
        Some(bucket),
    )
    .sub("versioning")
    .body("application/xml", w.finish().into_bytes())
}

pub fn put_object(bucket: &str, key: &str, body: Vec<u8>) -> OssRequest {
    OssRequest::new("PutObject", "oss:PutObject", "PUT", Some(bucket))
        .object(key)
        .body("application/octet-stream", body)
}

#[cfg(test)]
mod tests;

/// The most bytes of reply body ossweep reads for `op`. Sized from the worst
/// case with room to spare: a page of 1000 entries whose 1023-byte keys are
/// URL-encoded (up to about 3 KB each) with their versions, owners and
/// classes (about 4 MB), and DeleteMultipleObjects' verbose reply for 1000
/// such keys. Everything else (configuration, statistics, errors) is small.
pub fn reply_limit(op: &str) -> usize {
    const PAGE: usize = 16 << 20;
    const SMALL: usize = 4 << 20;
    if op.starts_with("List") || op == "DeleteMultipleObjects" {
        PAGE
    } else {
        SMALL
    }
}
