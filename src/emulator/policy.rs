//! Bucket policies, evaluated as OSS documents them, as far as a Deny goes:
//! the emulator grants everything else, so an explicit Deny is what a policy
//! can change. A statement denies a request when its Effect is `Deny` and its
//! Action, Resource, Principal and Condition all match it:
//!
//! - **Action**: `oss:PutObject`, with `*` wildcards, against the operation's
//!   RAM actions (a multipart upload is also `oss:PutObject`; a ListObjectsV2
//!   is `oss:ListObjects`).
//! - **Resource**: `acs:oss:*:<uid>:<bucket>[/<key>]`, with `*` wildcards.
//! - **Principal**: `*` (or an empty list) is everyone, else the account ids
//!   named. **The owner rule**: a statement for everyone *without* a Condition
//!   does not apply to the bucket's owner; *with* a Condition it applies to
//!   everyone, the owner included (OSS's bucket-policy documentation; the
//!   assumption the emulator encodes).
//! - **Condition**: `acs:CurrentTime` under `DateLessThan`,
//!   `DateLessThanEquals`, `DateGreaterThan` and `DateGreaterThanEquals`. A
//!   condition the emulator does not know never matches (the statement then
//!   denies nothing).
//!
//! The owner's own calls on the policy (Get/Put/DeleteBucketPolicy) are never
//! denied, so a policy cannot lock the owner out of undoing it.

use serde_json::Value;

/// Who sends a request.
#[derive(Clone, Copy, Debug)]
pub struct Caller<'a> {
    /// The account's own key (not a role's temporary credentials).
    pub owner: bool,
    /// The account id (UID) the caller acts for.
    pub uid: &'a str,
}

/// The RAM actions an operation is authorized as.
pub fn actions(op: &str) -> Vec<String> {
    let mut out = vec![format!("oss:{op}")];
    let also = match op {
        "ListObjectsV2" => Some("ListObjects"),
        "DeleteMultipleObjects" => Some("DeleteObject"),
        "HeadObject" | "GetObjectMeta" => Some("GetObject"),
        "InitiateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload" => Some("PutObject"),
        _ => None,
    };
    if let Some(a) = also {
        out.push(format!("oss:{a}"));
    }
    out
}

/// `acs:oss:*:<uid>:<bucket>` or `.../<key>`.
pub fn resource(uid: &str, bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("acs:oss:*:{uid}:{bucket}/{k}"),
        None => format!("acs:oss:*:{uid}:{bucket}"),
    }
}

/// Whether `policy` denies `op` on `resource` to `caller` at `now`.
pub fn denies(policy: &str, op: &str, resource: &str, caller: Caller, now: i64) -> bool {
    if caller.owner
        && matches!(
            op,
            "GetBucketPolicy" | "PutBucketPolicy" | "DeleteBucketPolicy"
        )
    {
        return false;
    }
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements = match &doc["Statement"] {
        Value::Array(s) => s.clone(),
        s @ Value::Object(_) => vec![s.clone()],
        _ => return false,
    };
    let actions = actions(op);
    statements.iter().any(|s| {
        s["Effect"] == "Deny"
            && matches_any(&s["Action"], |p| {
                actions
                    .iter()
                    .any(|a| wildcard(&p.to_ascii_lowercase(), &a.to_ascii_lowercase()))
            })
            && matches_any(&s["Resource"], |p| wildcard(p, resource))
            && applies_to(s, caller)
            && condition_holds(&s["Condition"], now)
    })
}

/// Whether a string or any string of a list matches.
fn matches_any(v: &Value, matches: impl Fn(&str) -> bool) -> bool {
    match v {
        Value::String(p) => matches(p),
        Value::Array(a) => a.iter().filter_map(Value::as_str).any(matches),
        _ => false,
    }
}

/// The Principal, and the owner rule.
fn applies_to(s: &Value, caller: Caller) -> bool {
    let everyone = match &s["Principal"] {
        Value::String(p) => p == "*",
        Value::Array(a) => a.is_empty() || a.iter().any(|p| p == "*"),
        _ => false,
    };
    if everyone {
        let conditioned = s["Condition"].as_object().is_some_and(|c| !c.is_empty());
        return !caller.owner || conditioned;
    }
    matches_any(&s["Principal"], |p| p == caller.uid)
}

