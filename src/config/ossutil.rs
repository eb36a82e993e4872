//! An ossutil config file (`~/.ossutilconfig`), as ossutil 1.x and 2.x
//! write it: its credentials and mode (`[Credentials]`, `[default]` or
//! `[profile default]`), its region, and its per-bucket endpoints and custom
//! domains (1.x `[Bucket-Endpoint]`, `[Bucket-Cname]`). Keys are read in any
//! case and in camelCase, kebab-case or snake_case, as ossutil reads them.

use std::collections::BTreeMap;

use super::credentials;
use crate::oss::Secret;

/// Credentials and region from an ossutil config (1.x `[Credentials]` or 2.x `[default]`).
#[derive(Default, Clone)]
pub struct OssutilConfig {
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<Secret>,
    pub security_token: Option<Secret>,
    /// `mode`, and what its modes read: `ramRoleArn` (1.x) or `roleArn` (2.x),
    /// `roleSessionName`, `tokenTimeout`, `stsRegion`, `ecsRoleName`.
    pub mode: Option<String>,
    pub role: credentials::RoleToAssume,
    pub ecs_role_name: Option<String>,
    pub region: Option<String>,
    /// ossutil 1.x `[Bucket-Endpoint]`: bucket -> endpoint.
    pub bucket_endpoints: BTreeMap<String, String>,
    /// ossutil 1.x `[Bucket-Cname]`: bucket -> custom domain.
    pub bucket_cnames: BTreeMap<String, String>,
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
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let per_bucket = match section.as_str() {
            "bucket-endpoint" => Some(&mut out.bucket_endpoints),
            "bucket-cname" => Some(&mut out.bucket_cnames),
            _ => None,
        };
        if let Some(map) = per_bucket {
            let v = v.trim().trim_matches('"');
            if !v.is_empty() {
                map.insert(k.trim().to_string(), v.to_string());
            }
            continue;
        }
        if !matches!(
            section.as_str(),
            "credentials" | "default" | "profile default"
        ) {
            continue;
        }
        let v = v.trim().trim_matches('"').to_string();
        if v.is_empty() {
            continue;
        }
        // ossutil reads a key in any case, in camelCase, kebab-case or snake_case.
        let key: String = k
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "accesskeyid" | "accessid" => out.access_key_id = Some(v),
            "accesskeysecret" | "accesskey" => out.access_key_secret = Some(Secret::new(v)),
            "ststoken" | "securitytoken" => out.security_token = Some(Secret::new(v)),
            "mode" => out.mode = Some(v),
            "rolearn" | "ramrolearn" => out.role.arn = v,
            "rolesessionname" => out.role.session_name = v,
            "tokentimeout" => out.role.duration_secs = v.parse().ok().filter(|d| *d > 0),
            "stsregion" => out.role.sts_region = v,
            "ecsrolename" => out.ecs_role_name = Some(v),
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
