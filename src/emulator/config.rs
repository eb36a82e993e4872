//! Bucket configuration stored and returned as OSS does: replication, WORM,
//! website, CNAME, bucket policy, lifecycle and accelerators.

use crate::oss::time;
use crate::oss::xml::{self, Element, Writer};

use super::op::Op;
use super::protocol::{bucket, policy_document, Ctx, EmuError, Reply, Request};
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

fn invalid(message: &str, ec: &str) -> EmuError {
    EmuError::new(400, "InvalidArgument", message).ec(ec)
}

/// `Days` (or `NoncurrentDays`) under `el`, when present, must be a positive integer.
fn positive_days(el: &Element, name: &str) -> Result<bool, EmuError> {
    match el.text_of(name) {
        None => Ok(false),
        Some(d) if d.parse::<u64>().is_ok_and(|d| d > 0) => Ok(true),
        Some(_) => Err(EmuError::new(
            400,
            "InvalidArgument",
            &format!("{name} must be a positive integer."),
        )),
    }
}

/// The actions a rule takes, by the names the overlap rule compares.
const ACTIONS: [&str; 5] = [
    "Expiration",
    "NoncurrentVersionExpiration",
    "AbortMultipartUpload",
    "Transition",
    "NoncurrentVersionTransition",
];

/// Validates a lifecycle configuration as OSS does (oss-api.md §12.6 and the
/// 0014-* error-code pages). `allow_overlap` is the
/// `x-oss-allow-same-action-overlap: true` header.
pub fn validate_lifecycle(root: &Element, allow_overlap: bool) -> Result<(), EmuError> {
    let rules: Vec<&Element> = root.children_named("Rule").collect();
    if rules.is_empty() {
        return Err(EmuError::new(
            400,
            "MalformedXML",
            "A lifecycle configuration needs at least one Rule.",
        ));
    }
    let mut seen: Vec<(String, Vec<&str>)> = Vec::new();
    for rule in rules {
        let prefix = rule.string("Prefix");
        let actions = validate_rule(rule, &prefix)?;
        for (other, other_actions) in &seen {
            if *other == prefix {
                return Err(invalid(
                    "Two lifecycle rules have the same prefix.",
                    "0014-00000085",
                ));
            }
            let overlap = prefix.starts_with(other.as_str()) || other.starts_with(&prefix);
            if overlap && !allow_overlap && actions.iter().any(|a| other_actions.contains(a)) {
                return Err(invalid(
                    "Two lifecycle rules with overlapping prefixes take the same action.",
                    "0014-00000084",
                ));
            }
        }
        seen.push((prefix, actions));
    }
    Ok(())
}

/// One rule on its own: its status, its `Not` filter and its actions, as OSS
/// checks them. Returns the actions it takes.
fn validate_rule(rule: &Element, prefix: &str) -> Result<Vec<&'static str>, EmuError> {
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
    let not = rule.child("Filter").and_then(|f| f.child("Not"));
    if let Some(not) = not {
        let excluded = not.string("Prefix");
        if !excluded.starts_with(prefix) || excluded == prefix {
            return Err(EmuError::new(
                400,
                "InvalidArgument",
                "The prefix under Not must start with the rule's prefix and be longer.",
            ));
        }
    }
    let mut marker = false;
    if let Some(exp) = rule.child("Expiration") {
        marker = exp.text_of("ExpiredObjectDeleteMarker") == Some("true");
        let has_time = positive_days(exp, "Days")? || exp.child("CreatedBeforeDate").is_some();
        if marker && has_time {
            return Err(invalid(
                "ExpiredObjectDeleteMarker cannot be combined with Days or CreatedBeforeDate.",
                "0014-00000059",
            ));
        }
        if !marker && !has_time {
            return Err(invalid(
                "Expiration needs Days, CreatedBeforeDate or ExpiredObjectDeleteMarker.",
                "0014-00000060",
            ));
        }
    }
    if let Some(nc) = rule.child("NoncurrentVersionExpiration") {
        if !positive_days(nc, "NoncurrentDays")? {
            return Err(EmuError::new(
                400,
                "InvalidArgument",
                "NoncurrentVersionExpiration needs NoncurrentDays.",
            ));
        }
    }
    let abort = rule.child("AbortMultipartUpload");
    if let Some(a) = abort {
        if !positive_days(a, "Days")? && a.child("CreatedBeforeDate").is_none() {
            return Err(invalid(
                "AbortMultipartUpload needs Days or CreatedBeforeDate.",
                "0014-00000073",
            ));
        }
    }
    if not.is_some() && (abort.is_some() || marker) {
        return Err(invalid(
            "The Not node cannot be used in a rule that contains AbortMultipartUpload or ExpiredObjectDeleteMarker.",
            "0014-00000034",
        ));
    }
    let actions: Vec<&'static str> = ACTIONS
        .into_iter()
        .filter(|a| rule.child(a).is_some())
        .collect();
    if actions.is_empty() {
        return Err(invalid(
            "A lifecycle rule needs at least one action.",
            "0014-00000026",
        ));
    }
    Ok(actions)
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

