//! Bucket configuration stored and returned as OSS does: replication, WORM,
//! website, CNAME, bucket policy, lifecycle and accelerators.

use crate::oss::time;
use crate::oss::xml::{self, Element, Writer};

use super::ops::{bucket, Ctx, EmuError, Reply, Request};
use super::store::{Accelerator, ReplicationRule, Worm};

fn body<'r>(r: &'r Request, root: &str) -> Result<Element<'r>, EmuError> {
    let text =
        std::str::from_utf8(&r.body).map_err(|_| EmuError::malformed("the body is not UTF-8"))?;
    let el = xml::parse(text).map_err(|e| EmuError::malformed(&e.0))?;
    if el.name != root {
        return Err(EmuError::malformed(&format!(
            "the root node is not named {root}."
        )));
    }
    Ok(el)
}

fn absent(code: &str, what: &str) -> EmuError {
    EmuError::new(404, code, &format!("The bucket has no {what}."))
}

/// Validates a lifecycle configuration as OSS does for the rules ossweep writes.
pub fn validate_lifecycle(root: &Element) -> Result<(), EmuError> {
    let mut prefixes = Vec::new();
    let rules: Vec<&Element> = root.children_named("Rule").collect();
    if rules.is_empty() {
        return Err(EmuError::new(
            400,
            "MalformedXML",
            "A lifecycle configuration needs at least one Rule.",
        ));
    }
    for rule in rules {
        match rule.text_of("Status") {
            Some("Enabled") | Some("Disabled") => {}
            _ => {
                return Err(EmuError::new(
                    400,
                    "MalformedXML",
                    "Rule Status must be Enabled or Disabled.",
                ))
            }
        }
        let prefix = rule.string("Prefix");
        if prefixes.contains(&prefix) {
            return Err(EmuError::new(
                400,
                "InvalidArgument",
                "Two lifecycle rules have the same prefix.",
            )
            .ec("0014-00000085"));
        }
        prefixes.push(prefix);
        if let Some(exp) = rule.child("Expiration") {
            let marker = exp.text_of("ExpiredObjectDeleteMarker");
            let has_time = exp.child("Days").is_some() || exp.child("CreatedBeforeDate").is_some();
            if marker == Some("true") && has_time {
                return Err(EmuError::new(
                    400,
                    "InvalidArgument",
                    "ExpiredObjectDeleteMarker cannot be combined with Days or CreatedBeforeDate.",
                )
                .ec("0014-00000059"));
            }
            if marker != Some("true") && !has_time {
                return Err(EmuError::new(
                    400,
                    "InvalidArgument",
                    "Expiration needs Days, CreatedBeforeDate or ExpiredObjectDeleteMarker.",
                )
                .ec("0014-00000060"));
            }
            if let Some(d) = exp.text_of("Days") {
                if d.parse::<u64>().ok().filter(|d| *d > 0).is_none() {
                    return Err(EmuError::new(
                        400,
                        "InvalidArgument",
                        "Days must be a positive integer.",
                    ));
                }
            }
        }
        let actions = [
            "Expiration",
            "NoncurrentVersionExpiration",
            "AbortMultipartUpload",
            "Transition",
            "NoncurrentVersionTransition",
        ];
        if !actions.iter().any(|a| rule.child(a).is_some()) {
            return Err(EmuError::new(
                400,
                "InvalidArgument",
                "A lifecycle rule needs at least one action.",
            ));
        }
    }
    Ok(())
}

fn worm_xml(w: &Worm, now: i64) -> Option<String> {
    let expired = !w.locked && now >= w.created + 86_400;
    if expired {
        return None;
    }
    let mut x = Writer::new();
    x.open("WormConfiguration")
        .leaf("WormId", &w.id)
        .leaf("State", if w.locked { "Locked" } else { "InProgress" })
        .leaf("RetentionPeriodInDays", &w.days.to_string())
        .leaf("CreationDate", &time::iso8601(w.created)[..19])
        .close("WormConfiguration");
    Some(x.finish())
}

