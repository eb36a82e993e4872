//! `ossweep empty BUCKET`: clears categories without deleting the bucket.

use std::collections::BTreeMap;
use std::path::PathBuf;

use tokio_util::sync::CancellationToken;

use crate::delete::{Audit, Limiter, Plan};
use crate::oss::model::BucketStat;
use crate::oss::request::validate_bucket_name;
use crate::oss::Client;
use crate::vocab::Category;

use super::table::{bytes, count};
use super::{confirm, exit, runner, settings, Cli};

#[derive(Debug, clap::Args)]
pub struct EmptyArgs {
    pub bucket: String,
    /// Only these categories, comma-separated: objects, previous-versions,
    /// delete-markers, parts, live-channels, access-points, accelerators.
    #[arg(long, value_name = "CATEGORIES")]
    pub only: Option<String>,
    /// Only keys starting with this prefix (objects, versions, markers, parts).
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    /// Show what would be deleted; send no delete request.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for the bucket name (needed without a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Print events as NDJSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Append every deleted key and version id to FILE (NDJSON).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// `objects,parts` -> categories; an unknown name is a usage error.
pub fn parse_categories(s: &str) -> Result<Vec<Category>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            Category::parse(p).ok_or_else(|| {
                let known: Vec<&str> = Category::ALL.iter().map(|c| c.slug()).collect();
                format!("unknown category {p:?}; use {}", known.join(", "))
            })
        })
        .collect()
}

/// Progress estimates from OSS's statistics (whole bucket; none with a prefix).
pub fn estimates(stat: &BucketStat, categories: &[Category]) -> BTreeMap<Category, u64> {
    categories
        .iter()
        .map(|c| {
            let n = match c {
                Category::Objects => stat.object_count,
                Category::DeleteMarkers => stat.delete_marker_count,
                Category::Parts => stat.multipart_upload_count,
                Category::LiveChannels => stat.live_channel_count,
                // Counted in ObjectCount, or unknown and small.
                _ => 0,
            };
            (*c, n)
        })
        .collect()
}

pub fn describe_stat(stat: &BucketStat) -> String {
    format!(
        "about {} objects and versions ({}), {} delete markers, {} multipart uploads, {} LiveChannels (OSS statistics)",
        count(stat.object_count),
        bytes(stat.storage),
        count(stat.delete_marker_count),
        count(stat.multipart_upload_count),
        count(stat.live_channel_count)
    )
}

pub async fn run(cli: &Cli, a: &EmptyArgs) -> Result<u8, String> {
    if let Err(e) = validate_bucket_name(&a.bucket) {
        eprintln!("error: {e}");
        return Ok(exit::USAGE);
    }
    let categories = match &a.only {
        Some(s) => match parse_categories(s) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(exit::USAGE);
            }
        },
        // A prefix scopes objects, versions, markers and parts; the rest are bucket-wide.
        None if a.prefix.is_some() => Plan::everything()
            .into_iter()
            .filter(|c| c.is_object_kind() || *c == Category::Parts)
            .collect(),
        None => Plan::everything().into_iter().collect(),
    };
    let s = settings(cli)?;
    let client = Client::new(s.client);
    let mut plan = Plan::new(
        &a.bucket,
        categories.clone(),
        Limiter::new(s.concurrency.min(4), s.concurrency),
    );
    plan.prefix = a.prefix.clone();
    plan.dry_run = a.dry_run;
    if let Err(e) = plan.validate() {
        eprintln!("error: {e}");
        return Ok(exit::USAGE);
    }
    let stat = client
        .get_bucket_stat(&a.bucket)
        .await
        .map_err(|e| e.to_string())?;
    if a.prefix.is_none() {
        plan.estimates = estimates(&stat, &categories);
    }
    plan.audit = match &a.report {
        Some(path) => Audit::to_file(path)
            .map_err(|e| format!("cannot write the report {}: {e}", path.display()))?,
        // A dry run prints exactly what would be deleted.
        None if a.dry_run && !a.json => Audit::to_writer(std::io::stdout()),
        None => Audit::none(),
    };
    let what: Vec<&str> = categories.iter().map(|c| c.slug()).collect();
    let scope = a
        .prefix
        .as_deref()
        .map(|p| format!(" under prefix {p:?}"))
        .unwrap_or_default();
    eprintln!(
        "Emptying {} ({}){scope}: {}",
        a.bucket,
        what.join(", "),
        describe_stat(&stat)
    );
    if !a.dry_run {
        eprintln!("This cannot be undone. The bucket itself is kept.");
        if !a.yes {
            if !confirm::interactive() {
                eprintln!(
                    "refused: no terminal to confirm on; pass --yes to empty {} without a prompt",
                    a.bucket
                );
                return Ok(exit::REFUSED);
            }
            if !confirm::typed(
                &format!("Type the bucket name ({}) to confirm: ", a.bucket),
                &a.bucket,
            )
            .map_err(|e| e.to_string())?
            {
                eprintln!("refused: the name did not match; nothing was deleted");
                return Ok(exit::REFUSED);
            }
        }
    }
    let cancel = CancellationToken::new();
    runner::cancel_on_ctrl_c(cancel.clone());
    let summary = runner::run(&client, plan, a.json, &cancel).await;
    if !a.json {
        eprint!("{}", runner::describe(&summary));
        if let Some(path) = &a.report {
            eprintln!("  report: {}", path.display());
        }
    }
    Ok(runner::exit_code(&summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_parse_from_their_slugs() {
        assert_eq!(
            parse_categories("objects, parts").unwrap(),
            [Category::Objects, Category::Parts]
        );
        assert!(parse_categories("objcts")
            .unwrap_err()
            .contains("previous-versions"));
    }
}
