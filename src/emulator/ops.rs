//! OSS operations over the [`Store`]: request in, OSS-shaped reply (or error XML)
//! out. Routing is by method and sub-resource, as OSS does; anything not
//! implemented answers `NotImplemented`, never a silent success.

use base64::Engine;
use md5::{Digest, Md5};

use crate::oss::model::Versioning;
use crate::oss::sign::V1_SUBRESOURCES;
use crate::oss::xml::{self, Element, Writer};
use crate::oss::{encode, time};

use super::faults::Faults;
use super::store::*;

/// An OSS error reply (boxed, so results stay small).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmuError(Box<ErrorBody>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorBody {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub ec: Option<String>,
    /// Extra elements in the error XML (`BucketName`, `Endpoint`, `ErrorDetail`...).
    pub extra: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl std::ops::Deref for EmuError {
    type Target = ErrorBody;

    fn deref(&self) -> &ErrorBody {
        &self.0
    }
}

impl std::ops::DerefMut for EmuError {
    fn deref_mut(&mut self) -> &mut ErrorBody {
        &mut self.0
    }
}

impl EmuError {
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        EmuError(Box::new(ErrorBody {
            status,
            code: code.into(),
            message: message.into(),
            ec: None,
            extra: Vec::new(),
            headers: Vec::new(),
        }))
    }

    pub fn ec(mut self, ec: &str) -> Self {
        self.ec = Some(ec.into());
        self
    }

    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn not_implemented(what: &str) -> Self {
        EmuError::new(
            501,
            "NotImplemented",
            &format!("{what} is not implemented by the ossweep emulator."),
        )
    }

    pub fn malformed(detail: &str) -> Self {
        EmuError::new(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.").with("ErrorDetail", detail)
    }

    fn invalid(message: &str) -> Self {
        EmuError::new(400, "InvalidArgument", message)
    }

    pub fn to_xml(&self, request_id: &str, host: &str) -> String {
        let mut w = Writer::new();
        w.open("Error")
            .leaf("Code", &self.code)
            .leaf("Message", &self.message)
            .leaf("RequestId", request_id)
            .leaf("HostId", host);
        for (n, v) in &self.extra {
            w.leaf(n, v);
        }
        if let Some(ec) = &self.ec {
            w.leaf("EC", ec).leaf(
                "RecommendDoc",
                &format!("https://api.aliyun.com/troubleshoot?q={ec}"),
            );
        }
        w.close("Error");
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", w.finish())
    }
}

/// A parsed request, addressing resolved.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The Host header without its port.
    pub host: String,
    pub bucket: Option<String>,
    pub key: Option<String>,
    pub query: Vec<(String, Option<String>)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The region the request is addressed to (Host, else the V4 scope).
    pub region: Option<String>,
}

impl Request {
    pub fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(n, _)| n == name)
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn nonempty_param(&self, name: &str) -> Option<&str> {
        self.param(name).filter(|v| !v.is_empty())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn url_encoding(&self) -> bool {
        self.param("encoding-type") == Some("url")
    }
}

#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn ok() -> Self {
        Reply {
            status: 200,
            ..Default::default()
        }
    }

    pub fn no_content() -> Self {
        Reply {
            status: 204,
            ..Default::default()
        }
    }

    pub fn xml(body: String) -> Self {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            body: format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}").into_bytes(),
        }
    }

    pub fn header(mut self, n: &str, v: &str) -> Self {
        self.headers.push((n.into(), v.into()));
        self
    }
}

/// What the handlers need besides the request.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub faults: &'a Faults,
    pub now: i64,
    pub now_ms: u64,
    /// How long an access point stays `creating` and `deleting`.
    pub access_point_delay_ms: u64,
    pub default_region: &'a str,
}

