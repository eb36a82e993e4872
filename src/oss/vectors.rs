//! OSS Vectors (oss-api.md §13): the JSON models, request builders, reply
//! parsers and naming rules of vector buckets and their indexes. Pure; the
//! client sends these requests with the Vectors signer to the Vectors hosts.
//!
//! Vector buckets (`--vector`), in detail:
//!
//! # Vector buckets: `--vector`
//!
//! OSS Vectors buckets live on their own hosts
//! (`<bucket>-<account id>.<region>.oss-vectors.aliyuncs.com`), speak JSON, sign with a V4
//! variant whose canonical URI is an ARN (`/acs:ossvector:<region>:<account>:<bucket>/`),
//! and are not in ListBuckets. A vector bucket cannot be deleted while it holds indexes
//! (`VectorBucketNotEmpty`); deleting an index removes every vector in it, and OSS may
//! finish that asynchronously (the index shows `deleting` for a while).
//!
//! | command | does |
//! |---|---|
//! | `ossweep buckets --vector [--json]` | every vector bucket, all regions: name, region, creation date, index count (`?` and exit 3 when an index listing failed) |
//! | `ossweep scan --vector NAME [--json]` | the indexes (name, dimension, data type, metric, vector count, status) and the risks |
//! | `ossweep empty --vector NAME [--only-index IDX]... [--dry-run] [--yes] [--json]` | deletes every index, or only the named ones; the bucket stays |
//! | `ossweep delete --vector NAME... --confirm NAME... [--dry-run] [--json] [--report FILE]` | deletes the indexes, waits until a fresh listing shows none, then deletes each bucket |
//!
//! They go through the same preflight, confirmation rules, events, audit report, summary
//! and exit codes as object buckets: a name must be typed or passed in `--confirm`; an
//! `--only-index` naming an index the bucket does not have is refused before anything is
//! sent (exit 5); a name of fewer than 3 or more than 32 characters is refused before any
//! request (exit 2). An index still `deleting` after the wait (10 minutes) is reported
//! as a failure with code `VectorIndexDeleting`, and the bucket is kept (exit 3);
//! `DeleteVectorBucket` is retried with backoff while OSS still answers
//! `VectorBucketNotEmpty`. OSS documents no name cool-down for vector buckets (their names
//! are unique per account and region), so none is claimed.
//!
//! The account id comes from `account_id` in the profile or `OSS_ACCOUNT_ID` (digits only;
//! anything else is refused before it reaches a host name), and otherwise from the
//! ListBuckets reply's `Owner/ID` (which needs `oss:ListBuckets`); when neither works the
//! error names both settings. A wrong account id makes the bucket's host unknown on OSS;
//! ossweep notices when ListVectorBuckets shows a bucket whose own host says
//! `NoSuchBucket`, and says the account id is probably wrong and where it came from.
//!
//! ```text
//! $ ossweep --endpoint http://127.0.0.1:9000 --path-style buckets --vector
//! NAME              REGION       CREATED     INDEXES
//! acme-embeddings   cn-hangzhou  2026-08-24  3
//! acme-rag-staging  cn-shanghai  2026-11-02  1
//! acme-vectors-old  cn-shanghai  2026-01-26  0
//! $ ossweep --endpoint http://127.0.0.1:9000 --path-style scan --vector acme-embeddings
//! Vector bucket acme-embeddings (cn-hangzhou)
//!
//! CATEGORY        COUNT  SIZE  STATE   NOTE
//! Vector indexes  3      -     blocks
//!
//! INDEX            DIMENSION  DATA TYPE  METRIC     VECTORS  STATUS
//! faq              16         float32    cosine     120      running
//! product-docs     64         float32    cosine     1,800    running
//! support-tickets  32         float32    euclidean  640      running
//!
//! Risks:
//!   !! Deletion is permanent: 3 vector indexes with 2,560 vectors cannot be recovered.
//!   !  Applications that query these indexes (QueryVectors, GetVectors) fail once they are gone.
//! ```
//!
//! With `--endpoint` and `--path-style` (the emulator), Vectors requests are sent
//! path-style with the ARN as the path (`http://127.0.0.1:9000/acs:ossvector:cn-hangzhou:<account>:<bucket>/`),
//! the same text their signature covers; otherwise they go to the Vectors host names.

use serde::{Deserialize, Serialize};

