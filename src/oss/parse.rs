//! One parser per OSS operation: `&str -> Result<T, XmlError>`. Pure.
//!
//! Unknown elements are ignored and optional ones may be missing. When a reply says
//! `<EncodingType>url</EncodingType>`, key-like fields are percent-decoded here and
//! nowhere else.

use super::encode;
use super::model::*;
use super::time::{parse_iso8601, parse_rfc1123};
use super::xml::{self, Element, XmlError};

fn url_encoded(root: &Element) -> bool {
    root.text_of("EncodingType")
        .is_some_and(|t| t.eq_ignore_ascii_case("url"))
}

fn key_field(el: &Element, name: &str, encoded: bool) -> String {
    let raw = el.raw_text_of(name).unwrap_or_default().to_string();
    if encoded {
        encode::decode(&raw)
    } else {
        raw
    }
}

fn opt_key_field(el: &Element, name: &str, encoded: bool) -> Option<String> {
    el.nonempty(name)
        .map(|v| if encoded { encode::decode(&v) } else { v })
}

fn date(el: &Element, name: &str) -> Option<i64> {
    el.text_of(name).and_then(parse_iso8601)
}

fn truncated(root: &Element) -> bool {
    root.flag("IsTruncated")
}

/// `Region` if present, else `Location` without its `oss-` prefix (oss-api.md §1.1).
pub fn region_of(el: &Element) -> String {
    match el.nonempty("Region") {
        Some(r) => r,
        None => region_from_location(&el.string("Location")),
    }
}

pub fn region_from_location(location: &str) -> String {
    location
        .strip_prefix("oss-")
        .unwrap_or(location)
        .to_string()
}

pub fn list_buckets(body: &str) -> Result<ListBucketsPage, XmlError> {
    let root = xml::parse_root(body, "ListAllMyBucketsResult")?;
    let buckets = root
        .child("Buckets")
        .map(|b| {
            b.children_named("Bucket")
                .map(|b| BucketSummary {
                    name: b.string("Name"),
                    region: region_of(b),
                    creation_date: date(b, "CreationDate"),
                    storage_class: b.string("StorageClass"),
                    extranet_endpoint: b.nonempty("ExtranetEndpoint"),
                    intranet_endpoint: b.nonempty("IntranetEndpoint"),
                    resource_group_id: b.nonempty("ResourceGroupId"),
                })
                .collect()
        })
        .unwrap_or_default();
    let next_marker = if truncated(&root) {
        Some(
            root.nonempty("NextMarker")
                .ok_or_else(|| XmlError("truncated ListBuckets page without NextMarker".into()))?,
        )
    } else {
        None
    };
    Ok(ListBucketsPage {
        buckets,
        owner_id: root.child("Owner").and_then(|o| o.nonempty("ID")),
        next_marker,
    })
}

pub fn bucket_info(body: &str) -> Result<BucketInfo, XmlError> {
    let root = xml::parse_root(body, "BucketInfo")?;
    let b = root
        .child("Bucket")
        .ok_or_else(|| XmlError("<BucketInfo> without <Bucket>".into()))?;
    Ok(BucketInfo {
        name: b.string("Name"),
        region: region_of(b),
        creation_date: date(b, "CreationDate"),
        storage_class: b.string("StorageClass"),
        versioning: Versioning::from_status(b.text_of("Versioning")),
        cross_region_replication: b.text_of("CrossRegionReplication") == Some("Enabled"),
        transfer_acceleration: b.text_of("TransferAcceleration") == Some("Enabled"),
        extranet_endpoint: b.nonempty("ExtranetEndpoint"),
        intranet_endpoint: b.nonempty("IntranetEndpoint"),
        owner_id: b.child("Owner").and_then(|o| o.nonempty("ID")),
        acl: b
            .child("AccessControlList")
            .and_then(|a| a.nonempty("Grant")),
        data_redundancy_type: b.nonempty("DataRedundancyType"),
        served_at: None,
    })
}

pub fn bucket_location(body: &str) -> Result<String, XmlError> {
    let root = xml::parse_root(body, "LocationConstraint")?;
    Ok(region_from_location(root.text.trim()))
}