/// Sub-resources this emulator implements; other known ones answer NotImplemented.
const IMPLEMENTED: &[&str] = &[
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
            if r.has("bucketInfo") {
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
            if r.has("live") {
                match m {
                    "PUT" if r.has("status") => "PutLiveChannelStatus",
                    "PUT" => "PutLiveChannel",
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

fn unsupported_subresource(r: &Request) -> Option<&str> {
    r.query.iter().map(|(n, _)| n.as_str()).find(|n| {
        V1_SUBRESOURCES.contains(n) && !IMPLEMENTED.contains(n) && !n.starts_with("response-")
    })
}

fn parse_body<'b>(body: &'b [u8], root: &str) -> Result<Element<'b>, EmuError> {
    let text =
        std::str::from_utf8(body).map_err(|_| EmuError::malformed("the body is not UTF-8"))?;
    let el = xml::parse(text).map_err(|e| EmuError::malformed(&e.0))?;
    if el.name != root {
        return Err(
            EmuError::malformed(&format!("the root node is not named {root}.")).ec("0016-00000608"),
        );
    }
    Ok(el)
}

fn md5_hex(data: &[u8]) -> u128 {
    u128::from_be_bytes(Md5::digest(data).into())
}

fn etag(e: u128) -> String {
    format!("\"{e:032X}\"")
}

/// Checks a Content-MD5 header against the body; `required` for DeleteMultipleObjects.
fn check_md5(r: &Request, required: bool) -> Result<(), EmuError> {
    match r.header("content-md5") {
        None if required => Err(EmuError::new(
            400,
            "InvalidDigest",
            "Content-MD5 is required for this request.",
        )),
        None => Ok(()),
        Some(v) => {
            let ours = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&r.body));
            if v.trim() == ours {
                Ok(())
            } else {
                Err(EmuError::new(
                    400,
                    "InvalidDigest",
                    "The Content-MD5 you specified is not valid.",
                ))
            }
        }
    }
}

/// A page-size parameter: `default` when absent, else 1..=`max`.
pub(super) fn max_keys(
    r: &Request,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, EmuError> {
    match r.param(name) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(
                EmuError::invalid(&format!("{name} must be an integer between 1 and {max}."))
                    .with("ArgumentName", name)
                    .with("ArgumentValue", v),
            ),
        },
    }
}

fn no_such_bucket(name: &str) -> EmuError {
    EmuError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
        .with("BucketName", name)
        .ec("0015-00000101")
}

fn endpoint_host(region: &str) -> String {
    format!("oss-{region}.aliyuncs.com")
}

pub fn valid_bucket_name(name: &str) -> bool {
    crate::oss::request::validate_bucket_name(name).is_ok()
}

fn bucket_mut<'s>(ctx: &'s mut Ctx<'_>, r: &Request, op: &str) -> Result<&'s mut Bucket, EmuError> {
    let name = r.bucket.as_deref().unwrap_or_default();
    let now_ms = ctx.now_ms;
    let b = ctx
        .store
        .buckets
        .get_mut(name)
        .ok_or_else(|| no_such_bucket(name))?;
    b.settle(now_ms);
    // A bucket answers only at its own region's endpoint; GetBucketInfo from anywhere.
    if let Some(region) = &r.region {
        if *region != b.region && op != "GetBucketInfo" {
            return Err(EmuError::new(
                403,
                "AccessDenied",
                "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.",
            )
            .with("Bucket", name)
            .with("Endpoint", &endpoint_host(&b.region))
            .ec("0003-00001403"));
        }
    }
    Ok(b)
}

fn enc(s: &str, url: bool) -> String {
    if url {
        encode::query(s)
    } else {
        s.to_string()
    }
}

fn owner(w: &mut Writer) {
    w.open("Owner")
        .leaf("ID", OWNER_ID)
        .leaf("DisplayName", OWNER_ID)
        .close("Owner");
}

pub const OWNER_ID: &str = "1234567890123456";

