//! What every operation handler shares: the request as parsed, the reply,
//! OSS's error reply, the context a handler runs in, and the checks and
//! encodings OSS applies the same way everywhere (bucket lookup by region,
//! page sizes, Content-MD5, key names). Handlers import these from here; the
//! router (`ops`) imports the handlers, never the other way round.

use base64::Engine;
use md5::{Digest, Md5};

use crate::oss::encode;
use crate::oss::xml::{self, Element, Writer};

use super::faults::Faults;
use super::op::Op;
use super::store::{Bucket, Store};

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

    pub fn invalid(message: &str) -> Self {
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
    /// Set for OSS Vectors requests: what the host (or ARN path) addresses.
    pub vectors: Option<VectorAddress>,
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

    pub fn nonempty_param(&self, name: &str) -> Option<&str> {
        self.param(name).filter(|v| !v.is_empty())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn url_encoding(&self) -> bool {
        self.param("encoding-type") == Some("url")
    }
}

/// What a Vectors request addresses: its region, and for bucket calls the
/// bucket and the account id its host (or ARN path) names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VectorAddress {
    pub region: String,
    pub bucket: Option<String>,
    pub account: Option<String>,
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
    /// Answer ListObjectsV2 as ListObjects V1 (an endpoint that ignores `list-type=2`).
    pub list_v1_only: bool,
}

pub fn parse_body<'b>(body: &'b [u8], root: &str) -> Result<Element<'b>, EmuError> {
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

pub fn md5_hex(data: &[u8]) -> u128 {
    u128::from_be_bytes(Md5::digest(data).into())
}

pub fn etag(e: u128) -> String {
    format!("\"{e:032X}\"")
}

/// Checks a Content-MD5 header against the body; `required` for DeleteMultipleObjects.
pub fn check_md5(r: &Request, required: bool) -> Result<(), EmuError> {
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
pub fn max_keys(r: &Request, name: &str, default: usize, max: usize) -> Result<usize, EmuError> {
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

pub fn no_such_bucket(name: &str) -> EmuError {
    EmuError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
        .with("BucketName", name)
        .ec("0015-00000101")
}

pub fn endpoint_host(region: &str) -> String {
    format!("oss-{region}.aliyuncs.com")
}

pub fn valid_bucket_name(name: &str) -> bool {
    crate::oss::request::validate_bucket_name(name).is_ok()
}

/// The bucket a request names, settled to now, at its own region's endpoint.
pub fn bucket<'s>(ctx: &'s mut Ctx<'_>, r: &Request, op: Op) -> Result<&'s mut Bucket, EmuError> {
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
        if *region != b.region && op != Op::GetBucketInfo {
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

pub fn enc(s: &str, url: bool) -> String {
    if url {
        encode::query(s)
    } else {
        s.to_string()
    }
}

pub fn owner(w: &mut Writer) {
    w.open("Owner")
        .leaf("ID", OWNER_ID)
        .leaf("DisplayName", OWNER_ID)
        .close("Owner");
}

pub const OWNER_ID: &str = "1234567890123456";

/// A policy document (a bucket's or an access point's): JSON, or OSS's
/// `InvalidPolicyDocument`.
pub fn policy_document(r: &Request) -> Result<String, EmuError> {
    let text = String::from_utf8_lossy(&r.body).to_string();
    serde_json::from_str::<serde_json::Value>(&text).map_err(|_| {
        EmuError::new(
            400,
            "InvalidPolicyDocument",
            "The policy document is not valid JSON.",
        )
    })?;
    Ok(text)
}

/// Object keys: 1-1023 bytes, not starting with `/` or `\`.
pub fn check_key(key: &str) -> Result<(), EmuError> {
    if key.is_empty() || key.len() > 1023 || key.starts_with('/') || key.starts_with('\\') {
        return Err(EmuError::new(
            400,
            "InvalidObjectName",
            "The specified object is not valid.",
        ));
    }
    Ok(())
}
