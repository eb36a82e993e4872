//! Signature verification, V4 and V1, answering as OSS does. Reuses the signer's
//! canonicalisation; the official SDKs in the conformance suite keep both honest.

use crate::oss::sign::{self, SigningRequest, V4Context};
use crate::oss::{time, Credentials};

use super::ops::EmuError;

/// The keys the emulator accepts.
#[derive(Debug)]
pub struct Keys {
    pub main: Credentials,
    /// Temporary credentials; requests with this AK must carry the token.
    pub sts: Option<Credentials>,
    /// Temporary credentials the emulator's ECS metadata service handed out,
    /// with when each expires (emulator time).
    pub issued: std::sync::Mutex<Vec<(Credentials, i64)>>,
}

impl Keys {
    pub fn new(main: Credentials, sts: Option<Credentials>) -> Self {
        Keys {
            main,
            sts,
            issued: Default::default(),
        }
    }
}

/// Temporary credentials must come with their token.
fn check_token(s: &Signed<'_>, creds: &Credentials) -> Result<(), EmuError> {
    let sent = header(s, "x-oss-security-token");
    let expected = creds.security_token.as_ref().map(|t| t.expose());
    if sent.is_none() || sent != expected {
        return Err(EmuError::new(
            403,
            "InvalidSecurityToken",
            "The security token you provided is invalid.",
        )
        .ec("0002-00000006"));
    }
    Ok(())
}

/// The request parts a signature covers.
pub struct Signed<'a> {
    pub method: &'a str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    pub query: &'a [(String, Option<String>)],
    pub headers: &'a [(String, String)],
    /// The account id an OSS Vectors request addresses (its ARN canonical URI).
    pub vectors_account: Option<&'a str>,
}

const SKEW_LIMIT: i64 = 15 * 60;

