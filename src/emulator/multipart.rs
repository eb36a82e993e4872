//! Multipart uploads: initiate, upload part, complete, abort, list uploads and parts.

use std::collections::BTreeMap;

use md5::{Digest, Md5};

use crate::oss::xml::Writer;
use crate::oss::{encode, time};

use super::op::Op;
use super::protocol::{bucket, check_key, max_keys, Ctx, EmuError, Reply, Request};
use super::store::{StorageClass, Upload, Version};

fn no_such_upload() -> EmuError {
    EmuError::new(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

/// InitiateMultipartUpload.
pub fn initiate_multipart_upload(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    let key = r.key.clone().unwrap_or_default();
    let now = ctx.now;
    check_key(&key)?;
    let id = super::store::render_upload_id(ctx.store.issue_id());
    let class = r
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-oss-storage-class"))
        .and_then(|(_, v)| StorageClass::parse(v))
        .unwrap_or_default();
    let b = bucket(ctx, r, Op::InitiateMultipartUpload)?;
    b.uploads.insert(
        (key.clone(), id.clone()),
        Upload {
            initiated: now,
            class,
            parts: BTreeMap::new(),
        },
    );
    let mut w = Writer::new();
    w.open("InitiateMultipartUploadResult")
        .leaf("Bucket", &name)
        .leaf("Key", &key)
        .leaf("UploadId", &id)
        .close("InitiateMultipartUploadResult");
    Ok(Reply::xml(w.finish()))
}

/// UploadPart.
pub fn upload_part(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let key = r.key.clone().unwrap_or_default();
    let upload_id = r.param("uploadId").unwrap_or_default().to_string();
    let number: u32 = r
        .param("partNumber")
        .and_then(|p| p.parse().ok())
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            EmuError::new(
                400,
                "InvalidArgument",
                "Part number must be an integer between 1 and 10000.",
            )
        })?;
    let etag = u128::from_be_bytes(Md5::digest(&r.body).into());
    let b = bucket(ctx, r, Op::UploadPart)?;
    let upload = b
        .uploads
        .get_mut(&(key, upload_id))
        .ok_or_else(no_such_upload)?;
    upload.parts.insert(
        number,
        super::store::Part {
            size: r.body.len() as u64,
            etag,
        },
    );
    Ok(Reply {
        status: 200,
        headers: vec![("ETag".into(), format!("\"{etag:032X}\""))],
        body: Vec::new(),
    })
}

/// CompleteMultipartUpload.
pub fn complete_multipart_upload(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    let key = r.key.clone().unwrap_or_default();
    let now = ctx.now;
    let upload_id = r.param("uploadId").unwrap_or_default().to_string();
    let text = String::from_utf8_lossy(&r.body).to_string();
    let root = crate::oss::xml::parse_root(&text, "CompleteMultipartUpload")
        .map_err(|e| EmuError::malformed(&e.0))?;
    let mut next = ctx.store.next_id;
    let b = bucket(ctx, r, Op::CompleteMultipartUpload)?;
    let upload = b
        .uploads
        .get(&(key.clone(), upload_id.clone()))
        .ok_or_else(no_such_upload)?;
    let mut size = 0u64;
    let mut md5 = Md5::new();
    let wanted: Vec<&crate::oss::xml::Element> = root.children_named("Part").collect();
    let complete_all = r
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("x-oss-complete-all") && v == "yes");
    let numbers: Vec<u32> = if complete_all {
        upload.parts.keys().copied().collect()
    } else {
        wanted
            .iter()
            .filter_map(|p| p.text_of("PartNumber").and_then(|n| n.parse().ok()))
            .collect()
    };
    if numbers.is_empty() {
        return Err(EmuError::new(
            400,
            "InvalidPart",
            "One or more of the specified parts could not be found.",
        ));
    }
    for n in &numbers {
        let part = upload.parts.get(n).ok_or_else(|| {
            EmuError::new(
                400,
                "InvalidPart",
                "One or more of the specified parts could not be found.",
            )
        })?;
        size += part.size;
        md5.update(part.etag.to_be_bytes());
    }
    let etag = u128::from_be_bytes(md5.finalize().into());
    let class = upload.class;
    b.uploads.remove(&(key.clone(), upload_id));
    let v = Version {
        id: 0,
        delete_marker: false,
        size,
        etag,
        class,
        multipart: true,
        modified: now,
        data: None,
    };
    let id = b.put(&key, v, &mut next);
    let versioned = b.versioning != crate::oss::model::Versioning::Off;
    ctx.store.next_id = next;
    let mut w = Writer::new();
    w.open("CompleteMultipartUploadResult")
        .leaf(
            "Location",
            &format!("http://{name}.{}/{}", r.host, encode::path(&key)),
        )
        .leaf("Bucket", &name)
        .leaf("Key", &key)
        .leaf("ETag", &format!("\"{etag:032X}-{}\"", numbers.len()))
        .close("CompleteMultipartUploadResult");
    let mut reply = Reply::xml(w.finish());
    if versioned {
        reply.headers.push((
            "x-oss-version-id".into(),
            super::store::render_version_id(id),
        ));
    }
    Ok(reply)
}

