//! Where a request goes: scheme, host and path for a bucket and key (pure).

use super::encode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Addressing {
    /// `https://<bucket>.oss-<region>.aliyuncs.com/<key>`: what real OSS requires.
    #[default]
    Virtual,
    /// `https://<endpoint>/<bucket>/<key>`: emulators and private deployments.
    Path,
    /// `https://<endpoint>/<key>`: the endpoint is a custom domain bound to the
    /// bucket (CNAME); signed as the SDKs sign in CNAME mode.
    Cname,
}

/// Where one bucket's requests go instead of its region's endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketHost {
    pub endpoint: Endpoint,
    /// A custom domain bound to the bucket (CNAME): requests go to
    /// `<domain>/<key>`, signed as the official SDKs sign in CNAME mode (the
    /// signed resource still names the bucket). Otherwise another OSS endpoint
    /// for the bucket (an internal one, say), virtual-hosted under it.
    pub cname: bool,
    /// The bucket's region, for the V4 signature (else the one learned).
    pub region: Option<String>,
}

impl BucketHost {
    /// (host, path) of a request to `bucket` and `key` through this host.
    pub fn target(&self, bucket: &str, key: Option<&str>) -> (String, String) {
        let addressing = if self.cname {
            Addressing::Cname
        } else {
            Addressing::Virtual
        };
        target(&self.endpoint.host, addressing, Some(bucket), key)
    }
}

/// A host to send requests to, with scheme and optional port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
}

impl Endpoint {
    /// Parses `https://host[:port]`, `http://...` or a bare `host[:port]` (HTTPS).
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        let (scheme, rest) = match s.split_once("://") {
            Some((sch, rest)) => (sch.to_ascii_lowercase(), rest),
            None => ("https".to_string(), s),
        };
        if scheme != "http" && scheme != "https" {
            return Err(format!("endpoint {s:?}: the scheme must be http or https"));
        }
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() || rest.contains('/') || rest.contains('?') || rest.contains('@') {
            return Err(format!(
                "endpoint {s:?}: expected scheme://host[:port] with no path"
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => match p.parse::<u16>() {
                Ok(p) => (h.to_string(), Some(p)),
                Err(_) => return Err(format!("endpoint {s:?}: bad port {p:?}")),
            },
            _ => (rest.to_string(), None),
        };
        if !valid_host(&host) {
            return Err(format!(
                "endpoint {s:?}: {host:?} is not a host name or IP address"
            ));
        }
        Ok(Endpoint { scheme, host, port })
    }

    pub fn authority(&self, host: &str) -> String {
        match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        }
    }
}

/// A DNS name (letters, digits, `-`, `.`) or a bracketed IPv6 address: nothing
/// that could carry a user name, a path or another host.
pub fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// An OSS region id (`cn-hangzhou`, `ap-southeast-1`): lower-case letters,
/// digits and inner `-`. A region becomes part of a host name, so nothing else
/// may pass (`x@127.0.0.1:19231/` would send the request elsewhere).
pub fn valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 63
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Why a region cannot be used, for messages.
pub fn check_region(region: &str) -> Result<(), String> {
    if valid_region(region) {
        Ok(())
    } else {
        Err(format!(
            "{region:?} is not an OSS region id (like cn-hangzhou or ap-southeast-1: lower-case letters, digits and '-')"
        ))
    }
}

/// `oss-<region>.aliyuncs.com`, or the `-internal` host reachable inside the region.
pub fn region_host(region: &str, internal: bool) -> String {
    if internal {
        format!("oss-{region}-internal.aliyuncs.com")
    } else {
        format!("oss-{region}.aliyuncs.com")
    }
}

/// `<bucket>.<zone>-internal.oss-data-acc.aliyuncs.com` (accelerators, §10).
pub fn accelerator_host(bucket: &str, zone: &str) -> String {
    format!("{bucket}.{zone}-internal.oss-data-acc.aliyuncs.com")
}

/// Zones where OSS accelerators can be created, per region (oss-api.md §10; the
/// list grows over time). Accelerators cannot be listed without naming a zone.
pub fn accelerator_zones(region: &str) -> &'static [&'static str] {
    match region {
        "cn-beijing" => &["cn-beijing-h"],
        "cn-shanghai" => &["cn-shanghai-g"],
        "cn-shenzhen" => &["cn-shenzhen-c"],
        "cn-hangzhou" => &["cn-hangzhou-j"],
        "cn-wulanchabu" => &["cn-wulanchabu-b"],
        "ap-southeast-1" => &["ap-southeast-1c"],
        _ => &[],
    }
}

