//! Percent-encoding as OSS expects it (oss-api.md §1.7). Pure functions.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986 unreserved characters is encoded (query names and values).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Object paths keep `/` as a separator.
const PATH: &AsciiSet = &QUERY.remove(b'/');

/// Encodes a query name or value: `/` -> `%2F`, space -> `%20`, `+` -> `%2B`.
pub fn query(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string()
}

/// Encodes an object key (or canonical URI) for a URL path: every byte but
/// unreserved characters and `/`.
pub fn path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// Decodes `%XX` sequences. `+` stays `+` (OSS encodes a literal plus as `%2B`).
/// Invalid UTF-8 after decoding is replaced, never a panic.
pub fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Renders query parameters as they go on the wire, in the given order.
/// A parameter without a value is sent bare (`?delete`), as the SDKs do.
pub fn query_string(params: &[(String, Option<String>)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&query(name));
        if let Some(v) = value {
            out.push('=');
            out.push_str(&query(v));
        }
    }
    out
}

/// Splits a raw (still encoded) query string into decoded name/value pairs.
pub fn parse_query(raw: &str) -> Vec<(String, Option<String>)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (decode(n), Some(decode(v))),
            None => (decode(p), None),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding_follows_rfc3986_unreserved() {
        assert_eq!(query("a b/c+d*e~f"), "a%20b%2Fc%2Bd%2Ae~f");
        assert_eq!(
            query("ak/20231217/cn-hangzhou/oss/aliyun_v4_request"),
            "ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request"
        );
    }

    #[test]
    fn path_encoding_keeps_slashes() {
        assert_eq!(
            path("/bucket/1234+-/123/1.txt"),
            "/bucket/1234%2B-/123/1.txt"
        );
        assert_eq!(path("dir/a b%.txt"), "dir/a%20b%25.txt");
        assert_eq!(path("ключ"), "%D0%BA%D0%BB%D1%8E%D1%87");
    }

    #[test]
    fn decode_keeps_plus_and_handles_control_characters() {
        assert_eq!(decode("a+b%2Bc%20d"), "a+b+c d");
        assert_eq!(decode("demo%2Fgp-%0C%0A%0B"), "demo/gp-\u{c}\n\u{b}");
        assert_eq!(decode("bad%FF"), "bad\u{FFFD}");
    }

    #[test]
    fn query_string_sends_bare_subresources() {
        let q = vec![
            ("delete".to_string(), None),
            ("encoding-type".to_string(), Some("url".to_string())),
        ];
        assert_eq!(query_string(&q), "delete&encoding-type=url");
        assert_eq!(
            parse_query("delete&encoding-type=url&x=a%2Fb"),
            vec![
                ("delete".to_string(), None),
                ("encoding-type".to_string(), Some("url".to_string())),
                ("x".to_string(), Some("a/b".to_string())),
            ]
        );
    }
}
