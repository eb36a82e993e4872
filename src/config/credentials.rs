//! The credential chain: where ossweep looks for credentials, in order, and
//! what it says about where it found them (never the secret).
//!
//! After ossweep's own sources come Alibaba Cloud's, in the order of its
//! credential libraries (credentials-go and credentials-python, `default`
//! provider):
//!
//! 1. `OSS_ACCESS_KEY_ID` and `OSS_ACCESS_KEY_SECRET` (plus `OSS_SESSION_TOKEN`);
//! 2. `ALIBABA_CLOUD_ACCESS_KEY_ID` and `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (plus
//!    `ALIBABA_CLOUD_SECURITY_TOKEN`);
//! 3. an OIDC role (RRSA on ACK: `ALIBABA_CLOUD_ROLE_ARN`,
//!    `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`), assumed
//!    through STS (`oss::sts`; `OSSWEEP_STS_URL` moves STS, for tests);
//! 4. the profile in ossweep's config file;
//! 5. an ossutil config (`ossutil_config`, or `~/.ossutilconfig`);
//! 6. the aliyun CLI's `~/.aliyun/config.json`: the profile named by
//!    `ALIBABA_CLOUD_PROFILE`, else its `current` one; modes `AK`, `StsToken`,
//!    `RamRoleArn` and `ChainableRamRoleArn` (assumed through STS),
//!    `EcsRamRole`, and `External` (`oss::external`: its command runs only from
//!    a file that is the user's own); `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`
//!    skips it;
//! 7. the credentials file: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
//!    `~/.alibabacloud/credentials` (credentials-go's name) or
//!    `~/.alibabacloud/credentials.ini` (credentials-python's); section
//!    `ALIBABA_CLOUD_PROFILE`, else `default`; `type = access_key` or
//!    `ram_role_arn`;
//! 8. the ECS instance's RAM role, when its metadata service answers
//!    (`100.100.100.200`; `OSSWEEP_ECS_METADATA_URL` moves it, for tests;
//!    `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` skips it);
//! 9. a credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`).
//!
//! Temporary credentials from a role, a process or a URI are renewed before
//! they expire (`oss::credentials::Renewing`). A source that names a way
//! ossweep cannot use yet (a profile in mode OIDC or CloudSSO, a role chained
//! from a role) stops the chain with a message naming it, rather than falling
//! through to another identity than the one Alibaba's own tools would use.
//! When no source has credentials, the error lists every source tried, in
//! order, and why each gave none.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use std::sync::Arc;

use crate::oss::credentials::Renewing;
use crate::oss::external::ExternalProcess;
use crate::oss::metadata::{CredentialsUri, EcsRole, DEFAULT_METADATA_URL};
use crate::oss::sts::{AssumeRole, AssumeRoleWithOidc, DEFAULT_STS_URL};
use crate::oss::{Credentials, Secret};

/// Credentials and where they came from.
#[derive(Clone, Debug)]
pub struct Found {
    /// Static credentials (unused when `renewing` is set).
    pub credentials: Credentials,
    /// Temporary credentials renewed from their source (an ECS role).
    pub renewing: Option<Arc<Renewing>>,
    /// `aliyun CLI profile "prod" (~/.aliyun/config.json)`.
    pub source: String,
}

impl Found {
    /// `AccessKey LTAI****1234 (STS) from <source>`: what `--debug` and the
    /// wizard say; never the secret.
    pub fn describe(&self) -> String {
        if self.renewing.is_some() {
            return format!("temporary credentials from {}", self.source);
        }
        let sts = if self.credentials.security_token.is_some() {
            " (STS token)"
        } else {
            ""
        };
        format!(
            "AccessKey {}{sts} from {}",
            mask(&self.credentials.access_key_id),
            self.source
        )
    }
}

pub use crate::oss::credentials::mask;

/// Why the chain gave no credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// No source had any: each source tried, and why it gave none.
    Nothing(Vec<String>),
    /// A source names a way to authenticate ossweep cannot use (yet), or is
    /// broken: the chain stops there.
    Refused(String),
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainError::Nothing(tried) => {
                writeln!(f, "no OSS credentials found; ossweep looked, in order, at:")?;
                for (i, t) in tried.iter().enumerate() {
                    writeln!(f, "  {}. {t}", i + 1)?;
                }
                write!(
                    f,
                    "Set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET, or see config.example.toml"
                )
            }
            ChainError::Refused(why) => f.write_str(why),
        }
    }
}

