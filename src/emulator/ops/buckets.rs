//! Bucket operations: list, create, delete, info and statistics.

use super::*;

pub(super) fn list_buckets(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
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

pub(super) fn put_bucket(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
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
    let created = ctx.store.creation_date(&name, ctx.now);
    ctx.store
        .buckets
        .insert(name, Bucket::new(&region, created, class));
    Ok(Reply::ok())
}

pub(super) fn delete_bucket(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    let b = bucket(ctx, r, Op::DeleteBucket)?;
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

pub(super) fn bucket_info(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let name = r.bucket.clone().unwrap_or_default();
    let b = bucket(ctx, r, Op::GetBucketInfo)?;
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

pub(super) fn bucket_stat(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let now = ctx.now;
    let b = bucket(ctx, r, Op::GetBucketStat)?;
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

/// GetBucketLocation.
pub(super) fn bucket_location(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::GetBucketLocation)?;
    Ok(Reply::xml(format!(
        "<LocationConstraint>oss-{}</LocationConstraint>",
        b.region
    )))
}

/// GetBucketVersioning.
pub(super) fn get_versioning(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::GetBucketVersioning)?;
    let mut w = Writer::new();
    w.open("VersioningConfiguration");
    if b.versioning != Versioning::Off {
        w.leaf("Status", b.versioning.as_str());
    }
    w.close("VersioningConfiguration");
    Ok(Reply::xml(w.finish()))
}

/// PutBucketVersioning: Enabled or Suspended (suspending a bucket that
/// never had versioning changes nothing).
pub(super) fn put_versioning(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let body = parse_body(&r.body, "VersioningConfiguration")?;
    let status = match body.text_of("Status") {
        Some("Enabled") => Versioning::Enabled,
        Some("Suspended") => Versioning::Suspended,
        _ => return Err(EmuError::malformed("Status must be Enabled or Suspended.")),
    };
    let b = bucket(ctx, r, Op::PutBucketVersioning)?;
    if b.versioning == Versioning::Off && status == Versioning::Suspended {
        return Ok(Reply::ok());
    }
    b.versioning = status;
    Ok(Reply::ok())
}

/// GetBucketAcl.
pub(super) fn bucket_acl(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    bucket(ctx, r, Op::GetBucketAcl)?;
    Ok(Reply::xml(acl_policy("private")))
}
