//! A RAM role to assume: temporary credentials from STS `AssumeRole`, an RPC
//! call signed with the source AccessKey as Alibaba's credential libraries
//! sign it (`credentials-python` `ram_role_arn.py` and `parameter_helper.py`:
//! the sorted, percent-encoded query as `GET&%2F&<query>`, HMAC-SHA1 with
//! `<secret>&`, base64). The signing is pure and pinned to vectors computed
//! with that library; the call is bounded in size and time.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use futures::future::BoxFuture;
use futures::FutureExt;
use hmac::{Hmac, Mac};

use super::credentials::{Lease, Renewing, Source};
use super::{encode, time, Credentials};

/// Where STS answers.
pub const DEFAULT_STS_URL: &str = "https://sts.aliyuncs.com";
/// The most an STS reply may hold.
const MAX_REPLY: usize = 64 * 1024;

/// `GET&%2F&<the sorted, encoded query, encoded again>`.
pub fn string_to_sign(method: &str, params: &BTreeMap<String, String>) -> String {
    let canonical: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode::query(k), encode::query(v)))
        .collect();
    format!(
        "{method}&{}&{}",
        encode::query("/"),
        encode::query(&canonical.join("&"))
    )
}

/// base64(HMAC-SHA1(`<secret>&`, string to sign)).
pub fn signature(string_to_sign: &str, secret: &str) -> String {
    sign(string_to_sign, &format!("{secret}&"))
}

/// base64(HMAC-SHA1(key, text)).
fn sign(text: &str, key: &str) -> String {
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).expect("hmac accepts any key length");
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What an AssumeRole call is signed with: an AccessKey, or the temporary
/// credentials of another source (a role chained from a role), asked for at
/// each call.
#[derive(Debug)]
pub enum Signer {
    Key(Credentials),
    Renewed(std::sync::Arc<Renewing>),
}

/// A role to assume with a source AccessKey.
#[derive(Debug)]
pub struct AssumeRole {
    pub base: String,
    pub source: Signer,
    pub role_arn: String,
    pub session_name: String,
    pub duration_secs: u64,
    pub policy: Option<String>,
    pub external_id: Option<String>,
    http: reqwest::Client,
}

impl AssumeRole {
    pub fn new(base: &str, source: Signer, role_arn: &str, session_name: &str) -> Self {
        AssumeRole {
            base: base.trim_end_matches('/').to_string(),
            source,
            role_arn: role_arn.to_string(),
            session_name: session_name.to_string(),
            duration_secs: 3600,
            policy: None,
            external_id: None,
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(20))
                .build()
                .expect("an HTTP client builds"),
        }
    }

    /// The query of one AssumeRole call at `now`, with `nonce`, signed with `key`.
    pub fn query(&self, key: &Credentials, now: i64, nonce: &str) -> BTreeMap<String, String> {
        let mut q: BTreeMap<String, String> = [
            ("Action", "AssumeRole".to_string()),
            ("Format", "JSON".into()),
            ("Version", "2015-04-01".into()),
            ("DurationSeconds", self.duration_secs.to_string()),
            ("RoleArn", self.role_arn.clone()),
            ("RoleSessionName", self.session_name.clone()),
            ("SignatureMethod", "HMAC-SHA1".into()),
            ("SignatureVersion", "1.0".into()),
            ("Timestamp", time::iso8601_seconds(now)),
            ("SignatureNonce", nonce.to_string()),
            ("AccessKeyId", key.access_key_id.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let optional = [
            (
                "SecurityToken",
                key.security_token.as_ref().map(|t| t.expose().to_string()),
            ),
            ("Policy", self.policy.clone()),
            ("ExternalId", self.external_id.clone()),
        ];
        for (k, v) in optional {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                q.insert(k.to_string(), v);
            }
        }
        let sig = signature(&string_to_sign("GET", &q), key.access_key_secret.expose());
        q.insert("Signature".into(), sig);
        q
    }

    /// The credentials the call at `now` is signed with.
    async fn signing_key(&self, now: i64) -> Result<Credentials, String> {
        match &self.source {
            Signer::Key(key) => Ok(key.clone()),
            Signer::Renewed(from) => from.current(now).await.map_err(|e| {
                format!(
                    "cannot assume {}: {e}",
                    crate::text::visible(&self.role_arn)
                )
            }),
        }
    }

    async fn lease(&self) -> Result<Lease, String> {
        let now = time::unix_secs(std::time::SystemTime::now());
        let nonce = format!("{:032x}", rand_nonce());
        let key = self.signing_key(now).await?;
        let q = self.query(&key, now, &nonce);
        call(&self.http, &self.base, &q, &self.role_arn).await
    }
}

impl Source for AssumeRole {
    fn fetch(&self) -> BoxFuture<'_, Result<Lease, String>> {
        self.lease().boxed()
    }

    fn label(&self) -> String {
        format!("role {}", role_name(&self.role_arn))
    }
}

