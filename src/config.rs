//! Configuration: profiles from a TOML file, credentials from the environment,
//! the file, or an existing ossutil config; command-line overrides on top.
//! Secrets never reach `Debug`, logs or errors.
//!
//! Configuration and global flags, in detail:
//!
//! # Configuration
//!
//! Copy `config.example.toml` to `~/.config/ossweep/config.toml` (Linux; macOS and Windows
//! use their platform config directory) and `chmod 600` it. Every key is documented there.
//! A profile holds `region`, `endpoint`, `addressing` (`virtual` or `path`),
//! `signature_version` (4 or 1), `internal`, `concurrency` (requests in flight at most,
//! default 64), `qps` (requests per second at most for the account, default 2000),
//! `max_attempts` (attempts per
//! request for throttling, 5xx and network failures, 1-20, default 5), `account_id` (the
//! Alibaba Cloud account id vector buckets need; `OSS_ACCOUNT_ID` overrides it), credentials,
//! `ossutil_config` and `connect_to`. A mistake in the file is reported with the file,
//! then the line, column and key, then what is wrong, each on its own line, with a
//! suggestion for a misspelt key:
//!
//! ```text
//! error: config file /home/me/.config/ossweep/config.toml:
//!   line 3, column 1: signature_versoin
//!   unknown field `signature_versoin`, expected one of `region`, `endpoint`, ...
//!   did you mean signature_version?
//! ```
//!
//! Credentials come from the chain in `credentials` (its module docs give the order):
//! the `OSS_*` variables, the `ALIBABA_CLOUD_*` ones, the profile's `access_key_id`,
//! `access_key_secret` and `security_token`, an ossutil config (1.x `[Credentials]` or
//! 2.x `[default]`: `ossutil_config`, or `~/.ossutilconfig` when it exists), the aliyun
//! CLI's config and the Alibaba Cloud credentials file.
//!
//! Secrets never appear in `Debug` output, logs, errors or screens. ossweep warns when a
//! file holding a secret is readable by other users: the config file, a named
//! `ossutil_config`, and the default `~/.ossutilconfig` alike, and when the config file's
//! directory can be written by other users (who could replace the file). A malformed config
//! file is reported with its path, line and key, never with a secret's value (an error in
//! `access_key_secret` names the key and line only); missing credentials are reported with
//! the variable names and the config path. A config file must be a regular file of at most
//! 1 MiB (a pipe, a device or a directory is refused, not read), and a symlink to nothing
//! is an error naming its target.
//!
//! A terminal that cannot move the cursor (`TERM=dumb`) gets a message pointing to the
//! subcommands instead of the wizard (exit 2).
//!
//! # Commands
//!
//! Global flags work before or after the subcommand:
//!
//! | flag | meaning |
//! |---|---|
//! | `--profile NAME` | profile from the config file |
//! | `--region REGION` | default region (ListBuckets goes there; each bucket is then reached in its own region) |
//! | `--endpoint URL` | send every request to this endpoint (emulators, private deployments) |
//! | `--path-style` | path-style addressing (`<endpoint>/<bucket>/<key>`); real OSS refuses it for most accounts |
//! | `--config FILE` | config file (default: the platform config directory's `ossweep/config.toml`, or `$OSSWEEP_CONFIG`) |
//! | `--timeout SECS` | give up on a request OSS has not answered after this long, every retry included (default 50; each attempt is cut off after 20 s) |
//! | `--concurrency N` | requests in flight at most, listing and deleting together (1-256; default: the profile's `concurrency`, else 64); the budget grows toward it only while replies stay fast |
//! | `--qps N` | requests per second at most for the account, listing and deleting together (default: the profile's `qps`, else 2000; OSS allows 10,000 per account and region, and about 2,000 on one bucket with sequential keys) |
//! | `--debug` | log every command and request (operation, bucket, status, request id, latency, retries; never a secret) to `ossweep.log` in the platform state directory |
//!
//! The region, the endpoint, bucket names and every region a reply names are validated
//! before they become part of a host name: `--region 'x@127.0.0.1:19231/'` is refused
//! (exit 1) and no request is sent anywhere. A request still waiting for OSS is announced
//! on stderr every 5 s (`waiting for OSS (GetBucketInfo, attempt 2 of 5, 40 s)`; in the
//! wizard on the status line while it scans and in the progress pane while it deletes); a
//! server that accepts and never answers fails within `--timeout` with a message that
//! says so.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::oss::endpoint::{Addressing, BucketHost, Endpoint};
use crate::oss::sign::SignatureVersion;
use crate::oss::{ClientConfig, Credentials, Secret};