/// Handles one authenticated request.
pub fn handle(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let op = op_name(r);
    if let Some(sub) = unsupported_subresource(r) {
        return Err(EmuError::not_implemented(&format!(
            "The '{sub}' sub-resource"
        )));
    }
    match op {
        "ListBuckets" => list_buckets(ctx, r),
        "PutBucket" => put_bucket(ctx, r),
        "DeleteBucket" => delete_bucket(ctx, r),
        "GetBucketInfo" => bucket_info(ctx, r),
        "GetBucketLocation" => {
            let b = bucket_mut(ctx, r, op)?;
            Ok(Reply::xml(format!(
                "<LocationConstraint>oss-{}</LocationConstraint>",
                b.region
            )))
        }
        "GetBucketStat" => bucket_stat(ctx, r),
        "GetBucketVersioning" => {
            let b = bucket_mut(ctx, r, op)?;
            let mut w = Writer::new();
            w.open("VersioningConfiguration");
            if b.versioning != Versioning::Off {
                w.leaf("Status", b.versioning.as_str());
            }
            w.close("VersioningConfiguration");
            Ok(Reply::xml(w.finish()))
        }
        "PutBucketVersioning" => {
            let body = parse_body(&r.body, "VersioningConfiguration")?;
            let status = match body.text_of("Status") {
                Some("Enabled") => Versioning::Enabled,
                Some("Suspended") => Versioning::Suspended,
                _ => return Err(EmuError::malformed("Status must be Enabled or Suspended.")),
            };
            let b = bucket_mut(ctx, r, op)?;
            if b.versioning == Versioning::Off && status == Versioning::Suspended {
                return Ok(Reply::ok());
            }
            b.versioning = status;
            Ok(Reply::ok())
        }
        "ListObjects" | "ListObjectsV2" => list_objects(ctx, r, op),
        "ListObjectVersions" => list_versions(ctx, r),
        "PutObject" => put_object(ctx, r),
        "GetObject" | "HeadObject" => get_object(ctx, r, op),
        "DeleteObject" => delete_object(ctx, r),
        "DeleteMultipleObjects" => delete_multiple(ctx, r),
        "InitiateMultipartUpload"
        | "UploadPart"
        | "CompleteMultipartUpload"
        | "AbortMultipartUpload"
        | "ListParts"
        | "ListMultipartUploads" => super::multipart::handle(ctx, r, op),
        "PutLiveChannel"
        | "PutLiveChannelStatus"
        | "GetLiveChannelInfo"
        | "DeleteLiveChannel"
        | "ListLiveChannel" => super::live::handle(ctx, r, op),
        "CreateAccessPoint"
        | "GetAccessPoint"
        | "ListAccessPoints"
        | "DeleteAccessPoint"
        | "PutAccessPointPolicy"
        | "GetAccessPointPolicy"
        | "DeleteAccessPointPolicy" => super::access_point::handle(ctx, r, op),
        _ if op.contains("Replication")
            || op.contains("Worm")
            || op.contains("Website")
            || op.contains("Cname")
            || op.contains("Policy")
            || op.contains("Lifecycle")
            || op.contains("DataAccelerator") =>
        {
            super::config::handle(ctx, r, op)
        }
        _ => Err(EmuError::not_implemented(&format!(
            "{} {}",
            r.method,
            if op == "Unknown" {
                "with these parameters"
            } else {
                op
            }
        ))),
    }
}

pub(super) fn bucket<'s>(
    ctx: &'s mut Ctx<'_>,
    r: &Request,
    op: &str,
) -> Result<&'s mut Bucket, EmuError> {
    bucket_mut(ctx, r, op)
}

fn list_buckets(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let max = max_keys(r, "max-keys", 100, 1000)?;
    let prefix = r.param("prefix").unwrap_or_default();
    let marker = r.nonempty_param("marker");
    let names: Vec<(&String, &Bucket)> = ctx
        .store
        .buckets
        .iter()
        .filter(|(n, _)| n.starts_with(prefix) && marker.is_none_or(|m| n.as_str() > m))
        .take(max + 1)
        .collect();
    let truncated = names.len() > max;
    let mut w = Writer::new();
    w.open("ListAllMyBucketsResult");
    if truncated || marker.is_some() || !prefix.is_empty() {
        w.leaf("Prefix", prefix)
            .leaf("Marker", marker.unwrap_or_default())
            .leaf("MaxKeys", &max.to_string())
            .leaf("IsTruncated", if truncated { "true" } else { "false" });
        if truncated {
            w.leaf("NextMarker", names[max - 1].0);
        }
    }
    owner(&mut w);
    w.open("Buckets");
    for (name, b) in names.iter().take(max) {
        w.open("Bucket")
            .leaf("CreationDate", &time::iso8601(b.created))
            .leaf("ExtranetEndpoint", &endpoint_host(&b.region))
            .leaf(
                "IntranetEndpoint",
                &format!("oss-{}-internal.aliyuncs.com", b.region),
            )
            .leaf("Location", &format!("oss-{}", b.region))
            .leaf("Name", name)
            .leaf("Region", &b.region)
            .leaf("StorageClass", b.class.as_str())
            .close("Bucket");
    }
    w.close("Buckets").close("ListAllMyBucketsResult");
    Ok(Reply::xml(w.finish()))
}

