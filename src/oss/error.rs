//! One error type for the client. OSS replies keep their status, code, message,
//! request id and EC; transport and parse failures are kept apart.

use std::fmt;

use base64::Engine;
use serde::Serialize;

use super::xml;

/// An error reply from OSS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// The OSS operation that failed (`DeleteMultipleObjects`).
    pub op: &'static str,
    pub status: u16,
    /// OSS error code (`BucketNotEmpty`); empty when the reply carried none.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub host_id: Option<String>,
    pub ec: Option<String>,
    /// The endpoint a wrong-region reply names.
    pub endpoint: Option<String>,
    pub detail: Option<String>,
    /// The `oss:` permission the operation needs (for AccessDenied hints).
    pub permission: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TransportKind {
    Connect,
    Timeout,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum OssError {
    #[error("{0}")]
    Api(Box<ApiError>),
    #[error("{op}: could not reach {host}: {detail}")]
    Transport {
        op: &'static str,
        host: String,
        kind: TransportKind,
        detail: String,
    },
    #[error(
        "{op}: unexpected reply (HTTP {status}): {}; the body starts with {snippet:?}",
        crate::text::visible(detail)
    )]
    Malformed {
        op: &'static str,
        status: u16,
        detail: String,
        snippet: String,
    },
    #[error("{0}")]
    InvalidInput(String),
    /// Temporary credentials could not be renewed (and the ones held expired).
    #[error("{op}: not sent: no valid credentials ({detail})")]
    Credentials { op: &'static str, detail: String },
    /// A paginated listing whose next-page marker does not move forward.
    #[error("{op}: the listing stopped advancing ({detail}; next marker {marker}); ossweep stopped rather than loop")]
    Stalled {
        op: &'static str,
        marker: String,
        detail: String,
    },
    /// A request that changes something, not sent because the caller's run
    /// was stopped. `sent` attempts of it had gone out before, their replies
    /// lost: OSS may have acted on them.
    #[error("{op}: not sent: the run was stopped")]
    Halted { op: &'static str, sent: u32 },
    #[error(
        "{op}: the OSS accelerator endpoint {host} did not answer. Accelerators can only be listed or deleted \
from inside region {region}'s internal network (an ECS instance or a VPC in {region}); run ossweep there, or \
remove the accelerator in the OSS console (Bucket > OSS Accelerator)"
    )]
    AcceleratorUnreachable {
        op: &'static str,
        host: String,
        region: String,
    },
}

impl OssError {
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            OssError::Api(e) => Some(e),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        self.api().map(|e| e.code.as_str())
    }

    /// An OSS reply with HTTP 404, whatever its code (the resource is not there).
    pub fn is_not_found(&self) -> bool {
        self.api().is_some_and(|a| a.status == 404)
    }

    pub fn is_code(&self, code: &str) -> bool {
        self.code() == Some(code)
    }

    /// A one-line explanation a person can act on, where one is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            OssError::Api(e) => e.hint(),
            OssError::Transport {
                kind: TransportKind::Timeout,
                ..
            } => Some("the request timed out; check the network or lower the concurrency".into()),
            OssError::Transport { .. } => {
                Some("check the endpoint URL, DNS and network (is the region right?)".into())
            }
            _ => None,
        }
    }
}

/// What `PublicEndpointForbidden` means, and the three ways out.
pub const PUBLIC_ENDPOINT_FORBIDDEN: &str = "this account activated OSS on or after 2025-03-20, so OSS refuses its data calls (listing, deleting objects, aborting uploads) to buckets in the Chinese mainland through the default public endpoint; management calls still work. Ways out: run ossweep inside the bucket's region with --internal (the internal endpoint); bind a custom domain to the bucket and name it in the config ([profiles.NAME.buckets.BUCKET] cname = \"https://DOMAIN\"); or empty the bucket server-side with lifecycle rules (ossweep expire, or e on the wizard's scan pane: management calls), then delete it once they have run";

