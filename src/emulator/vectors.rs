//! OSS Vectors in the emulator (oss-api.md §13): vector buckets per region,
//! their indexes (dimension, data type, metric, vectors) and OSS's rules: JSON
//! bodies, asynchronous index deletion (`deleting` for a while), and
//! `VectorBucketNotEmpty` while any index remains. Errors are JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::protocol::{check_md5, Ctx, EmuError, Reply, Request, VectorAddress, OWNER_ID};
use crate::oss::time;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredVector {
    pub data: Vec<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VectorIndex {
    pub data_type: String,
    pub dimension: u64,
    pub distance_metric: String,
    pub non_filterable: Vec<String>,
    pub created: i64,
    /// Set by DeleteVectorIndex (emulator clock, ms): `deleting` until then, gone after.
    pub gone_at_ms: Option<u64>,
    pub vectors: BTreeMap<String, StoredVector>,
}

impl VectorIndex {
    pub fn new(dimension: u64, distance_metric: &str, created: i64) -> Self {
        VectorIndex {
            data_type: "float32".into(),
            dimension,
            distance_metric: distance_metric.into(),
            non_filterable: Vec::new(),
            created,
            gone_at_ms: None,
            vectors: BTreeMap::new(),
        }
    }

    fn status(&self) -> &'static str {
        if self.gone_at_ms.is_some() {
            "deleting"
        } else {
            "running"
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VectorBucket {
    pub created: i64,
    pub indexes: BTreeMap<String, VectorIndex>,
}

impl VectorBucket {
    pub fn new(created: i64) -> Self {
        VectorBucket {
            created,
            indexes: BTreeMap::new(),
        }
    }

    /// Removes indexes whose asynchronous deletion has finished.
    pub fn settle(&mut self, now_ms: u64) {
        self.indexes
            .retain(|_, i| i.gone_at_ms.is_none_or(|t| now_ms < t));
    }
}

/// Vector buckets by region, then name (names are unique per account and region).
pub type VectorBuckets = BTreeMap<String, BTreeMap<String, VectorBucket>>;

/// `[<bucket>-<account>.]<region>[-internal].oss-vectors.aliyuncs.com`.
pub fn parse_host(host: &str) -> Option<VectorAddress> {
    let rest = host.strip_suffix(".oss-vectors.aliyuncs.com")?;
    let (bucket_part, region) = match rest.rsplit_once('.') {
        Some((b, r)) => (Some(b), r),
        None => (None, rest),
    };
    let region = region.strip_suffix("-internal").unwrap_or(region);
    let (bucket, account) = match bucket_part {
        Some(b) => match b.rsplit_once('-') {
            Some((name, acct)) if !acct.is_empty() && acct.bytes().all(|c| c.is_ascii_digit()) => {
                (Some(name.to_string()), Some(acct.to_string()))
            }
            _ => (Some(b.to_string()), None),
        },
        None => (None, None),
    };
    Some(VectorAddress {
        region: region.to_string(),
        bucket,
        account,
    })
}

/// Path style (emulators only): `/acs:ossvector:<region>:<account>:<bucket>/<key>`
/// or `/acs:ossvector:<region>::/`, the ARN the signature covers. Returns the
/// address and the key, if any.
pub fn parse_path(decoded_path: &str) -> Option<(VectorAddress, Option<String>)> {
    let rest = decoded_path.strip_prefix("/acs:ossvector:")?;
    let (arn, key) = rest.split_once('/')?;
    let mut parts = arn.splitn(3, ':');
    let region = parts.next()?.to_string();
    let account = parts.next()?.to_string();
    let bucket = parts.next()?.to_string();
    let key = (!key.is_empty()).then(|| key.to_string());
    Some(if bucket.is_empty() {
        (
            VectorAddress {
                region,
                bucket: None,
                account: None,
            },
            key,
        )
    } else {
        (
            VectorAddress {
                region,
                bucket: Some(bucket),
                account: Some(account),
            },
            key,
        )
    })
}

/// `{"Error":{"Code","Message","RequestId","HostId"[,"EC"]}}` (F38).
pub fn error_json(e: &EmuError, request_id: &str, host: &str) -> String {
    let mut err = json!({
        "Code": e.code,
        "Message": e.message,
        "RequestId": request_id,
        "HostId": host,
    });
    if let Some(ec) = &e.ec {
        err["EC"] = ec.clone().into();
    }
    json!({ "Error": err }).to_string()
}

fn json_reply(v: Value) -> Reply {
    Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: v.to_string().into_bytes(),
    }
}

fn no_such_bucket(name: &str) -> EmuError {
    EmuError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
        .with("BucketName", name)
}

fn no_such_index(name: &str) -> EmuError {
    EmuError::new(
        404,
        "NoSuchVectorIndex",
        &format!("The specified vector index {name} does not exist."),
    )
}

fn bad_request(message: &str) -> EmuError {
    EmuError::new(400, "InvalidArgument", message)
}

/// The JSON body of a request (`{}` when there is none).
fn body(r: &Request) -> Result<Value, EmuError> {
    if r.body.is_empty() {
        return Ok(json!({}));
    }
    let v: Value = serde_json::from_slice(&r.body)
        .map_err(|e| bad_request(&format!("The request body is not valid JSON: {e}")))?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(bad_request("The request body must be a JSON object."))
    }
}

fn index_name(v: &Value) -> Result<String, EmuError> {
    let name = v["indexName"]
        .as_str()
        .ok_or_else(|| bad_request("indexName is required."))?;
    crate::oss::vectors::validate_index_name(name)
        .map_err(|_| bad_request("The index name is not valid."))?;
    Ok(name.to_string())
}

fn endpoint_of(region: &str) -> String {
    crate::oss::vectors::service_host(region, false)
}

fn bucket_json(name: &str, region: &str, b: &VectorBucket) -> Value {
    json!({
        "CreationDate": time::iso8601(b.created),
        "ExtranetEndpoint": endpoint_of(region),
        "IntranetEndpoint": crate::oss::vectors::service_host(region, true),
        "Location": format!("oss-{region}"),
        "Name": name,
        "Region": region,
    })
}

fn index_json(bucket: &str, name: &str, i: &VectorIndex) -> Value {
    json!({
        "createTime": time::iso8601(i.created),
        "dataType": i.data_type,
        "dimension": i.dimension,
        "distanceMetric": i.distance_metric,
        "indexName": name,
        "metadata": { "nonFilterableMetadataKeys": i.non_filterable },
        "status": i.status(),
        "vectorBucketName": bucket,
    })
}

/// A page size from a JSON body: `default` when absent, else 1..=`max`.
fn max_results(v: &Value, default: u64, max: u64) -> Result<usize, EmuError> {
    match &v["maxResults"] {
        Value::Null => Ok(default as usize),
        n => match n.as_u64() {
            Some(n) if (1..=max).contains(&n) => Ok(n as usize),
            _ => Err(bad_request(&format!(
                "maxResults must be between 1 and {max}."
            ))),
        },
    }
}

/// The bucket a Vectors request names, checked as OSS checks it: its
/// region and name.
fn addressed(r: &Request) -> Result<(String, String), EmuError> {
    check_md5(r, false)?;
    let not_a_bucket = || EmuError::not_implemented("This Vectors request");
    let addr = r.vectors.as_ref().ok_or_else(not_a_bucket)?;
    let name = addr.bucket.clone().ok_or_else(not_a_bucket)?;
    if crate::oss::vectors::validate_bucket_name(&name).is_err() {
        return Err(EmuError::new(
            400,
            "InvalidVectorBucketName",
            "The specified vector bucket name is not valid.",
        )
        .with("BucketName", &name));
    }
    // A host naming another account's id reaches no bucket of this account.
    if addr.account.as_deref() != Some(OWNER_ID) {
        return Err(no_such_bucket(&name));
    }
    Ok((addr.region.clone(), name))
}

/// The vector bucket a request names, settled to now: region, name, bucket.
fn vector_bucket<'s>(
    ctx: &'s mut Ctx<'_>,
    r: &Request,
) -> Result<(String, String, &'s mut VectorBucket), EmuError> {
    let (region, name) = addressed(r)?;
    let now_ms = ctx.now_ms;
    let b = ctx
        .store
        .vector_buckets
        .get_mut(&region)
        .and_then(|buckets| buckets.get_mut(&name))
        .ok_or_else(|| no_such_bucket(&name))?;
    b.settle(now_ms);
    Ok((region, name, b))
}

