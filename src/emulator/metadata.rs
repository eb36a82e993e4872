//! The ECS instance metadata service, as far as RAM roles go: what Alibaba's
//! credential libraries read at `100.100.100.200` (`credentials-python`
//! `ecs_ram_role.py`). `PUT /latest/api/token` gives an IMDSv2 token
//! (`X-aliyun-ecs-metadata-token-ttl-seconds`); `GET
//! /latest/meta-data/ram/security-credentials/` names the instance's role;
//! `GET .../<role>` gives the role's temporary credentials as JSON
//! (`AccessKeyId`, `AccessKeySecret`, `SecurityToken`, `Expiration`, `Code`).
//! Each fetch hands out new credentials that live `lifetime`; the emulator
//! accepts them until they expire (`SecurityTokenExpired` after), so a run
//! longer than a credential's life shows whether its client renews them.
//! Served under `/latest/` to requests without an `Authorization` header, when
//! the emulator plays roles (`--ecs-role NAME`; STS `AssumeRole` too, `sts`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::protocol::Reply;
use crate::oss::{time, Credentials};

/// The instance's RAM role and how long its credentials live.
#[derive(Clone, Debug)]
pub struct EcsRole {
    pub name: String,
    pub lifetime: Duration,
}

const TOKEN: &str = "emulated-imds-token";
const CREDENTIALS: &str = "/latest/meta-data/ram/security-credentials/";

fn reply(status: u16, content_type: &str, body: String) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.into_bytes(),
    }
}

/// The reply to a metadata request (`None`: `path` is not one). `issue`
/// registers credentials handed out, with when they expire.
pub fn serve(
    role: &EcsRole,
    method: &str,
    path: &str,
    now: i64,
    counter: &AtomicU64,
    issue: impl FnOnce(Credentials, i64),
) -> Option<Reply> {
    if !path.starts_with("/latest/") {
        return None;
    }
    Some(match (method, path) {
        ("PUT", "/latest/api/token") => reply(200, "text/plain", TOKEN.into()),
        ("GET", CREDENTIALS) => reply(200, "text/plain", role.name.clone()),
        ("GET", p) if p.strip_prefix(CREDENTIALS) == Some(role.name.as_str()) => {
            let (creds, expires) = mint(role, counter, now);
            let body = serde_json::json!({
                "AccessKeyId": creds.access_key_id,
                "AccessKeySecret": creds.access_key_secret.expose(),
                "SecurityToken": creds.security_token.as_ref().map(|t| t.expose()),
                "Expiration": time::iso8601_seconds(expires),
                "LastUpdated": time::iso8601_seconds(now),
                "Code": "Success",
            });
            issue(creds, expires);
            reply(200, "application/json", body.to_string())
        }
        _ => reply(404, "text/plain", "Not Found".into()),
    })
}

/// New temporary credentials of the role, and when they expire.
pub fn mint(role: &EcsRole, counter: &AtomicU64, now: i64) -> (Credentials, i64) {
    let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
    let creds = Credentials::new(
        format!("STS.EmulatedRole{n:06}"),
        format!("emulated-role-secret-{n:06}"),
    )
    .with_token(format!("emulated-role-token-{n:06}"));
    (creds, now + role.lifetime.as_secs().max(1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_and_fresh_credentials_are_served_as_the_libraries_read_them() {
        let role = EcsRole {
            name: "ossweep-role".into(),
            lifetime: Duration::from_secs(5),
        };
        let counter = AtomicU64::new(0);
        let mut issued = Vec::new();
        let mut get = |path: &str| {
            serve(&role, "GET", path, 1_000, &counter, |c, e| {
                issued.push((c, e))
            })
            .unwrap()
        };
        assert_eq!(get(CREDENTIALS).body, b"ossweep-role");
        let first = get("/latest/meta-data/ram/security-credentials/ossweep-role");
        let v: serde_json::Value = serde_json::from_slice(&first.body).unwrap();
        assert_eq!(v["Code"], "Success");
        assert_eq!(v["Expiration"], "1970-01-01T00:16:45Z");
        let second = get("/latest/meta-data/ram/security-credentials/ossweep-role");
        assert_ne!(
            first.body, second.body,
            "each fetch hands out new credentials"
        );
        assert_eq!(
            get("/latest/meta-data/ram/security-credentials/other").status,
            404
        );
        assert_eq!(issued.len(), 2);
        assert_eq!(issued[0].1, 1_005);
        assert!(serve(&role, "GET", "/bucket/key", 0, &counter, |_, _| ()).is_none());
    }
}