fn put_bucket(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    if !valid_bucket_name(&name) {
        return Err(EmuError::new(
            400,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .with("BucketName", &name));
    }
    if ctx.store.buckets.contains_key(&name) {
        return Err(EmuError::new(
            409,
            "BucketAlreadyExists",
            "The requested bucket name is not available.",
        )
        .with("BucketName", &name));
    }
    let class = if r.body.is_empty() {
        StorageClass::Standard
    } else {
        let cfg = parse_body(&r.body, "CreateBucketConfiguration")?;
        match cfg.text_of("StorageClass") {
            None | Some("") => StorageClass::Standard,
            Some(c) => StorageClass::parse(c)
                .ok_or_else(|| EmuError::invalid("Unsupported storage class."))?,
        }
    };
    let region = r
        .region
        .clone()
        .unwrap_or_else(|| ctx.default_region.to_string());
    ctx.store
        .buckets
        .insert(name, Bucket::new(&region, ctx.now, class));
    Ok(Reply::ok())
}

fn delete_bucket(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    let b = bucket_mut(ctx, r, "DeleteBucket")?;
    if !b.contents().is_empty() {
        return Err(EmuError::new(
            409,
            "BucketNotEmpty",
            "The bucket has objects. Please delete them first.",
        )
        .with("BucketName", &name)
        .ec("0015-00000301"));
    }
    ctx.store.buckets.remove(&name);
    Ok(Reply::no_content())
}

fn bucket_info(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    let b = bucket_mut(ctx, r, "GetBucketInfo")?;
    let mut w = Writer::new();
    w.open("BucketInfo").open("Bucket");
    w.leaf("AccessMonitor", "Disabled")
        .leaf("CreationDate", &time::iso8601(b.created))
        .leaf(
            "CrossRegionReplication",
            if b.config.replication.is_empty() {
                "Disabled"
            } else {
                "Enabled"
            },
        )
        .leaf("DataRedundancyType", "LRS")
        .leaf("ExtranetEndpoint", &endpoint_host(&b.region))
        .leaf(
            "IntranetEndpoint",
            &format!("oss-{}-internal.aliyuncs.com", b.region),
        )
        .leaf("Location", &format!("oss-{}", b.region))
        .leaf("Name", &name)
        .leaf("StorageClass", b.class.as_str())
        .leaf("TransferAcceleration", "Disabled");
    if b.versioning != Versioning::Off {
        w.leaf("Versioning", b.versioning.as_str());
    }
    owner(&mut w);
    w.open("AccessControlList")
        .leaf("Grant", "private")
        .close("AccessControlList");
    w.close("Bucket").close("BucketInfo");
    Ok(Reply::xml(w.finish()))
}

fn bucket_stat(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let now = ctx.now;
    let b = bucket_mut(ctx, r, "GetBucketStat")?;
    let mut per_class = [(0u64, 0u64); 5];
    let (mut storage, mut objects, mut markers) = (0u64, 0u64, 0u64);
    for versions in b.objects.values() {
        for v in versions {
            if v.delete_marker {
                markers += 1;
            } else {
                objects += 1;
                storage += v.size;
                let slot = &mut per_class[v.class as usize];
                slot.0 += v.size;
                slot.1 += 1;
            }
        }
    }
    let (parts, part_storage) = b
        .uploads
        .values()
        .flat_map(|u| u.parts.values())
        .fold((0u64, 0u64), |(n, s), p| (n + 1, s + p.size));
    let mut w = Writer::new();
    w.open("BucketStat")
        .leaf("Storage", &(storage + part_storage).to_string())
        .leaf("ObjectCount", &objects.to_string())
        .leaf("MultipartUploadCount", &b.uploads.len().to_string())
        .leaf("LiveChannelCount", &b.live_channels.len().to_string())
        .leaf("MultipartPartCount", &parts.to_string())
        .leaf("MultipartPartStorage", &part_storage.to_string())
        .leaf("DeleteMarkerCount", &markers.to_string())
        .leaf("LastModifiedTime", &now.to_string());
    for (i, name) in [
        "Standard",
        "InfrequentAccess",
        "Archive",
        "ColdArchive",
        "DeepColdArchive",
    ]
    .iter()
    .enumerate()
    {
        w.leaf(&format!("{name}Storage"), &per_class[i].0.to_string())
            .leaf(&format!("{name}ObjectCount"), &per_class[i].1.to_string());
        if i > 0 {
            w.leaf(&format!("{name}RealStorage"), &per_class[i].0.to_string());
        }
    }
    w.close("BucketStat");
    Ok(Reply::xml(w.finish()))
}

fn object_fields(w: &mut Writer, key: &str, v: &Version, url: bool) {
    w.leaf("Key", &enc(key, url))
        .leaf("LastModified", &time::iso8601(v.modified))
        .leaf("ETag", &etag(v.etag))
        .leaf("Type", if v.multipart { "Multipart" } else { "Normal" })
        .leaf("Size", &v.size.to_string())
        .leaf("StorageClass", v.class.as_str());
}

fn list_objects(ctx: &mut Ctx<'_>, r: &Request, op: &str) -> Result<Reply, EmuError> {
    let v2 = op == "ListObjectsV2";
    let max = max_keys(r, "max-keys", 100, 1000)?;
    let url = r.url_encoding();
    let prefix = r.param("prefix").unwrap_or_default().to_string();
    let delimiter = r.nonempty_param("delimiter").map(str::to_string);
    let name = r.bucket.clone().unwrap_or_default();
    let after: Option<String> = if v2 {
        match r.nonempty_param("continuation-token") {
            Some(t) => Some(
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        EmuError::invalid("The continuation token provided is incorrect.")
                            .with("ArgumentName", "continuation-token")
                    })?,
            ),
            None => r.nonempty_param("start-after").map(str::to_string),
        }
    } else {
        r.nonempty_param("marker").map(str::to_string)
    };
    let fetch_owner = !v2 || r.param("fetch-owner") == Some("true");
    let b = bucket_mut(ctx, r, op)?;
    let page = b.list_current(&prefix, delimiter.as_deref(), after.as_deref(), max);
    let mut w = Writer::new();
    w.open("ListBucketResult")
        .leaf("Name", &name)
        .leaf("Prefix", &enc(&prefix, url));
    if v2 {
        if let Some(t) = r.nonempty_param("continuation-token") {
            w.leaf("ContinuationToken", t);
        }
        if let Some(s) = r.nonempty_param("start-after") {
            w.leaf("StartAfter", &enc(s, url));
        }
    } else {
        w.leaf("Marker", &enc(after.as_deref().unwrap_or_default(), url));
    }
    w.leaf("MaxKeys", &max.to_string());
    // OSS always sends Delimiter in v1 listings (oss2 relies on it); v2 only when given.
    if delimiter.is_some() || !v2 {
        w.leaf(
            "Delimiter",
            &enc(delimiter.as_deref().unwrap_or_default(), url),
        );
    }
    if url {
        w.leaf("EncodingType", "url");
    }
    w.leaf("IsTruncated", if page.truncated { "true" } else { "false" });
    if page.truncated {
        let last = page.last.clone().unwrap_or_default();
        if v2 {
            w.leaf(
                "NextContinuationToken",
                &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last.as_bytes()),
            );
        } else {
            w.leaf("NextMarker", &enc(&last, url));
        }
    }
    if v2 {
        w.leaf("KeyCount", &page.len().to_string());
    }
    for (key, v) in &page.items {
        w.open("Contents");
        object_fields(&mut w, key, v, url);
        if fetch_owner {
            owner(&mut w);
        }
        w.close("Contents");
    }
    for p in &page.prefixes {
        w.open("CommonPrefixes")
            .leaf("Prefix", &enc(p, url))
            .close("CommonPrefixes");
    }
    w.close("ListBucketResult");
    Ok(Reply::xml(w.finish()))
}

