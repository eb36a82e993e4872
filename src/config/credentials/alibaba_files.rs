//! The chain's two files in Alibaba Cloud's own formats: the aliyun CLI's
//! `~/.aliyun/config.json` (JSON profiles by mode, as credentials-go's and
//! credentials-python's `cli_profile` providers read them) and the
//! credentials file `~/.alibabacloud/credentials` or `credentials.ini` (INI
//! sections by type, as their `profile` providers read them).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::roles::{self, OidcRole};
use super::{key_of, read, set, ChainError, Found, Mode, RoleToAssume, Sources, Step};
use crate::oss::external::ExternalProcess;

/// The most profiles a chained role may pass through (a loop ends here).
const MAX_CHAIN: usize = 5;

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
    /// The OIDC mode's session name (credentials-python reads this key).
    #[serde(default)]
    role_session_name: String,
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
    #[serde(default)]
    oidc_provider_arn: String,
    #[serde(default)]
    oidc_token_file: String,
}

impl CliProfile {
    fn role(&self) -> RoleToAssume {
        let session = [&self.ram_session_name, &self.role_session_name]
            .into_iter()
            .find(|s| !s.is_empty())
            .cloned()
            .unwrap_or_default();
        RoleToAssume {
            arn: self.ram_role_arn.clone(),
            session_name: session,
            // The CLI writes 0 for "not set".
            duration_secs: self.expired_seconds.filter(|d| *d > 0),
            policy: self.policy.clone(),
            external_id: self.external_id.clone(),
            sts_region: self.sts_region.clone(),
        }
    }
}

pub(super) fn aliyun_cli(s: &Sources, warnings: &mut Vec<String>) -> Result<Step, ChainError> {
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
    cli_profile(s, &config, p, source, &path, 0).map(Step::Found)
}

/// What one aliyun CLI profile gives, by its mode; `depth` counts the
/// profiles a chained role has passed through.
fn cli_profile(
    s: &Sources,
    config: &CliConfig,
    p: &CliProfile,
    source: String,
    path: &Path,
    depth: usize,
) -> Result<Found, ChainError> {
    let refused = |why: String| ChainError::Refused(format!("{source}: {why}"));
    match p.mode.as_str() {
        "AK" | "StsToken" | "RamRoleArn" | "EcsRamRole" => {
            let key = key_of(&p.access_key_id, &p.access_key_secret, Some(&p.sts_token));
            let role_name = Some(p.ram_role_name.clone());
            let mode = Mode::named(&p.mode, key, p.role(), role_name).map_err(refused)?;
            Ok(roles::from_mode(s, source, mode))
        }
        "OIDC" => {
            if p.ram_role_arn.is_empty()
                || p.oidc_provider_arn.is_empty()
                || p.oidc_token_file.is_empty()
            {
                return Err(refused(
                    "mode OIDC needs ram_role_arn, oidc_provider_arn and oidc_token_file".into(),
                ));
            }
            let role = p.role();
            Ok(roles::oidc_role(
                s,
                source,
                OidcRole {
                    role: &role,
                    provider_arn: &p.oidc_provider_arn,
                    token_file: &p.oidc_token_file,
                },
            ))
        }
        "ChainableRamRoleArn" => {
            if p.ram_role_arn.is_empty() {
                return Err(refused("mode ChainableRamRoleArn needs its ram_role_arn".into()));
            }
            let Some(from) = config
                .profiles
                .iter()
                .find(|q| !p.source_profile.is_empty() && q.name == p.source_profile)
            else {
                return Err(refused(format!(
                    "its source_profile {:?} is not a profile of this config",
                    crate::text::visible(&p.source_profile)
                )));
            };
            if depth + 1 >= MAX_CHAIN {
                return Err(refused(format!(
                    "its roles chain through more than {MAX_CHAIN} profiles (does source_profile loop?)"
                )));
            }
            let from_source = format!("profile {:?}", from.name);
            let found = cli_profile(s, config, from, from_source, path, depth + 1)?;
            let chained = format!(
                "{source}, with profile {:?}'s credentials ({})",
                from.name,
                found.label()
            );
            Ok(roles::assumed_role(
                s,
                chained,
                roles::signer_of(found),
                &p.role(),
            ))
        }
        "External" => {
            // A command to run: only from a file that is the user's own.
            if !super::super::owned_and_unwritable_by_others(path) {
                return Err(refused(format!(
                    "it runs a credential process, but {} is not yours alone (another user owns it or can write it); ossweep runs no command from it",
                    path.display()
                )));
            }
            let process = ExternalProcess::new(&p.process_command).map_err(refused)?;
            Ok(roles::renewed(
                format!(
                    "{source}: the credential process {}",
                    crate::text::visible(process.program())
                ),
                Arc::new(process),
            ))
        }
        other => Err(refused(format!(
            "mode {:?} is not supported (ossweep reads modes AK, StsToken, RamRoleArn, ChainableRamRoleArn, EcsRamRole, OIDC and External); choose another profile with ALIBABA_CLOUD_PROFILE, or set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET",
            crate::text::visible(other)
        ))),
    }
}

pub(super) fn credentials_file(
    s: &Sources,
    warnings: &mut Vec<String>,
) -> Result<Step, ChainError> {
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
    let refused = |why: String| ChainError::Refused(format!("{source}: {why}"));
    let key = key_of(&get("access_key_id"), &get("access_key_secret"), None);
    let role = RoleToAssume {
        arn: get("role_arn"),
        session_name: get("role_session_name"),
        policy: get("policy"),
        ..Default::default()
    };
    let mode = match get("type").as_str() {
        "access_key" => "AK",
        "ram_role_arn" => "RamRoleArn",
        "ecs_ram_role" => "EcsRamRole",
        "oidc_role_arn" => {
            let (provider, file) = (get("oidc_provider_arn"), get("oidc_token_file_path"));
            if role.arn.is_empty() || provider.is_empty() || file.is_empty() {
                return Err(refused(
                    "type oidc_role_arn needs role_arn, oidc_provider_arn and oidc_token_file_path"
                        .into(),
                ));
            }
            return Ok(Step::Found(roles::oidc_role(
                s,
                source.clone(),
                OidcRole {
                    role: &role,
                    provider_arn: &provider,
                    token_file: &file,
                },
            )));
        }
        other => {
            return Err(refused(format!(
                "type {:?} is not supported (ossweep reads types access_key, ram_role_arn, ecs_ram_role and oidc_role_arn); set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET instead",
                crate::text::visible(other)
            )))
        }
    };
    let mode = Mode::named(mode, key, role, Some(get("role_name"))).map_err(refused)?;
    Ok(Step::Found(roles::from_mode(s, source, mode)))
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
