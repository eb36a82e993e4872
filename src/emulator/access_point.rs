//! Access points and their policies. Creation and deletion are asynchronous, as in
//! OSS: `creating` then `enable`; `deleting` for a while, then 404.

use crate::oss::xml::{self, Writer};

use super::op::Op;
use super::protocol::{bucket, max_keys, policy_document, Ctx, EmuError, Reply, Request, OWNER_ID};
use super::store::AccessPoint;

fn no_such_access_point() -> EmuError {
    EmuError::new(
        404,
        "NoSuchAccessPoint",
        "The specified access point does not exist.",
    )
}

fn valid_name(n: &str) -> bool {
    (3..=19).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !n.starts_with('-')
        && !n.ends_with('-')
}

fn ap_fields(w: &mut Writer, bucket: &str, name: &str, ap: &AccessPoint, now_ms: u64) {
    w.leaf("Bucket", bucket)
        .leaf("AccessPointName", name)
        .leaf("Alias", &format!("{name}-ossalias"))
        .leaf("NetworkOrigin", &ap.network_origin);
    w.open("VpcConfiguration")
        .leaf("VpcId", ap.vpc_id.as_deref().unwrap_or_default())
        .close("VpcConfiguration");
    w.leaf("Status", ap.status(now_ms));
}

/// The region of `bucket` ("" when there is no such bucket: the handler's
/// bucket lookup says so).
fn region_of(ctx: &Ctx<'_>, bucket: &str) -> String {
    ctx.store
        .buckets
        .get(bucket)
        .map(|b| b.region.clone())
        .unwrap_or_default()
}

/// The access point the `x-oss-access-point-name` header names, on the
/// request's bucket: its name and itself.
fn named<'s>(
    ctx: &'s mut Ctx<'_>,
    r: &Request,
    op: Op,
) -> Result<(String, &'s mut AccessPoint), EmuError> {
    let name = r
        .header("x-oss-access-point-name")
        .map(str::to_string)
        .ok_or_else(|| {
            EmuError::new(
                400,
                "InvalidArgument",
                "The x-oss-access-point-name header is missing.",
            )
        })?;
    let b = bucket(ctx, r, op)?;
    let ap = b
        .access_points
        .get_mut(&name)
        .ok_or_else(no_such_access_point)?;
    Ok((name, ap))
}

/// CreateAccessPoint.
pub fn create_access_point(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let (now, now_ms, delay) = (ctx.now, ctx.now_ms, ctx.access_point_delay_ms);
    let region = region_of(ctx, &bucket_name);
    let text = String::from_utf8_lossy(&r.body).to_string();
    let cfg = xml::parse_root(&text, "CreateAccessPointConfiguration")
        .map_err(|e| EmuError::malformed(&e.0))?;
    let name = cfg.string("AccessPointName");
    if !valid_name(&name) {
        return Err(EmuError::new(
            400,
            "InvalidAccessPointName",
            "Access point names are 3-19 characters of a-z, 0-9 and '-'.",
        ));
    }
    let origin = cfg
        .nonempty("NetworkOrigin")
        .unwrap_or_else(|| "internet".into());
    if origin != "vpc" && origin != "internet" {
        return Err(EmuError::new(
            400,
            "InvalidArgument",
            "NetworkOrigin must be vpc or internet.",
        ));
    }
    let vpc_id = cfg
        .child("VpcConfiguration")
        .and_then(|v| v.nonempty("VpcId"));
    let b = bucket(ctx, r, Op::CreateAccessPoint)?;
    if b.access_points.contains_key(&name) {
        return Err(EmuError::new(
            409,
            "AccessPointAlreadyExists",
            "The access point already exists.",
        ));
    }
    b.access_points.insert(
        name.clone(),
        AccessPoint {
            network_origin: origin,
            vpc_id,
            created: now,
            ready_at_ms: now_ms + delay,
            gone_at_ms: None,
            policy: None,
        },
    );
    let mut w = Writer::new();
    w.open("CreateAccessPointResult")
        .leaf(
            "AccessPointArn",
            &format!("acs:oss:{region}:{OWNER_ID}:accesspoint/{name}"),
        )
        .leaf("Alias", &format!("{name}-ossalias"))
        .close("CreateAccessPointResult");
    Ok(Reply::xml(w.finish()))
}