fn list_versions(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let max = max_keys(r, "max-keys", 100, 1000)?;
    let url = r.url_encoding();
    let prefix = r.param("prefix").unwrap_or_default().to_string();
    let delimiter = r.nonempty_param("delimiter").map(str::to_string);
    let key_marker = r.nonempty_param("key-marker").map(str::to_string);
    let vm_text = r.nonempty_param("version-id-marker").map(str::to_string);
    if vm_text.is_some() && key_marker.is_none() {
        return Err(EmuError::invalid(
            "A version-id marker cannot be specified without a key marker.",
        )
        .with("ArgumentName", "version-id-marker"));
    }
    let version_marker = match &vm_text {
        Some(t) => Some(parse_version_id(t).ok_or_else(|| {
            EmuError::invalid("Invalid version id specified.")
                .with("ArgumentName", "version-id-marker")
        })?),
        None => None,
    };
    let name = r.bucket.clone().unwrap_or_default();
    let b = bucket_mut(ctx, r, "ListObjectVersions")?;
    let page = b.list_versions(
        &prefix,
        delimiter.as_deref(),
        key_marker.as_deref(),
        version_marker,
        max,
    );
    let mut w = Writer::new();
    w.open("ListVersionsResult")
        .leaf("Name", &name)
        .leaf("Prefix", &enc(&prefix, url))
        .leaf(
            "KeyMarker",
            &enc(key_marker.as_deref().unwrap_or_default(), url),
        )
        .leaf("VersionIdMarker", vm_text.as_deref().unwrap_or_default())
        .leaf("MaxKeys", &max.to_string())
        .leaf(
            "Delimiter",
            &enc(delimiter.as_deref().unwrap_or_default(), url),
        );
    if url {
        w.leaf("EncodingType", "url");
    }
    w.leaf("IsTruncated", if page.truncated { "true" } else { "false" });
    if page.truncated {
        w.leaf(
            "NextKeyMarker",
            &enc(page.last.as_deref().unwrap_or_default(), url),
        );
        w.leaf(
            "NextVersionIdMarker",
            &page.last_version.map(render_version_id).unwrap_or_default(),
        );
    }
    for (key, v, is_latest) in &page.items {
        let is_latest = *is_latest;
        if v.delete_marker {
            w.open("DeleteMarker")
                .leaf("Key", &enc(key, url))
                .leaf("VersionId", &render_version_id(v.id))
                .leaf("IsLatest", if is_latest { "true" } else { "false" })
                .leaf("LastModified", &time::iso8601(v.modified));
            owner(&mut w);
            w.close("DeleteMarker");
        } else {
            w.open("Version")
                .leaf("Key", &enc(key, url))
                .leaf("VersionId", &render_version_id(v.id))
                .leaf("IsLatest", if is_latest { "true" } else { "false" });
            w.leaf("LastModified", &time::iso8601(v.modified))
                .leaf("ETag", &etag(v.etag))
                .leaf("Type", if v.multipart { "Multipart" } else { "Normal" })
                .leaf("Size", &v.size.to_string())
                .leaf("StorageClass", v.class.as_str());
            owner(&mut w);
            w.close("Version");
        }
    }
    for p in &page.prefixes {
        w.open("CommonPrefixes")
            .leaf("Prefix", &enc(p, url))
            .close("CommonPrefixes");
    }
    w.close("ListVersionsResult");
    Ok(Reply::xml(w.finish()))
}