/// PutVectorBucket.
pub fn put_vector_bucket(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (region, name) = addressed(r)?;
    let buckets = ctx.store.vector_buckets.entry(region.clone()).or_default();
    if buckets.contains_key(&name) {
        return Err(EmuError::new(
            409,
            "BucketAlreadyExists",
            "The requested bucket name is not available.",
        ));
    }
    let created = ctx
        .store
        .creation_date(&format!("vector:{region}:{name}"), ctx.now);
    ctx.store
        .vector_buckets
        .entry(region)
        .or_default()
        .insert(name.clone(), VectorBucket::new(created));
    Ok(Reply::ok().header("Location", &format!("/{name}")))
}

/// DeleteVectorBucket: only once its indexes are gone.
pub fn delete_vector_bucket(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (region, name, b) = vector_bucket(ctx, r)?;
    if !b.indexes.is_empty() {
        return Err(EmuError::new(
            409,
            "VectorBucketNotEmpty",
            "The vector bucket you tried to delete is not empty: delete its vector indexes first.",
        )
        .with("BucketName", &name));
    }
    if let Some(buckets) = ctx.store.vector_buckets.get_mut(&region) {
        buckets.remove(&name);
    }
    Ok(Reply::no_content())
}

/// GetVectorBucket.
pub fn get_vector_bucket(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (region, name, b) = vector_bucket(ctx, r)?;
    Ok(json_reply(
        json!({ "BucketInfo": bucket_json(&name, &region, b) }),
    ))
}