/// ListAccessPoints.
pub fn list_access_points(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let now_ms = ctx.now_ms;
    let max = max_keys(r, "max-keys", 100, 1000)?;
    let after = r
        .param("continuation-token")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let b = bucket(ctx, r, Op::ListAccessPoints)?;
    let items: Vec<(&String, &AccessPoint)> = b
        .access_points
        .iter()
        .filter(|(n, _)| after.as_ref().is_none_or(|a| *n > a))
        .take(max + 1)
        .collect();
    let truncated = items.len() > max;
    let mut w = Writer::new();
    w.open("ListAccessPointsResult")
        .leaf("IsTruncated", if truncated { "true" } else { "false" });
    if truncated {
        w.leaf("NextContinuationToken", items[max - 1].0);
    }
    w.leaf("AccountId", OWNER_ID)
        .leaf("MaxKeys", &max.to_string())
        .open("AccessPoints");
    for (n, ap) in items.iter().take(max) {
        w.open("AccessPoint");
        ap_fields(&mut w, &bucket_name, n, ap, now_ms);
        w.close("AccessPoint");
    }
    w.close("AccessPoints").close("ListAccessPointsResult");
    Ok(Reply::xml(w.finish()))
}

/// GetAccessPoint.
pub fn get_access_point(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let now_ms = ctx.now_ms;
    let region = region_of(ctx, &bucket_name);
    let (name, ap) = named(ctx, r, Op::GetAccessPoint)?;
    let mut w = Writer::new();
    w.open("GetAccessPointResult")
        .leaf("AccessPointName", &name)
        .leaf("Bucket", &bucket_name)
        .leaf("AccountId", OWNER_ID)
        .leaf("NetworkOrigin", &ap.network_origin);
    w.open("VpcConfiguration")
        .leaf("VpcId", ap.vpc_id.as_deref().unwrap_or_default())
        .close("VpcConfiguration");
    w.leaf(
        "AccessPointArn",
        &format!("acs:oss:{region}:{OWNER_ID}:accesspoint/{name}"),
    )
    .leaf("CreationDate", &ap.created.to_string())
    .leaf("Alias", &format!("{name}-ossalias"))
    .leaf("Status", ap.status(now_ms));
    w.open("Endpoints")
        .leaf(
            "PublicEndpoint",
            &format!("{name}.oss-{region}.oss-accesspoint.aliyuncs.com"),
        )
        .leaf(
            "InternalEndpoint",
            &format!("{name}.oss-{region}-internal.oss-accesspoint.aliyuncs.com"),
        )
        .close("Endpoints");
    w.close("GetAccessPointResult");
    Ok(Reply::xml(w.finish()))
}

/// DeleteAccessPoint.
pub fn delete_access_point(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (now_ms, delay) = (ctx.now_ms, ctx.access_point_delay_ms);
    let (_, ap) = named(ctx, r, Op::DeleteAccessPoint)?;
    match ap.status(now_ms) {
        "creating" => {
            return Err(EmuError::new(
                409,
                "AccessPointCreatingConflict",
                "The access point is still being created; delete it once its status is enable.",
            ))
        }
        "deleting" => {}
        _ => ap.gone_at_ms = Some(now_ms + delay),
    }
    Ok(Reply {
        status: 204,
        ..Default::default()
    })
}

/// PutAccessPointPolicy.
pub fn put_access_point_policy(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (_, ap) = named(ctx, r, Op::PutAccessPointPolicy)?;
    ap.policy = Some(policy_document(r)?);
    Ok(Reply {
        status: 200,
        ..Default::default()
    })
}

/// GetAccessPointPolicy.
pub fn get_access_point_policy(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (_, ap) = named(ctx, r, Op::GetAccessPointPolicy)?;
    match &ap.policy {
        Some(p) => Ok(Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: p.clone().into_bytes(),
        }),
        None => Err(EmuError::new(
            404,
            "NoSuchAccessPointPolicy",
            "The access point policy does not exist.",
        )),
    }
}

/// DeleteAccessPointPolicy.
pub fn delete_access_point_policy(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let (_, ap) = named(ctx, r, Op::DeleteAccessPointPolicy)?;
    ap.policy.take().ok_or_else(|| {
        EmuError::new(
            404,
            "NoSuchAccessPointPolicy",
            "The access point policy does not exist.",
        )
    })?;
    Ok(Reply {
        status: 204,
        ..Default::default()
    })
}