/// Object keys: 1-1023 bytes, not starting with `/` or `\`.
pub(super) fn check_key(key: &str) -> Result<(), EmuError> {
    if key.is_empty() || key.len() > 1023 || key.starts_with('/') || key.starts_with('\\') {
        return Err(EmuError::new(
            400,
            "InvalidObjectName",
            "The specified object is not valid.",
        ));
    }
    Ok(())
}

/// Small bodies are kept so GetObject can return them.
const KEEP_DATA_UP_TO: usize = 1 << 20;

fn put_object(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let key = r.key.clone().unwrap_or_default();
    check_key(&key)?;
    check_md5(r, false)?;
    if r.header("x-oss-copy-source").is_some() {
        return Err(EmuError::not_implemented("CopyObject"));
    }
    let class = match r.header("x-oss-storage-class") {
        Some(c) => {
            StorageClass::parse(c).ok_or_else(|| EmuError::invalid("Unsupported storage class."))?
        }
        None => StorageClass::Standard,
    };
    let now = ctx.now;
    let digest = md5_hex(&r.body);
    let mut next = ctx.store.next_id;
    let b = bucket_mut(ctx, r, "PutObject")?;
    let data = (r.body.len() <= KEEP_DATA_UP_TO).then(|| r.body.clone());
    let v = Version {
        id: 0,
        delete_marker: false,
        size: r.body.len() as u64,
        etag: digest,
        class,
        multipart: false,
        modified: now,
        data,
    };
    let id = b.put(&key, v, &mut next);
    let versioned = b.versioning != Versioning::Off;
    ctx.store.next_id = next;
    let mut reply = Reply::ok().header("ETag", &etag(digest));
    if versioned {
        reply = reply.header("x-oss-version-id", &render_version_id(id));
    }
    Ok(reply)
}