/// PutVectorIndex.
pub fn put_vector_index(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let now = ctx.now;
    let (_, _, b) = vector_bucket(ctx, r)?;
    let v = body(r)?;
    let index = index_name(&v)?;
    let dimension = v["dimension"]
        .as_u64()
        .filter(|d| (1..=4096).contains(d))
        .ok_or_else(|| bad_request("dimension must be between 1 and 4096."))?;
    if v["dataType"].as_str() != Some("float32") {
        return Err(bad_request("dataType must be float32."));
    }
    let metric = match v["distanceMetric"].as_str() {
        Some(m @ ("euclidean" | "cosine")) => m,
        _ => return Err(bad_request("distanceMetric must be euclidean or cosine.")),
    };
    if b.indexes.contains_key(&index) {
        return Err(EmuError::new(
            409,
            "VectorIndexAlreadyExists",
            "The vector index already exists.",
        ));
    }
    let mut i = VectorIndex::new(dimension, metric, now);
    i.non_filterable = v["metadata"]["nonFilterableMetadataKeys"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    b.indexes.insert(index, i);
    Ok(Reply::ok())
}

/// GetVectorIndex.
pub fn get_vector_index(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (_, name, b) = vector_bucket(ctx, r)?;
    let index = index_name(&body(r)?)?;
    let i = b.indexes.get(&index).ok_or_else(|| no_such_index(&index))?;
    Ok(json_reply(json!({ "index": index_json(&name, &index, i) })))
}

/// ListVectorIndexes.
pub fn list_vector_indexes(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (_, name, b) = vector_bucket(ctx, r)?;
    let v = body(r)?;
    let max = max_results(&v, 100, 100)?;
    let prefix = v["prefix"].as_str().unwrap_or("");
    let after = v["nextToken"].as_str().unwrap_or("");
    let matching: Vec<(&String, &VectorIndex)> = b
        .indexes
        .iter()
        .filter(|(n, _)| n.starts_with(prefix) && n.as_str() > after)
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .take(max)
        .map(|(n, i)| index_json(&name, n, i))
        .collect();
    let mut out = json!({ "indexes": page });
    if matching.len() > max {
        out["nextToken"] = matching[max - 1].0.clone().into();
    }
    Ok(json_reply(out))
}

/// DeleteVectorIndex.
pub fn delete_vector_index(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let now_ms = ctx.now_ms;
    let delay = ctx.access_point_delay_ms;
    let (_, _, b) = vector_bucket(ctx, r)?;
    let index = index_name(&body(r)?)?;
    let i = b
        .indexes
        .get_mut(&index)
        .ok_or_else(|| no_such_index(&index))?;
    if i.gone_at_ms.is_none() {
        i.gone_at_ms = Some(now_ms + delay);
    }
    b.settle(now_ms);
    Ok(Reply::no_content())
}

/// PutVectors.
pub fn put_vectors(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (_, _, b) = vector_bucket(ctx, r)?;
    let v = body(r)?;
    let index = index_name(&v)?;
    let i = b
        .indexes
        .get_mut(&index)
        .filter(|i| i.gone_at_ms.is_none())
        .ok_or_else(|| no_such_index(&index))?;
    let vectors = v["vectors"]
        .as_array()
        .ok_or_else(|| bad_request("vectors is required."))?;
    if vectors.is_empty() || vectors.len() > 500 {
        return Err(bad_request("Between 1 and 500 vectors may be put at once."));
    }
    let mut parsed = Vec::with_capacity(vectors.len());
    for vec in vectors {
        let key = vec["key"]
            .as_str()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| bad_request("Each vector needs a key."))?;
        let data: Vec<f32> = vec["data"]["float32"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_f64())
                    .map(|x| x as f32)
                    .collect()
            })
            .unwrap_or_default();
        if data.len() as u64 != i.dimension {
            return Err(bad_request(&format!(
                "Vector {key} has {} dimensions; the index has {}.",
                data.len(),
                i.dimension
            )));
        }
        let metadata = (!vec["metadata"].is_null()).then(|| vec["metadata"].clone());
        parsed.push((key.to_string(), StoredVector { data, metadata }));
    }
    i.vectors.extend(parsed);
    Ok(Reply::ok())
}

