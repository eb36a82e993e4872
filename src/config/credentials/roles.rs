//! The chain's sources of temporary credentials: a RAM role assumed through
//! STS (with an AccessKey, or with another source's credentials when a role
//! is chained from a role), an OIDC role, the ECS instance's RAM role and a
//! credentials URI. Each is renewed before its credentials expire
//! (`oss::credentials::Renewing`); nothing is fetched until the first request.

use std::path::Path;
use std::sync::Arc;

use super::{set, Found, Mode, RoleToAssume, Sources, Step};
use crate::oss::credentials::{Renewing, Source};
use crate::oss::metadata::{CredentialsUri, EcsRole, DEFAULT_METADATA_URL};
use crate::oss::sts::{AssumeRole, AssumeRoleWithOidc, Signer, DEFAULT_STS_URL};
use crate::oss::Credentials;

/// What a declared mode gives, named `source`.
pub(super) fn from_mode(s: &Sources, source: String, mode: Mode) -> Found {
    match mode {
        Mode::Key(credentials) => Found {
            credentials,
            renewing: None,
            source,
        },
        Mode::Role(key, role) => assumed_role(s, source, Signer::Key(key), &role),
        Mode::EcsRole(name) => ecs_role_named(s, Some(source), name),
    }
}

/// Credentials renewed from `from`, named `source`.
pub(super) fn renewed(source: String, from: Arc<dyn Source>) -> Found {
    Found {
        credentials: Credentials::new("", ""),
        renewing: Some(Arc::new(Renewing::new(from))),
        source,
    }
}

/// What signs an AssumeRole call made with what `found` gave.
pub(super) fn signer_of(found: Found) -> Signer {
    match found.renewing {
        Some(r) => Signer::Renewed(r),
        None => Signer::Key(found.credentials),
    }
}

/// Where STS answers: `OSSWEEP_STS_URL` (tests), else the region's
/// (`region`, else `ALIBABA_CLOUD_STS_REGION`), else the central endpoint.
fn sts_url(s: &Sources, region: &str) -> String {
    let region = Some(region.to_string())
        .filter(|r| !r.is_empty())
        .or_else(|| set(s, "ALIBABA_CLOUD_STS_REGION"));
    set(s, "OSSWEEP_STS_URL").unwrap_or_else(|| match region {
        None => DEFAULT_STS_URL.to_string(),
        Some(r) => format!("https://sts.{r}.aliyuncs.com"),
    })
}

/// A RAM role assumed through STS with `signer`, renewed before its
/// credentials expire.
pub(super) fn assumed_role(
    s: &Sources,
    source: String,
    signer: Signer,
    role: &RoleToAssume,
) -> Found {
    let session = if role.session_name.is_empty() {
        "ossweep"
    } else {
        &role.session_name
    };
    let mut call = AssumeRole::new(&sts_url(s, &role.sts_region), signer, &role.arn, session);
    call.duration_secs = role.duration_secs.unwrap_or(3600);
    call.policy = Some(role.policy.clone()).filter(|p| !p.is_empty());
    call.external_id = Some(role.external_id.clone()).filter(|p| !p.is_empty());
    renewed(
        format!(
            "{source}: RAM role {} assumed through STS, renewed before they expire",
            crate::text::visible(&role.arn)
        ),
        Arc::new(call),
    )
}

/// An OIDC role: its ARN, the identity provider's, and the token file the
/// cluster writes (RRSA on ACK).
pub(super) struct OidcRole<'a> {
    pub role: &'a RoleToAssume,
    pub provider_arn: &'a str,
    pub token_file: &'a str,
}

/// An OIDC role assumed through STS with the token in its file (read again
/// at each renewal: it rotates), named `source`.
pub(super) fn oidc_role(s: &Sources, source: String, r: OidcRole) -> Found {
    let mut call = AssumeRoleWithOidc::new(
        &sts_url(s, &r.role.sts_region),
        &r.role.arn,
        r.provider_arn,
        Path::new(r.token_file),
    );
    if !r.role.session_name.is_empty() {
        call.session_name = r.role.session_name.clone();
    }
    call.duration_secs = r.role.duration_secs.unwrap_or(3600);
    call.policy = Some(r.role.policy.clone()).filter(|p| !p.is_empty());
    renewed(
        format!(
            "{source}: OIDC role {} (token {}) assumed through STS, renewed before they expire",
            crate::text::visible(&r.role.arn),
            crate::text::visible(r.token_file)
        ),
        Arc::new(call),
    )
}

