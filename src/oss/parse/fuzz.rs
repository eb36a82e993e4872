//! Every reply parser fed hostile bodies (proptest): the recorded replies of
//! oss-api.md Appendix A cut, spliced with random bytes (control characters,
//! markup, entities, huge numbers), and plain random text. A parser may refuse
//! a body; it must never panic. `PROPTEST_CASES=N` sets the number of bodies
//! per test (each body goes through every parser).

use proptest::prelude::*;

use super::*;
use crate::oss::error::{parse_error, ErrorHeaders};

fn fixtures() -> Vec<String> {
    let dir = format!("{}/tests/fixtures/xml", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    out.sort();
    out
}

/// Runs every parser on `body`; the results do not matter, panics do.
fn all_parsers(body: &str) {
    let _ = list_buckets(body);
    let _ = bucket_info(body);
    let _ = bucket_location(body);
    let _ = bucket_stat(body);
    let _ = bucket_versioning(body);
    let _ = list_objects_v2(body);
    let _ = list_objects_v1(body);
    let _ = list_object_versions(body);
    let _ = peek_versions_marker(body);
    let _ = peek_objects_token(body);
    if let Ok(d) = delete_result(body) {
        let _ = match_deleted(&[], &d);
    }
    let _ = list_multipart_uploads(body);
    let _ = list_live_channels(body);
    let _ = list_access_points(body);
    let _ = get_access_point(body);
    let _ = bucket_replication(body);
    let _ = bucket_worm(body);
    let _ = bucket_website(body);
    let _ = list_cname(body);
    let _ = bucket_lifecycle(body);
    let _ = data_accelerators(body);
    let _ = initiate_multipart_upload(body);
    let _ = http_date(body);
    let headers = ErrorHeaders {
        request_id: Some(body),
        ec: None,
        err: Some(body),
        error_type: Some(body),
    };
    let e = parse_error("Fuzz", 403, body.as_bytes(), &headers);
    let _ = e.to_string();
}

/// Pieces that stress XML parsers and number parsing.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\u{1b}]0;x\u{7}".to_string()),
        Just("&#0;&#x1b;&amp;&lt;&unknown;".to_string()),
        Just("<![CDATA[".to_string()),
        Just("</".to_string()),
        Just("<IsTruncated>true</IsTruncated>".to_string()),
        Just("99999999999999999999999999".to_string()),
        Just("-1".to_string()),
        Just("\u{0}\u{ffff}\u{202e}".to_string()),
        "\\PC{0,40}",
        any::<Vec<u8>>().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

proptest! {
    #[test]
    fn recorded_replies_cut_and_spliced_never_panic(
        which in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        piece in nasty(),
        truncate in any::<bool>(),
    ) {
        let all = fixtures();
        let base = which.get(&all).clone();
        let chars: Vec<char> = base.chars().collect();
        let mut body: String = if truncate {
            chars[..cut.index(chars.len() + 1)].iter().collect()
        } else {
            chars.iter().collect()
        };
        let pos = at.index(body.chars().count() + 1);
        let byte = body.char_indices().nth(pos).map_or(body.len(), |(i, _)| i);
        body.insert_str(byte, &piece);
        all_parsers(&body);
    }

    #[test]
    fn random_text_never_panics(body in "\\PC{0,400}") {
        all_parsers(&body);
    }
}