pub const ENV_ACCESS_KEY_ID: &str = "OSS_ACCESS_KEY_ID";
/// The account id (UID) vector buckets need; the official SDKs' name for it.
pub const ENV_ACCOUNT_ID: &str = "OSS_ACCOUNT_ID";
pub const ENV_ACCESS_KEY_SECRET: &str = "OSS_ACCESS_KEY_SECRET";
pub const ENV_SESSION_TOKEN: &str = "OSS_SESSION_TOKEN";
pub const DEFAULT_REGION: &str = "cn-hangzhou";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub addressing: Option<Addressing>,
    pub signature_version: Option<u8>,
    pub internal: Option<bool>,
    pub concurrency: Option<usize>,
    /// Requests per second at most, for the account (listing and deleting).
    pub qps: Option<u32>,
    /// Attempts per request (the first included) for retryable failures.
    pub max_attempts: Option<u32>,
    /// The Alibaba Cloud account id (UID), for vector buckets.
    pub account_id: Option<String>,
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<Secret>,
    pub security_token: Option<Secret>,
    /// How to sign in, as ossutil names it: `AK`, `StsToken`, `RamRoleArn`
    /// or `EcsRamRole` (default: the AccessKey above).
    pub mode: Option<String>,
    /// Mode `RamRoleArn`: the role to assume with the AccessKey above.
    pub role_arn: Option<String>,
    pub role_session_name: Option<String>,
    /// Mode `EcsRamRole`: the instance's role (default: the one it has).
    pub ecs_role_name: Option<String>,
    pub ossutil_config: Option<PathBuf>,
    pub connect_to: Option<IpAddr>,
    /// Which Alibaba Cloud site bills the account: `china` (CNY, the default)
    /// or `international` (USD). OSS's API does not say.
    pub site: Option<String>,
    /// A price table of `assets/prices.toml`'s shape (default: the built-in one).
    pub prices: Option<PathBuf>,
    /// Buckets reached through a host of their own, by name.
    #[serde(default)]
    pub buckets: BTreeMap<String, BucketSettings>,
}

/// `[profiles.NAME.buckets.BUCKET]`: a custom domain bound to the bucket
/// (`cname`), or another endpoint for it (`endpoint`), and its region.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketSettings {
    pub cname: Option<String>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("addressing", &self.addressing)
            .field("signature_version", &self.signature_version)
            .field("access_key_id", &self.access_key_id)
            .field(
                "access_key_secret",
                &self.access_key_secret.as_ref().map(|_| "***"),
            )
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "***"),
            )
            .finish_non_exhaustive()
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

/// What the command line says; it wins over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub path_style: bool,
    /// `--internal`: the internal endpoints, whatever the profile says.
    pub internal: bool,
    pub config: Option<PathBuf>,
    /// Seconds one request may take, retries included.
    pub timeout: Option<u64>,
    /// Requests in flight at most (`--concurrency`).
    pub concurrency: Option<usize>,
    /// Requests per second at most (`--qps`).
    pub qps: Option<u32>,
    /// A price table to estimate money with (`--prices`).
    pub prices: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("config file {path}:{detail}")]
    Malformed { path: PathBuf, detail: String },
    #[error("cannot read config file {path}: {detail}")]
    Unreadable { path: PathBuf, detail: String },
    #[error("profile {name:?} is not in {path} (profiles there: {known})")]
    UnknownProfile {
        name: String,
        path: PathBuf,
        known: String,
    },
    #[error("{0}")]
    Credentials(credentials::ChainError),
    #[error("{0}")]
    Invalid(String),
}

/// The resolved settings a command runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub client: ClientConfig,
    pub profile: String,
    pub config_path: PathBuf,
    /// Where the credentials came from, their AccessKey ID masked.
    pub credentials_source: String,
    /// The same in a few words (`key LTAI****1234`, `role ossweep-runner`).
    pub credentials_label: String,
    /// The prices money is estimated with: a table and the account's site.
    pub prices: crate::money::PriceBook,
    /// Things the user should know (e.g. a secret in a world-readable file).
    pub warnings: Vec<String>,
}

