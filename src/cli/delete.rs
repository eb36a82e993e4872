//! `ossweep delete BUCKET... --confirm NAME...`: empties each bucket, then deletes
//! it once emptying succeeded. Every bucket must be named again to be deleted.

use std::collections::BTreeSet;
use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use crate::delete::{Audit, Limiter, Plan};
use crate::oss::request::validate_bucket_name;
use crate::oss::Client;

use super::empty::{describe_stat, estimates};
use super::table::{bytes, count, render};
use super::{confirm, exit, runner, settings, Cli};

#[derive(Debug, clap::Args)]
pub struct DeleteArgs {
    /// Buckets to empty and delete.
    pub buckets: Vec<String>,
    /// Also read bucket names from FILE, one per line (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Repeat each bucket's name to confirm it (or type it at the prompt).
    #[arg(long, value_name = "NAME", num_args = 1..)]
    pub confirm: Vec<String>,
    /// Show what would be deleted; send no delete request.
    #[arg(long)]
    pub dry_run: bool,
    /// Print events as NDJSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Append every deleted key and version id to FILE (NDJSON).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// Names from arguments and file, in order, without duplicates.
pub fn bucket_list(args: &[String], file_text: Option<&str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let from_file = file_text
        .into_iter()
        .flat_map(|t| t.lines())
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty());
    args.iter()
        .map(String::as_str)
        .chain(from_file)
        .filter(|b| seen.insert(b.to_string()))
        .map(str::to_string)
        .collect()
}

pub async fn run(cli: &Cli, a: &DeleteArgs) -> Result<u8, String> {
    let file_text = match &a.from {
        Some(p) => Some(
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        ),
        None => None,
    };
    let buckets = bucket_list(&a.buckets, file_text.as_deref());
    if buckets.is_empty() {
        eprintln!("error: name at least one bucket (or --from FILE)");
        return Ok(exit::USAGE);
    }
    for b in buckets.iter().chain(&a.confirm) {
        if let Err(e) = validate_bucket_name(b) {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    }
    if let Some(stray) = a.confirm.iter().find(|c| !buckets.contains(c)) {
        eprintln!("error: --confirm names {stray}, which is not among the buckets to delete");
        return Ok(exit::USAGE);
    }
    let s = settings(cli)?;
    let client = Client::new(s.client);

    // Show what is about to go, with OSS's statistics, before anything runs.
    let mut stats = Vec::new();
    for b in &buckets {
        stats.push(client.get_bucket_stat(b).await.map_err(|e| e.to_string())?);
    }
    if a.from.is_some() || buckets.len() > 1 {
        let rows: Vec<Vec<String>> = buckets
            .iter()
            .zip(&stats)
            .map(|(b, s)| {
                vec![
                    b.clone(),
                    client.region_of(b),
                    count(s.object_count),
                    bytes(s.storage),
                    count(s.delete_marker_count),
                    count(s.multipart_upload_count),
                    count(s.live_channel_count),
                ]
            })
            .collect();
        eprint!(
            "{}",
            render(
                &[
                    "BUCKET",
                    "REGION",
                    "OBJECTS",
                    "SIZE",
                    "DELETE MARKERS",
                    "UPLOADS",
                    "LIVECHANNELS"
                ],
                &rows
            )
        );
        let total_objects: u64 = stats.iter().map(|s| s.object_count).sum();
        let total_bytes: u64 = stats.iter().map(|s| s.storage).sum();
        eprintln!(
            "{} buckets, {} objects and versions, {} (OSS statistics)",
            buckets.len(),
            count(total_objects),
            bytes(total_bytes)
        );
    } else {
        eprintln!("Deleting {}: {}", buckets[0], describe_stat(&stats[0]));
    }

    if !a.dry_run {
        eprintln!("Every object, version, upload, LiveChannel, access point and accelerator goes, then the bucket itself. This cannot be undone.");
        let unconfirmed: Vec<&String> = buckets.iter().filter(|b| !a.confirm.contains(b)).collect();
        if !unconfirmed.is_empty() {
            if !confirm::interactive() {
                let names: Vec<&str> = unconfirmed.iter().map(|s| s.as_str()).collect();
                eprintln!("refused: not confirmed: {} (pass --confirm NAME for each bucket); nothing was deleted", names.join(", "));
                return Ok(exit::REFUSED);
            }
            for b in unconfirmed {
                if !confirm::typed(&format!("Type {b} to delete it: "), b)
                    .map_err(|e| e.to_string())?
                {
                    eprintln!("refused: the name did not match; nothing was deleted");
                    return Ok(exit::REFUSED);
                }
            }
        }
    }

    let audit = match &a.report {
        Some(p) => Audit::to_file(p)
            .map_err(|e| format!("cannot write the report {}: {e}", p.display()))?,
        // A dry run prints exactly what would be deleted.
        None if a.dry_run && !a.json => Audit::to_writer(std::io::stdout()),
        None => Audit::none(),
    };
    // One request budget for every bucket of the run.
    let limiter = Limiter::new(s.concurrency.min(4), s.concurrency);
    let cancel = CancellationToken::new();
    runner::cancel_on_ctrl_c(cancel.clone());
    let mut worst = exit::DONE;
    for (bucket, stat) in buckets.iter().zip(&stats) {
        if cancel.is_cancelled() {
            eprintln!("{bucket}: not started (cancelled)");
            worst = worst.max(exit::PARTIAL);
            continue;
        }
        let mut plan = Plan::new(bucket, Plan::everything(), limiter.clone());
        plan.delete_bucket = true;
        plan.dry_run = a.dry_run;
        plan.audit = audit.clone();
        let cats: Vec<_> = plan.categories.iter().copied().collect();
        plan.estimates = estimates(stat, &cats);
        let summary = runner::run(&client, plan, a.json, &cancel).await;
        if !a.json {
            eprint!("{}", runner::describe(&summary));
        }
        worst = worst.max(runner::exit_code(&summary));
    }
    if let (Some(p), false) = (&a.report, a.json) {
        eprintln!("report: {}", p.display());
    }
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_lists_merge_arguments_and_files() {
        let file = "# buckets to retire\nold-logs\n\nold-assets  # after the migration\nold-logs\n";
        assert_eq!(
            bucket_list(&["first".into()], Some(file)),
            ["first", "old-logs", "old-assets"]
        );
    }
}
