//! Object operations: listings (objects and versions), writes, reads and deletes.

use super::*;

pub(super) fn object_fields(w: &mut Writer, key: &str, v: &Version, url: bool) {
    w.leaf("Key", &enc(key, url))
        .leaf("LastModified", &time::iso8601(v.modified))
        .leaf("ETag", &etag(v.etag))
        .leaf("Type", if v.multipart { "Multipart" } else { "Normal" })
        .leaf("Size", &v.size.to_string())
        .leaf("StorageClass", v.class.as_str());
}

/// Real tokens are standard base64 and hold `+`, `/` and `=`, which a client must
/// carry through query encoding and `encoding-type=url` intact. The emulator's
/// tokens always hold `+` and `/` (from a fixed three-byte header) and, for most
/// keys, `=` padding, so a client that mangles them is caught.
const TOKEN_HEADER: [u8; 3] = [0xfb, 0xff, 0xbf];

fn token_of(key: &str) -> String {
    let mut raw = TOKEN_HEADER.to_vec();
    raw.extend_from_slice(key.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(raw)
}

fn token_key(token: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    let key = raw.strip_prefix(&TOKEN_HEADER[..])?;
    String::from_utf8(key.to_vec()).ok()
}

pub(super) fn list_objects(ctx: &mut Ctx<'_>, r: &Request, v2: bool) -> Result<Reply, EmuError> {
    let op = if v2 {
        Op::ListObjectsV2
    } else {
        Op::ListObjects
    };
    let max = max_keys(r, "max-keys", 100, 1000)?;
    let url = r.url_encoding();
    let prefix = r.param("prefix").unwrap_or_default().to_string();
    let delimiter = r.nonempty_param("delimiter").map(str::to_string);
    let name = r.bucket.clone().unwrap_or_default();
    let after: Option<String> = if v2 {
        match r.nonempty_param("continuation-token") {
            Some(t) => Some(token_key(t).ok_or_else(|| {
                EmuError::invalid("The continuation token provided is incorrect.")
                    .with("ArgumentName", "continuation-token")
            })?),
            None => r.nonempty_param("start-after").map(str::to_string),
        }
    } else {
        r.nonempty_param("marker").map(str::to_string)
    };
    let fetch_owner = !v2 || r.param("fetch-owner") == Some("true");
    let b = bucket(ctx, r, op)?;
    let page = b.list_current(&prefix, delimiter.as_deref(), after.as_deref(), max);
    let mut w = Writer::new();
    w.open("ListBucketResult")
        .leaf("Name", &name)
        .leaf("Prefix", &enc(&prefix, url));
    if v2 {
        if let Some(t) = r.nonempty_param("continuation-token") {
            w.leaf("ContinuationToken", &enc(t, url));
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
            w.leaf("NextContinuationToken", &enc(&token_of(&last), url));
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

pub(super) fn list_versions(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
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
    let marker_mode = ctx.faults.marker_mode();
    let b = bucket(ctx, r, Op::ListObjectVersions)?;
    let page = b.list_versions(
        &prefix,
        delimiter.as_deref(),
        key_marker.as_deref(),
        version_marker,
        max,
        marker_mode,
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

/// Small bodies are kept so GetObject can return them.
const KEEP_DATA_UP_TO: usize = 1 << 20;

pub(super) fn put_object(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
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
    let b = bucket(ctx, r, Op::PutObject)?;
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

pub(super) fn get_object(ctx: &mut Ctx<'_>, r: &Request, op: Op) -> Result<Reply, EmuError> {
    let key = r.key.clone().unwrap_or_default();
    let wanted = match r.nonempty_param("versionId") {
        Some(v) => Some(
            parse_version_id(v)
                .ok_or_else(|| EmuError::invalid("Invalid version id specified."))?,
        ),
        None => None,
    };
    let b = bucket(ctx, r, op)?;
    let versioned = b.versioning != Versioning::Off;
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
    if versioned {
        reply = reply.header("x-oss-version-id", &render_version_id(v.id));
    }
    if op == Op::HeadObject || op == Op::GetObjectMeta {
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

pub(super) fn worm_denied() -> EmuError {
    EmuError::new(403, "AccessDenied", "The object is protected by the bucket's retention policy (WORM) and cannot be deleted yet.")
}

pub(super) fn delete_object(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
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
    let b = bucket(ctx, r, Op::DeleteObject)?;
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

/// A key to delete, the version id as sent, and as parsed (`Some(None)`: an
/// id this store never issued).
type Wanted = (String, Option<String>, Option<Option<u64>>);

/// A DeleteMultipleObjects body, checked as OSS checks it: `Quiet`, and 1 to
/// 1000 keys (with their version ids).
fn delete_body(r: &Request) -> Result<(bool, Vec<Wanted>), EmuError> {
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
    Ok((quiet, wanted))
}

pub(super) fn delete_multiple(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (quiet, wanted) = delete_body(r)?;
    let omit = ctx
        .faults
        .omit_prefixes(r.bucket.as_deref().unwrap_or_default());
    let lie = ctx
        .faults
        .false_delete_prefixes(r.bucket.as_deref().unwrap_or_default());
    let url = r.url_encoding();
    let now = ctx.now;
    let mut next = ctx.store.next_id;
    let b = bucket(ctx, r, Op::DeleteMultipleObjects)?;
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
            _ if lie.iter().any(|p| key.starts_with(p.as_str())) => (false, None),
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

/// GetObjectAcl: objects follow their bucket (`default`).
pub(super) fn object_acl(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    get_object(ctx, r, Op::HeadObject)?;
    Ok(Reply::xml(acl_policy("default")))
}
