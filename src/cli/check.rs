//! `ossweep check [BUCKET] [--json]`: why can't it reach my account? Which
//! credentials (the AccessKey ID masked, and their source), which endpoint and
//! region, whether ListBuckets works, the clock's distance from OSS's, and for
//! one bucket (the one named, else the first listed) whether its management
//! and its data calls work: `PublicEndpointForbidden` and refused RAM
//! permissions are named with the way out. It only reads: ListBuckets,
//! GetBucketInfo and one ListObjectsV2 of one key. Exit 0 when everything
//! works, 1 when something does not.

use serde::Serialize;

use super::{exit, out, settings, Cli};
use crate::config::Settings;
use crate::oss::{time, Client, OssError};

/// One thing checked.
#[derive(Debug, Serialize)]
pub struct Finding {
    pub what: String,
    pub ok: bool,
    pub text: String,
}

impl Finding {
    fn ok(what: impl Into<String>, text: impl Into<String>) -> Self {
        Finding {
            what: what.into(),
            ok: true,
            text: text.into(),
        }
    }

    /// A failed call: the error's first line (it names the call), and what
    /// to do about it.
    fn failed(what: impl Into<String>, e: &OssError) -> Self {
        let first = e.to_string().lines().next().unwrap_or_default().to_string();
        let text = match e.hint() {
            Some(h) => format!("{first}\n  {h}"),
            None => first,
        };
        Finding {
            what: what.into(),
            ok: false,
            text,
        }
    }
}

/// Where requests go, in words.
fn endpoint_line(s: &Settings) -> String {
    let c = &s.client;
    match &c.endpoint {
        Some(e) => format!("endpoint {}://{}", e.scheme, e.authority(&e.host)),
        None => format!(
            "region {} ({} endpoints, {})",
            c.region,
            if c.internal { "internal" } else { "public" },
            match c.addressing {
                crate::oss::endpoint::Addressing::Path => "path style",
                crate::oss::endpoint::Addressing::Cname => "custom domain",
                crate::oss::endpoint::Addressing::Virtual => "virtual-hosted",
            }
        ),
    }
}

/// How far this machine's clock is from OSS's (`served`: the `Date` OSS sent).
fn clock_finding(served: i64, local: i64) -> Finding {
    let off = (local - served).abs();
    let text = format!("{off} s from OSS's clock (OSS refuses requests more than 15 min off)");
    Finding {
        what: "clock".into(),
        ok: off < crate::scan::CLOCK_SKEW_ALLOWED,
        text,
    }
}

/// Runs the probes, in order; a failure does not stop the ones that can
/// still say something.
pub async fn probe(client: &Client, s: &Settings, bucket: Option<&str>) -> Vec<Finding> {
    let mut out = vec![
        Finding::ok("credentials", s.credentials_source.clone()),
        Finding::ok("endpoint", endpoint_line(s)),
    ];
    let first = match client.list_buckets_page(None, None, 100).await {
        Ok(page) => {
            let more = if page.next_marker.is_some() {
                " or more"
            } else {
                ""
            };
            out.push(Finding::ok(
                "ListBuckets",
                format!("{} buckets{more}", page.buckets.len()),
            ));
            page.buckets.first().map(|b| b.name.clone())
        }
        Err(e) => {
            out.push(Finding::failed("ListBuckets", &e));
            None
        }
    };
    // Temporary credentials: the ones the first request was signed with.
    if let Some(held) = s
        .client
        .renewing
        .as_ref()
        .and_then(|r| r.watch().borrow().clone())
    {
        let until = held
            .expires
            .map(|t| {
                format!(
                    " until {} UTC",
                    time::iso8601_seconds(t)
                        .replace('T', " ")
                        .trim_end_matches('Z')
                )
            })
            .unwrap_or_default();
        out.insert(
            1,
            Finding::ok(
                "held",
                format!("{}{until}, renewed before they expire", held.key),
            ),
        );
    }
    let Some(bucket) = bucket.map(str::to_string).or(first) else {
        return out;
    };
    match client.get_bucket_info(&bucket).await {
        Ok(info) => {
            if let Some(served) = info.served_at {
                let local = time::unix_secs(std::time::SystemTime::now());
                out.push(clock_finding(served, local));
            }
            out.push(Finding::ok(
                bucket.clone(),
                format!(
                    "GetBucketInfo (a management call): {}, versioning {}",
                    info.region,
                    info.versioning.as_str()
                ),
            ));
        }
        Err(e) => out.push(Finding::failed(bucket.clone(), &e)),
    }
    match client.list_objects_v2_page(&bucket, None, None, 1).await {
        Ok(_) => out.push(Finding::ok(
            bucket,
            "ListObjectsV2 (a data call): lists".to_string(),
        )),
        Err(e) => out.push(Finding::failed(bucket, &e)),
    }
    out
}

pub async fn run(cli: &Cli, bucket: Option<&str>, json: bool) -> Result<u8, String> {
    let s = settings(cli)?;
    let client = super::client(&s);
    let findings = probe(&client, &s, bucket).await;
    if json {
        out::line(&serde_json::json!({ "checks": findings }));
    } else {
        let width = findings.iter().map(|f| f.what.len()).max().unwrap_or(0);
        for f in &findings {
            let mark = if f.ok { "ok  " } else { "FAIL" };
            let text = crate::text::visible_lines(&f.text);
            println!("{:width$}  {mark}  {text}", crate::text::visible(&f.what));
        }
    }
    Ok(if findings.iter().all(|f| f.ok) {
        exit::DONE
    } else {
        exit::ERROR
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_is_fine_within_oss_limit_and_said_to_be_off_beyond_it() {
        assert!(clock_finding(1_000, 1_003).ok);
        let far = clock_finding(1_000, 1_000 + 16 * 60);
        assert!(
            !far.ok && far.text.starts_with("960 s from OSS's clock"),
            "{}",
            far.text
        );
    }
}
