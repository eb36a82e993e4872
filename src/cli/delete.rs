//! `ossweep delete BUCKET... --confirm NAME...`: scans each bucket, prints the
//! engine's preflight, refuses before any write when a bucket cannot be deleted,
//! and otherwise empties each bucket and deletes it. Every bucket must be named
//! again to be deleted.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::engine::{self, Action};
use crate::oss::request::validate_bucket_name;
use crate::vocab::BucketKind;

use super::{confirm, exit, preflight, runner, settings, Cli};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ossweep delete old-logs --confirm old-logs
  ossweep delete a b --confirm a b --report audit.ndjson
  ossweep delete --from retire.txt --json          (asks for each name on a terminal)
  ossweep delete acme-data-lake --empty-only --confirm acme-data-lake")]
pub struct DeleteArgs {
    /// Buckets to empty and delete (NAME or oss://NAME).
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
    /// Print events as NDJSON on stdout (the preflight first).
    #[arg(long)]
    pub json: bool,
    /// Empty what can be emptied (objects, versions, delete markers, uploads) and
    /// keep the buckets with their access points, accelerators and LiveChannels:
    /// for buckets the preflight says cannot be deleted.
    #[arg(long)]
    pub empty_only: bool,
    /// Append every deleted key and version id to FILE (NDJSON).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// The buckets are OSS Vectors buckets: delete their vector indexes, wait
    /// until none remain, then delete them.
    #[arg(long, conflicts_with = "empty_only")]
    pub vector: bool,
    /// Deny writes to the bucket while it is emptied (a bucket policy statement
    /// of ossweep's that ends by itself; the policy is put back afterwards).
    #[arg(long, conflicts_with = "vector")]
    pub freeze_writes: bool,
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
        super::out::error("name at least one bucket (or --from FILE)", exit::USAGE);
        return Ok(exit::USAGE);
    }
    let kind = if a.vector {
        BucketKind::Vector
    } else {
        BucketKind::Object
    };
    for b in buckets.iter().chain(&a.confirm) {
        let valid = match kind {
            BucketKind::Object => validate_bucket_name(b),
            BucketKind::Vector => crate::oss::vectors::validate_bucket_name(b),
        };
        if let Err(e) = valid {
            super::out::error(&e.to_string(), exit::USAGE);
            return Ok(exit::USAGE);
        }
    }
    if let Some(stray) = a.confirm.iter().find(|c| !buckets.contains(c)) {
        super::out::error(
            &format!("--confirm names {stray}, which is not among the buckets to delete"),
            exit::USAGE,
        );
        return Ok(exit::USAGE);
    }
    let s = settings(cli)?;
    let client = super::client(&s);
    let stop = super::stop::Stop::on_signals();

    // The engine's preflight of every bucket, shown before anything is asked or sent.
    let action = if a.empty_only {
        Action::empty_only()
    } else {
        Action::DeleteBucket
    };
    let preflights = match preflight::prepare_and_show(
        &client,
        preflight::Asked {
            kind,
            buckets: &buckets,
            prefix: None,
            action: &action,
            freeze_writes: a.freeze_writes,
        },
        &stop,
        a.json,
    )
    .await?
    {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let refused = engine::refusals(&preflights);
    if !refused.is_empty() {
        if a.json {
            super::out::text(&format!(
                "{}",
                serde_json::json!({ "event": "refused", "refusals": refused })
            ));
        }
        for r in &refused {
            let alt = format!(
                "To empty what can be emptied and keep the bucket with its access points, accelerators and LiveChannels: ossweep delete {} --empty-only --confirm {}",
                r.bucket, r.bucket
            );
            eprint!("{}", preflight::render_refusal(r, Some(&alt)));
        }
        if preflights.len() > 1 {
            eprintln!(
                "A batch runs only when every bucket in it can be deleted; nothing was sent."
            );
        } else {
            eprintln!("Nothing was sent.");
        }
        return Ok(exit::NOT_DELETABLE);
    }

    if !a.dry_run {
        if super::out::quiet() && !confirm::interactive() {
            // Quiet, and confirmed on the command line (or refused below).
        } else if a.empty_only {
            eprintln!(
                "This empties the buckets above for good; the buckets and their attachments stay."
            );
        } else {
            eprintln!(
                "This deletes everything above, then the buckets themselves. It cannot be undone."
            );
        }
        let unconfirmed: Vec<&String> = buckets.iter().filter(|b| !a.confirm.contains(b)).collect();
        if !unconfirmed.is_empty() {
            if !confirm::interactive() {
                let names: Vec<&str> = unconfirmed.iter().map(|s| s.as_str()).collect();
                super::out::refused(&format!("not confirmed: {} (pass --confirm NAME for each bucket); nothing was deleted", names.join(", ")), exit::REFUSED);
                return Ok(exit::REFUSED);
            }
            for b in unconfirmed {
                if !confirm::typed(&format!("Type {b} to confirm: "), b)
                    .map_err(|e| e.to_string())?
                {
                    super::out::refused(
                        "the name did not match; nothing was deleted",
                        exit::REFUSED,
                    );
                    return Ok(exit::REFUSED);
                }
            }
        }
    }

    let audit = runner::open_audit(a.report.as_deref(), &preflights, a.dry_run)?;
    let run = runner::Headless::new(a.report.as_deref(), a.dry_run, a.json, &stop);
    Ok(run.carry_out(&client, &preflights, audit).await)
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