/// The region an endpoint host names: `oss-cn-shenzhen.aliyuncs.com` -> `cn-shenzhen`.
pub fn region_of_host(host: &str) -> Option<String> {
    let first = host.split('.').next()?;
    let region = first.strip_prefix("oss-")?;
    let region = region.strip_suffix("-internal").unwrap_or(region);
    valid_region(region).then(|| region.to_string())
}

/// Host header value and encoded path for a request.
pub fn target(
    endpoint_host: &str,
    addressing: Addressing,
    bucket: Option<&str>,
    key: Option<&str>,
) -> (String, String) {
    let key_path = key.map(encode::path).unwrap_or_default();
    match (bucket, addressing) {
        (None, _) => (endpoint_host.to_string(), "/".to_string()),
        (Some(b), Addressing::Virtual) => (format!("{b}.{endpoint_host}"), format!("/{key_path}")),
        (Some(b), Addressing::Path) => (endpoint_host.to_string(), format!("/{b}/{key_path}")),
        (Some(_), Addressing::Cname) => (endpoint_host.to_string(), format!("/{key_path}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_typed_or_received_can_change_the_host() {
        for bad in [
            "x@127.0.0.1:19231/",
            "cn-hangzhou.evil.com",
            "cn-hangzhou/",
            "CN-HANGZHOU",
            "",
            "-x",
            "cn hangzhou",
            "cn-hangzhou\u{1b}",
        ] {
            assert!(!valid_region(bad), "{bad:?}");
            assert!(check_region(bad).is_err());
        }
        for good in [
            "cn-hangzhou",
            "ap-southeast-1",
            "eu-central-1",
            "rg-china-mainland",
        ] {
            assert!(valid_region(good), "{good}");
        }
        assert_eq!(region_of_host("oss-x@evil.com"), None);
        for bad in [
            "http://a b",
            "http://a\\b",
            "http://a#b",
            "http://[::1",
            "http://a..b",
            "http://a%40b",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
        assert!(Endpoint::parse("http://[::1]:9000").is_ok());
        assert!(Endpoint::parse("http://127.0.0.1:9000").is_ok());
    }

    #[test]
    fn parses_endpoints() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:9000").unwrap(),
            Endpoint {
                scheme: "http".into(),
                host: "127.0.0.1".into(),
                port: Some(9000)
            }
        );
        assert_eq!(
            Endpoint::parse("oss-cn-hangzhou.aliyuncs.com")
                .unwrap()
                .scheme,
            "https"
        );
        assert_eq!(
            Endpoint::parse("https://oss.example.com/").unwrap().port,
            None
        );
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("http://h/path").is_err());
        assert!(Endpoint::parse("http://h:notaport").is_err());
        assert!(Endpoint::parse("http://user:pw@h").is_err());
    }

    #[test]
    fn virtual_hosted_and_path_style_targets() {
        let h = region_host("cn-hangzhou", false);
        assert_eq!(
            target(&h, Addressing::Virtual, Some("b"), Some("a b/c+d")),
            (
                "b.oss-cn-hangzhou.aliyuncs.com".into(),
                "/a%20b/c%2Bd".into()
            )
        );
        assert_eq!(
            target(&h, Addressing::Path, Some("b"), Some("k")),
            ("oss-cn-hangzhou.aliyuncs.com".into(), "/b/k".into())
        );
        assert_eq!(
            target(&h, Addressing::Virtual, Some("b"), None),
            ("b.oss-cn-hangzhou.aliyuncs.com".into(), "/".into())
        );
        assert_eq!(
            target(&h, Addressing::Path, None, None),
            ("oss-cn-hangzhou.aliyuncs.com".into(), "/".into())
        );
        assert_eq!(
            region_host("cn-beijing", true),
            "oss-cn-beijing-internal.aliyuncs.com"
        );
    }

    #[test]
    fn region_from_an_endpoint_host() {
        assert_eq!(
            region_of_host("oss-cn-shenzhen.aliyuncs.com").as_deref(),
            Some("cn-shenzhen")
        );
        assert_eq!(
            region_of_host("oss-ap-southeast-1-internal.aliyuncs.com").as_deref(),
            Some("ap-southeast-1")
        );
        assert_eq!(region_of_host("example.com"), None);
    }
}