fn get_object(ctx: &mut Ctx<'_>, r: &Request, op: &str) -> Result<Reply, EmuError> {
    let key = r.key.clone().unwrap_or_default();
    let wanted = match r.nonempty_param("versionId") {
        Some(v) => Some(
            parse_version_id(v)
                .ok_or_else(|| EmuError::invalid("Invalid version id specified."))?,
        ),
        None => None,
    };
    let b = bucket_mut(ctx, r, op)?;
    let versions = b.objects.get(&key);
    let v = match wanted {
        Some(id) => versions.and_then(|vs| vs.iter().find(|v| v.id == id)),
        None => versions
            .and_then(|vs| vs.first())
            .filter(|v| !v.delete_marker),
    }
    .ok_or_else(|| {
        EmuError::new(404, "NoSuchKey", "The specified key does not exist.").ec("0026-00000001")
    })?;
    let mut reply = Reply::ok()
        .header("ETag", &etag(v.etag))
        .header("Last-Modified", &time::rfc1123(v.modified))
        .header("x-oss-storage-class", v.class.as_str())
        .header(
            "x-oss-object-type",
            if v.multipart { "Multipart" } else { "Normal" },
        );
    if op == "HeadObject" {
        reply = reply.header("Content-Length", &v.size.to_string());
        return Ok(reply);
    }
    match &v.data {
        Some(d) => {
            reply.body = d.clone();
            Ok(reply)
        }
        None => Err(EmuError::not_implemented(
            "GetObject on a seeded object (the emulator keeps no content for it)",
        )),
    }
}

fn worm_denied() -> EmuError {
    EmuError::new(403, "AccessDenied", "The object is protected by the bucket's retention policy (WORM) and cannot be deleted yet.")
}

fn delete_object(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let key = r.key.clone().unwrap_or_default();
    let version = match r.param("versionId") {
        Some(v) => Some(
            parse_version_id(v)
                .ok_or_else(|| EmuError::invalid("Invalid version id specified."))?,
        ),
        None => None,
    };
    let now = ctx.now;
    let mut next = ctx.store.next_id;
    let b = bucket_mut(ctx, r, "DeleteObject")?;
    let target = b.objects.get(&key).and_then(|vs| match version {
        Some(id) => vs.iter().find(|v| v.id == id),
        None if b.versioning == Versioning::Off => vs.first(),
        None => None,
    });
    if target.is_some_and(|v| b.worm_protects(v, now)) {
        return Err(worm_denied());
    }
    let (marker, id) = b.delete(&key, version, now, &mut next);
    let versioned = b.versioning != Versioning::Off || version.is_some();
    ctx.store.next_id = next;
    let mut reply = Reply::no_content();
    if marker {
        reply = reply.header("x-oss-delete-marker", "true");
    }
    if let (true, Some(id)) = (versioned, id) {
        reply = reply.header("x-oss-version-id", &render_version_id(id));
    }
    Ok(reply)
}