pub fn handle(ctx: &mut Ctx<'_>, r: &Request, op: &str) -> Result<Reply, EmuError> {
    let now = ctx.now;
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let worm_id = format!("{:016X}", ctx.store.next_id + 1);
    ctx.store.next_id += 1;
    let b = bucket(ctx, r, op)?;
    let cfg = &mut b.config;
    match op {
        "GetBucketReplication" => {
            if cfg.replication.is_empty() {
                return Err(absent(
                    "NoSuchReplicationConfiguration",
                    "replication configuration",
                ));
            }
            let mut w = Writer::new();
            w.open("ReplicationConfiguration");
            for rule in &cfg.replication {
                w.open("Rule").leaf("ID", &rule.id).open("PrefixSet");
                for p in &rule.prefixes {
                    w.leaf("Prefix", p);
                }
                w.close("PrefixSet").leaf("Action", &rule.action);
                w.open("Destination")
                    .leaf("Bucket", &rule.dest_bucket)
                    .leaf("Location", &rule.dest_location)
                    .leaf("TransferType", "internal")
                    .close("Destination");
                w.leaf("Status", "doing")
                    .leaf(
                        "HistoricalObjectReplication",
                        if rule.historical {
                            "enabled"
                        } else {
                            "disabled"
                        },
                    )
                    .close("Rule");
            }
            w.close("ReplicationConfiguration");
            Ok(Reply::xml(w.finish()))
        }
        "PutBucketReplication" => {
            let root = body(r, "ReplicationConfiguration")?;
            let mut ids = Vec::new();
            for rule in root.children_named("Rule") {
                let dest = rule.child("Destination").ok_or_else(|| {
                    EmuError::new(
                        400,
                        "InvalidArgument",
                        "A replication rule needs a Destination.",
                    )
                })?;
                let id = rule
                    .nonempty("ID")
                    .unwrap_or_else(|| format!("rule-{worm_id}"));
                ids.push(id.clone());
                cfg.replication.push(ReplicationRule {
                    id,
                    prefixes: rule
                        .child("PrefixSet")
                        .map(|p| {
                            p.children_named("Prefix")
                                .map(|p| p.text.trim().to_string())
                                .collect()
                        })
                        .unwrap_or_default(),
                    action: rule.nonempty("Action").unwrap_or_else(|| "ALL".into()),
                    dest_bucket: dest.string("Bucket"),
                    dest_location: dest.string("Location"),
                    historical: rule.text_of("HistoricalObjectReplication") == Some("enabled"),
                });
            }
            Ok(Reply::ok().header("x-oss-replication-rule-id", &ids.join(",")))
        }
        "DeleteBucketReplication" => {
            let root = body(r, "ReplicationRules")?;
            let id = root.string("ID");
            let before = cfg.replication.len();
            cfg.replication.retain(|rule| rule.id != id);
            if before == cfg.replication.len() {
                return Err(absent("NoSuchReplicationRule", "such replication rule"));
            }
            Ok(Reply::ok())
        }
        "GetBucketWorm" => match cfg.worm.as_ref().and_then(|w| worm_xml(w, now)) {
            Some(x) => Ok(Reply::xml(x)),
            None => Err(absent("NoSuchWORMConfiguration", "retention policy")),
        },
        "InitiateBucketWorm" => {
            let root = body(r, "InitiateWormConfiguration")?;
            let days = root
                .number("RetentionPeriodInDays")
                .ok()
                .flatten()
                .filter(|d| (1..=25_550).contains(d))
                .ok_or_else(|| {
                    EmuError::new(
                        400,
                        "InvalidArgument",
                        "RetentionPeriodInDays must be between 1 and 25550.",
                    )
                })?;
            if cfg.worm.as_ref().is_some_and(|w| w.locked) {
                return Err(EmuError::new(
                    409,
                    "WORMConfigurationLocked",
                    "The bucket's retention policy is locked.",
                ));
            }
            cfg.worm = Some(Worm {
                id: worm_id.clone(),
                locked: false,
                days,
                created: now,
            });
            Ok(Reply::ok().header("x-oss-worm-id", &worm_id))
        }
        "AbortBucketWorm" => match &cfg.worm {
            Some(w) if w.locked => Err(EmuError::new(
                409,
                "WORMConfigurationLocked",
                "A locked retention policy cannot be deleted.",
            )),
            Some(_) => {
                cfg.worm = None;
                Ok(Reply::no_content())
            }
            None => Err(absent("NoSuchWORMConfiguration", "retention policy")),
        },
        "CompleteBucketWorm" | "ExtendBucketWorm" => {
            let id = r.param("wormId").unwrap_or_default();
            let worm = cfg
                .worm
                .as_mut()
                .filter(|w| w.id == id)
                .ok_or_else(|| absent("NoSuchWORMConfiguration", "such retention policy"))?;
            if op == "CompleteBucketWorm" {
                worm.locked = true;
            } else {
                let root = body(r, "ExtendWormConfiguration")?;
                let days = root
                    .number("RetentionPeriodInDays")
                    .ok()
                    .flatten()
                    .filter(|d| *d > worm.days)
                    .ok_or_else(|| {
                        EmuError::new(
                            400,
                            "InvalidArgument",
                            "A retention period can only be extended.",
                        )
                    })?;
                worm.days = days;
            }
            Ok(Reply::ok())
        }
        "GetBucketWebsite" => cfg
            .website_xml
            .clone()
            .map(|x| Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "application/xml".into())],
                body: x.into_bytes(),
            })
            .ok_or_else(|| absent("NoSuchWebsiteConfiguration", "website configuration")),
        "PutBucketWebsite" => {
            body(r, "WebsiteConfiguration")?;
            cfg.website_xml = Some(String::from_utf8_lossy(&r.body).to_string());
            Ok(Reply::ok())
        }
        "DeleteBucketWebsite" => {
            cfg.website_xml = None;
            Ok(Reply::no_content())
        }
        "ListCname" => {
            let mut w = Writer::new();
            w.open("ListCnameResult")
                .leaf("Bucket", &bucket_name)
                .leaf("Owner", super::ops::OWNER_ID);
            for (domain, at) in &cfg.cnames {
                w.open("Cname")
                    .leaf("Domain", domain)
                    .leaf("LastModified", &time::iso8601(*at))
                    .leaf("Status", "Enabled")
                    .close("Cname");
            }
            w.close("ListCnameResult");
            Ok(Reply::xml(w.finish()))
        }
        "PutCname" | "DeleteCname" => {
            let root = body(r, "BucketCnameConfiguration")?;
            let domain = root
                .child("Cname")
                .and_then(|c| c.nonempty("Domain"))
                .ok_or_else(|| EmuError::new(400, "InvalidArgument", "A Cname needs a Domain."))?;
            if op == "PutCname" {
                if !cfg.cnames.iter().any(|(d, _)| *d == domain) {
                    cfg.cnames.push((domain, now));
                }
            } else {
                cfg.cnames.retain(|(d, _)| *d != domain);
            }
            Ok(Reply::ok())
        }
        "GetBucketPolicy" => cfg
            .policy
            .clone()
            .map(|p| Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: p.into_bytes(),
            })
            .ok_or_else(|| absent("NoSuchBucketPolicy", "bucket policy")),
        "PutBucketPolicy" => {
            let text = String::from_utf8_lossy(&r.body).to_string();
            serde_json::from_str::<serde_json::Value>(&text).map_err(|_| {
                EmuError::new(
                    400,
                    "InvalidPolicyDocument",
                    "The policy document is not valid JSON.",
                )
            })?;
            cfg.policy = Some(text);
            Ok(Reply::ok())
        }
        "DeleteBucketPolicy" => {
            cfg.policy = None;
            Ok(Reply::no_content())
        }
        "GetBucketLifecycle" => cfg
            .lifecycle_xml
            .clone()
            .map(|x| Reply {
                status: 200,
                headers: vec![("Content-Type".into(), "application/xml".into())],
                body: x.into_bytes(),
            })
            .ok_or_else(|| {
                EmuError::new(404, "NoSuchLifecycle", "No Row found in Lifecycle Table.")
                    .with("BucketName", &bucket_name)
            }),
        "PutBucketLifecycle" => {
            let root = body(r, "LifecycleConfiguration")?;
            validate_lifecycle(&root)?;
            cfg.lifecycle_xml = Some(String::from_utf8_lossy(&r.body).to_string());
            Ok(Reply::ok())
        }
        "DeleteBucketLifecycle" => {
            cfg.lifecycle_xml = None;
            Ok(Reply::no_content())
        }
        "GetBucketDataAccelerator" => {
            let zone = r
                .param("x-oss-datalake-cache-available-zone")
                .filter(|z| !z.is_empty());
            let found: Vec<&Accelerator> = cfg
                .accelerators
                .iter()
                .filter(|a| zone.is_none_or(|z| a.zone == z))
                .collect();
            if found.is_empty() {
                return Err(EmuError::new(
                    404,
                    "DataAcceleratorNotFound",
                    "The bucket has no OSS accelerator in this zone.",
                ));
            }
            let mut w = Writer::new();
            w.open("DataAccelerator").leaf("BucketName", &bucket_name);
            for a in found {
                w.open("BasicInfomation")
                    .leaf("Quota", &a.quota_gb.to_string())
                    .leaf("AvailableZone", &a.zone)
                    .leaf("CreationDate", &time::iso8601(a.created))
                    .close("BasicInfomation");
            }
            w.close("DataAccelerator");
            Ok(Reply::xml(w.finish()))
        }
        "PutBucketDataAccelerator" => {
            let root = body(r, "DataAcceleratorConfiguration")?;
            let zone = root.nonempty("AvailableZone").ok_or_else(|| {
                EmuError::new(400, "InvalidArgument", "AvailableZone is required.")
            })?;
            let quota = root.number("Quota").ok().flatten().unwrap_or(100);
            cfg.accelerators.retain(|a| a.zone != zone);
            cfg.accelerators.push(Accelerator {
                zone,
                quota_gb: quota,
                created: now,
            });
            Ok(Reply::ok())
        }
        "DeleteBucketDataAccelerator" => {
            let zone = r
                .param("x-oss-datalake-cache-available-zone")
                .unwrap_or_default()
                .to_string();
            let before = cfg.accelerators.len();
            cfg.accelerators.retain(|a| a.zone != zone);
            if before == cfg.accelerators.len() {
                return Err(EmuError::new(
                    404,
                    "DataAcceleratorNotFound",
                    "The bucket has no OSS accelerator in this zone.",
                ));
            }
            Ok(Reply::no_content())
        }
        _ => Err(EmuError::not_implemented(op)),
    }
}
