//! STS `AssumeRole`, as far as a client needs it: a GET of `/` with the RPC
//! query (`Action=AssumeRole`, `RoleArn`, `AccessKeyId`, `Signature`...),
//! signed with one of the emulator's own keys (`oss::sts` is the signer), or
//! with temporary credentials it issued (a role assumed from a role), which
//! need their `SecurityToken` and must not have expired. Any
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
    // The caller's key: a long-term one, or temporary credentials (a role
    // assumed from a role), which must come with their token and be valid.
    let issued = keys.issued.lock().unwrap().clone();
    let temporary = keys
        .sts
        .iter()
        .map(|c| (c.clone(), None))
        .chain(issued.into_iter().map(|(c, e)| (c, Some(e))));
    let caller = std::iter::once((keys.main.clone(), None))
        .chain(temporary)
        .find(|(c, _)| c.access_key_id == get("AccessKeyId"));
    let Some((caller, expires)) = caller else {
        return Some(refused(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    };
    if let Some(token) = &caller.security_token {
        if get("SecurityToken") != token.expose() {
            return Some(refused(
                400,
                "InvalidSecurityToken.MismatchWithAccessKey",
                "The security token does not match the access key.",
            ));
        }
        if expires.is_some_and(|e| now >= e) {
            return Some(refused(
                400,
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            ));
        }
    }
    let secret = caller.access_key_secret.expose().to_string();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::sts::{AssumeRole, Signer};

    fn code(reply: Option<Reply>) -> String {
        reply.map_or("accepted".into(), |r| {
            let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            v["Code"].as_str().unwrap_or_default().to_string()
        })
    }

    /// A caller signing with temporary credentials the emulator issued (a
    /// role assumed from a role) needs their token, and they must be valid.
    #[test]
    fn temporary_credentials_assume_a_role_only_with_their_token_before_they_expire() {
        let keys = Keys::new(Credentials::new("LTAI5tMain", "main-secret"), None);
        let issued = Credentials::new("STS.issued", "issued-secret").with_token("issued-token");
        keys.issued.lock().unwrap().push((issued.clone(), 1_000));
        let role = AssumeRole::new(
            "http://sts",
            Signer::Key(issued.clone()),
            "acs:ram::1:role/second",
            "s",
        );
        let params = |key: &Credentials, now: i64| role.query(key, now, "nonce");
        assert_eq!(
            code(assume_role_refusal(&keys, &params(&issued, 900), 900)),
            "accepted"
        );
        let tokenless = Credentials::new("STS.issued", "issued-secret");
        assert_eq!(
            code(assume_role_refusal(&keys, &params(&tokenless, 900), 900)),
            "InvalidSecurityToken.MismatchWithAccessKey"
        );
        assert_eq!(
            code(assume_role_refusal(&keys, &params(&issued, 1_000), 1_000)),
            "InvalidSecurityToken.Expired"
        );
        let stranger = Credentials::new("LTAI5tStranger", "x");
        assert_eq!(
            code(assume_role_refusal(&keys, &params(&stranger, 900), 900)),
            "InvalidAccessKeyId.NotFound"
        );
    }
}