/// `<config dir>/ossweep/config.toml` for this platform.
pub fn default_config_path() -> PathBuf {
    directories::ProjectDirs::from("", "", "ossweep")
        .map(|d| d.config_dir().join("config.toml"))
        .unwrap_or_else(|| PathBuf::from("ossweep.toml"))
}

fn home() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

/// Parses a config file's text; errors name the file, then the line, column
/// and key, then what is wrong (with a suggestion for a misspelt key), each on
/// its own line.
pub fn parse_config(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Malformed {
        path: path.to_path_buf(),
        detail: describe_toml_error(text, &e),
    })
}

/// Keys whose values are secrets: never shown, not even in an error.
fn secret_key(key: &str) -> bool {
    let key = key.trim().trim_matches('"').trim_matches('\'');
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    ["secret", "token", "password"]
        .iter()
        .any(|s| last.contains(s))
}

/// The key assigned on the line holding byte `at` of `text` (or on the
/// nearest assignment above it, for a value spread over several lines).
fn key_at(text: &str, at: usize) -> Option<&str> {
    let before = &text[..at.min(text.len())];
    let from = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[from..].find('\n').map_or(text.len(), |i| from + i);
    std::iter::once(&text[from..line_end])
        .chain(before[..from].lines().rev())
        .find_map(|l| {
            let l = l.trim_start();
            (!l.starts_with('#') && !l.starts_with('['))
                .then(|| l.split_once('='))
                .flatten()
                .map(|(k, _)| k.trim())
        })
}

/// The values of every secret key in `text`, as written and unquoted.
fn secret_values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if !secret_key(k) {
            continue;
        }
        let v = v.trim();
        out.push(v.to_string());
        let inner = v.trim_matches(|c: char| "[]{}\"' ".contains(c));
        out.push(inner.to_string());
        out.extend(inner.split([',', '"', '\'', '=', ' ']).map(str::to_string));
    }
    out.retain(|v| v.chars().count() >= 3);
    out.sort_by_key(|v| std::cmp::Reverse(v.len()));
    out
}

/// `line 3, column 1: signature_versoin` then the message (pure). An error
/// in a secret's value names the key and line only: neither the text there
/// nor the parser's message (which may quote the value) is shown, and no
/// secret value written anywhere in the file appears in what is returned.
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let detail = describe_toml_error_plainly(text, e);
    let secret_line = e
        .span()
        .and_then(|span| key_at(text, span.start))
        .is_some_and(secret_key);
    let mut detail = if secret_line {
        let key = e
            .span()
            .and_then(|span| key_at(text, span.start))
            .unwrap_or_default()
            .to_string();
        let line = e.span().map_or(0, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        format!(
            "\n  line {line}: {key}\n  the value is not valid here (it must be a string in quotes); it is not shown, as it holds a secret"
        )
    } else {
        detail
    };
    for v in secret_values(text) {
        detail = detail.replace(&v, "<secret>");
    }
    detail
}

fn describe_toml_error_plainly(text: &str, e: &toml::de::Error) -> String {
    let mut out = String::new();
    if let Some(span) = e.span() {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let key = text
            .get(span.clone())
            .unwrap_or_default()
            .lines()
            .next()
            .unwrap_or_default()
            .trim();
        out.push_str(&format!("\n  line {line}, column {column}"));
        if !key.is_empty() {
            out.push_str(&format!(": {key}"));
        }
    }
    let message = e.message().trim();
    out.push_str(&format!("\n  {message}"));
    // "unknown field `x`, expected one of `a`, `b`": suggest the nearest.
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = message
            .split("expected one of ")
            .nth(1)
            .unwrap_or_default()
            .split(", ")
            .map(|s| s.trim_matches('`'))
            .collect();
        if let Some(near) = crate::text::did_you_mean(field, &expected) {
            out.push_str(&format!("\n  did you mean {near}?"));
        }
    }
    out
}

pub use ossutil::{parse_ossutil, OssutilConfig};

