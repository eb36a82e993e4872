//! OSS request signing (oss-api.md §14): V4 `OSS4-HMAC-SHA256` and V1 HMAC-SHA1.
//! Every stage is a pure function of its inputs; the signing time is a parameter.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::credentials::Credentials;
use super::{encode, time};

pub const V4_ALGORITHM: &str = "OSS4-HMAC-SHA256";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SignatureVersion {
    V1,
    #[default]
    V4,
}

/// The parts of a request a signature covers. Query names and values are decoded.
#[derive(Clone, Copy, Debug)]
pub struct SigningRequest<'a> {
    pub method: &'a str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    pub query: &'a [(String, Option<String>)],
    pub headers: &'a [(String, String)],
    /// The account id of an OSS Vectors request, whose canonical URI is an ARN
    /// path ([`vectors_canonical_uri`]); `None` for every other OSS request.
    pub vectors_account: Option<&'a str>,
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("hmac accepts any key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

// ---------------------------------------------------------------- V4

/// `/bucket/key`, percent-encoded except `/`; independent of the addressing style.
pub fn v4_canonical_uri(bucket: Option<&str>, key: Option<&str>) -> String {
    let mut raw = String::from("/");
    if let Some(b) = bucket {
        raw.push_str(b);
        raw.push('/');
        if let Some(k) = key {
            raw.push_str(k);
        }
    }
    encode::path(&raw)
}

/// `/acs:ossvector:<region>:<account>:<bucket>/<key>`, or `/acs:ossvector:<region>::/`
/// without a bucket, percent-encoded except `/` (so `:` is `%3A`): the canonical
/// URI of OSS Vectors requests (oss-api.md §14.4). Product and scope stay `oss`.
pub fn vectors_canonical_uri(
    region: &str,
    account_id: &str,
    bucket: Option<&str>,
    key: Option<&str>,
) -> String {
    let mut raw = format!("/acs:ossvector:{region}:");
    match bucket {
        Some(b) => {
            raw.push_str(account_id);
            raw.push(':');
            raw.push_str(b);
            raw.push('/');
        }
        None => raw.push_str(":/"),
    }
    if let Some(k) = key {
        raw.push_str(k);
    }
    encode::path(&raw)
}

/// Encoded names sorted (then values); a name with an empty value is emitted alone.
pub fn v4_canonical_query(query: &[(String, Option<String>)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(n, v)| {
            (
                encode::query(n),
                v.as_deref().map(encode::query).unwrap_or_default(),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(n, v)| {
            if v.is_empty() {
                n.clone()
            } else {
                format!("{n}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn is_default_signed(lower_name: &str) -> bool {
    lower_name.starts_with("x-oss-") || lower_name == "content-type" || lower_name == "content-md5"
}

/// The additional headers that really get signed: lower-cased, present in the
/// request, not signed anyway, de-duplicated and sorted.
pub fn v4_additional_headers(requested: &[String], headers: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = requested
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .filter(|h| !is_default_signed(h) && headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(h)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `name:value\n` for each signed header, sorted by name; repeated headers joined by `,`.
pub fn v4_canonical_headers(headers: &[(String, String)], additional: &[String]) -> String {
    let mut signed: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if !(is_default_signed(&lower) || additional.contains(&lower)) {
            continue;
        }
        match signed.iter_mut().find(|(n, _)| *n == lower) {
            Some((_, v)) => {
                v.push(',');
                v.push_str(value.trim());
            }
            None => signed.push((lower, value.trim().to_string())),
        }
    }
    signed.sort();
    signed.iter().map(|(n, v)| format!("{n}:{v}\n")).collect()
}

/// The canonical request; `region` is the signing region (part of a Vectors URI).
pub fn v4_canonical_request(
    req: &SigningRequest<'_>,
    region: &str,
    additional: &[String],
) -> String {
    let payload = req
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-oss-content-sha256"))
        .map(|(_, v)| v.as_str())
        .unwrap_or(UNSIGNED_PAYLOAD);
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        match req.vectors_account {
            Some(account) => vectors_canonical_uri(region, account, req.bucket, req.key),
            None => v4_canonical_uri(req.bucket, req.key),
        },
        v4_canonical_query(req.query),
        v4_canonical_headers(req.headers, additional),
        additional.join(";"),
        payload
    )
}

/// `<YYYYMMDD>/<region>/<product>/aliyun_v4_request`.
pub fn v4_scope(date: &str, region: &str, product: &str) -> String {
    format!("{date}/{region}/{product}/aliyun_v4_request")
}

pub fn v4_string_to_sign(datetime: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{V4_ALGORITHM}\n{datetime}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

pub fn v4_signing_key(secret: &str, date: &str, region: &str, product: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("aliyun_v4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_product = hmac_sha256(&k_region, product.as_bytes());
    hmac_sha256(&k_product, b"aliyun_v4_request")
}

pub fn v4_signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex(&hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

pub fn v4_authorization(
    access_key_id: &str,
    scope: &str,
    additional: &[String],
    signature: &str,
) -> String {
    if additional.is_empty() {
        format!("{V4_ALGORITHM} Credential={access_key_id}/{scope},Signature={signature}")
    } else {
        format!(
            "{V4_ALGORITHM} Credential={access_key_id}/{scope},AdditionalHeaders={},Signature={signature}",
            additional.join(";")
        )
    }
}

/// Inputs of a V4 signature besides the request itself.
#[derive(Clone, Copy, Debug)]
pub struct V4Context<'a> {
    pub region: &'a str,
    pub product: &'a str,
    pub unix_time: i64,
}

/// Computes the `Authorization` value for a request whose headers already hold
/// `x-oss-date` (and the token, if any).
pub fn v4_sign(
    req: &SigningRequest<'_>,
    creds: &Credentials,
    ctx: V4Context<'_>,
    additional_requested: &[String],
) -> String {
    let datetime = time::iso8601_basic(ctx.unix_time);
    v4_sign_stamped(req, creds, ctx, additional_requested, &datetime)
}

/// `v4_sign`, with `timestamp` as the string to sign's time: the text of the
/// header the time was taken from. Alibaba's Go SDK V1 sends V4 with only a
/// `Date` header and signs its RFC 1123 text there (`oss/auth.go`,
/// `getSignedStrV4`); OSS verifies it so, and so does the emulator.
pub fn v4_sign_stamped(
    req: &SigningRequest<'_>,
    creds: &Credentials,
    ctx: V4Context<'_>,
    additional_requested: &[String],
    timestamp: &str,
) -> String {
    let datetime = time::iso8601_basic(ctx.unix_time);
    let date = &datetime[..8];
    let additional = v4_additional_headers(additional_requested, req.headers);
    let canonical = v4_canonical_request(req, ctx.region, &additional);
    let scope = v4_scope(date, ctx.region, ctx.product);
    let sts = v4_string_to_sign(timestamp, &scope, &canonical);
    let key = v4_signing_key(
        creds.access_key_secret.expose(),
        date,
        ctx.region,
        ctx.product,
    );
    v4_authorization(
        &creds.access_key_id,
        &scope,
        &additional,
        &v4_signature(&key, &sts),
    )
}

// ---------------------------------------------------------------- V1

/// Query names that are sub-resources and therefore signed under V1 (the union of the
/// official SDKs' lists, oss-api.md §14.3). Any `x-oss-` name is signed too.
pub const V1_SUBRESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointConfigForObjectProcess",
    "accessPointForObjectProcess",
    "accessPointPolicy",
    "accessPointPolicyForObjectProcess",
    "acl",
    "append",
    "asyncFetch",
    "bucketArchiveDirectRead",
    "bucketInfo",
    "callback",
    "callback-var",
    "cleanRestoredObject",
    "cloudboxes",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "group",
    "httpsConfig",
    "img",
    "inventory",
    "inventoryId",
    "legalHold",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "objectWorm",
    "overwriteConfig",
    "partNumber",
    "policy",
    "policyStatus",
    "position",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "qosRequester",
    "redundancyTransition",
    "referer",
    "regionList",
    "regions",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requesterQosInfo",
    "requestPayment",
    "resourceGroup",
    "resourcePool",
    "resourcePoolBuckets",
    "resourcePoolInfo",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "responseHeader",
    "restore",
    "retention",
    "rtc",
    "seal",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "udf",
    "udfApplication",
    "udfApplicationLog",
    "udfImage",
    "udfImageDesc",
    "udfName",
    "uploadId",
    "uploads",
    "userDefinedLogFieldsConfig",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "withHashContext",
    "worm",
    "wormExtend",
    "wormId",
    "dataAccelerator",
];

fn is_v1_subresource(name: &str) -> bool {
    name.starts_with("x-oss-") || V1_SUBRESOURCES.contains(&name)
}

/// `/bucket/key` (key not encoded) plus the sorted signed sub-resources.
pub fn v1_canonical_resource(
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(String, Option<String>)],
) -> String {
    let mut res = String::from("/");
    if let Some(b) = bucket {
        res.push_str(b);
        res.push('/');
        if let Some(k) = key {
            res.push_str(k);
        }
    }
    let mut subs: Vec<(&str, Option<&str>)> = query
        .iter()
        .filter(|(n, _)| is_v1_subresource(n))
        .map(|(n, v)| (n.as_str(), v.as_deref().filter(|v| !v.is_empty())))
        .collect();
    subs.sort();
    if !subs.is_empty() {
        res.push('?');
        let rendered: Vec<String> = subs
            .iter()
            .map(|(n, v)| match v {
                Some(v) => format!("{n}={v}"),
                None => n.to_string(),
            })
            .collect();
        res.push_str(&rendered.join("&"));
    }
    res
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// `date` is the `Date` header value (or the `Expires` epoch for presigned URLs).
pub fn v1_string_to_sign(req: &SigningRequest<'_>, date: &str) -> String {
    let mut oss_headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .filter(|(n, _)| n.starts_with("x-oss-"))
        .collect();
    oss_headers.sort();
    let canonical_headers: String = oss_headers
        .iter()
        .map(|(n, v)| format!("{n}:{v}\n"))
        .collect();
    format!(
        "{}\n{}\n{}\n{}\n{}{}",
        req.method,
        header(req.headers, "content-md5"),
        header(req.headers, "content-type"),
        date,
        canonical_headers,
        v1_canonical_resource(req.bucket, req.key, req.query)
    )
}

pub fn v1_signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("hmac accepts any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

pub fn v1_authorization(access_key_id: &str, signature: &str) -> String {
    format!("OSS {access_key_id}:{signature}")
}

// ---------------------------------------------------------------- signing a request

/// What a request addresses: method, bucket, key and (decoded) query.
#[derive(Clone, Copy, Debug)]
pub struct Addressed<'a> {
    pub method: &'a str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    pub query: &'a [(String, Option<String>)],
    /// Set for OSS Vectors requests: always V4, with the ARN canonical URI.
    pub vectors_account: Option<&'a str>,
}

/// Adds the signing headers (`x-oss-date`, `Date`, `x-oss-content-sha256`,
/// `x-oss-security-token`, `Authorization`) to `headers`.
pub fn sign_headers(
    version: SignatureVersion,
    target: Addressed<'_>,
    headers: &mut Vec<(String, String)>,
    creds: &Credentials,
    region: &str,
    unix_time: i64,
) {
    let Addressed {
        method,
        bucket,
        key,
        query,
        vectors_account,
    } = target;
    // OSS Vectors has no V1.
    let version = if vectors_account.is_some() {
        SignatureVersion::V4
    } else {
        version
    };
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    headers.push(("Date".into(), time::rfc1123(unix_time)));
    if let Some(token) = &creds.security_token {
        headers.push(("x-oss-security-token".into(), token.expose().to_string()));
    }
    let authorization = match version {
        SignatureVersion::V4 => {
            headers.push(("x-oss-date".into(), time::iso8601_basic(unix_time)));
            if !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("x-oss-content-sha256"))
            {
                headers.push(("x-oss-content-sha256".into(), UNSIGNED_PAYLOAD.into()));
            }
            let req = SigningRequest {
                method,
                bucket,
                key,
                query,
                headers,
                vectors_account,
            };
            v4_sign(
                &req,
                creds,
                V4Context {
                    region,
                    product: "oss",
                    unix_time,
                },
                &[],
            )
        }
        SignatureVersion::V1 => {
            let date = time::rfc1123(unix_time);
            let req = SigningRequest {
                method,
                bucket,
                key,
                query,
                headers,
                vectors_account: None,
            };
            let sts = v1_string_to_sign(&req, &date);
            v1_authorization(
                &creds.access_key_id,
                &v1_signature(creds.access_key_secret.expose(), &sts),
            )
        }
    };
    headers.push(("Authorization".into(), authorization));
}

#[cfg(test)]
mod tests;