/// `ossweep-runner` of `acs:ram::123:role/ossweep-runner`, safe to print.
fn role_name(arn: &str) -> String {
    crate::text::visible(arn.rsplit_once("role/").map_or(arn, |(_, name)| name)).into_owned()
}

/// An OIDC role (RRSA on ACK): `AssumeRoleWithOIDC` with the token the
/// cluster writes to a file (read again at each renewal: it rotates), unsigned
/// as the credential library sends it.
#[derive(Debug)]
pub struct AssumeRoleWithOidc {
    pub base: String,
    pub role_arn: String,
    pub provider_arn: String,
    pub token_file: std::path::PathBuf,
    pub session_name: String,
    pub duration_secs: u64,
    /// A policy that narrows the session (JSON), when one is named.
    pub policy: Option<String>,
    http: reqwest::Client,
}

impl AssumeRoleWithOidc {
    pub fn new(
        base: &str,
        role_arn: &str,
        provider_arn: &str,
        token_file: &std::path::Path,
    ) -> Self {
        AssumeRoleWithOidc {
            base: base.trim_end_matches('/').to_string(),
            role_arn: role_arn.into(),
            provider_arn: provider_arn.into(),
            token_file: token_file.into(),
            session_name: "ossweep".into(),
            duration_secs: 3600,
            policy: None,
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(20))
                .build()
                .expect("an HTTP client builds"),
        }
    }

    /// The query of one call with `token`, at `now`.
    pub fn query(&self, now: i64, token: &str) -> BTreeMap<String, String> {
        let mut q: BTreeMap<String, String> = [
            ("Action", "AssumeRoleWithOIDC".to_string()),
            ("Format", "JSON".into()),
            ("Version", "2015-04-01".into()),
            ("DurationSeconds", self.duration_secs.to_string()),
            ("RoleArn", self.role_arn.clone()),
            ("OIDCProviderArn", self.provider_arn.clone()),
            ("OIDCToken", token.to_string()),
            ("RoleSessionName", self.session_name.clone()),
            ("Timestamp", time::iso8601_seconds(now)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(policy) = self.policy.clone().filter(|p| !p.is_empty()) {
            q.insert("Policy".into(), policy);
        }
        q
    }

    async fn lease(&self) -> Result<Lease, String> {
        let token = read_token(&self.token_file)?;
        let now = time::unix_secs(std::time::SystemTime::now());
        call(
            &self.http,
            &self.base,
            &self.query(now, &token),
            &self.role_arn,
        )
        .await
    }
}

impl Source for AssumeRoleWithOidc {
    fn fetch(&self) -> BoxFuture<'_, Result<Lease, String>> {
        self.lease().boxed()
    }

    fn label(&self) -> String {
        format!("OIDC role {}", role_name(&self.role_arn))
    }
}

/// The OIDC token file's text: a regular file of at most 64 KiB.
fn read_token(path: &std::path::Path) -> Result<String, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read the OIDC token file {}: {e}", path.display()))?;
    if !meta.is_file() || meta.len() > MAX_REPLY as u64 {
        return Err(format!(
            "the OIDC token file {} is not a small regular file",
            path.display()
        ));
    }
    let token = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the OIDC token file {}: {e}", path.display()))?;
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(format!("the OIDC token file {} is empty", path.display()));
    }
    Ok(token)
}

/// One STS call with `query`; its reply's credentials.
async fn call(
    http: &reqwest::Client,
    base: &str,
    query: &BTreeMap<String, String>,
    role: &str,
) -> Result<Lease, String> {
    let url = format!(
        "{base}/?{}",
        query
            .iter()
            .map(|(k, v)| format!("{}={}", encode::query(k), encode::query(v)))
            .collect::<Vec<_>>()
            .join("&")
    );
    let reply = http
        .get(url)
        .send()
        .await
        // Never the URL: its query holds the signature and, for a role
        // chained from a role, the source's security token.
        .map_err(|e| format!("STS did not answer: {}", e.without_url()))?;
    let status = reply.status().as_u16();
    let body = reply
        .bytes()
        .await
        .map_err(|e| format!("STS's reply was cut: {}", e.without_url()))?;
    if body.len() > MAX_REPLY {
        return Err("STS's reply is too large".into());
    }
    parse_reply(status, &String::from_utf8_lossy(&body), role)
}

/// A nonce: the clock's nanoseconds and the process, mixed.
fn rand_nonce() -> u128 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    t ^ ((std::process::id() as u128) << 64) ^ 0x9E37_79B9_7F4A_7C15
}

