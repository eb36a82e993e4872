//! Configuration: profiles from a TOML file, credentials from the environment,
//! the file, or an existing ossutil config; command-line overrides on top.
//! Secrets never reach `Debug`, logs or errors.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::oss::endpoint::{Addressing, Endpoint};
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
    pub ossutil_config: Option<PathBuf>,
    pub connect_to: Option<IpAddr>,
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
    pub config: Option<PathBuf>,
    /// Seconds one request may take, retries included.
    pub timeout: Option<u64>,
    /// Requests in flight at most (`--concurrency`).
    pub concurrency: Option<usize>,
    /// Requests per second at most (`--qps`).
    pub qps: Option<u32>,
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
    #[error(
        "no OSS credentials found. Set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET} (plus {ENV_SESSION_TOKEN} for STS), \
or add access_key_id and access_key_secret to profile {profile:?} in {path}, or point ossutil_config at an ossutil config file \
(see config.example.toml)"
    )]
    NoCredentials { profile: String, path: PathBuf },
    #[error("{0}")]
    Invalid(String),
}

/// The resolved settings a command runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub client: ClientConfig,
    pub profile: String,
    pub config_path: PathBuf,
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

/// `line 3, column 1: signature_versoin` then the message (pure).
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
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

/// Credentials and region from an ossutil config (1.x `[Credentials]` or 2.x `[default]`).
#[derive(Default, Clone)]
pub struct OssutilConfig {
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<Secret>,
    pub security_token: Option<Secret>,
    pub region: Option<String>,
}