/// ListVectors.
pub fn list_vectors(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (_, _, b) = vector_bucket(ctx, r)?;
    let v = body(r)?;
    if !v["segmentCount"].is_null() {
        return Err(EmuError::not_implemented("Segmented ListVectors"));
    }
    let index = index_name(&v)?;
    let i = b
        .indexes
        .get(&index)
        .filter(|i| i.gone_at_ms.is_none())
        .ok_or_else(|| no_such_index(&index))?;
    let max = max_results(&v, 500, 1000)?;
    let after = v["nextToken"].as_str().unwrap_or("");
    let (with_data, with_meta) = (
        v["returnData"].as_bool() == Some(true),
        v["returnMetadata"].as_bool() == Some(true),
    );
    let matching: Vec<(&String, &StoredVector)> = i
        .vectors
        .range::<str, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
        .take(max + 1)
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .take(max)
        .map(|(k, sv)| {
            let mut e = json!({ "key": k });
            if with_data {
                e["data"] = json!({ "float32": sv.data });
            }
            if let (true, Some(m)) = (with_meta, &sv.metadata) {
                e["metadata"] = m.clone();
            }
            e
        })
        .collect();
    let mut out = json!({ "vectors": page });
    if matching.len() > max {
        out["nextToken"] = matching[max - 1].0.clone().into();
    }
    Ok(json_reply(out))
}

/// ListVectorBuckets: every region's vector buckets of the account, by name;
/// `prefix`, `marker`, `max-keys` (F34, F35).
pub fn list_vector_buckets(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    check_md5(r, false)?;
    let prefix = r.param("prefix").unwrap_or("");
    let marker = r.param("marker").unwrap_or("");
    let max = match r.param("max-keys") {
        None => 100,
        Some(m) => m
            .parse::<usize>()
            .ok()
            .filter(|m| (1..=1000).contains(m))
            .ok_or_else(|| bad_request("max-keys must be between 1 and 1000."))?,
    };
    let mut all: Vec<(&String, &String, &VectorBucket)> = ctx
        .store
        .vector_buckets
        .iter()
        .flat_map(|(region, names)| names.iter().map(move |(n, b)| (n, region, b)))
        .filter(|(n, _, _)| n.starts_with(prefix) && n.as_str() > marker)
        .collect();
    all.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    // A name in several regions stays on one page: the marker is a name.
    let mut end = all.len().min(max);
    while end < all.len() && end > 0 && all[end].0 == all[end - 1].0 {
        end += 1;
    }
    let truncated = end < all.len();
    let buckets: Vec<Value> = all[..end]
        .iter()
        .map(|(n, region, b)| bucket_json(n, region, b))
        .collect();
    let mut result = json!({
        "Prefix": prefix,
        "Marker": marker,
        "MaxKeys": max,
        "IsTruncated": truncated,
        "Buckets": buckets,
    });
    if truncated {
        result["NextMarker"] = all[end - 1].0.clone().into();
    }
    Ok(json_reply(json!({ "ListAllMyBucketsResult": result })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_paths_name_region_bucket_and_account() {
        assert_eq!(
            parse_host("vec-1-123.cn-hangzhou.oss-vectors.aliyuncs.com"),
            Some(VectorAddress {
                region: "cn-hangzhou".into(),
                bucket: Some("vec-1".into()),
                account: Some("123".into())
            })
        );
        assert_eq!(
            parse_host("cn-beijing-internal.oss-vectors.aliyuncs.com"),
            Some(VectorAddress {
                region: "cn-beijing".into(),
                bucket: None,
                account: None
            })
        );
        assert_eq!(parse_host("vec.oss-cn-hangzhou.aliyuncs.com"), None);
        assert_eq!(
            parse_path("/acs:ossvector:cn-shanghai:123:vec/"),
            Some((
                VectorAddress {
                    region: "cn-shanghai".into(),
                    bucket: Some("vec".into()),
                    account: Some("123".into())
                },
                None
            ))
        );
        assert_eq!(
            parse_path("/acs:ossvector:cn-shanghai::/").map(|(a, _)| a.bucket),
            Some(None)
        );
        assert_eq!(parse_path("/bucket/key"), None);
    }
}