fn header<'a>(s: &'a Signed<'_>, name: &str) -> Option<&'a str> {
    s.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn credentials_for(
    keys: &Keys,
    ak: &str,
    s: &Signed<'_>,
    now: i64,
) -> Result<Credentials, EmuError> {
    if keys.main.access_key_id == ak {
        return Ok(keys.main.clone());
    }
    if let Some(sts) = keys.sts.as_ref().filter(|c| c.access_key_id == ak) {
        check_token(s, sts)?;
        return Ok(sts.clone());
    }
    let issued = keys.issued.lock().unwrap();
    if let Some((creds, expires)) = issued.iter().find(|(c, _)| c.access_key_id == ak) {
        check_token(s, creds)?;
        if now >= *expires {
            return Err(EmuError::new(
                403,
                "SecurityTokenExpired",
                "The security token you provided has expired.",
            ));
        }
        return Ok(creds.clone());
    }
    Err(EmuError::new(
        403,
        "InvalidAccessKeyId",
        "The OSS Access Key Id you provided does not exist in our records.",
    )
    .with("OSSAccessKeyId", ak))
}

fn check_skew(signed_at: i64, now: i64) -> Result<(), EmuError> {
    if (signed_at - now).abs() > SKEW_LIMIT {
        return Err(EmuError::new(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
        .ec("0002-00000504"));
    }
    Ok(())
}

fn mismatch() -> EmuError {
    EmuError::new(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.").ec("0002-00000040")
}

/// The AccessKey ID an `Authorization` header names (V4's `Credential=`,
/// V1's `OSS <id>:`), unverified.
pub fn access_key_id(headers: &[(String, String)]) -> Option<String> {
    let auth = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))?
        .1
        .as_str();
    if let Some(rest) = auth.strip_prefix("OSS4-HMAC-SHA256 ") {
        let cred = rest
            .split(',')
            .find_map(|p| p.trim().strip_prefix("Credential="))?;
        return cred.split('/').next().map(str::to_string);
    }
    auth.strip_prefix("OSS ")?
        .split(':')
        .next()
        .map(str::to_string)
}

/// Whether a request signed with `ak` is the account's own (its AccessKey,
/// or its own STS token), not a role's temporary credentials.
pub fn is_owner(keys: &Keys, ak: &str) -> bool {
    keys.main.access_key_id == ak || keys.sts.as_ref().is_some_and(|c| c.access_key_id == ak)
}

/// Verifies the `Authorization` header; returns the signing region for V4.
/// `endpoint_region` is the region the Host names, when it names one.
pub fn verify(
    s: &Signed<'_>,
    keys: &Keys,
    now: i64,
    endpoint_region: Option<&str>,
) -> Result<Option<String>, EmuError> {
    let Some(auth) = header(s, "authorization") else {
        return Err(EmuError::new(
            403,
            "AccessDenied",
            "You have no right to access this object because of bucket acl.",
        ));
    };
    if let Some(rest) = auth.strip_prefix("OSS4-HMAC-SHA256 ") {
        verify_v4(s, keys, now, endpoint_region, rest).map(Some)
    } else if let (Some(rest), None) = (auth.strip_prefix("OSS "), s.vectors_account) {
        verify_v1(s, keys, now, rest).map(|_| None)
    } else {
        Err(EmuError::new(
            400,
            "InvalidArgument",
            "Authorization header is invalid.",
        ))
    }
}

fn verify_v4(
    s: &Signed<'_>,
    keys: &Keys,
    now: i64,
    endpoint_region: Option<&str>,
    rest: &str,
) -> Result<String, EmuError> {
    let mut credential = None;
    let mut additional: Vec<String> = Vec::new();
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("AdditionalHeaders=") {
            additional = v
                .split(';')
                .filter(|h| !h.is_empty())
                .map(str::to_string)
                .collect();
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let bad = || EmuError::new(400, "InvalidArgument", "Authorization header is invalid.");
    let credential = credential.ok_or_else(bad)?;
    let signature = signature.ok_or_else(bad)?;
    let parts: Vec<&str> = credential.split('/').collect();
    if parts.len() != 5 || parts[4] != "aliyun_v4_request" {
        return Err(bad());
    }
    let (ak, date, region, product) = (parts[0], parts[1], parts[2], parts[3]);
    let creds = &credentials_for(keys, ak, s, now)?;
    let (signed_at, stamp) = v4_signing_time(s)?;
    check_skew(signed_at, now)?;
    if !time::iso8601_basic(signed_at).starts_with(date) {
        return Err(mismatch());
    }
    if let Some(er) = endpoint_region {
        if er != region {
            return Err(EmuError::new(
                400,
                "InvalidArgument",
                "Invalid signing region in Authorization header.",
            )
            .ec("0002-00000226"));
        }
    }
    let req = SigningRequest {
        method: s.method,
        bucket: s.bucket,
        key: s.key,
        query: s.query,
        headers: s.headers,
        vectors_account: s.vectors_account,
    };
    let expected = sign::v4_sign_stamped(
        &req,
        creds,
        V4Context {
            region,
            product,
            unix_time: signed_at,
        },
        &additional,
        stamp,
    );
    if !expected.ends_with(&format!("Signature={signature}")) {
        return Err(mismatch());
    }
    Ok(region.to_string())
}

/// The time a V4 request was signed at, and the text its string to sign
/// carries: `x-oss-date` (ISO 8601 basic), or, as OSS accepts and Go SDK V1
/// sends, `Date` (RFC 1123, its text as sent) when there is no `x-oss-date`.
fn v4_signing_time<'a>(s: &'a Signed<'_>) -> Result<(i64, &'a str), EmuError> {
    let invalid = || {
        EmuError::new(
            403,
            "AccessDenied",
            "The Date or x-oss-date header is not in a valid format.",
        )
        .ec("0002-00000502")
    };
    match (header(s, "x-oss-date"), header(s, "date")) {
        (Some(d), _) => time::parse_iso8601_basic(d)
            .map(|t| (t, d))
            .ok_or_else(invalid),
        (None, Some(d)) => time::parse_rfc1123(d).map(|t| (t, d)).ok_or_else(invalid),
        (None, None) => Err(EmuError::new(
            403,
            "AccessDenied",
            "The request has neither a Date nor an x-oss-date header.",
        )
        .ec("0002-00000503")),
    }
}

fn verify_v1(s: &Signed<'_>, keys: &Keys, now: i64, rest: &str) -> Result<(), EmuError> {
    let (ak, signature) = rest
        .split_once(':')
        .ok_or_else(|| EmuError::new(400, "InvalidArgument", "Authorization header is invalid."))?;
    let creds = &credentials_for(keys, ak.trim(), s, now)?;
    let req = SigningRequest {
        method: s.method,
        bucket: s.bucket,
        key: s.key,
        query: s.query,
        headers: s.headers,
        vectors_account: None,
    };
    // The SDKs put the time in `Date`; Python v2 signs `x-oss-date` in its place when present.
    let dates: Vec<&str> = [header(s, "date"), header(s, "x-oss-date")]
        .into_iter()
        .flatten()
        .collect();
    if dates.is_empty() {
        return Err(EmuError::new(
            403,
            "AccessDenied",
            "The Date header is missing.",
        ));
    }
    for date in &dates {
        if sign::v1_signature(
            creds.access_key_secret.expose(),
            &sign::v1_string_to_sign(&req, date),
        ) == signature.trim()
        {
            let signed_at = time::parse_rfc1123(date).ok_or_else(|| {
                EmuError::new(403, "AccessDenied", "The Date header is not a valid date.")
            })?;
            return check_skew(signed_at, now);
        }
    }
    Err(mismatch())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::sign::{sign_headers, Addressed, SignatureVersion};

    fn keys() -> Keys {
        Keys::new(
            Credentials::new("id", "secret"),
            Some(Credentials::new("sts-id", "sts-secret").with_token("tok")),
        )
    }

    fn signed(version: SignatureVersion, creds: &Credentials, at: i64) -> Vec<(String, String)> {
        let mut h = vec![("Content-Type".to_string(), "application/xml".to_string())];
        sign_headers(
            version,
            Addressed {
                method: "GET",
                bucket: Some("b"),
                key: Some("k y"),
                query: &[("versions".into(), None)],
                vectors_account: None,
            },
            &mut h,
            creds,
            "cn-hangzhou",
            at,
        );
        h
    }

    fn check(
        h: &[(String, String)],
        now: i64,
        region: Option<&str>,
    ) -> Result<Option<String>, EmuError> {
        let q = [("versions".to_string(), None)];
        verify(
            &Signed {
                method: "GET",
                bucket: Some("b"),
                key: Some("k y"),
                query: &q,
                headers: h,
                vectors_account: None,
            },
            &keys(),
            now,
            region,
        )
    }

    #[test]
    fn accepts_good_v4_and_v1_signatures() {
        let t = 1_700_000_000;
        assert_eq!(
            check(&signed(SignatureVersion::V4, &keys().main, t), t, None)
                .unwrap()
                .as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(
            check(&signed(SignatureVersion::V1, &keys().main, t), t + 60, None).unwrap(),
            None
        );
        assert!(check(
            &signed(SignatureVersion::V4, keys().sts.as_ref().unwrap(), t),
            t,
            Some("cn-hangzhou")
        )
        .is_ok());
    }

    /// Alibaba's Go SDK V1 (ossutil 1.x) signs V4 with only a `Date` header
    /// and that header's RFC 1123 text as the string to sign's time
    /// (`oss/auth.go`, `getSignedStrV4`): its steps, one by one.
    #[test]
    fn accepts_v4_signed_as_the_go_sdk_v1_signs_it() {
        use crate::oss::sign::{
            v4_canonical_request, v4_scope, v4_signature, v4_signing_key, v4_string_to_sign,
            SigningRequest,
        };
        let t = 1_700_000_000;
        let date = time::rfc1123(t);
        let headers = vec![
            ("Date".to_string(), date.clone()),
            (
                "x-oss-content-sha256".to_string(),
                "UNSIGNED-PAYLOAD".to_string(),
            ),
        ];
        let q = [("versions".to_string(), None)];
        let req = SigningRequest {
            method: "GET",
            bucket: Some("b"),
            key: Some("k y"),
            query: &q,
            headers: &headers,
            vectors_account: None,
        };
        let canonical = v4_canonical_request(&req, "cn-hangzhou", &[]);
        let scope = v4_scope("20231114", "cn-hangzhou", "oss");
        let key = v4_signing_key("secret", "20231114", "cn-hangzhou", "oss");
        let authorized = |stamp: &str| {
            let signature = v4_signature(&key, &v4_string_to_sign(stamp, &scope, &canonical));
            let mut h = headers.clone();
            h.push((
                "Authorization".into(),
                format!("OSS4-HMAC-SHA256 Credential=id/{scope},Signature={signature}"),
            ));
            h
        };
        assert_eq!(
            check(&authorized(&date), t, None).unwrap().as_deref(),
            Some("cn-hangzhou")
        );
        // The time as ISO 8601 is not what was sent: not what OSS signs.
        let iso = time::iso8601_basic(t);
        assert_eq!(
            check(&authorized(&iso), t, None).unwrap_err().code,
            "SignatureDoesNotMatch"
        );
    }

    #[test]
    fn refuses_like_oss() {
        let t = 1_700_000_000;
        let code = |r: Result<Option<String>, EmuError>| r.unwrap_err().code.clone();
        assert_eq!(
            code(check(
                &signed(SignatureVersion::V4, &Credentials::new("id", "wrong"), t),
                t,
                None
            )),
            "SignatureDoesNotMatch"
        );
        assert_eq!(
            code(check(
                &signed(SignatureVersion::V1, &Credentials::new("id", "wrong"), t),
                t,
                None
            )),
            "SignatureDoesNotMatch"
        );
        assert_eq!(
            code(check(
                &signed(SignatureVersion::V4, &Credentials::new("nobody", "x"), t),
                t,
                None
            )),
            "InvalidAccessKeyId"
        );
        assert_eq!(
            code(check(
                &signed(SignatureVersion::V4, &keys().main, t),
                t + 16 * 60,
                None
            )),
            "RequestTimeTooSkewed"
        );
        assert_eq!(
            code(check(
                &signed(SignatureVersion::V1, &keys().main, t),
                t - 16 * 60,
                None
            )),
            "RequestTimeTooSkewed"
        );
        assert_eq!(
            code(check(
                &signed(SignatureVersion::V4, &keys().main, t),
                t,
                Some("cn-beijing")
            )),
            "InvalidArgument"
        );
        assert_eq!(code(check(&[], t, None)), "AccessDenied");
        let no_token = Credentials::new("sts-id", "sts-secret");
        assert_eq!(
            code(check(&signed(SignatureVersion::V4, &no_token, t), t, None)),
            "InvalidSecurityToken"
        );
        let mut tampered = signed(SignatureVersion::V4, &keys().main, t);
        tampered[0].1 = "text/plain".into();
        assert_eq!(code(check(&tampered, t, None)), "SignatureDoesNotMatch");
    }
}
