//! `ossweep scan BUCKET [--json]`: what blocks the bucket's deletion, and the risks.

use crate::oss::time;
use crate::scan::risk::Severity;
use crate::scan::{self, ScanReport};
use crate::vocab::BucketKind;

use super::table::{bytes, count, render};
use super::{exit, settings, Cli};

/// The report as text (pure).
pub fn render_report(r: &ScanReport) -> String {
    let mut out = if r.kind.is_vector() {
        format!("Vector bucket {} ({})\n", r.bucket, r.region)
    } else {
        format!(
            "Bucket {} ({}), versioning {}\n",
            r.bucket,
            r.region,
            r.versioning.as_str()
        )
    };
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
                c.count_cell(),
                c.size_cell(),
                c.state.word().to_string(),
                c.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    out.push_str(&render(
        &["CATEGORY", "COUNT", "SIZE", "STATE", "NOTE"],
        &rows,
    ));
    if !r.indexes.is_empty() {
        let rows: Vec<Vec<String>> = r
            .indexes
            .iter()
            .map(|i| {
                vec![
                    i.index.name.clone(),
                    i.index.dimension.to_string(),
                    i.index.data_type.clone(),
                    i.index.distance_metric.clone(),
                    i.vectors_text(),
                    i.index.status.clone(),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&render(
            &[
                "INDEX",
                "DIMENSION",
                "DATA TYPE",
                "METRIC",
                "VECTORS",
                "STATUS",
            ],
            &rows,
        ));
    }
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

pub async fn run(cli: &Cli, bucket: &str, json: bool, vector: bool) -> Result<u8, String> {
    let valid = if vector {
        crate::oss::vectors::validate_bucket_name(bucket)
    } else {
        crate::oss::request::validate_bucket_name(bucket)
    };
    if let Err(e) = valid {
        super::out::error(&e.to_string(), exit::USAGE);
        return Ok(exit::USAGE);
    }
    let s = settings(cli)?;
    let client = super::client(&s);
    let stop = super::stop::Stop::on_signals();
    let now = time::unix_secs(std::time::SystemTime::now());
    // The first signal ends the scan between pages (partial counts, exit 3); a
    // second does not wait for a slow reply.
    let (events, progress) = super::preflight::scan_progress(bucket.to_string());
    let report = tokio::select! {
        r = async {
            let r = if vector {
                scan::scan_vector(&client, bucket, Some(events), &stop.soft).await
            } else {
                scan::scan(&client, bucket, Some(events), &stop.soft, now).await
            };
            let _ = progress.await;
            r
        } => match r {
            Ok(report) => report,
            Err(scan::ScanError::Oss(e)) if e.is_code("NoSuchBucket") => {
                let kind = if vector { BucketKind::Vector } else { BucketKind::Object };
                let hint = super::suggest::missing_bucket(&client, kind, bucket)
                    .await
                    .map(|h| format!("\n{h}"))
                    .unwrap_or_default();
                return Err(format!("{e}{hint}"));
            }
            Err(e) => return Err(e.to_string()),
        },
        _ = stop.hard.cancelled() => {
            eprintln!("scan stopped at once; nothing is known about {bucket}");
            return Ok(exit::PARTIAL);
        }
    };
    if json {
        #[derive(serde::Serialize)]
        struct WithMoney<'a> {
            #[serde(flatten)]
            report: &'a crate::scan::ScanReport,
            #[serde(skip_serializing_if = "Option::is_none")]
            money: Option<crate::scan::costs::ScanMoney>,
        }
        let out = WithMoney {
            report: &report,
            money: crate::scan::costs::scan_money(&report),
        };
        super::out::text(&serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
    } else {
        super::out::raw(&render_report(&report));
    }
    Ok(if report.complete {
        exit::DONE
    } else {
        exit::PARTIAL
    })
}