/// GetBucketReplication.
pub fn get_bucket_replication(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::GetBucketReplication)?;
    let cfg = &mut b.config;
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

/// PutBucketReplication.
pub fn put_bucket_replication(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    // A rule without an ID gets one from the store's counter.
    let rule_id = format!("{:016X}", ctx.store.next_id + 1);
    ctx.store.next_id += 1;
    let b = bucket(ctx, r, Op::PutBucketReplication)?;
    let cfg = &mut b.config;
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
            .unwrap_or_else(|| format!("rule-{rule_id}"));
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

/// DeleteBucketReplication.
pub fn delete_bucket_replication(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::DeleteBucketReplication)?;
    let cfg = &mut b.config;
    let root = body(r, "ReplicationRules")?;
    let id = root.string("ID");
    let before = cfg.replication.len();
    cfg.replication.retain(|rule| rule.id != id);
    if before == cfg.replication.len() {
        return Err(absent("NoSuchReplicationRule", "such replication rule"));
    }
    Ok(Reply::ok())
}

/// GetBucketWorm.
pub fn get_bucket_worm(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let now = ctx.now;
    let b = bucket(ctx, r, Op::GetBucketWorm)?;
    let cfg = &mut b.config;
    match cfg.worm.as_ref().and_then(|w| worm_xml(w, now)) {
        Some(x) => Ok(Reply::xml(x)),
        None => Err(absent("NoSuchWORMConfiguration", "retention policy")),
    }
}

/// InitiateBucketWorm.
pub fn initiate_bucket_worm(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let now = ctx.now;
    let worm_id = format!("{:016X}", ctx.store.next_id + 1);
    ctx.store.next_id += 1;
    let b = bucket(ctx, r, Op::InitiateBucketWorm)?;
    let cfg = &mut b.config;
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

/// AbortBucketWorm.
pub fn abort_bucket_worm(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::AbortBucketWorm)?;
    let cfg = &mut b.config;
    match &cfg.worm {
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
    }
}

/// CompleteBucketWorm and ExtendBucketWorm.
pub fn complete_or_extend_worm(ctx: &mut Ctx<'_>, r: &Request, op: Op) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, op)?;
    let cfg = &mut b.config;
    let id = r.param("wormId").unwrap_or_default();
    let worm = cfg
        .worm
        .as_mut()
        .filter(|w| w.id == id)
        .ok_or_else(|| absent("NoSuchWORMConfiguration", "such retention policy"))?;
    if op == Op::CompleteBucketWorm {
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

/// GetBucketWebsite.
pub fn get_bucket_website(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::GetBucketWebsite)?;
    let cfg = &mut b.config;
    cfg.website_xml
        .clone()
        .map(|x| Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            body: x.into_bytes(),
        })
        .ok_or_else(|| absent("NoSuchWebsiteConfiguration", "website configuration"))
}

/// PutBucketWebsite.
pub fn put_bucket_website(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::PutBucketWebsite)?;
    let cfg = &mut b.config;
    body(r, "WebsiteConfiguration")?;
    cfg.website_xml = Some(String::from_utf8_lossy(&r.body).to_string());
    Ok(Reply::ok())
}