/// Every operator of the Condition holds at `now` (no Condition: true).
fn condition_holds(c: &Value, now: i64) -> bool {
    let Some(ops) = c.as_object() else {
        return c.is_null();
    };
    ops.iter().all(|(op, keys)| {
        let Some(keys) = keys.as_object() else {
            return false;
        };
        keys.iter().all(|(key, value)| {
            if !key.eq_ignore_ascii_case("acs:CurrentTime") {
                return false;
            }
            let times: Vec<i64> = match value {
                Value::String(t) => crate::oss::time::parse_iso8601(t).into_iter().collect(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(crate::oss::time::parse_iso8601)
                    .collect(),
                _ => Vec::new(),
            };
            !times.is_empty()
                && times.iter().any(|t| match op.as_str() {
                    "DateLessThan" => now < *t,
                    "DateLessThanEquals" => now <= *t,
                    "DateGreaterThan" => now > *t,
                    "DateGreaterThanEquals" => now >= *t,
                    _ => false,
                })
        })
    })
}

/// `*` matches any run of characters; everything else itself.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const UID: &str = "1234567890123456";
    const NOW: i64 = 1_796_000_000; // 2026-11-30

    fn owner() -> Caller<'static> {
        Caller {
            owner: true,
            uid: UID,
        }
    }

    fn role() -> Caller<'static> {
        Caller {
            owner: false,
            uid: UID,
        }
    }

    fn freeze(condition: &str) -> String {
        format!(
            r#"{{"Version":"1","Statement":[{{"Sid":"ossweep-freeze","Effect":"Deny","Action":["oss:PutObject","oss:AppendObject"],"Principal":["*"],"Resource":["acs:oss:*:{UID}:shop/*"]{condition}}}]}}"#
        )
    }

    #[test]
    fn a_deny_for_everyone_spares_the_owner_unless_it_has_a_condition() {
        let res = resource(UID, "shop", Some("a.txt"));
        let plain = freeze("");
        assert!(denies(&plain, "PutObject", &res, role(), NOW));
        assert!(!denies(&plain, "PutObject", &res, owner(), NOW));
        let until =
            freeze(r#","Condition":{"DateLessThan":{"acs:CurrentTime":"2026-12-01T00:00:00Z"}}"#);
        assert!(denies(&until, "PutObject", &res, owner(), NOW));
        // The freeze ends by itself.
        assert!(!denies(&until, "PutObject", &res, owner(), NOW + 86_400));
        // Multipart writes are PutObject too; deletes and listings are not denied.
        assert!(denies(&until, "UploadPart", &res, owner(), NOW));
        assert!(!denies(&until, "DeleteObject", &res, owner(), NOW));
        assert!(!denies(
            &until,
            "ListObjectsV2",
            &resource(UID, "shop", None),
            owner(),
            NOW
        ));
        // Another bucket is not this statement's.
        assert!(!denies(
            &until,
            "PutObject",
            &resource(UID, "other", Some("a")),
            owner(),
            NOW
        ));
    }

    #[test]
    fn the_owner_can_always_undo_a_policy_and_unknown_conditions_deny_nothing() {
        let all = r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:*","Principal":"*","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"2030-01-01T00:00:00Z"}}}]}"#;
        let bucket = resource(UID, "shop", None);
        assert!(denies(all, "DeleteBucket", &bucket, owner(), NOW));
        assert!(!denies(all, "PutBucketPolicy", &bucket, owner(), NOW));
        assert!(!denies(all, "DeleteBucketPolicy", &bucket, owner(), NOW));
        assert!(denies(all, "DeleteBucketPolicy", &bucket, role(), NOW));
        let ip = r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":"oss:*","Principal":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]}"#;
        assert!(!denies(ip, "PutObject", &bucket, owner(), NOW));
        // An Allow denies nothing; a malformed document neither.
        let allow = all.replace("Deny", "Allow");
        assert!(!denies(&allow, "PutObject", &bucket, role(), NOW));
        assert!(!denies("not json", "PutObject", &bucket, role(), NOW));
        assert!(wildcard("acs:oss:*:*:shop/*", "acs:oss:*:1:shop/a/b"));
        assert!(!wildcard("acs:oss:*:*:shop/*", "acs:oss:*:1:shops"));
    }
}