/// The most a config file may hold (a config is a few KB).
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Reads a config file: a regular file (a FIFO or a device would hang or
/// never end), at most `MAX_CONFIG_BYTES`. `Ok(None)`: there is no file; a
/// symlink to nothing is an error that names its target.
fn read_config_file(path: &Path) -> Result<Option<String>, String> {
    use std::io::Read;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match std::fs::read_link(path) {
                Ok(target) => Err(format!(
                    "it is a symlink to {}, which does not exist",
                    target.display()
                )),
                Err(_) => Ok(None),
            };
        }
        Err(e) => return Err(e.to_string()),
    };
    if !meta.is_file() {
        return Err("it is not a regular file (a directory, a pipe or a device)".into());
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(format!(
            "it is {} bytes; a config file holds at most {MAX_CONFIG_BYTES}",
            meta.len()
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(format!("it holds more than {MAX_CONFIG_BYTES} bytes"));
    }
    Ok(Some(text))
}

/// Whether others than the owner may write to `dir` and so replace the
/// config file in it (not in a sticky directory such as /tmp, where only the
/// file's owner may).
#[cfg(unix)]
fn writable_by_others(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(dir)
        .map(|m| m.permissions().mode() & 0o022 != 0 && m.permissions().mode() & 0o1000 == 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn writable_by_others(_: &Path) -> bool {
    false
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o077 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}

/// Whether `path` is the user's own (owned by this process's user) and no
/// one else can write it: the only files a command to run may come from.
#[cfg(unix)]
fn owned_and_unwritable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Ok(m) = std::fs::metadata(path) else {
        return false;
    };
    // This process's user: the owner of its own /proc entry (Linux); elsewhere
    // the owner of the home directory.
    let me = std::fs::metadata("/proc/self")
        .or_else(|_| std::fs::metadata(home().unwrap_or_default()))
        .map(|p| p.uid());
    me.is_ok_and(|uid| uid == m.uid()) && m.permissions().mode() & 0o022 == 0
}

#[cfg(not(unix))]
fn owned_and_unwritable_by_others(_: &Path) -> bool {
    false
}

/// Buckets reached through a host of their own: the ossutil config's
/// `[Bucket-Endpoint]` and `[Bucket-Cname]`, then the profile's `buckets`
/// (which win). Each host is validated like `--endpoint`.
fn bucket_hosts(
    ossutil: &OssutilConfig,
    profile: &Profile,
) -> Result<BTreeMap<String, BucketHost>, ConfigError> {
    let parse = |what: &str, bucket: &str, v: &str| {
        Endpoint::parse(v)
            .map_err(|e| ConfigError::Invalid(format!("{what} of bucket {bucket:?}: {e}")))
    };
    let host = |what: &str, bucket: &str, v: &str, cname: bool, region: Option<String>| {
        let endpoint = parse(what, bucket, v)?;
        let region = region.or_else(|| {
            (!cname)
                .then(|| crate::oss::endpoint::region_of_host(&endpoint.host))
                .flatten()
        });
        if let Some(r) = &region {
            crate::oss::endpoint::check_region(r)
                .map_err(|e| ConfigError::Invalid(format!("region of bucket {bucket:?}: {e}")))?;
        }
        Ok::<_, ConfigError>(BucketHost {
            endpoint,
            cname,
            region,
        })
    };
    let mut out = BTreeMap::new();
    for (b, e) in &ossutil.bucket_endpoints {
        out.insert(b.clone(), host("endpoint", b, e, false, None)?);
    }
    for (b, c) in &ossutil.bucket_cnames {
        out.insert(b.clone(), host("cname", b, c, true, None)?);
    }
    for (b, s) in &profile.buckets {
        let h = match (&s.cname, &s.endpoint) {
            (Some(c), None) => host("cname", b, c, true, s.region.clone())?,
            (None, Some(e)) => host("endpoint", b, e, false, s.region.clone())?,
            _ => {
                return Err(ConfigError::Invalid(format!(
                    "bucket {b:?}: give either cname (a custom domain bound to it) or endpoint"
                )))
            }
        };
        out.insert(b.clone(), h);
    }
    Ok(out)
}

/// Loads the config file (absent is fine unless named explicitly) and resolves
/// the profile, the environment and the overrides into settings.
pub fn load(o: &Overrides, env: &dyn Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
    let (path, explicit) = match &o.config {
        Some(p) => (p.clone(), true),
        None => match env("OSSWEEP_CONFIG") {
            Some(p) => (PathBuf::from(p), true),
            None => (default_config_path(), false),
        },
    };
    let file = match read_config_file(&path) {
        Ok(Some(text)) => Some(parse_config(&text, &path)?),
        Ok(None) if !explicit => None,
        Ok(None) => {
            return Err(ConfigError::Unreadable {
                path,
                detail: "no such file".into(),
            })
        }
        Err(detail) => return Err(ConfigError::Unreadable { path, detail }),
    };
    let mut warnings = Vec::new();
    if let Some(dir) = path.parent().filter(|_| file.is_some()) {
        if writable_by_others(dir) {
            warnings.push(format!(
                "{} (where the config file is) can be written by other users, who could replace it; run: chmod go-w {}",
                dir.display(),
                dir.display()
            ));
        }
    }
    let file = file.unwrap_or_default();
    let name = o
        .profile
        .clone()
        .or_else(|| file.default_profile.clone())
        .unwrap_or_else(|| "default".into());
    let profile = match file.profiles.get(&name) {
        Some(p) => p.clone(),
        None if o.profile.is_some() || file.default_profile.is_some() => {
            let known = file.profiles.keys().cloned().collect::<Vec<_>>().join(", ");
            return Err(ConfigError::UnknownProfile {
                name,
                path,
                known: if known.is_empty() {
                    "none".into()
                } else {
                    known
                },
            });
        }
        None => Profile::default(),
    };
    if profile.access_key_secret.is_some() && readable_by_others(&path) {
        warnings.push(format!(
            "{} holds an AccessKey secret and is readable by other users; run: chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    let ossutil_path = profile
        .ossutil_config
        .clone()
        .or_else(|| home().map(|h| h.join(".ossutilconfig")));
    let ossutil = ossutil_path
        .as_ref()
        .and_then(|p| read_config_file(p).ok().flatten())
        .map(|t| parse_ossutil(&t))
        .unwrap_or_default();
    // The default ~/.ossutilconfig as much as a named one: a secret others can read.
    if let (Some(p), Some(_)) = (&ossutil_path, &ossutil.access_key_secret) {
        if readable_by_others(p) {
            warnings.push(format!(
                "{} holds an AccessKey secret and is readable by other users; run: chmod 600 {}",
                p.display(),
                p.display()
            ));
        }
    }
    if profile.ossutil_config.as_ref().is_some_and(|p| !p.exists()) {
        return Err(ConfigError::Invalid(format!(
            "ossutil_config {} (profile {name:?}) does not exist",
            profile.ossutil_config.as_ref().unwrap().display()
        )));
    }

    let key =
        |id: &Option<String>, secret: &Option<Secret>, token: &Option<Secret>| match (id, secret) {
            (Some(id), Some(secret)) => Some(Credentials {
                access_key_id: id.clone(),
                access_key_secret: secret.clone(),
                security_token: token.clone(),
            }),
            _ => None,
        };
    let profile_mode = credentials::Mode::declared(
        profile.mode.as_deref(),
        key(
            &profile.access_key_id,
            &profile.access_key_secret,
            &profile.security_token,
        ),
        credentials::RoleToAssume {
            arn: profile.role_arn.clone().unwrap_or_default(),
            session_name: profile.role_session_name.clone().unwrap_or_default(),
            ..Default::default()
        },
        profile.ecs_role_name.clone(),
    );
    let ossutil_mode = credentials::Mode::declared(
        ossutil.mode.as_deref(),
        key(
            &ossutil.access_key_id,
            &ossutil.access_key_secret,
            &ossutil.security_token,
        ),
        ossutil.role.clone(),
        ossutil.ecs_role_name.clone(),
    );
    let sources = credentials::Sources {
        env,
        home: env("HOME").map(PathBuf::from).or_else(home),
        profile: (&name, &path, profile_mode),
        ossutil: (ossutil_path.as_deref(), ossutil_mode),
    };
    let found = credentials::resolve(&sources, &mut warnings).map_err(ConfigError::Credentials)?;
    let (credentials_source, credentials_label) = (found.describe(), found.label());
    let (credentials, renewing) = (found.credentials, found.renewing);

    let region = o
        .region
        .clone()
        .or(profile.region.clone())
        .or(ossutil.region.clone())
        .unwrap_or_else(|| DEFAULT_REGION.into());
    crate::oss::endpoint::check_region(&region)
        .map_err(|e| ConfigError::Invalid(format!("region {e}")))?;
    let mut client = ClientConfig::new(credentials, region);
    client.renewing = renewing;
    client.bucket_hosts = bucket_hosts(&ossutil, &profile)?;
    if let Some(e) = o
        .endpoint
        .clone()
        .or(profile.endpoint.clone())
        .filter(|e| !e.is_empty())
    {
        client.endpoint = Some(Endpoint::parse(&e).map_err(ConfigError::Invalid)?);
    }
    client.addressing = if o.path_style {
        Addressing::Path
    } else {
        profile.addressing.unwrap_or_default()
    };
    client.signature_version = match profile.signature_version {
        None | Some(4) => SignatureVersion::V4,
        Some(1) => SignatureVersion::V1,
        Some(v) => {
            return Err(ConfigError::Invalid(format!(
                "profile {name:?}: signature_version must be 1 or 4, not {v}"
            )))
        }
    };
    client.internal = o.internal || profile.internal.unwrap_or(false);
    if let Some(n) = profile.max_attempts {
        if !(1..=20).contains(&n) {
            return Err(ConfigError::Invalid(format!(
                "profile {name:?}: max_attempts must be between 1 and 20, not {n}"
            )));
        }
        client.retry.max_attempts = n;
    }
    if let Some(secs) = o.timeout {
        if !(1..=3600).contains(&secs) {
            return Err(ConfigError::Invalid(format!(
                "--timeout must be between 1 and 3600 seconds, not {secs}"
            )));
        }
        client.deadline = std::time::Duration::from_secs(secs);
        client.timeout = client.timeout.min(client.deadline);
    }
    client.connect_to = profile.connect_to;
    if let Some(id) = env(ENV_ACCOUNT_ID)
        .or(profile.account_id.clone())
        .filter(|id| !id.is_empty())
    {
        if !crate::oss::vectors::valid_account_id(&id) {
            return Err(ConfigError::Invalid(format!(
                "the account id {:?} ({ENV_ACCOUNT_ID} or account_id of profile {name:?}) is not an Alibaba Cloud account id, which is all digits (up to 32 of them)",
                crate::text::visible(&id)
            )));
        }
        client.account_id = Some(id);
    }
    let concurrency = o
        .concurrency
        .or(profile.concurrency)
        .unwrap_or(crate::oss::budget::DEFAULT_CONCURRENCY);
    if !(1..=256).contains(&concurrency) {
        return Err(ConfigError::Invalid(format!(
            "profile {name:?} (or --concurrency): concurrency must be between 1 and 256, not {concurrency}"
        )));
    }
    let qps = o
        .qps
        .or(profile.qps)
        .unwrap_or(crate::oss::budget::DEFAULT_QPS);
    if !(1..=100_000).contains(&qps) {
        return Err(ConfigError::Invalid(format!(
            "profile {name:?} (or --qps): qps must be between 1 and 100000 requests per second, not {qps}"
        )));
    }
    client.concurrency = concurrency;
    client.qps = qps;
    let prices = price_book(o, &profile, &name)?;
    Ok(Settings {
        client,
        profile: name,
        config_path: path,
        credentials_source,
        credentials_label,
        prices,
        warnings,
    })
}

/// The prices money is estimated with: the table `--prices` or the profile's
/// `prices` names (else the built-in one), on the profile's `site`.
fn price_book(
    o: &Overrides,
    profile: &Profile,
    name: &str,
) -> Result<crate::money::PriceBook, ConfigError> {
    let table = match o.prices.as_ref().or(profile.prices.as_ref()) {
        None => crate::money::PriceTable::builtin(),
        Some(path) => {
            let text = read_config_file(path)
                .and_then(|t| t.ok_or_else(|| "no such file".into()))
                .map_err(|e| {
                    ConfigError::Invalid(format!("price table {}: {e}", path.display()))
                })?;
            crate::money::PriceTable::parse(&text)
                .map_err(|e| ConfigError::Invalid(format!("price table {}: {e}", path.display())))?
        }
    };
    let site = profile
        .site
        .clone()
        .unwrap_or_else(|| crate::money::DEFAULT_SITE.into());
    let mut book = crate::money::PriceBook::new(&site, table)
        .map_err(|e| ConfigError::Invalid(format!("profile {name:?}: {e}")))?;
    book.site_assumed = profile.site.is_none();
    Ok(book)
}

pub mod credentials;
mod ossutil;

#[cfg(test)]
mod tests;
