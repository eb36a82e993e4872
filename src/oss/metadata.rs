//! An ECS instance's RAM role: temporary credentials from the instance
//! metadata service, as Alibaba's credential libraries read them
//! (`credentials-python` `ecs_ram_role.py`): an IMDSv2 token (`PUT
//! /latest/api/token`, falling back to IMDSv1 when the service gives none),
//! the role's name (`GET /latest/meta-data/ram/security-credentials/`, unless
//! it is given), then the role's credentials (`GET .../<role>`: JSON with
//! `Code: Success` and an `Expiration`). Replies are bounded in size and time.

use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt;

use super::credentials::{Lease, Source};

/// Where the metadata service answers on an ECS instance.
pub const DEFAULT_METADATA_URL: &str = "http://100.100.100.200";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";
/// The most a metadata reply may hold (a credential is a few hundred bytes).
const MAX_REPLY: usize = 64 * 1024;

/// The RAM role of the instance ossweep runs on.
#[derive(Debug)]
pub struct EcsRole {
    base: String,
    role: Option<String>,
    http: reqwest::Client,
}

impl EcsRole {
    /// `base`: the metadata service (`DEFAULT_METADATA_URL`, or the test's);
    /// `role`: the role's name (`None`: the one the service names).
    pub fn new(base: &str, role: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(5))
            .no_proxy()
            .build()
            .expect("a plain HTTP client builds");
        EcsRole {
            base: base.trim_end_matches('/').to_string(),
            role: role.filter(|r| !r.is_empty()),
            http,
        }
    }

    async fn text(&self, req: reqwest::RequestBuilder, what: &str) -> Result<String, String> {
        text_of(req, "the ECS metadata service", what).await
    }

    async fn lease(&self) -> Result<Lease, String> {
        let token = self
            .text(
                self.http
                    .put(format!("{}/latest/api/token", self.base))
                    .header("X-aliyun-ecs-metadata-token-ttl-seconds", "21600"),
                "token",
            )
            .await
            .ok();
        let get = |path: String| {
            let req = self.http.get(format!("{}{path}", self.base));
            match &token {
                Some(t) => req.header("X-aliyun-ecs-metadata-token", t),
                None => req,
            }
        };
        let role = match &self.role {
            Some(r) => r.clone(),
            None => self
                .text(get(CREDENTIALS_PATH.into()), "the role's name")
                .await?
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
        };
        if role.is_empty()
            || !role
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err("the ECS instance has no usable RAM role name".into());
        }
        let body = self
            .text(
                get(format!("{CREDENTIALS_PATH}{role}")),
                "the role's credentials",
            )
            .await?;
        parse_lease(&body)
    }
}

impl Source for EcsRole {
    fn fetch(&self) -> BoxFuture<'_, Result<Lease, String>> {
        self.lease().boxed()
    }

    fn label(&self) -> String {
        match &self.role {
            Some(r) => format!("ECS role {}", crate::text::visible(r)),
            None => "ECS instance role".into(),
        }
    }
}

/// The text of a reply from `who`, bounded; `Err` for anything but 200.
async fn text_of(req: reqwest::RequestBuilder, who: &str, what: &str) -> Result<String, String> {
    let reply = req
        .send()
        .await
        // Never the URL: a credentials URI may carry a token in its query.
        .map_err(|e| format!("{who} did not answer ({what}): {}", e.without_url()))?;
    let status = reply.status().as_u16();
    let body = reply
        .bytes()
        .await
        .map_err(|e| format!("{who}'s reply was cut ({what}): {}", e.without_url()))?;
    if body.len() > MAX_REPLY {
        return Err(format!("{who}'s reply is too large ({what})"));
    }
    if status != 200 {
        return Err(format!("{who} answered HTTP {status} ({what})"));
    }
    Ok(String::from_utf8_lossy(&body).trim().to_string())
}

/// A credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`): a local service that
/// answers a GET with the same JSON as the ECS metadata service.
#[derive(Debug)]
pub struct CredentialsUri {
    uri: String,
    http: reqwest::Client,
}

impl CredentialsUri {
    pub fn new(uri: &str) -> Self {
        CredentialsUri {
            uri: uri.to_string(),
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(1))
                .timeout(Duration::from_secs(5))
                .no_proxy()
                .build()
                .expect("a plain HTTP client builds"),
        }
    }
}

impl Source for CredentialsUri {
    fn fetch(&self) -> BoxFuture<'_, Result<Lease, String>> {
        async move {
            let body = text_of(
                self.http.get(&self.uri),
                "the credentials URI",
                "credentials",
            )
            .await?;
            parse_lease(&body)
        }
        .boxed()
    }

    fn label(&self) -> String {
        "credentials URI".into()
    }
}

/// The role's credentials from the metadata service's JSON.
pub fn parse_lease(body: &str) -> Result<Lease, String> {
    let v: serde_json::Value = serde_json::from_str(body)
        .map_err(|_| "the credentials service sent credentials that are not JSON".to_string())?;
    let code = v.get("Code").and_then(|x| x.as_str()).unwrap_or_default();
    if code != "Success" {
        return Err(format!(
            "the credentials service refused to give credentials (Code {:?})",
            crate::text::visible(code)
        ));
    }
    Lease::from_json(&v, "the credentials service")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_read_as_the_libraries_read_it_and_a_bad_one_is_refused() {
        let body = r#"{"AccessKeyId":"STS.abc","AccessKeySecret":"s3cr3t","SecurityToken":"tok","Expiration":"2026-12-07T15:00:00Z","LastUpdated":"2026-12-07T09:00:00Z","Code":"Success"}"#;
        let lease = parse_lease(body).unwrap();
        assert_eq!(lease.credentials.access_key_id, "STS.abc");
        assert_eq!(
            lease.expires,
            super::super::time::parse_iso8601("2026-12-07T15:00:00Z")
        );
        let failed = parse_lease(r#"{"Code":"Failed","AccessKeySecret":"s3cr3t"}"#).unwrap_err();
        assert!(
            failed.contains("Failed") && !failed.contains("s3cr3t"),
            "{failed}"
        );
        assert!(parse_lease("<html>").is_err());
        let no_expiry = body.replace("2026-12-07T15:00:00Z", "soon");
        assert!(parse_lease(&no_expiry).is_err());
    }
}