pub fn bucket_stat(body: &str) -> Result<BucketStat, XmlError> {
    let r = xml::parse_root(body, "BucketStat")?;
    let class = |storage: &str, count: &str| -> Result<ClassStat, XmlError> {
        Ok(ClassStat {
            storage: r.number_or_zero(storage)?,
            object_count: r.number_or_zero(count)?,
        })
    };
    Ok(BucketStat {
        storage: r.number_or_zero("Storage")?,
        object_count: r.number_or_zero("ObjectCount")?,
        multipart_upload_count: r.number_or_zero("MultipartUploadCount")?,
        multipart_part_count: r.number_or_zero("MultipartPartCount")?,
        multipart_part_storage: r.number_or_zero("MultipartPartStorage")?,
        live_channel_count: r.number_or_zero("LiveChannelCount")?,
        delete_marker_count: r.number_or_zero("DeleteMarkerCount")?,
        last_modified_time: r.number("LastModifiedTime")?.map(|v| v as i64),
        standard: class("StandardStorage", "StandardObjectCount")?,
        infrequent_access: class("InfrequentAccessStorage", "InfrequentAccessObjectCount")?,
        archive: class("ArchiveStorage", "ArchiveObjectCount")?,
        cold_archive: class("ColdArchiveStorage", "ColdArchiveObjectCount")?,
        deep_cold_archive: class("DeepColdArchiveStorage", "DeepColdArchiveObjectCount")?,
    })
}

pub fn bucket_versioning(body: &str) -> Result<Versioning, XmlError> {
    let root = xml::parse_root(body, "VersioningConfiguration")?;
    Ok(Versioning::from_status(root.text_of("Status")))
}

fn object_summary(c: &Element, encoded: bool) -> Result<ObjectSummary, XmlError> {
    Ok(ObjectSummary {
        key: key_field(c, "Key", encoded),
        size: c.number_or_zero("Size")?,
        storage_class: c.string("StorageClass"),
        last_modified: date(c, "LastModified"),
        etag: c.string("ETag").trim_matches('"').to_string(),
        object_type: c.string("Type"),
        transition_time: date(c, "TransitionTime"),
    })
}

/// What a reply to ListObjectsV2 turned out to be.
#[derive(Debug)]
pub enum V2Reply {
    Page(ListObjectsPage),
    /// A truncated page paged by marker, without a continuation token: the
    /// endpoint did not understand `list-type=2` and answered ListObjects V1.
    V1,
}

/// ListObjectsV2, telling a V1 page (an endpoint that ignores `list-type=2`)
/// from a broken one.
pub fn list_objects_v2_reply(body: &str) -> Result<V2Reply, XmlError> {
    let root = xml::parse_root(body, "ListBucketResult")?;
    if truncated(&root)
        && root.child("NextContinuationToken").is_none()
        && (root.child("NextMarker").is_some() || root.child("Marker").is_some())
    {
        return Ok(V2Reply::V1);
    }
    list_objects_v2(body).map(V2Reply::Page)
}

/// ListObjectsV2 (`list-type=2`).
pub fn list_objects_v2(body: &str) -> Result<ListObjectsPage, XmlError> {
    let root = xml::parse_root(body, "ListBucketResult")?;
    let enc = url_encoded(&root);
    let objects = root
        .children_named("Contents")
        .map(|c| object_summary(c, enc))
        .collect::<Result<_, _>>()?;
    let common_prefixes = root
        .children_named("CommonPrefixes")
        .map(|p| key_field(p, "Prefix", enc))
        .collect();
    let next_continuation_token = if truncated(&root) {
        Some(
            opt_key_field(&root, "NextContinuationToken", enc).ok_or_else(|| {
                XmlError("truncated ListObjectsV2 page without NextContinuationToken".into())
            })?,
        )
    } else {
        None
    };
    Ok(ListObjectsPage {
        objects,
        common_prefixes,
        next_continuation_token,
    })
}