/// The credentials of an AssumeRole reply, or what STS said.
pub fn parse_reply(status: u16, body: &str, role: &str) -> Result<Lease, String> {
    let v: serde_json::Value = serde_json::from_str(body)
        .map_err(|_| format!("STS answered AssumeRole with HTTP {status} and no JSON"))?;
    let field = |o: &serde_json::Value, k: &str| {
        o.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or_default()
            .to_string()
    };
    if status != 200 {
        return Err(format!(
            "STS refused to assume {}: {} ({})",
            crate::text::visible(role),
            crate::text::visible(&field(&v, "Code")),
            crate::text::visible(&field(&v, "Message"))
        ));
    }
    let c = v.get("Credentials").cloned().unwrap_or_default();
    Lease::from_json(&c, "STS")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed with Alibaba's `alibabacloud-credentials` 1.0.12
    /// (`parameter_helper.compose_string_to_sign` and `sign_string`).
    #[test]
    fn assume_role_is_signed_as_the_credential_library_signs_it() {
        assert_eq!(sign("123", "secret"), "sU6S6xf2t47FogXuDhqyIPt/htc=");
        assert_eq!(string_to_sign("GET", &BTreeMap::new()), "GET&%2F&");
        let key = Credentials::new("LTAI5tSourceKey", "source-secret");
        let role = AssumeRole::new(
            DEFAULT_STS_URL,
            Signer::Key(key.clone()),
            "acs:ram::123456789012:role/ossweep-runner",
            "ossweep",
        );
        let q = role.query(
            &key,
            time::parse_iso8601("2026-12-07T15:00:00Z").unwrap(),
            "f2b5c0b4-0000-4000-8000-000000000001",
        );
        let mut unsigned = q.clone();
        unsigned.remove("Signature");
        assert_eq!(
            string_to_sign("GET", &unsigned),
            "GET&%2F&AccessKeyId%3DLTAI5tSourceKey%26Action%3DAssumeRole%26DurationSeconds%3D3600%26Format%3DJSON%26RoleArn%3Dacs%253Aram%253A%253A123456789012%253Arole%252Fossweep-runner%26RoleSessionName%3Dossweep%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Df2b5c0b4-0000-4000-8000-000000000001%26SignatureVersion%3D1.0%26Timestamp%3D2026-12-07T15%253A00%253A00Z%26Version%3D2015-04-01"
        );
        assert_eq!(q["Signature"], "A5ZaXFyOLaEYQlA0XoFCCbJnIBk=");
    }

    /// A source that hands out one lease.
    #[derive(Debug)]
    struct Fixed(Lease);

    impl Source for Fixed {
        fn fetch(&self) -> BoxFuture<'_, Result<Lease, String>> {
            let lease = self.0.clone();
            async move { Ok(lease) }.boxed()
        }

        fn label(&self) -> String {
            "fixed".into()
        }
    }

    /// A role chained from a role signs with the first role's temporary
    /// credentials, token included, never with a key of its own.
    #[tokio::test]
    async fn a_chained_role_signs_with_its_sources_temporary_credentials() {
        let first = Credentials::new("STS.FirstRole", "first-secret").with_token("first-token");
        let from = Renewing::new(std::sync::Arc::new(Fixed(Lease {
            credentials: first.clone(),
            expires: Some(2_000_000_000),
        })));
        let role = AssumeRole::new(
            DEFAULT_STS_URL,
            Signer::Renewed(std::sync::Arc::new(from)),
            "acs:ram::1:role/second",
            "ossweep",
        );
        let key = role.signing_key(1_900_000_000).await.unwrap();
        assert_eq!(key, first);
        let q = role.query(&key, 1_900_000_000, "n");
        assert_eq!(
            (q["AccessKeyId"].as_str(), q["SecurityToken"].as_str()),
            ("STS.FirstRole", "first-token")
        );
        let mut unsigned = q.clone();
        unsigned.remove("Signature");
        assert_eq!(
            q["Signature"],
            signature(&string_to_sign("GET", &unsigned), "first-secret")
        );
    }

    /// An STS that does not answer is said without the request's URL: its
    /// query carries the signature and a chained role's security token.
    #[tokio::test]
    async fn an_sts_error_never_shows_the_query() {
        let key = Credentials::new("STS.Source", "s").with_token("secret-token-value");
        let role = AssumeRole::new(
            "http://127.0.0.1:1",
            Signer::Key(key),
            "acs:ram::1:role/r",
            "ossweep",
        );
        let e = role.lease().await.unwrap_err();
        assert!(e.starts_with("STS did not answer"), "{e}");
        assert!(
            !e.contains("secret-token-value") && !e.contains("Signature"),
            "{e}"
        );
    }

    #[test]
    fn a_reply_gives_credentials_or_says_what_sts_said() {
        let ok = r#"{"RequestId":"x","Credentials":{"AccessKeyId":"STS.a","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2026-12-07T16:00:00Z"}}"#;
        let lease = parse_reply(200, ok, "r").unwrap();
        assert_eq!(lease.credentials.access_key_id, "STS.a");
        let refused =
            r#"{"Code":"NoPermission","Message":"You are not authorized to do this action."}"#;
        let e = parse_reply(403, refused, "acs:ram::1:role/x").unwrap_err();
        assert!(
            e.contains("NoPermission") && e.contains("acs:ram::1:role/x"),
            "{e}"
        );
        assert!(parse_reply(200, "{}", "r").is_err());
    }
}