/// The environment's OIDC role (RRSA on ACK).
pub(super) fn oidc_from_env(s: &Sources) -> Step {
    let (Some(arn), Some(provider), Some(file)) = (
        set(s, "ALIBABA_CLOUD_ROLE_ARN"),
        set(s, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"),
        set(s, "ALIBABA_CLOUD_OIDC_TOKEN_FILE"),
    ) else {
        return Step::Skip(
            "an OIDC role (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE): not set".into(),
        );
    };
    let role = RoleToAssume {
        arn,
        session_name: set(s, "ALIBABA_CLOUD_ROLE_SESSION_NAME").unwrap_or_default(),
        ..Default::default()
    };
    Step::Found(oidc_role(
        s,
        "the environment (ALIBABA_CLOUD_ROLE_ARN)".into(),
        OidcRole {
            role: &role,
            provider_arn: &provider,
            token_file: &file,
        },
    ))
}

fn metadata_url(s: &Sources) -> String {
    set(s, "OSSWEEP_ECS_METADATA_URL").unwrap_or_else(|| DEFAULT_METADATA_URL.into())
}

/// The ECS instance's RAM role `role` (`None`: the one the metadata service
/// names), as the file `source` names it (`None`: found by the chain itself).
pub(super) fn ecs_role_named(s: &Sources, source: Option<String>, role: Option<String>) -> Found {
    let base = metadata_url(s);
    renewed(
        format!(
            "{}the ECS instance's RAM role{} (metadata service {base}), renewed before they expire",
            source.map(|s| format!("{s}: ")).unwrap_or_default(),
            role.as_deref()
                .map(|r| format!(" {}", crate::text::visible(r)))
                .unwrap_or_default()
        ),
        Arc::new(EcsRole::new(&base, role)),
    )
}

/// The ECS instance's RAM role, when the metadata service answers (within a
/// second). `ALIBABA_CLOUD_ECS_METADATA` names the role;
/// `OSSWEEP_ECS_METADATA_URL` moves the service (tests).
pub(super) fn ecs_role(s: &Sources) -> Step {
    if set(s, "ALIBABA_CLOUD_ECS_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Step::Skip(
            "the ECS instance's RAM role: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true".into(),
        );
    }
    let base = metadata_url(s);
    if !answers(&base) {
        return Step::Skip(format!(
            "the ECS instance's RAM role: no metadata service at {base} (not an ECS instance)"
        ));
    }
    Step::Found(ecs_role_named(
        s,
        None,
        set(s, "ALIBABA_CLOUD_ECS_METADATA"),
    ))
}

/// Whether an ECS metadata service answers at `http://host[:port]`: an
/// IMDSv2 token, or (IMDSv1) the role's name, within a second each. Something
/// that only accepts connections (a proxy, a sandbox) is not one.
fn answers(base: &str) -> bool {
    let Some(rest) = base.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let token = "PUT /latest/api/token HTTP/1.0\r\nX-aliyun-ecs-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\n";
    let role = "GET /latest/meta-data/ram/security-credentials/ HTTP/1.0\r\n";
    [token, role]
        .iter()
        .any(|head| status_of(authority, head) == Some(200))
}

/// The HTTP status a plain HTTP/1.0 request gets from `authority`, within a
/// second to connect and a second to answer.
fn status_of(authority: &str, head: &str) -> Option<u16> {
    use std::io::{Read, Write};
    use std::net::ToSocketAddrs;
    let with_port = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let second = std::time::Duration::from_secs(1);
    let addr = with_port.to_socket_addrs().ok()?.next()?;
    let mut stream = std::net::TcpStream::connect_timeout(&addr, second).ok()?;
    stream.set_read_timeout(Some(second)).ok()?;
    stream.set_write_timeout(Some(second)).ok()?;
    write!(stream, "{head}Host: {authority}\r\n\r\n").ok()?;
    let mut reply = [0u8; 64];
    let n = stream.read(&mut reply).ok()?;
    let line = std::str::from_utf8(&reply[..n]).ok()?;
    let mut parts = line.split_whitespace();
    parts.next().filter(|v| v.starts_with("HTTP/"))?;
    parts.next()?.parse().ok()
}

/// A credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`), the chain's last source.
pub(super) fn credentials_uri(s: &Sources) -> Step {
    match set(s, "ALIBABA_CLOUD_CREDENTIALS_URI") {
        Some(uri) if uri.starts_with("http://") || uri.starts_with("https://") => {
            Step::Found(renewed(
                format!(
                    "the credentials URI {} (ALIBABA_CLOUD_CREDENTIALS_URI), renewed before they expire",
                    // Never its query: it may carry a token.
                    crate::text::visible(uri.split(['?', '#']).next().unwrap_or_default())
                ),
                Arc::new(CredentialsUri::new(&uri)),
            ))
        }
        Some(_) => Step::Skip("ALIBABA_CLOUD_CREDENTIALS_URI: not an http(s) URL".into()),
        None => Step::Skip("a credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI): not set".into()),
    }
}