/// DeleteBucketWebsite.
pub fn delete_bucket_website(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::DeleteBucketWebsite)?;
    let cfg = &mut b.config;
    cfg.website_xml = None;
    Ok(Reply::no_content())
}

/// ListCname.
pub fn list_cname(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let b = bucket(ctx, r, Op::ListCname)?;
    let cfg = &mut b.config;
    let mut w = Writer::new();
    w.open("ListCnameResult")
        .leaf("Bucket", &bucket_name)
        .leaf("Owner", super::protocol::OWNER_ID);
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

/// PutCname and DeleteCname.
pub fn put_or_delete_cname(ctx: &mut Ctx<'_>, r: &Request, op: Op) -> Result<Reply, EmuError> {
    let now = ctx.now;
    let b = bucket(ctx, r, op)?;
    let cfg = &mut b.config;
    let root = body(r, "BucketCnameConfiguration")?;
    let domain = root
        .child("Cname")
        .and_then(|c| c.nonempty("Domain"))
        .ok_or_else(|| EmuError::new(400, "InvalidArgument", "A Cname needs a Domain."))?;
    if op == Op::PutCname {
        if !cfg.cnames.iter().any(|(d, _)| *d == domain) {
            cfg.cnames.push((domain, now));
        }
    } else {
        cfg.cnames.retain(|(d, _)| *d != domain);
    }
    Ok(Reply::ok())
}

/// GetBucketPolicy.
pub fn get_bucket_policy(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::GetBucketPolicy)?;
    let cfg = &mut b.config;
    cfg.policy
        .clone()
        .map(|p| Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: p.into_bytes(),
        })
        .ok_or_else(|| absent("NoSuchBucketPolicy", "bucket policy"))
}

/// PutBucketPolicy.
pub fn put_bucket_policy(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::PutBucketPolicy)?;
    let cfg = &mut b.config;
    cfg.policy = Some(policy_document(r)?);
    Ok(Reply::ok())
}

/// DeleteBucketPolicy.
pub fn delete_bucket_policy(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::DeleteBucketPolicy)?;
    let cfg = &mut b.config;
    cfg.policy = None;
    Ok(Reply::no_content())
}

/// GetBucketLifecycle.
pub fn get_bucket_lifecycle(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let b = bucket(ctx, r, Op::GetBucketLifecycle)?;
    let cfg = &mut b.config;
    cfg.lifecycle_xml
        .clone()
        .map(|x| Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/xml".into())],
            body: x.into_bytes(),
        })
        .ok_or_else(|| {
            EmuError::new(404, "NoSuchLifecycle", "No Row found in Lifecycle Table.")
                .with("BucketName", &bucket_name)
        })
}

/// PutBucketLifecycle.
pub fn put_bucket_lifecycle(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::PutBucketLifecycle)?;
    let cfg = &mut b.config;
    let root = body(r, "LifecycleConfiguration")?;
    let overlap = r.header("x-oss-allow-same-action-overlap") == Some("true");
    validate_lifecycle(&root, overlap)?;
    cfg.lifecycle_xml = Some(String::from_utf8_lossy(&r.body).to_string());
    Ok(Reply::ok())
}

/// DeleteBucketLifecycle.
pub fn delete_bucket_lifecycle(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::DeleteBucketLifecycle)?;
    let cfg = &mut b.config;
    cfg.lifecycle_xml = None;
    Ok(Reply::no_content())
}

