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
//!    `RamRoleArn`, `ChainableRamRoleArn` (a role assumed with its
//!    `source_profile`'s credentials, whatever that profile's mode), `OIDC`,
//!    `EcsRamRole`, and `External` (`oss::external`: its command runs only from
//!    a file that is the user's own); `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`
//!    skips it;
//! 7. the credentials file: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
//!    `~/.alibabacloud/credentials` (credentials-go's name) or
//!    `~/.alibabacloud/credentials.ini` (credentials-python's); section
//!    `ALIBABA_CLOUD_PROFILE`, else `default`; `type = access_key`,
//!    `ram_role_arn`, `ecs_ram_role` or `oidc_role_arn`;
//! 8. the ECS instance's RAM role, when its metadata service answers
//!    (`100.100.100.200`; `OSSWEEP_ECS_METADATA_URL` moves it, for tests;
//!    `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` skips it);
//! 9. a credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`).
//!
//! ossweep's profile and the ossutil config name a `mode` as ossutil does
//! ([`Mode`]: `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`).
//!
//! Temporary credentials from a role, a process or a URI are renewed before
//! they expire (`oss::credentials::Renewing`; `roles`). A source that names a
//! way ossweep cannot use (a profile in mode CloudSSO or OAuth, which need a
//! browser sign-in) stops the chain with a message naming it, rather than
//! falling through to another identity than the one Alibaba's own tools would
//! use.
//! When no source has credentials, the error lists every source tried, in
//! order, and why each gave none.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::oss::credentials::Renewing;
use crate::oss::Credentials;

mod alibaba_files;
mod roles;

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
    /// `key LTAI****1234`, or what renews them (`role ossweep-runner`): a few
    /// words for the wizard's header.
    pub fn label(&self) -> String {
        match &self.renewing {
            Some(r) => r.label(),
            None if self.credentials.security_token.is_some() => {
                format!("STS key {}", mask(&self.credentials.access_key_id))
            }
            None => format!("key {}", mask(&self.credentials.access_key_id)),
        }
    }

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

/// How a config file says to sign in (its `mode`), before anything is fetched:
/// what ossweep's profile and the ossutil config can name, and what the
/// aliyun CLI's and the credentials file's simpler modes come to.
#[derive(Clone, Debug)]
pub enum Mode {
    /// An AccessKey (mode `AK`), with its STS token (mode `StsToken`).
    Key(Credentials),
    /// A RAM role assumed through STS with an AccessKey (mode `RamRoleArn`).
    Role(Credentials, RoleToAssume),
    /// The ECS instance's RAM role (mode `EcsRamRole`): the one named, or the
    /// one its metadata service names.
    EcsRole(Option<String>),
}

/// A RAM role to assume, and the options of the call.
#[derive(Clone, Debug, Default)]
pub struct RoleToAssume {
    pub arn: String,
    pub session_name: String,
    pub duration_secs: Option<u64>,
    pub policy: String,
    pub external_id: String,
    pub sts_region: String,
}

impl Mode {
    /// The mode a file names (`AK`, `StsToken`, `RamRoleArn` or `EcsRamRole`,
    /// in any case, as ossutil reads them; none: the AccessKey the file holds),
    /// from what the file holds. `Ok(None)`: the file holds no credentials.
    pub fn declared(
        mode: Option<&str>,
        key: Option<Credentials>,
        role: RoleToAssume,
        ecs_role: Option<String>,
    ) -> Result<Option<Mode>, String> {
        match mode.map(str::trim).filter(|m| !m.is_empty()) {
            None => Ok(key.map(Mode::Key)),
            Some(mode) => Mode::named(mode, key, role, ecs_role).map(Some),
        }
    }

    /// The mode named `mode`, from what the file holds.
    pub fn named(
        mode: &str,
        key: Option<Credentials>,
        role: RoleToAssume,
        ecs_role: Option<String>,
    ) -> Result<Mode, String> {
        let key_for = |what: &str| {
            key.clone().ok_or_else(|| {
                format!("mode {what} needs access_key_id and access_key_secret, and one is empty")
            })
        };
        match mode.to_ascii_lowercase().as_str() {
            "ak" => {
                let mut k = key_for("AK")?;
                k.security_token = None;
                Ok(Mode::Key(k))
            }
            "ststoken" => {
                let k = key_for("StsToken")?;
                match k.security_token {
                    Some(_) => Ok(Mode::Key(k)),
                    None => Err("mode StsToken needs its STS token, and it is empty".into()),
                }
            }
            "ramrolearn" => {
                let k = key_for("RamRoleArn")?;
                if role.arn.is_empty() {
                    return Err("mode RamRoleArn needs its role ARN, and it is empty".into());
                }
                Ok(Mode::Role(k, role))
            }
            "ecsramrole" => Ok(Mode::EcsRole(ecs_role.filter(|r| !r.is_empty()))),
            _ => Err(format!(
                "mode {:?} is not one ossweep reads here (AK, StsToken, RamRoleArn, EcsRamRole)",
                crate::text::visible(mode)
            )),
        }
    }
}

/// An AccessKey from two fields, with a token when one is given: `None` when
/// either field is empty.
pub fn key_of(id: &str, secret: &str, token: Option<&str>) -> Option<Credentials> {
    if id.is_empty() || secret.is_empty() {
        return None;
    }
    let c = Credentials::new(id, secret);
    Some(match token.filter(|t| !t.is_empty()) {
        Some(t) => c.with_token(t),
        None => c,
    })
}

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
    /// ossweep's profile: its name, its file, and its mode if it names
    /// credentials (an error: what is wrong with them).
    pub profile: (&'a str, &'a Path, Result<Option<Mode>, String>),
    /// The ossutil config: its path (if any), and its mode if it names
    /// credentials.
    pub ossutil: (Option<&'a Path>, Result<Option<Mode>, String>),
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
        &|_| Ok(roles::oidc_from_env(s)),
        &|_| profile(s),
        &|_| ossutil(s),
        &|w| alibaba_files::aliyun_cli(s, w),
        &|w| alibaba_files::credentials_file(s, w),
        &|_| Ok(roles::ecs_role(s)),
        &|_| Ok(roles::credentials_uri(s)),
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

fn profile(s: &Sources) -> Result<Step, ChainError> {
    let (name, path, mode) = &s.profile;
    let source = format!("profile {name:?} in {}", path.display());
    match mode {
        Ok(Some(mode)) => Ok(Step::Found(roles::from_mode(s, source, mode.clone()))),
        Ok(None) => Ok(Step::Skip(format!(
            "{source}: no access_key_id and access_key_secret, and no mode"
        ))),
        Err(why) => Err(ChainError::Refused(format!("{source}: {why}"))),
    }
}

fn ossutil(s: &Sources) -> Result<Step, ChainError> {
    let (path, mode) = &s.ossutil;
    let Some(path) = path else {
        return Ok(Step::Skip(
            "an ossutil config: no home directory to look in".into(),
        ));
    };
    let source = format!("the ossutil config {}", path.display());
    match mode {
        Ok(Some(mode)) => Ok(Step::Found(roles::from_mode(s, source, mode.clone()))),
        Ok(None) if path.exists() => Ok(Step::Skip(format!("{source}: no AccessKey in it"))),
        Ok(None) => Ok(Step::Skip(format!("{source}: no such file"))),
        Err(why) => Err(ChainError::Refused(format!("{source}: {why}"))),
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

#[cfg(test)]
mod tests;
