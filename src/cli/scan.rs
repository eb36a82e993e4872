//! `ossweep scan BUCKET [--json]`: what blocks the bucket's deletion, and the risks.

use tokio_util::sync::CancellationToken;

use crate::oss::time;
use crate::scan::risk::Severity;
use crate::scan::{self, ScanReport, State};

use super::table::{bytes, count, render};
use super::{exit, settings, Cli};

/// The report as text (pure).
pub fn render_report(r: &ScanReport) -> String {
    let mut out = format!(
        "Bucket {} ({}), versioning {}\n",
        r.bucket,
        r.region,
        r.versioning.as_str()
    );
    if let Some(line) = r.estimate_line() {
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
    let rows: Vec<Vec<String>> = r
        .categories
        .iter()
        .map(|c| {
            vec![
                c.category.label().to_string(),
                if c.state == State::Unknown {
                    "?".into()
                } else {
                    count(c.count)
                },
                if c.bytes > 0 {
                    bytes(c.bytes)
                } else {
                    "-".into()
                },
                c.state.word().to_string(),
                c.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    out.push_str(&render(
        &["CATEGORY", "COUNT", "SIZE", "STATE", "NOTE"],
        &rows,
    ));
    if !r.storage_classes.is_empty() {
        let classes: Vec<String> = r
            .storage_classes
            .iter()
            .map(|(c, (n, b))| format!("{c} {} ({})", count(*n), bytes(*b)))
            .collect();
        out.push_str(&format!(
            "\nCurrent objects by storage class: {}\n",
            classes.join(", ")
        ));
    }
    if let (Some(first), Some(last)) = (r.worm_earliest_release, r.worm_latest_release) {
        out.push_str(&format!(
            "Retention (WORM): {} objects protected, releases from {} to {}\n",
            count(r.worm_protected),
            time::date_only(first),
            time::date_only(last)
        ));
    }
    out.push_str("\nRisks:\n");
    for risk in &r.risks {
        let mark = match risk.severity {
            Severity::Danger => "!!",
            Severity::Warning => "! ",
            Severity::Info => "i ",
        };
        out.push_str(&format!("  {mark} {}\n", risk.text));
    }
    if !r.finished {
        out.push_str("\n(scan cancelled: the counts above are partial)\n");
    } else if !r.complete {
        out.push_str("\n(scan incomplete: a listing failed, so the categories marked unknown may hold anything; see the notes)\n");
    }
    crate::text::visible_lines(&out)
}

pub async fn run(cli: &Cli, bucket: &str, json: bool) -> Result<u8, String> {
    let s = settings(cli)?;
    let client = super::client(&s);
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            token.cancel();
        }
    });
    let now = time::unix_secs(std::time::SystemTime::now());
    let report = scan::scan(&client, bucket, None, &cancel, now)
        .await
        .map_err(|e| e.to_string())?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", render_report(&report));
    }
    Ok(if report.complete {
        exit::DONE
    } else {
        exit::PARTIAL
    })
}