/// GetBucketDataAccelerator.
pub fn get_bucket_data_accelerator(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let bucket_name = r.bucket.clone().unwrap_or_default();
    let b = bucket(ctx, r, Op::GetBucketDataAccelerator)?;
    let cfg = &mut b.config;
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

/// PutBucketDataAccelerator.
pub fn put_bucket_data_accelerator(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let now = ctx.now;
    let b = bucket(ctx, r, Op::PutBucketDataAccelerator)?;
    let cfg = &mut b.config;
    let root = body(r, "DataAcceleratorConfiguration")?;
    let zone = root
        .nonempty("AvailableZone")
        .ok_or_else(|| EmuError::new(400, "InvalidArgument", "AvailableZone is required."))?;
    let quota = root.number("Quota").ok().flatten().unwrap_or(100);
    cfg.accelerators.retain(|a| a.zone != zone);
    cfg.accelerators.push(Accelerator {
        zone,
        quota_gb: quota,
        created: now,
    });
    Ok(Reply::ok())
}

/// DeleteBucketDataAccelerator.
pub fn delete_bucket_data_accelerator(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    let b = bucket(ctx, r, Op::DeleteBucketDataAccelerator)?;
    let cfg = &mut b.config;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{configuration, Hdfs, Phase};

    fn check(rules: &str, overlap: bool) -> Result<(), Option<String>> {
        let xml = format!("<LifecycleConfiguration>{rules}</LifecycleConfiguration>");
        let root = xml::parse(&xml).unwrap();
        validate_lifecycle(&root, overlap).map_err(|e| e.ec.clone())
    }

    fn rule(prefix: &str, body: &str) -> String {
        format!("<Rule><ID>r{prefix}</ID><Prefix>{prefix}</Prefix><Status>Enabled</Status>{body}</Rule>")
    }

    const NOT: &str = "<Filter><Not><Prefix>.dlsdata/</Prefix></Not></Filter>";

    #[test]
    fn refuses_what_oss_refuses_with_its_error_codes() {
        let cases = [
            // Not beside AbortMultipartUpload or ExpiredObjectDeleteMarker.
            (
                rule("", &format!("{NOT}<Expiration><Days>1</Days></Expiration><AbortMultipartUpload><Days>1</Days></AbortMultipartUpload>")),
                "0014-00000034",
            ),
            (
                rule("", &format!("{NOT}<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>")),
                "0014-00000034",
            ),
            (
                rule("", "<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"),
                "0014-00000059",
            ),
            (rule("", "<Expiration></Expiration>"), "0014-00000060"),
            (
                rule("", "<AbortMultipartUpload></AbortMultipartUpload>"),
                "0014-00000073",
            ),
            (rule("", ""), "0014-00000026"),
            (
                rule("a/", "<Expiration><Days>1</Days></Expiration>")
                    + &rule("a/", "<Expiration><Days>2</Days></Expiration>").replace("ra/", "rb"),
                "0014-00000085",
            ),
            (
                rule("", "<Expiration><Days>1</Days></Expiration>")
                    + &rule("logs/", "<Expiration><Days>2</Days></Expiration>"),
                "0014-00000084",
            ),
        ];
        for (rules, ec) in cases {
            assert_eq!(check(&rules, false), Err(Some(ec.to_string())), "{rules}");
        }
        for days in ["0", "-1", "x"] {
            let zero = rule("", &format!("<Expiration><Days>{days}</Days></Expiration>"));
            assert!(check(&zero, false).is_err(), "Days {days}");
            let nc = rule("", &format!("<NoncurrentVersionExpiration><NoncurrentDays>{days}</NoncurrentDays></NoncurrentVersionExpiration>"));
            assert!(check(&nc, false).is_err(), "NoncurrentDays {days}");
        }
    }

    #[test]
    fn accepts_overlaps_when_asked_different_actions_and_not_beside_expiration() {
        let overlap = rule("", "<Expiration><Days>1</Days></Expiration>")
            + &rule("logs/", "<Expiration><Days>2</Days></Expiration>");
        assert_eq!(check(&overlap, true), Ok(()));
        let different = rule("", "<Expiration><Days>1</Days></Expiration>")
            + &rule(
                "logs/",
                "<AbortMultipartUpload><Days>2</Days></AbortMultipartUpload>",
            );
        assert_eq!(check(&different, false), Ok(()));
        let not = rule("", &format!("{NOT}<Expiration><Days>1</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>"));
        assert_eq!(check(&not, false), Ok(()));
    }

    #[test]
    fn accepts_every_rule_set_expire_writes() {
        for phase in [Phase::A, Phase::B] {
            for hdfs in [Hdfs::Absent, Hdfs::Present] {
                let xml = configuration(phase, 1, hdfs, "2026-11-22");
                let root = xml::parse(&xml).unwrap();
                assert!(
                    validate_lifecycle(&root, false).is_ok(),
                    "{phase:?} {hdfs:?}: {xml}"
                );
            }
        }
    }
}