/// The keys a DeleteMultipleObjects body names (for logs and fault matching).
pub fn keys_in_delete_body(body: &[u8]) -> Vec<String> {
    std::str::from_utf8(body)
        .ok()
        .and_then(|t| xml::parse(t).ok())
        .map(|root| {
            root.children_named("Object")
                .map(|o| o.string("Key"))
                .collect()
        })
        .unwrap_or_default()
}

fn delete_multiple(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    if r.body.len() > crate::oss::request::MAX_DELETE_BODY {
        return Err(EmuError::malformed("the body exceeds 2 MB."));
    }
    check_md5(r, true)?;
    let root = parse_body(&r.body, "Delete")?;
    let quiet = match root.text_of("Quiet") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(EmuError::malformed("Quiet must be true or false.").ec("0016-00000610"))
        }
    };
    let objects: Vec<&Element> = root.children_named("Object").collect();
    if objects.is_empty() || objects.len() > 1000 {
        return Err(
            EmuError::malformed("the number of objects must be between 1 and 1000.")
                .ec("0016-00000609"),
        );
    }
    let mut wanted = Vec::with_capacity(objects.len());
    for o in &objects {
        let key = o
            .raw_text_of("Key")
            .ok_or_else(|| EmuError::malformed("an Object has no Key."))?
            .to_string();
        check_key(&key)?;
        let version_text = o.child("VersionId").map(|v| v.text.trim().to_string());
        let version = version_text.as_deref().map(parse_version_id);
        wanted.push((key, version_text, version));
    }
    let omit = ctx
        .faults
        .omit_prefixes(r.bucket.as_deref().unwrap_or_default());
    let url = r.url_encoding();
    let now = ctx.now;
    let mut next = ctx.store.next_id;
    let b = bucket_mut(ctx, r, "DeleteMultipleObjects")?;
    let mut w = Writer::new();
    w.open("DeleteResult");
    if url {
        w.leaf("EncodingType", "url");
    }
    for (key, version_text, version) in wanted {
        if omit.iter().any(|p| key.starts_with(p.as_str())) {
            continue;
        }
        // A version id this store never issued names nothing: deleting it succeeds.
        let (marker, id) = match version {
            Some(None) => (false, None),
            Some(Some(id)) => {
                let target = b
                    .objects
                    .get(&key)
                    .and_then(|vs| vs.iter().find(|v| v.id == id));
                if target.is_some_and(|v| b.worm_protects(v, now)) {
                    continue;
                }
                b.delete(&key, Some(id), now, &mut next)
            }
            None => {
                let current = b
                    .objects
                    .get(&key)
                    .and_then(|vs| vs.first())
                    .filter(|_| b.versioning == Versioning::Off);
                if current.is_some_and(|v| b.worm_protects(v, now)) {
                    continue;
                }
                b.delete(&key, None, now, &mut next)
            }
        };
        w.open("Deleted").leaf("Key", &enc(&key, url));
        if let Some(v) = &version_text {
            w.leaf("VersionId", v);
        }
        if marker {
            w.leaf("DeleteMarker", "true");
            match (version_text.as_deref(), id) {
                (Some(v), _) => w.leaf("DeleteMarkerVersionId", v),
                (None, Some(id)) => w.leaf("DeleteMarkerVersionId", &render_version_id(id)),
                (None, None) => &mut w,
            };
        }
        w.close("Deleted");
    }
    w.close("DeleteResult");
    ctx.store.next_id = next;
    if quiet {
        return Ok(Reply::ok());
    }
    Ok(Reply::xml(w.finish()))
}

#[cfg(test)]
mod tests;