/// What the chain reads: the environment, and what ossweep's own files hold
/// (read and checked by the caller).
pub struct Sources<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
    pub home: Option<PathBuf>,
    /// ossweep's profile: its name, its file, and its credentials if it has them.
    pub profile: (&'a str, &'a Path, Option<Credentials>),
    /// The ossutil config: its path (if any) and its credentials if it has them.
    pub ossutil: (Option<&'a Path>, Option<Credentials>),
}

/// What one source gave.
enum Step {
    Found(Found),
    /// Nothing here: why.
    Skip(String),
}

/// One source of the chain: what it gave, given where to put warnings.
type Source<'a> = &'a dyn Fn(&mut Vec<String>) -> Result<Step, ChainError>;

/// Follows the chain to the first source with credentials. `warnings` gets a
/// line for each file holding a secret that other users can read.
pub fn resolve(s: &Sources, warnings: &mut Vec<String>) -> Result<Found, ChainError> {
    let mut tried = Vec::new();
    let steps: [Source; 9] = [
        &|_| {
            Ok(env_pair(
                s,
                super::ENV_ACCESS_KEY_ID,
                super::ENV_ACCESS_KEY_SECRET,
                super::ENV_SESSION_TOKEN,
            ))
        },
        &|_| {
            Ok(env_pair(
                s,
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                "ALIBABA_CLOUD_SECURITY_TOKEN",
            ))
        },
        &|_| oidc(s),
        &|_| Ok(profile(s)),
        &|_| Ok(ossutil(s)),
        &|w| aliyun_cli(s, w),
        &|w| credentials_file(s, w),
        &|_| Ok(ecs_role(s)),
        &|_| Ok(credentials_uri(s)),
    ];
    for step in steps {
        match step(warnings)? {
            Step::Found(f) => return Ok(f),
            Step::Skip(why) => tried.push(why),
        }
    }
    Err(ChainError::Nothing(tried))
}

fn set(s: &Sources, name: &str) -> Option<String> {
    (s.env)(name).filter(|v| !v.is_empty())
}