impl ApiError {
    pub fn hint(&self) -> Option<String> {
        let s = match self.code.as_str() {
            "AccessDenied" if self.endpoint.is_some() => format!(
                "the bucket lives in another region; send requests to {} (ossweep follows this once by itself)",
                self.endpoint.as_deref().unwrap_or_default()
            ),
            "AccessDenied" => match self.permission {
                Some(p) => format!("the RAM user or role needs the {p} permission on this bucket (or a bucket policy denies it)"),
                None => "the RAM user or role lacks the permission for this call (or a bucket policy denies it)".into(),
            },
            "InvalidAccessKeyId" => "the AccessKey ID is unknown or disabled; check OSS_ACCESS_KEY_ID or the profile's access_key_id".into(),
            "SignatureDoesNotMatch" => "the AccessKey secret is wrong (check OSS_ACCESS_KEY_SECRET), or the clock or signature version differs from the server's".into(),
            "RequestTimeTooSkewed" => "this machine's clock is more than 15 minutes off; fix the system time (NTP) and retry".into(),
            "NoSuchBucket" => "the bucket does not exist (already deleted, a typo, or another account's)".into(),
            "UserDisable" => "the Alibaba Cloud account is disabled (often an overdue payment); settle it in the billing console".into(),
            "SecondLevelDomainForbidden" => "OSS refuses path-style addressing for this account; drop --path-style / addressing = \"path\"".into(),
            "SecurityTokenExpired" => "the STS token has expired; fetch new temporary credentials".into(),
            "PublicEndpointForbidden" => PUBLIC_ENDPOINT_FORBIDDEN.into(),
            "InvalidArgument" if self.message.contains("signing region") => {
                "the V4 signing region does not match the endpoint's; set --region to the bucket's region".into()
            }
            "BucketNotEmpty" => "the bucket still holds objects, versions, delete markers, parts, LiveChannels or access points".into(),
            "InvalidBucketName" => "bucket names are 3-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit".into(),
            c if is_throttle_code(c) => "OSS throttled this account and ossweep gave up after backing off and retrying; lower --qps, or try again later".into(),
            _ => return None,
        };
        Some(s)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = if self.code.is_empty() {
            "error"
        } else {
            &self.code
        };
        // Everything but the op and status comes from the server: shown, not obeyed.
        use crate::text::visible;
        write!(
            f,
            "{} failed: {} (HTTP {}): {}",
            self.op,
            visible(code),
            self.status,
            visible(&self.message)
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " [request id {}", visible(id))?;
            if let Some(ec) = &self.ec {
                write!(f, ", EC {}", visible(ec))?;
            }
            write!(f, "]")?;
        }
        if let Some(h) = self.hint() {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// 503 codes OSS uses for throttling (oss-api.md §1.5).
pub fn is_throttle_code(code: &str) -> bool {
    matches!(
        code,
        "TotalQpsLimitExceeded"
            | "MetaOperationQpsLimitExceeded"
            | "ActiveRequestLimitExceeded"
            | "CpuLimitExceeded"
            | "DownloadTrafficRateLimitExceeded"
            | "UploadTrafficRateLimitExceeded"
            | "ServiceUnavailable"
            | "SlowDown"
    )
}

/// The first bytes of a body, printable, for error messages.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Headers of an error reply that carry error details.
#[derive(Debug, Default, Clone)]
pub struct ErrorHeaders<'a> {
    pub request_id: Option<&'a str>,
    pub ec: Option<&'a str>,
    /// `x-oss-err`: base64 error XML on replies without a body (HEAD).
    pub err: Option<&'a str>,
    /// `x-oss-error-type`, used by newer JSON APIs.
    pub error_type: Option<&'a str>,
}

/// Builds an [`ApiError`] from an error reply: XML body, `x-oss-err` header, JSON
/// body, or, failing all of those, the status and the first bytes of the body.
pub fn parse_error(op: &'static str, status: u16, body: &[u8], h: &ErrorHeaders<'_>) -> ApiError {
    let mut e = ApiError {
        op,
        status,
        code: String::new(),
        message: String::new(),
        request_id: h.request_id.map(str::to_string),
        host_id: None,
        ec: h.ec.map(str::to_string),
        endpoint: None,
        detail: None,
        permission: None,
    };
    let text = String::from_utf8_lossy(body);
    let from_header = h
        .err
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    let xml_text = if text.trim_start().starts_with('<') {
        Some(text.to_string())
    } else {
        from_header
    };
    if let Some(root) = xml_text
        .as_deref()
        .and_then(|t| xml::parse_root(t, "Error").ok())
    {
        e.code = root.string("Code");
        e.message = root.string("Message");
        e.request_id = root.nonempty("RequestId").or(e.request_id);
        e.host_id = root.nonempty("HostId");
        e.ec = root.nonempty("EC").or(e.ec);
        e.endpoint = root.nonempty("Endpoint");
        e.detail = root.nonempty("ErrorDetail");
        return e;
    }
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        let inner = json.get("Error").unwrap_or(&json);
        let field = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| inner.get(*n).and_then(|v| v.as_str()).map(str::to_string))
        };
        e.code = field(&["Code"])
            .or_else(|| h.error_type.map(str::to_string))
            .unwrap_or_default();
        e.message = field(&["Message", "message"]).unwrap_or_default();
        e.request_id = field(&["RequestId"]).or(e.request_id);
        e.host_id = field(&["HostId"]);
        if !e.code.is_empty() || !e.message.is_empty() {
            return e;
        }
    }
    e.message = if (300..400).contains(&status) {
        // A redirect is never followed (it could lead anywhere, credentials
        // and all): said so, whatever its body.
        "OSS answered with a redirect, which ossweep does not follow; check the endpoint and the region".into()
    } else if body.is_empty() {
        "the reply had no body".into()
    } else {
        format!("unexpected reply body: {:?}", snippet(body))
    };
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/xml/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn parses_every_recorded_error_body() {
        let cases = [
            ("F27.xml", 404, "NoSuchBucket", "0015-00000101"),
            ("F28.xml", 409, "BucketNotEmpty", "0015-00000301"),
            ("F29.xml", 403, "SignatureDoesNotMatch", "0002-00000040"),
            ("F30.xml", 403, "UserDisable", "0003-00000801"),
            ("F17.xml", 400, "MalformedXML", "0016-00000608"),
        ];
        for (file, status, code, ec) in cases {
            let e = parse_error("Op", status, &fixture(file), &ErrorHeaders::default());
            assert_eq!(e.code, code, "{file}");
            assert_eq!(e.ec.as_deref(), Some(ec), "{file}");
            assert!(e.request_id.is_some(), "{file}");
            assert!(!e.message.is_empty(), "{file}");
        }
        let minimal = parse_error(
            "ListBuckets",
            403,
            &fixture("F31.xml"),
            &ErrorHeaders::default(),
        );
        assert_eq!((minimal.code.as_str(), minimal.ec), ("AccessDenied", None));
        let lifecycle = parse_error(
            "GetBucketLifecycle",
            404,
            &fixture("F32.xml"),
            &ErrorHeaders::default(),
        );
        assert_eq!(lifecycle.code, "NoSuchLifecycle");
        let md = parse_error(
            "DeleteMultipleObjects",
            400,
            &fixture("F17.xml"),
            &ErrorHeaders::default(),
        );
        assert_eq!(
            md.detail.as_deref(),
            Some("the root node is not named Delete.")
        );
    }

    #[test]
    fn wrong_region_reply_names_the_endpoint() {
        let e = parse_error(
            "ListObjectsV2",
            403,
            &fixture("X1.xml"),
            &ErrorHeaders::default(),
        );
        assert_eq!(e.endpoint.as_deref(), Some("oss-cn-shenzhen.aliyuncs.com"));
        assert!(e.hint().unwrap().contains("oss-cn-shenzhen.aliyuncs.com"));
        let e = parse_error(
            "ListBuckets",
            403,
            &fixture("X2.xml"),
            &ErrorHeaders::default(),
        );
        assert_eq!(e.code, "SecondLevelDomainForbidden");
        assert!(e.hint().unwrap().contains("path"));
    }

    #[test]
    fn error_from_header_json_and_garbage() {
        let xml = b"<Error><Code>InvalidArgument</Code><Message>Invalid signing region in Authorization header.</Message><EC>0002-00000226</EC></Error>";
        let b64 = base64::engine::general_purpose::STANDARD.encode(xml);
        let h = ErrorHeaders {
            err: Some(&b64),
            request_id: Some("RID"),
            ..Default::default()
        };
        let e = parse_error("HeadObject", 400, b"", &h);
        assert_eq!(
            (e.code.as_str(), e.ec.as_deref(), e.request_id.as_deref()),
            ("InvalidArgument", Some("0002-00000226"), Some("RID"))
        );
        assert!(e.hint().unwrap().contains("--region"));

        let e = parse_error(
            "ListVectorIndexes",
            403,
            &fixture("F38.json"),
            &ErrorHeaders::default(),
        );
        assert_eq!(
            (e.code.as_str(), e.request_id.as_deref()),
            ("AccessDenied", Some("568D5566F2D0F89F5C0E****"))
        );

        let h = ErrorHeaders {
            error_type: Some("ValidationException"),
            ..Default::default()
        };
        let e = parse_error("Op", 400, br#"{"message":"bad index name"}"#, &h);
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("ValidationException", "bad index name")
        );

        let e = parse_error(
            "ListBuckets",
            502,
            b"<html><body>502 Bad Gateway</body></html>",
            &ErrorHeaders::default(),
        );
        assert_eq!(e.code, "");
        assert!(e.message.contains("502 Bad Gateway"), "{}", e.message);
        let e = parse_error("ListBuckets", 500, b"", &ErrorHeaders::default());
        assert_eq!(e.message, "the reply had no body");
        assert!(e
            .to_string()
            .starts_with("ListBuckets failed: error (HTTP 500)"));
        // A redirect (to another host, say) is not followed, and says so.
        let e = parse_error("ListBuckets", 307, b"", &ErrorHeaders::default());
        assert!(
            e.message
                .contains("redirect, which ossweep does not follow"),
            "{}",
            e.message
        );
    }

    #[test]
    fn every_common_code_has_an_actionable_hint() {
        for code in [
            "AccessDenied",
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "RequestTimeTooSkewed",
            "NoSuchBucket",
            "UserDisable",
            "SecondLevelDomainForbidden",
        ] {
            let e = ApiError {
                op: "DeleteObject",
                status: 403,
                code: code.into(),
                message: String::new(),
                request_id: Some("R".into()),
                host_id: None,
                ec: None,
                endpoint: None,
                detail: None,
                permission: Some("oss:DeleteObject"),
            };
            let hint = e.hint().unwrap_or_else(|| panic!("no hint for {code}"));
            assert!(!hint.is_empty());
            assert!(e.to_string().contains("hint: "));
        }
        let denied = ApiError {
            code: "AccessDenied".into(),
            permission: Some("oss:ListObjectVersions"),
            ..sample()
        };
        assert!(denied.hint().unwrap().contains("oss:ListObjectVersions"));
    }

    fn sample() -> ApiError {
        ApiError {
            op: "X",
            status: 403,
            code: String::new(),
            message: String::new(),
            request_id: None,
            host_id: None,
            ec: None,
            endpoint: None,
            detail: None,
            permission: None,
        }
    }
}