/// AbortMultipartUpload.
pub fn abort_multipart_upload(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let key = r.key.clone().unwrap_or_default();
    let upload_id = r.param("uploadId").unwrap_or_default().to_string();
    let b = bucket(ctx, r, Op::AbortMultipartUpload)?;
    b.uploads
        .remove(&(key, upload_id))
        .ok_or_else(no_such_upload)?;
    Ok(Reply {
        status: 204,
        ..Default::default()
    })
}

/// ListParts.
pub fn list_parts(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    let key = r.key.clone().unwrap_or_default();
    let upload_id = r.param("uploadId").unwrap_or_default().to_string();
    // Paged like OSS: at most `max-parts` (1000) parts after
    // `part-number-marker`, with `NextPartNumberMarker` while truncated.
    let max = max_keys(r, "max-parts", 1000, 1000)?;
    let marker: u32 = match r.param("part-number-marker").filter(|s| !s.is_empty()) {
        None => 0,
        Some(m) => m.parse().map_err(|_| {
            EmuError::new(
                400,
                "InvalidArgument",
                "part-number-marker must be a part number.",
            )
        })?,
    };
    let b = bucket(ctx, r, Op::ListParts)?;
    let upload = b
        .uploads
        .get(&(key.clone(), upload_id.clone()))
        .ok_or_else(no_such_upload)?;
    let mut after = upload.parts.range(marker.saturating_add(1)..);
    let page: Vec<(&u32, &super::store::Part)> = after.by_ref().take(max).collect();
    let truncated = after.next().is_some();
    let mut w = Writer::new();
    w.open("ListPartsResult")
        .leaf("Bucket", &name)
        .leaf("Key", &key)
        .leaf("UploadId", &upload_id)
        .leaf("PartNumberMarker", &marker.to_string())
        .leaf(
            "NextPartNumberMarker",
            &page.last().map_or(marker, |(n, _)| **n).to_string(),
        )
        .leaf("MaxParts", &max.to_string())
        .leaf("IsTruncated", if truncated { "true" } else { "false" });
    for (n, p) in page {
        w.open("Part")
            .leaf("PartNumber", &n.to_string())
            .leaf("LastModified", &time::iso8601(upload.initiated))
            .leaf("ETag", &format!("\"{:032X}\"", p.etag))
            .leaf("Size", &p.size.to_string())
            .close("Part");
    }
    w.close("ListPartsResult");
    Ok(Reply::xml(w.finish()))
}

/// ListMultipartUploads.
pub fn list_multipart_uploads(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    let max = max_keys(r, "max-uploads", 1000, 1000)?;
    let url = r.param("encoding-type") == Some("url");
    let enc = |s: &str| if url { encode::query(s) } else { s.to_string() };
    let prefix = r.param("prefix").unwrap_or_default().to_string();
    let key_marker = r
        .param("key-marker")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let id_marker = r
        .param("upload-id-marker")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let b = bucket(ctx, r, Op::ListMultipartUploads)?;
    let start = match (&key_marker, &id_marker) {
        (Some(k), Some(u)) => std::ops::Bound::Excluded((k.clone(), u.clone())),
        // Without an upload-id marker, resume after every upload of key-marker.
        (Some(k), None) => std::ops::Bound::Excluded((k.clone(), "\u{10FFFF}".to_string())),
        (None, _) => std::ops::Bound::Included((prefix.clone(), String::new())),
    };
    let mut items = Vec::new();
    let mut truncated = false;
    for ((k, u), up) in b.uploads.range((start, std::ops::Bound::Unbounded)) {
        if !k.starts_with(&prefix) {
            if k.as_str() > prefix.as_str() {
                break;
            }
            continue;
        }
        if items.len() == max {
            truncated = true;
            break;
        }
        items.push((k.clone(), u.clone(), up.initiated, up.class));
    }
    let mut w = Writer::new();
    w.open("ListMultipartUploadsResult").leaf("Bucket", &name);
    if url {
        w.leaf("EncodingType", "url");
    }
    w.leaf("KeyMarker", &enc(key_marker.as_deref().unwrap_or_default()))
        .leaf("UploadIdMarker", id_marker.as_deref().unwrap_or_default())
        .leaf(
            "NextKeyMarker",
            &enc(items
                .last()
                .filter(|_| truncated)
                .map(|i| i.0.as_str())
                .unwrap_or_default()),
        )
        .leaf(
            "NextUploadIdMarker",
            items
                .last()
                .filter(|_| truncated)
                .map(|i| i.1.as_str())
                .unwrap_or_default(),
        )
        .leaf("Delimiter", "")
        .leaf("Prefix", &enc(&prefix))
        .leaf("MaxUploads", &max.to_string())
        .leaf("IsTruncated", if truncated { "true" } else { "false" });
    for (k, u, initiated, class) in &items {
        w.open("Upload")
            .leaf("Key", &enc(k))
            .leaf("UploadId", u)
            .leaf("StorageClass", class.as_str())
            .leaf("Initiated", &time::iso8601(*initiated))
            .close("Upload");
    }
    w.close("ListMultipartUploadsResult");
    Ok(Reply::xml(w.finish()))
}