fn env_pair(s: &Sources, id: &str, secret: &str, token: &str) -> Step {
    match (set(s, id), set(s, secret)) {
        (Some(i), Some(k)) => {
            let c = Credentials::new(i, k);
            Step::Found(Found {
                renewing: None,
                credentials: match set(s, token) {
                    Some(t) => c.with_token(t),
                    None => c,
                },
                source: format!("the environment ({id})"),
            })
        }
        (None, None) => Step::Skip(format!("{id} and {secret}: not set")),
        (Some(_), None) => Step::Skip(format!("{id}: set, but {secret} is not")),
        (None, Some(_)) => Step::Skip(format!("{secret}: set, but {id} is not")),
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

/// An OIDC role (RRSA on ACK): the role assumed with the token the cluster
/// writes to a file, renewed before its credentials expire.
fn oidc(s: &Sources) -> Result<Step, ChainError> {
    let (Some(role), Some(provider), Some(file)) = (
        set(s, "ALIBABA_CLOUD_ROLE_ARN"),
        set(s, "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"),
        set(s, "ALIBABA_CLOUD_OIDC_TOKEN_FILE"),
    ) else {
        return Ok(Step::Skip(
            "an OIDC role (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE): not set".into(),
        ));
    };
    let mut source = AssumeRoleWithOidc::new(&sts_url(s, ""), &role, &provider, Path::new(&file));
    if let Some(name) = set(s, "ALIBABA_CLOUD_ROLE_SESSION_NAME") {
        source.session_name = name;
    }
    Ok(Step::Found(Found {
        credentials: Credentials::new("", ""),
        renewing: Some(Arc::new(Renewing::new(Arc::new(source)))),
        source: format!(
            "the OIDC role {} (ALIBABA_CLOUD_ROLE_ARN, token {file}) assumed through STS, renewed before they expire",
            crate::text::visible(&role)
        ),
    }))
}

/// A credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`), the chain's last source.
fn credentials_uri(s: &Sources) -> Step {
    match set(s, "ALIBABA_CLOUD_CREDENTIALS_URI") {
        Some(uri) if uri.starts_with("http://") || uri.starts_with("https://") => {
            Step::Found(Found {
                credentials: Credentials::new("", ""),
                renewing: Some(Arc::new(Renewing::new(Arc::new(CredentialsUri::new(&uri))))),
                source: format!(
                    "the credentials URI {} (ALIBABA_CLOUD_CREDENTIALS_URI), renewed before they expire",
                    crate::text::visible(&uri)
                ),
            })
        }
        Some(_) => Step::Skip("ALIBABA_CLOUD_CREDENTIALS_URI: not an http(s) URL".into()),
        None => Step::Skip("a credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI): not set".into()),
    }
}

fn profile(s: &Sources) -> Step {
    let (name, path, creds) = &s.profile;
    let source = format!("profile {name:?} in {}", path.display());
    match creds {
        Some(c) => Step::Found(Found {
            renewing: None,
            credentials: c.clone(),
            source,
        }),
        None => Step::Skip(format!("{source}: no access_key_id and access_key_secret")),
    }
}

fn ossutil(s: &Sources) -> Step {
    match &s.ossutil {
        (Some(path), Some(c)) => Step::Found(Found {
            renewing: None,
            credentials: c.clone(),
            source: format!("the ossutil config {}", path.display()),
        }),
        (Some(path), None) if path.exists() => Step::Skip(format!(
            "the ossutil config {}: no AccessKey in it",
            path.display()
        )),
        (Some(path), None) => Step::Skip(format!(
            "the ossutil config {}: no such file",
            path.display()
        )),
        (None, _) => Step::Skip("an ossutil config: no home directory to look in".into()),
    }
}

/// Reads a file of the chain's: `Ok(None)` when it is not there.
fn read(path: &Path, warnings: &mut Vec<String>) -> Result<Option<String>, ChainError> {
    match super::read_config_file(path) {
        Ok(Some(text)) => {
            if super::readable_by_others(path) {
                warnings.push(format!(
                    "{} holds an AccessKey secret and is readable by other users; run: chmod 600 {}",
                    path.display(),
                    path.display()
                ));
            }
            Ok(Some(text))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(ChainError::Refused(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

#[derive(Deserialize)]
struct CliConfig {
    #[serde(default)]
    current: String,
    #[serde(default)]
    profiles: Vec<CliProfile>,
}

#[derive(Deserialize)]
struct CliProfile {
    #[serde(default)]
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    access_key_id: String,
    #[serde(default)]
    access_key_secret: String,
    #[serde(default)]
    sts_token: String,
    #[serde(default)]
    ram_role_arn: String,
    #[serde(default)]
    ram_session_name: String,
    #[serde(default)]
    expired_seconds: Option<u64>,
    #[serde(default)]
    policy: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    sts_region: String,
    #[serde(default)]
    ram_role_name: String,
    #[serde(default)]
    source_profile: String,
    #[serde(default)]
    process_command: String,
}

/// A RAM role assumed with a source AccessKey through STS, renewed before
/// its credentials expire. `OSSWEEP_STS_URL` moves STS (tests).
#[allow(clippy::too_many_arguments)]
fn assumed_role(
    s: &Sources,
    source: String,
    key: (&str, &str),
    role_arn: &str,
    session: &str,
    duration: Option<u64>,
    policy: &str,
    external_id: &str,
    sts_region: &str,
) -> Result<Step, ChainError> {
    if key.0.is_empty() || key.1.is_empty() || role_arn.is_empty() {
        return Err(ChainError::Refused(format!(
            "{source}: a RAM role needs access_key_id, access_key_secret and its role ARN"
        )));
    }
    let base = sts_url(s, sts_region);
    let mut role = AssumeRole::new(
        &base,
        Credentials::new(key.0, key.1),
        role_arn,
        if session.is_empty() {
            "ossweep"
        } else {
            session
        },
    );
    role.duration_secs = duration.unwrap_or(3600);
    role.policy = Some(policy.to_string()).filter(|p| !p.is_empty());
    role.external_id = Some(external_id.to_string()).filter(|p| !p.is_empty());
    Ok(Step::Found(Found {
        credentials: Credentials::new("", ""),
        renewing: Some(Arc::new(Renewing::new(Arc::new(role)))),
        source: format!(
            "{source}: RAM role {} assumed through STS, renewed before they expire",
            crate::text::visible(role_arn)
        ),
    }))
}

fn aliyun_cli(s: &Sources, warnings: &mut Vec<String>) -> Result<Step, ChainError> {
    if set(s, "ALIBABA_CLOUD_CLI_PROFILE_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Ok(Step::Skip(
            "the aliyun CLI config: ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true".into(),
        ));
    }
    let Some(path) = s
        .home
        .as_ref()
        .map(|h| h.join(".aliyun").join("config.json"))
    else {
        return Ok(Step::Skip(
            "the aliyun CLI config: no home directory to look in".into(),
        ));
    };
    let Some(text) = read(&path, warnings)? else {
        return Ok(Step::Skip(format!(
            "the aliyun CLI config {}: no such file",
            path.display()
        )));
    };
    let config: CliConfig = serde_json::from_str(&text).map_err(|e| {
        ChainError::Refused(format!(
            "the aliyun CLI config {} is not valid JSON (line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let name = set(s, "ALIBABA_CLOUD_PROFILE").unwrap_or(config.current.clone());
    let Some(p) = config.profiles.iter().find(|p| p.name == name) else {
        return Ok(Step::Skip(format!(
            "the aliyun CLI config {}: no profile {name:?}",
            path.display()
        )));
    };
    let source = format!("aliyun CLI profile {name:?} ({})", path.display());
    cli_profile(s, &config, p, source, &path)
}

/// What one aliyun CLI profile gives, by its mode.
fn cli_profile(
    s: &Sources,
    config: &CliConfig,
    p: &CliProfile,
    source: String,
    path: &Path,
) -> Result<Step, ChainError> {
    let renewed = |source: String, from: Arc<dyn crate::oss::credentials::Source>| {
        Ok(Step::Found(Found {
            credentials: Credentials::new("", ""),
            renewing: Some(Arc::new(Renewing::new(from))),
            source,
        }))
    };
    let token = match p.mode.as_str() {
        "AK" => None,
        "StsToken" => Some(p.sts_token.clone()),
        "EcsRamRole" => {
            let base = set(s, "OSSWEEP_ECS_METADATA_URL").unwrap_or_else(|| DEFAULT_METADATA_URL.into());
            let role = Some(p.ram_role_name.clone()).filter(|r| !r.is_empty());
            return renewed(
                format!("{source}: the ECS instance's RAM role (metadata service {base}), renewed before they expire"),
                Arc::new(EcsRole::new(&base, role)),
            );
        }
        "External" => {
            // A command to run: only from a file that is the user's own.
            if !super::owned_and_unwritable_by_others(path) {
                return Err(ChainError::Refused(format!(
                    "{source} runs a credential process, but {} is not yours alone (another user owns it or can write it); ossweep runs no command from it",
                    path.display()
                )));
            }
            let process = ExternalProcess::new(&p.process_command)
                .map_err(|e| ChainError::Refused(format!("{source}: {e}")))?;
            return renewed(
                format!("{source}: the credential process {}", crate::text::visible(process.program())),
                Arc::new(process),
            );
        }
        "RamRoleArn" | "ChainableRamRoleArn" => {
            // A chained role takes its source profile's AccessKey (a source
            // that is itself a role is not chained by this version).
            let key = if p.mode == "RamRoleArn" {
                Some(p)
            } else {
                config
                    .profiles
                    .iter()
                    .find(|q| q.name == p.source_profile && q.mode == "AK")
            };
            let Some(key) = key else {
                return Err(ChainError::Refused(format!(
                    "{source} assumes a role from profile {:?}, which is not an AK profile of this config; this version chains only from an AccessKey",
                    p.source_profile
                )));
            };
            return assumed_role(
                s,
                source,
                (&key.access_key_id, &key.access_key_secret),
                &p.ram_role_arn,
                &p.ram_session_name,
                p.expired_seconds,
                &p.policy,
                &p.external_id,
                &p.sts_region,
            );
        }
        other => {
            return Err(ChainError::Refused(format!(
                "{source} uses mode {other:?}, which this version of ossweep cannot use yet (it reads modes AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole and External); choose such a profile with ALIBABA_CLOUD_PROFILE, or set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET"
            )))
        }
    };
    if p.access_key_id.is_empty() || p.access_key_secret.is_empty() {
        return Err(ChainError::Refused(format!(
            "{source}: access_key_id or access_key_secret is empty"
        )));
    }
    let c = Credentials::new(&p.access_key_id, &p.access_key_secret);
    Ok(Step::Found(Found {
        renewing: None,
        credentials: match token.filter(|t| !t.is_empty()) {
            Some(t) => c.with_token(t),
            None => c,
        },
        source,
    }))
}

fn credentials_file(s: &Sources, warnings: &mut Vec<String>) -> Result<Step, ChainError> {
    let paths: Vec<PathBuf> = match set(s, "ALIBABA_CLOUD_CREDENTIALS_FILE") {
        Some(p) => vec![PathBuf::from(p)],
        None => match &s.home {
            Some(h) => vec![
                h.join(".alibabacloud").join("credentials"),
                h.join(".alibabacloud").join("credentials.ini"),
            ],
            None => {
                return Ok(Step::Skip(
                    "the Alibaba Cloud credentials file: no home directory to look in".into(),
                ))
            }
        },
    };
    let Some((path, text)) = paths
        .iter()
        .map(|p| read(p, warnings).map(|t| t.map(|t| (p.clone(), t))))
        .find_map(Result::transpose)
        .transpose()?
    else {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Ok(Step::Skip(format!(
            "the Alibaba Cloud credentials file {}: no such file",
            names.join(" or ")
        )));
    };
    let name = set(s, "ALIBABA_CLOUD_PROFILE").unwrap_or_else(|| "default".into());
    let Some(section) = ini_section(&text, &name) else {
        return Ok(Step::Skip(format!(
            "the Alibaba Cloud credentials file {}: no section [{name}]",
            path.display()
        )));
    };
    let get = |k: &str| {
        section
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let source = format!("[{name}] in {}", path.display());
    match get("type").as_str() {
        "access_key" => {}
        "ram_role_arn" => {
            return assumed_role(
                s,
                source,
                (&get("access_key_id"), &get("access_key_secret")),
                &get("role_arn"),
                &get("role_session_name"),
                None,
                &get("policy"),
                "",
                "",
            )
        }
        other => {
            return Err(ChainError::Refused(format!(
                "{source} has type {other:?}, which this version of ossweep cannot use yet (it reads types access_key and ram_role_arn); set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET instead"
            )))
        }
    }
    let (id, secret) = (get("access_key_id"), get("access_key_secret"));
    if id.is_empty() || secret.is_empty() {
        return Err(ChainError::Refused(format!(
            "{source}: access_key_id or access_key_secret is empty"
        )));
    }
    Ok(Step::Found(Found {
        renewing: None,
        credentials: Credentials {
            access_key_id: id,
            access_key_secret: Secret::new(secret),
            security_token: None,
        },
        source,
    }))
}

/// The ECS instance's RAM role, when the metadata service answers (within a
/// second): its credentials are fetched at the first request and renewed
/// before they expire. `ALIBABA_CLOUD_ECS_METADATA` names the role;
/// `OSSWEEP_ECS_METADATA_URL` moves the service (tests).
fn ecs_role(s: &Sources) -> Step {
    if set(s, "ALIBABA_CLOUD_ECS_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Step::Skip(
            "the ECS instance's RAM role: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true".into(),
        );
    }
    let base = set(s, "OSSWEEP_ECS_METADATA_URL").unwrap_or_else(|| DEFAULT_METADATA_URL.into());
    if !answers(&base) {
        return Step::Skip(format!(
            "the ECS instance's RAM role: no metadata service at {base} (not an ECS instance)"
        ));
    }
    let role = set(s, "ALIBABA_CLOUD_ECS_METADATA");
    let source = format!(
        "the ECS instance's RAM role{} (metadata service {base}), renewed before they expire",
        role.as_deref().map(|r| format!(" {r}")).unwrap_or_default()
    );
    Step::Found(Found {
        credentials: Credentials::new("", ""),
        renewing: Some(Arc::new(Renewing::new(Arc::new(EcsRole::new(&base, role))))),
        source,
    })
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

/// The `key = value` pairs of section `[name]` of an INI text, as Alibaba's
/// libraries read them: keys lower-cased, a `#` and what follows it dropped
/// from a value, blank and `#`/`;` lines skipped.
fn ini_section(text: &str, name: &str) -> Option<Vec<(String, String)>> {
    let mut current: Option<&str> = None;
    let mut out: Option<Vec<(String, String)>> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(s.trim());
            if current == Some(name) {
                out.get_or_insert_with(Vec::new);
            }
            continue;
        }
        if current != Some(name) {
            continue;
        }
        let Some((k, v)) = line.split_once('=').or_else(|| line.split_once(':')) else {
            continue;
        };
        let v = v.split('#').next().unwrap_or_default().trim().to_string();
        if let Some(pairs) = out.as_mut() {
            pairs.push((k.trim().to_ascii_lowercase(), v));
        }
    }
    out
}

#[cfg(test)]
mod tests;