pub fn parse_ossutil(text: &str) -> OssutilConfig {
    let mut out = OssutilConfig::default();
    let mut section = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.trim().to_ascii_lowercase();
            continue;
        }
        if !matches!(
            section.as_str(),
            "credentials" | "default" | "profile default"
        ) {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_string();
        if v.is_empty() {
            continue;
        }
        match k.trim().to_ascii_lowercase().as_str() {
            "accesskeyid" => out.access_key_id = Some(v),
            "accesskeysecret" => out.access_key_secret = Some(Secret::new(v)),
            "ststoken" | "securitytoken" => out.security_token = Some(Secret::new(v)),
            "region" => out.region = Some(v),
            "endpoint" if out.region.is_none() => {
                out.region = crate::oss::endpoint::region_of_host(
                    v.trim_start_matches("https://")
                        .trim_start_matches("http://"),
                )
            }
            _ => {}
        }
    }
    out
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
    let file = match std::fs::read_to_string(&path) {
        Ok(text) => Some(parse_config(&text, &path)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => None,
        Err(e) => {
            return Err(ConfigError::Unreadable {
                path,
                detail: e.to_string(),
            })
        }
    };
    let mut warnings = Vec::new();
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
        .and_then(|p| std::fs::read_to_string(p).ok())
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

    let credentials = match (env(ENV_ACCESS_KEY_ID), env(ENV_ACCESS_KEY_SECRET)) {
        (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
            let c = Credentials::new(id, secret);
            match env(ENV_SESSION_TOKEN).filter(|t| !t.is_empty()) {
                Some(t) => c.with_token(t),
                None => c,
            }
        }
        _ => match (&profile.access_key_id, &profile.access_key_secret) {
            (Some(id), Some(secret)) => Credentials {
                access_key_id: id.clone(),
                access_key_secret: secret.clone(),
                security_token: profile.security_token.clone(),
            },
            _ => match (&ossutil.access_key_id, &ossutil.access_key_secret) {
                (Some(id), Some(secret)) => Credentials {
                    access_key_id: id.clone(),
                    access_key_secret: secret.clone(),
                    security_token: ossutil.security_token.clone(),
                },
                _ => {
                    return Err(ConfigError::NoCredentials {
                        profile: name,
                        path,
                    })
                }
            },
        },
    };

    let region = o
        .region
        .clone()
        .or(profile.region.clone())
        .or(ossutil.region.clone())
        .unwrap_or_else(|| DEFAULT_REGION.into());
    crate::oss::endpoint::check_region(&region)
        .map_err(|e| ConfigError::Invalid(format!("region {e}")))?;
    let mut client = ClientConfig::new(credentials, region);
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
    client.internal = profile.internal.unwrap_or(false);
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
                "the account id {:?} ({ENV_ACCOUNT_ID} or account_id of profile {name:?}) is not an Alibaba Cloud account id: it is all digits",
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
    Ok(Settings {
        client,
        profile: name,
        config_path: path,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn with_file(path: PathBuf) -> Overrides {
        Overrides {
            config: Some(path),
            ..Default::default()
        }
    }

    #[test]
    fn concurrency_and_qps_come_from_the_flags_then_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.toml", "[profiles.default]\naccess_key_id = \"id\"\naccess_key_secret = \"s\"\nconcurrency = 8\nqps = 300\n");
        let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
        assert_eq!((s.client.concurrency, s.client.qps), (8, 300));
        let o = Overrides {
            concurrency: Some(32),
            qps: Some(45),
            ..with_file(p.clone())
        };
        let s = load(&o, &env_of(&[])).unwrap();
        assert_eq!((s.client.concurrency, s.client.qps), (32, 45));
        let o = Overrides {
            qps: Some(0),
            ..with_file(p)
        };
        assert!(load(&o, &env_of(&[]))
            .unwrap_err()
            .to_string()
            .contains("qps"));
    }

    #[test]
    fn the_account_id_comes_from_the_environment_or_the_profile_and_is_all_digits() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.toml", "[profiles.default]\naccess_key_id = \"id\"\naccess_key_secret = \"s\"\naccount_id = \"111\"\n");
        let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
        assert_eq!(s.client.account_id.as_deref(), Some("111"));
        let s = load(&with_file(p.clone()), &env_of(&[("OSS_ACCOUNT_ID", "222")])).unwrap();
        assert_eq!(s.client.account_id.as_deref(), Some("222"));
        let err = load(
            &with_file(p),
            &env_of(&[("OSS_ACCOUNT_ID", "1.evil.example")]),
        )
        .err()
        .unwrap()
        .to_string();
        assert!(err.contains("OSS_ACCOUNT_ID"), "{err}");
    }

    #[test]
    fn environment_credentials_win_and_tokens_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.toml", "[profiles.default]\naccess_key_id = \"file-id\"\naccess_key_secret = \"file-secret\"\nregion = \"cn-beijing\"\n");
        let s = load(
            &with_file(p.clone()),
            &env_of(&[
                ("OSS_ACCESS_KEY_ID", "env-id"),
                ("OSS_ACCESS_KEY_SECRET", "env-secret"),
                ("OSS_SESSION_TOKEN", "tok"),
            ]),
        )
        .unwrap();
        assert_eq!(s.client.credentials.access_key_id, "env-id");
        assert_eq!(
            s.client
                .credentials
                .security_token
                .as_ref()
                .unwrap()
                .expose(),
            "tok"
        );
        assert_eq!(s.client.region, "cn-beijing");
        let s = load(&with_file(p), &env_of(&[])).unwrap();
        assert_eq!(s.client.credentials.access_key_id, "file-id");
    }

    #[test]
    fn profiles_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let text = "default_profile = \"emu\"\n[profiles.emu]\nendpoint = \"http://127.0.0.1:9000\"\naddressing = \"path\"\nsignature_version = 1\nconcurrency = 8\naccess_key_id = \"a\"\naccess_key_secret = \"b\"\n[profiles.prod]\nregion = \"ap-southeast-1\"\ninternal = true\naccess_key_id = \"c\"\naccess_key_secret = \"d\"\n";
        let p = write(dir.path(), "c.toml", text);
        let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
        assert_eq!((s.profile.as_str(), s.client.concurrency), ("emu", 8));
        assert_eq!(s.client.addressing, Addressing::Path);
        assert_eq!(s.client.signature_version, SignatureVersion::V1);
        assert_eq!(s.client.endpoint.as_ref().unwrap().port, Some(9000));
        let o = Overrides {
            profile: Some("prod".into()),
            region: Some("cn-shenzhen".into()),
            path_style: true,
            ..with_file(p.clone())
        };
        let s = load(&o, &env_of(&[])).unwrap();
        assert_eq!(
            (
                s.client.region.as_str(),
                s.client.internal,
                s.client.addressing
            ),
            ("cn-shenzhen", true, Addressing::Path)
        );
        let o = Overrides {
            profile: Some("nope".into()),
            ..with_file(p)
        };
        assert!(matches!(
            load(&o, &env_of(&[])).unwrap_err(),
            ConfigError::UnknownProfile { .. }
        ));
    }

    #[test]
    fn malformed_files_name_the_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "bad.toml",
            "[profiles.default]\nregion = \"cn-hangzhou\"\nregoin = \"typo\"\n",
        );
        let err = load(&with_file(p.clone()), &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&p.display().to_string())
                && err.contains("line 3")
                && err.contains("regoin"),
            "{err}"
        );
        let p = write(dir.path(), "broken.toml", "[profiles.default\nregion = 1\n");
        let err = load(&with_file(p), &env_of(&[])).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        let p = write(dir.path(), "sv.toml", "[profiles.default]\nsignature_version = 2\naccess_key_id = \"a\"\naccess_key_secret = \"b\"\n");
        assert!(load(&with_file(p), &env_of(&[]))
            .unwrap_err()
            .to_string()
            .contains("signature_version must be 1 or 4"));
        let missing = dir.path().join("missing.toml");
        assert!(matches!(
            load(&with_file(missing), &env_of(&[])).unwrap_err(),
            ConfigError::Unreadable { .. }
        ));
    }

    #[test]
    fn no_credentials_names_the_variables_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.toml", "[profiles.default]\nregion = \"cn-hangzhou\"\nossutil_config = \"/nonexistent/ossutilconfig\"\n");
        assert!(load(&with_file(p.clone()), &env_of(&[]))
            .unwrap_err()
            .to_string()
            .contains("does not exist"));
        let p = write(
            dir.path(),
            "c2.toml",
            "[profiles.default]\nregion = \"cn-hangzhou\"\n",
        );
        let o = Overrides {
            config: Some(p.clone()),
            ..Default::default()
        };
        // HOME may hold a real ~/.ossutilconfig; only assert when it does not.
        if home()
            .map(|h| !h.join(".ossutilconfig").exists())
            .unwrap_or(true)
        {
            let err = load(&o, &env_of(&[])).unwrap_err().to_string();
            assert!(
                err.contains("OSS_ACCESS_KEY_ID")
                    && err.contains("OSS_ACCESS_KEY_SECRET")
                    && err.contains(&p.display().to_string()),
                "{err}"
            );
        }
    }

    #[test]
    fn reads_ossutil_config_files() {
        let v1 = "[Credentials]\nlanguage=EN\nendpoint=oss-cn-shenzhen.aliyuncs.com\naccessKeyID=LTAIutil\naccessKeySecret=util-secret\nstsToken=\n";
        let c = parse_ossutil(v1);
        assert_eq!(
            (c.access_key_id.as_deref(), c.region.as_deref()),
            (Some("LTAIutil"), Some("cn-shenzhen"))
        );
        assert!(c.security_token.is_none());
        let v2 = "[default]\naccessKeyId = LTAIv2\naccessKeySecret = v2-secret\nregion = cn-qingdao\n[profile other]\naccessKeyId = nope\n";
        let c = parse_ossutil(v2);
        assert_eq!(
            (c.access_key_id.as_deref(), c.region.as_deref()),
            (Some("LTAIv2"), Some("cn-qingdao"))
        );
        let dir = tempfile::tempdir().unwrap();
        let util = write(dir.path(), "ossutilconfig", v1);
        let p = write(
            dir.path(),
            "c.toml",
            &format!(
                "[profiles.default]\nossutil_config = \"{}\"\n",
                util.display()
            ),
        );
        let s = load(&with_file(p), &env_of(&[])).unwrap();
        assert_eq!(
            (
                s.client.credentials.access_key_id.as_str(),
                s.client.region.as_str()
            ),
            ("LTAIutil", "cn-shenzhen")
        );
    }

    #[cfg(unix)]
    #[test]
    fn warns_when_a_secret_is_readable_by_others_and_debug_hides_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.toml", "[profiles.default]\naccess_key_id = \"a\"\naccess_key_secret = \"super-secret-value\"\n");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
        assert!(s.warnings.iter().any(|w| w.contains("chmod 600")));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let s = load(&with_file(p.clone()), &env_of(&[])).unwrap();
        assert!(s.warnings.is_empty());
        let shown = format!("{s:?}");
        assert!(!shown.contains("super-secret-value"), "{shown}");
        let file = parse_config(&std::fs::read_to_string(&p).unwrap(), &p).unwrap();
        assert!(!format!("{file:?}").contains("super-secret-value"));
    }
}
