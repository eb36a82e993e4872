//! STS `AssumeRole`, as far as a client needs it: a GET of `/` with the RPC
//! query (`Action=AssumeRole`, `RoleArn`, `AccessKeyId`, `Signature`...),
//! signed with one of the emulator's own keys (`oss::sts` is the signer). Any
//! role ARN is assumed; the credentials are the role's (`metadata::mint`),
//! accepted until they expire. Served to requests without an `Authorization`
//! header when the emulator plays roles (`--ecs-role`).

use std::sync::atomic::AtomicU64;

use super::auth::Keys;
use super::metadata::{mint, EcsRole};
use super::protocol::Reply;
use crate::oss::{encode, sts, time, Credentials};

fn json(status: u16, body: serde_json::Value) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

fn refused(status: u16, code: &str, message: &str) -> Reply {
    json(
        status,
        serde_json::json!({ "Code": code, "Message": message }),
    )
}

/// The reply to an AssumeRole call (`None`: `raw_query` is not one).
pub fn serve(
    role: &EcsRole,
    keys: &Keys,
    raw_query: &str,
    now: i64,
    counter: &AtomicU64,
    issue: impl FnOnce(Credentials, i64),
) -> Option<Reply> {
    let params: std::collections::BTreeMap<String, String> = encode::parse_query(raw_query)
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
    let refusal = match get("Action") {
        "AssumeRole" => assume_role_refusal(keys, &params, now),
        // Unsigned: the token is the proof (the emulator takes any non-empty one).
        "AssumeRoleWithOIDC"
            if get("OIDCToken").is_empty() || get("OIDCProviderArn").is_empty() =>
        {
            Some(refused(
                400,
                "InvalidParameter.OIDCToken",
                "The OIDC token or provider is missing.",
            ))
        }
        "AssumeRoleWithOIDC" => None,
        _ => return None,
    };
    Some(refusal.unwrap_or_else(|| {
        issued(
            role,
            get("RoleArn"),
            get("RoleSessionName"),
            now,
            counter,
            issue,
        )
    }))
}

/// Why an AssumeRole call is refused: an unknown key, a bad signature, a stale
/// timestamp, no role.
fn assume_role_refusal(
    keys: &Keys,
    params: &std::collections::BTreeMap<String, String>,
    now: i64,
) -> Option<Reply> {
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or_default();
    let secret = [Some(&keys.main), keys.sts.as_ref()]
        .into_iter()
        .flatten()
        .find(|c| c.access_key_id == get("AccessKeyId"))
        .map(|c| c.access_key_secret.expose().to_string());
    let Some(secret) = secret else {
        return Some(refused(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    };
    let mut unsigned = params.clone();
    let sent = unsigned.remove("Signature").unwrap_or_default();
    if sts::signature(&sts::string_to_sign("GET", &unsigned), &secret) != sent {
        return Some(refused(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        ));
    }
    let fresh = time::parse_iso8601(get("Timestamp")).is_some_and(|t| (t - now).abs() <= 15 * 60);
    if !fresh || get("RoleArn").is_empty() {
        return Some(refused(
            400,
            "InvalidParameter",
            "Timestamp or RoleArn is invalid.",
        ));
    }
    None
}

/// New credentials of the role assumed, as STS answers.
fn issued(
    role: &EcsRole,
    arn: &str,
    session: &str,
    now: i64,
    counter: &AtomicU64,
    issue: impl FnOnce(Credentials, i64),
) -> Reply {
    let (creds, expires) = mint(role, counter, now);
    let body = serde_json::json!({
        "RequestId": format!("emulated-sts-{}", creds.access_key_id),
        "AssumedRoleUser": { "Arn": format!("{arn}/{session}") },
        "Credentials": {
            "AccessKeyId": creds.access_key_id,
            "AccessKeySecret": creds.access_key_secret.expose(),
            "SecurityToken": creds.security_token.as_ref().map(|t| t.expose()),
            "Expiration": time::iso8601_seconds(expires),
        }
    });
    issue(creds, expires);
    json(200, body)
}
