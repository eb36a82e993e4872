//! config.example.toml stays valid: every key it documents parses.

use std::path::Path;

#[test]
fn the_example_config_parses_with_every_key_uncommented() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    ossweep::config::parse_config(&text, &path).unwrap();
    // Uncomment the documented optional keys (lines like `# key = value`) and parse again.
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest)
                if rest.split_once(" = ").is_some_and(|(k, _)| {
                    !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                }) =>
            {
                rest.split("  ").next().unwrap().to_string()
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let file = ossweep::config::parse_config(&uncommented, &path).unwrap();
    let p = &file.profiles["default"];
    assert!(
        p.endpoint.is_some()
            && p.access_key_id.is_some()
            && p.ossutil_config.is_some()
            && p.connect_to.is_some()
            && p.security_token.is_some()
            && p.site.is_some()
            && p.prices.is_some()
            && p.mode.is_some()
            && p.buckets["acme-web-assets"].cname.is_some()
    );
}