/// ListObjects v1: the same page shape, paged by `NextMarker` (returned as the token).
pub fn list_objects_v1(body: &str) -> Result<ListObjectsPage, XmlError> {
    let root = xml::parse_root(body, "ListBucketResult")?;
    let enc = url_encoded(&root);
    let objects: Vec<ObjectSummary> = root
        .children_named("Contents")
        .map(|c| object_summary(c, enc))
        .collect::<Result<_, _>>()?;
    let common_prefixes = root
        .children_named("CommonPrefixes")
        .map(|p| key_field(p, "Prefix", enc))
        .collect();
    let next = if truncated(&root) {
        opt_key_field(&root, "NextMarker", enc).or_else(|| objects.last().map(|o| o.key.clone()))
    } else {
        None
    };
    Ok(ListObjectsPage {
        objects,
        common_prefixes,
        next_continuation_token: next,
    })
}

pub fn list_object_versions(body: &str) -> Result<ListVersionsPage, XmlError> {
    let root = xml::parse_root(body, "ListVersionsResult")?;
    let enc = url_encoded(&root);
    let mut entries = Vec::new();
    for c in &root.children {
        let is_delete_marker = match c.name.as_ref() {
            "Version" => false,
            "DeleteMarker" => true,
            _ => continue,
        };
        let version_id = c.string("VersionId");
        entries.push(ObjectVersion {
            key: key_field(c, "Key", enc),
            version_id: if version_id.is_empty() {
                "null".into()
            } else {
                version_id
            },
            is_latest: c.flag("IsLatest"),
            is_delete_marker,
            size: c.number_or_zero("Size")?,
            storage_class: c.string("StorageClass"),
            last_modified: date(c, "LastModified"),
            transition_time: date(c, "TransitionTime"),
        });
    }
    let (next_key_marker, next_version_id_marker) = if truncated(&root) {
        let key = opt_key_field(&root, "NextKeyMarker", enc).ok_or_else(|| {
            XmlError("truncated ListObjectVersions page without NextKeyMarker".into())
        })?;
        (Some(key), root.nonempty("NextVersionIdMarker"))
    } else {
        (None, None)
    };
    Ok(ListVersionsPage {
        entries,
        next_key_marker,
        next_version_id_marker,
    })
}

/// Fields read by [`peek_versions_marker`] and [`peek_objects_token`].
fn peek_listing(body: &str, marker_fields: &[&str]) -> Result<Option<Vec<String>>, XmlError> {
    let mut names = vec!["IsTruncated", "EncodingType"];
    names.extend_from_slice(marker_fields);
    let found = xml::peek_top_level(body, &names, |f| {
        let has = |n: &str| f.iter().any(|(k, _)| k == n);
        f.iter().any(|(k, v)| k == "IsTruncated" && v != "true") || names.iter().all(|n| has(n))
    })?;
    let get = |n: &str| found.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    if get("IsTruncated") != Some("true") {
        return Ok(None);
    }
    let encoded = get("EncodingType").is_some_and(|e| e.eq_ignore_ascii_case("url"));
    Ok(Some(
        marker_fields
            .iter()
            .map(|n| {
                let v = get(n).unwrap_or_default().trim();
                // Version ids are never encoded; continuation tokens are, like keys.
                if encoded && *n != "NextVersionIdMarker" {
                    encode::decode(v)
                } else {
                    v.to_string()
                }
            })
            .collect(),
    ))
}

/// The next-page marker of a ListObjectVersions reply, without parsing its entries.
pub fn peek_versions_marker(body: &str) -> Result<Option<(String, Option<String>)>, XmlError> {
    Ok(
        peek_listing(body, &["NextKeyMarker", "NextVersionIdMarker"])?.map(|mut v| {
            let vm = v.pop().filter(|s| !s.is_empty());
            (v.pop().unwrap_or_default(), vm)
        }),
    )
}

/// The continuation token of a ListObjectsV2 reply, without parsing its entries.
pub fn peek_objects_token(body: &str) -> Result<Option<String>, XmlError> {
    Ok(peek_listing(body, &["NextContinuationToken"])?.and_then(|mut v| v.pop()))
}