use super::error::OssError;
use super::request::{OssRequest, Service};
use super::time;
use super::xml::XmlError;

/// Most indexes ListVectorIndexes returns per page, and vectors per ListVectors page.
pub const MAX_INDEX_PAGE: u32 = 100;
pub const MAX_VECTOR_PAGE: u32 = 1000;

/// A vector bucket as ListVectorBuckets describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VectorBucketSummary {
    pub name: String,
    pub region: String,
    pub creation_date: Option<i64>,
}

impl VectorBucketSummary {
    /// What tells it from another vector bucket of the same name (OSS names
    /// no owner for vector buckets).
    pub fn identity(&self) -> crate::oss::model::BucketIdentity {
        crate::oss::model::BucketIdentity {
            created: self.creation_date,
            region: self.region.clone(),
            owner: None,
        }
    }
}

/// One vector index (ListVectorIndexes / GetVectorIndex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VectorIndex {
    pub name: String,
    pub data_type: String,
    pub dimension: u64,
    pub distance_metric: String,
    /// `running`, or `deleting` while DeleteVectorIndex finishes asynchronously.
    pub status: String,
    pub created: Option<i64>,
}

impl VectorIndex {
    pub fn is_deleting(&self) -> bool {
        self.status == "deleting"
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VectorBucketsPage {
    pub buckets: Vec<VectorBucketSummary>,
    pub next_marker: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VectorIndexesPage {
    pub indexes: Vec<VectorIndex>,
    pub next_token: Option<String>,
}

/// Vector bucket names: 3-32 characters of a-z, 0-9 and `-`, starting and ending
/// with a letter or digit (oss-api.md §1.6). Checked before any request: the
/// name becomes part of a host name.
pub fn validate_bucket_name(name: &str) -> Result<(), OssError> {
    if super::request::name_shape_ok(name, 3..=32) {
        Ok(())
    } else {
        Err(OssError::InvalidInput(format!(
            "{name:?} is not a valid vector bucket name: use 3-32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit"
        )))
    }
}

/// Index names: 1-63 characters of letters, digits and `-` (oss-api.md §1.6).
pub fn validate_index_name(name: &str) -> Result<(), OssError> {
    let ok = (1..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(OssError::InvalidInput(format!(
            "{name:?} is not a valid vector index name: use 1-63 letters, digits and '-'"
        )))
    }
}

/// An Alibaba Cloud account id (UID): digits only. It becomes part of a host
/// name, so nothing else may pass.
pub fn valid_account_id(id: &str) -> bool {
    (1..=32).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit())
}

/// `<region>.oss-vectors.aliyuncs.com`, or the `-internal` host.
pub fn service_host(region: &str, internal: bool) -> String {
    if internal {
        format!("{region}-internal.oss-vectors.aliyuncs.com")
    } else {
        format!("{region}.oss-vectors.aliyuncs.com")
    }
}

/// `<bucket>-<accountId>.<service host>`: the host of a vector bucket.
pub fn bucket_host(bucket: &str, account_id: &str, service_host: &str) -> String {
    format!("{bucket}-{account_id}.{service_host}")
}

/// The path of a path-style Vectors request (emulators): the unencoded ARN of
/// what it addresses, `/acs:ossvector:<region>:<account>:<bucket>/` or
/// `/acs:ossvector:<region>::/` (the same text the signature covers).
pub fn path_style_path(region: &str, account_id: &str, bucket: Option<&str>) -> String {
    match bucket {
        Some(b) => format!("/acs:ossvector:{region}:{account_id}:{b}/"),
        None => format!("/acs:ossvector:{region}::/"),
    }
}

// ---------------------------------------------------------------- requests

fn vectors(
    op: &'static str,
    permission: &'static str,
    method: &'static str,
    bucket: Option<&str>,
) -> OssRequest {
    let mut r = OssRequest::new(op, permission, method, bucket);
    r.service = Service::Vectors;
    r
}

/// Both official SDKs send Content-MD5 on every Vectors call, an empty body
/// included; JSON bodies carry `Content-Type: application/json`.
fn json_body(r: OssRequest, body: Option<serde_json::Value>) -> OssRequest {
    match body {
        Some(v) => r.body("application/json", v.to_string().into_bytes()),
        None => r.empty_body_md5(),
    }
}

pub fn list_vector_buckets(prefix: Option<&str>, marker: Option<&str>, max: u32) -> OssRequest {
    let mut r = vectors("ListVectorBuckets", "oss:ListVectorBuckets", "GET", None)
        .opt_param("prefix", prefix)
        .opt_param("marker", marker)
        .param("max-keys", max.clamp(1, 1000).to_string());
    r.read = true;
    json_body(r, None)
}

pub fn get_vector_bucket(bucket: &str) -> OssRequest {
    let mut r = vectors(
        "GetVectorBucket",
        "oss:GetVectorBucket",
        "GET",
        Some(bucket),
    )
    .sub("bucketInfo");
    r.read = true;
    json_body(r, None)
}

pub fn delete_vector_bucket(bucket: &str) -> OssRequest {
    json_body(
        vectors(
            "DeleteVectorBucket",
            "oss:DeleteVectorBucket",
            "DELETE",
            Some(bucket),
        ),
        None,
    )
}

pub fn put_vector_bucket(bucket: &str) -> OssRequest {
    json_body(
        vectors(
            "PutVectorBucket",
            "oss:PutVectorBucket",
            "PUT",
            Some(bucket),
        ),
        None,
    )
}

/// ListVectorIndexes: `{maxResults, nextToken, prefix}`; no body when no field is set.
pub fn list_vector_indexes(
    bucket: &str,
    prefix: Option<&str>,
    next_token: Option<&str>,
    max: Option<u32>,
) -> OssRequest {
    let mut fields = serde_json::Map::new();
    if let Some(m) = max {
        fields.insert("maxResults".into(), m.clamp(1, MAX_INDEX_PAGE).into());
    }
    if let Some(t) = next_token.filter(|t| !t.is_empty()) {
        fields.insert("nextToken".into(), t.into());
    }
    if let Some(p) = prefix.filter(|p| !p.is_empty()) {
        fields.insert("prefix".into(), p.into());
    }
    let mut r = vectors(
        "ListVectorIndexes",
        "oss:ListVectorIndexes",
        "POST",
        Some(bucket),
    )
    .sub("listVectorIndexes");
    r.read = true;
    json_body(
        r,
        (!fields.is_empty()).then_some(serde_json::Value::Object(fields)),
    )
}

pub fn get_vector_index(bucket: &str, index: &str) -> OssRequest {
    let mut r =
        vectors("GetVectorIndex", "oss:GetVectorIndex", "POST", Some(bucket)).sub("getVectorIndex");
    r.read = true;
    json_body(r, Some(serde_json::json!({ "indexName": index })))
}

/// Removes the index and every vector in it (asynchronously: it may show as
/// `deleting` for a while).
pub fn delete_vector_index(bucket: &str, index: &str) -> OssRequest {
    json_body(
        vectors(
            "DeleteVectorIndex",
            "oss:DeleteVectorIndex",
            "POST",
            Some(bucket),
        )
        .sub("deleteVectorIndex"),
        Some(serde_json::json!({ "indexName": index })),
    )
}

/// ListVectors, keys only (no data, no metadata): how vectors are counted.
pub fn list_vector_keys(bucket: &str, index: &str, next_token: Option<&str>) -> OssRequest {
    let mut body = serde_json::json!({
        "indexName": index,
        "maxResults": MAX_VECTOR_PAGE,
        "returnData": false,
        "returnMetadata": false,
    });
    if let Some(t) = next_token.filter(|t| !t.is_empty()) {
        body["nextToken"] = t.into();
    }
    let mut r = vectors("ListVectors", "oss:ListVectors", "POST", Some(bucket)).sub("listVectors");
    r.read = true;
    json_body(r, Some(body))
}

// ---------------------------------------------------------------- replies

/// `true`/`false` as JSON booleans or strings (tolerated: the XML APIs use text).
fn flexible_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Text(String),
    }
    Ok(match B::deserialize(d)? {
        B::Bool(b) => b,
        B::Text(t) => t.eq_ignore_ascii_case("true"),
    })
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

fn json<'a, T: Deserialize<'a>>(body: &'a str) -> Result<T, XmlError> {
    serde_json::from_str(body).map_err(|e| XmlError(format!("not the expected JSON: {e}")))
}

#[derive(Deserialize)]
struct BucketsReply {
    #[serde(rename = "ListAllMyBucketsResult")]
    result: BucketsResult,
}

#[derive(Deserialize)]
struct BucketsResult {
    #[serde(rename = "IsTruncated", default, deserialize_with = "flexible_bool")]
    is_truncated: bool,
    #[serde(rename = "NextMarker", default)]
    next_marker: Option<String>,
    #[serde(rename = "Buckets", default)]
    buckets: Vec<BucketEntry>,
}

#[derive(Deserialize)]
struct BucketEntry {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Region", default)]
    region: Option<String>,
    #[serde(rename = "Location", default)]
    location: Option<String>,
    #[serde(rename = "CreationDate", default)]
    creation_date: Option<String>,
}

impl BucketEntry {
    fn summary(self) -> VectorBucketSummary {
        let region = nonempty(self.region)
            .or_else(|| {
                self.location
                    .map(|l| l.strip_prefix("oss-").unwrap_or(&l).to_string())
            })
            .unwrap_or_default();
        VectorBucketSummary {
            name: self.name,
            region,
            creation_date: self.creation_date.as_deref().and_then(time::parse_iso8601),
        }
    }
}

/// ListVectorBuckets (F34, F35). A truncated page must name its next marker.
pub fn parse_vector_buckets(body: &str) -> Result<VectorBucketsPage, XmlError> {
    let reply: BucketsReply = json(body)?;
    let r = reply.result;
    let next_marker = nonempty(r.next_marker);
    if r.is_truncated && next_marker.is_none() {
        return Err(XmlError(
            "ListVectorBuckets: IsTruncated without a NextMarker".into(),
        ));
    }
    Ok(VectorBucketsPage {
        buckets: r.buckets.into_iter().map(BucketEntry::summary).collect(),
        next_marker: if r.is_truncated { next_marker } else { None },
    })
}

#[derive(Deserialize)]
struct BucketInfoReply {
    #[serde(rename = "BucketInfo")]
    info: BucketEntry,
}

/// GetVectorBucket (F33).
pub fn parse_vector_bucket(body: &str) -> Result<VectorBucketSummary, XmlError> {
    let reply: BucketInfoReply = json(body)?;
    Ok(reply.info.summary())
}

#[derive(Deserialize)]
struct IndexEntry {
    #[serde(rename = "indexName")]
    index_name: String,
    #[serde(rename = "dataType", default)]
    data_type: String,
    #[serde(rename = "dimension", default)]
    dimension: u64,
    #[serde(rename = "distanceMetric", default)]
    distance_metric: String,
    #[serde(rename = "status", default)]
    status: String,
    #[serde(rename = "createTime", default)]
    create_time: Option<String>,
}

impl IndexEntry {
    fn index(self) -> VectorIndex {
        VectorIndex {
            name: self.index_name,
            data_type: self.data_type,
            dimension: self.dimension,
            distance_metric: self.distance_metric,
            status: self.status,
            created: self.create_time.as_deref().and_then(time::parse_iso8601),
        }
    }
}

#[derive(Deserialize)]
struct IndexesReply {
    #[serde(rename = "indexes", default)]
    indexes: Vec<IndexEntry>,
    #[serde(rename = "nextToken", default)]
    next_token: Option<String>,
}

/// ListVectorIndexes (F37): done when `nextToken` is absent or empty.
pub fn parse_vector_indexes(body: &str) -> Result<VectorIndexesPage, XmlError> {
    let reply: IndexesReply = json(body)?;
    Ok(VectorIndexesPage {
        indexes: reply.indexes.into_iter().map(IndexEntry::index).collect(),
        next_token: nonempty(reply.next_token),
    })
}

#[derive(Deserialize)]
struct IndexReply {
    #[serde(rename = "index")]
    index: IndexEntry,
}

/// GetVectorIndex (F36).
pub fn parse_vector_index(body: &str) -> Result<VectorIndex, XmlError> {
    let reply: IndexReply = json(body)?;
    Ok(reply.index.index())
}

#[derive(Deserialize)]
struct VectorsReply {
    /// Only counted: each entry is skipped, whatever it holds.
    #[serde(rename = "vectors", default)]
    vectors: Vec<serde::de::IgnoredAny>,
    #[serde(rename = "nextToken", default)]
    next_token: Option<String>,
}

/// ListVectors (X6): how many vectors the page holds, and the next token.
pub fn parse_vector_keys(body: &str) -> Result<(u64, Option<String>), XmlError> {
    let reply: VectorsReply = json(body)?;
    Ok((reply.vectors.len() as u64, nonempty(reply.next_token)))
}

#[cfg(test)]
mod tests;