/// A DeleteMultipleObjects reply; an empty body (quiet mode) has no entries.
pub fn delete_result(body: &str) -> Result<Vec<DeletedEntry>, XmlError> {
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    let root = xml::parse_root(body, "DeleteResult")?;
    let enc = url_encoded(&root);
    Ok(root
        .children_named("Deleted")
        .map(|d| DeletedEntry {
            key: key_field(d, "Key", enc),
            version_id: d.nonempty("VersionId"),
            delete_marker: d.flag("DeleteMarker"),
            delete_marker_version_id: d.nonempty("DeleteMarkerVersionId"),
        })
        .collect())
}

/// Matches the requested identifiers against the `Deleted` entries, in request order.
/// Anything requested but not reported deleted is `NotDeleted`.
pub fn match_deleted(requested: &[ObjectIdentifier], deleted: &[DeletedEntry]) -> Vec<KeyOutcome> {
    use std::collections::HashMap;
    let mut by_id: HashMap<(&str, Option<&str>), &DeletedEntry> =
        HashMap::with_capacity(deleted.len());
    for d in deleted {
        by_id.insert((d.key.as_str(), d.version_id.as_deref()), d);
    }
    requested
        .iter()
        .map(|r| {
            let found = by_id
                .get(&(r.key.as_str(), r.version_id.as_deref()))
                .copied()
                .or_else(|| {
                    // A null version may be echoed without a VersionId.
                    if r.version_id.as_deref() == Some("null") {
                        by_id.get(&(r.key.as_str(), None)).copied()
                    } else {
                        None
                    }
                });
            match found {
                Some(d) => KeyOutcome::Deleted(d.clone()),
                None => KeyOutcome::NotDeleted {
                    key: r.key.clone(),
                    version_id: r.version_id.clone(),
                    reason: "not reported in the DeleteMultipleObjects result".into(),
                },
            }
        })
        .collect()
}

pub fn list_multipart_uploads(body: &str) -> Result<ListUploadsPage, XmlError> {
    let root = xml::parse_root(body, "ListMultipartUploadsResult")?;
    let enc = url_encoded(&root);
    let uploads = root
        .children_named("Upload")
        .map(|u| MultipartUpload {
            key: key_field(u, "Key", enc),
            upload_id: u.string("UploadId"),
            initiated: date(u, "Initiated"),
            storage_class: u.nonempty("StorageClass"),
        })
        .collect();
    let (next_key_marker, next_upload_id_marker) = if truncated(&root) {
        (
            opt_key_field(&root, "NextKeyMarker", enc),
            root.nonempty("NextUploadIdMarker"),
        )
    } else {
        (None, None)
    };
    if truncated(&root) && next_key_marker.is_none() {
        return Err(XmlError(
            "truncated ListMultipartUploads page without NextKeyMarker".into(),
        ));
    }
    Ok(ListUploadsPage {
        uploads,
        next_key_marker,
        next_upload_id_marker,
    })
}

pub fn list_parts(body: &str) -> Result<ListPartsPage, XmlError> {
    let root = xml::parse_root(body, "ListPartsResult")?;
    let mut parts = Vec::new();
    for p in root.children_named("Part") {
        let number = p
            .number("PartNumber")?
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| XmlError("a Part without a PartNumber".into()))?;
        parts.push((number, p.number_or_zero("Size")?));
    }
    let next_marker = if truncated(&root) {
        let next = root
            .number("NextPartNumberMarker")?
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                XmlError("truncated ListParts page without NextPartNumberMarker".into())
            })?;
        Some(next)
    } else {
        None
    };
    Ok(ListPartsPage { parts, next_marker })
}

/// InitiateMultipartUpload's upload id (used by fixtures and the conformance suite).
pub fn initiate_multipart_upload(body: &str) -> Result<String, XmlError> {
    let root = xml::parse_root(body, "InitiateMultipartUploadResult")?;
    root.nonempty("UploadId")
        .ok_or_else(|| XmlError("no UploadId".into()))
}

/// Parses an RFC 1123 date header, for clock-skew reporting.
pub fn http_date(value: &str) -> Option<i64> {
    parse_rfc1123(value)
}

mod attachments;
pub use attachments::*;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;
