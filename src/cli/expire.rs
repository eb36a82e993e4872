//! `ossweep expire BUCKET [--days N] [--remove]`: lifecycle rules that empty a
//! bucket server-side, for buckets too big to delete by API.

use std::path::PathBuf;

use crate::engine::expiry::{self, ExpiryError};
use crate::lifecycle;
use crate::oss::request::validate_bucket_name;
use crate::oss::time;

use super::{confirm, exit, settings, Cli};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ossweep expire acme-logs --days 1
  ossweep expire acme-logs --remove
  ossweep expire acme-logs --restore lifecycle-backup.json")]
pub struct ExpireArgs {
    /// The bucket whose lifecycle rules change: NAME or oss://NAME.
    pub bucket: String,
    /// Days after which objects, versions and parts expire.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub days: u32,
    /// Remove ossweep's rules again.
    #[arg(long, conflicts_with = "restore")]
    pub remove: bool,
    /// Put back a lifecycle configuration saved earlier (an XML file).
    #[arg(long, value_name = "FILE")]
    pub restore: Option<PathBuf>,
    /// Where to save the configuration being replaced (default: ./<bucket>-lifecycle-<time>.xml).
    #[arg(long, value_name = "FILE")]
    pub backup: Option<PathBuf>,
    /// Do not ask for the bucket name (needed without a terminal).
    #[arg(long)]
    pub yes: bool,
}

pub async fn run(cli: &Cli, a: &ExpireArgs) -> Result<u8, String> {
    let stop = super::stop::Stop::on_signals();
    tokio::select! {
        r = run_until(cli, a, &stop) => r,
        _ = stop.hard.cancelled() => {
            eprintln!("stopped at once: a lifecycle change in flight may or may not have been applied; `ossweep scan {}` shows the rules", a.bucket);
            Ok(exit::PARTIAL)
        }
    }
}

/// Says so and returns exit 3 when a signal came before anything was changed.
fn cancelled_before_change(stop: &super::stop::Stop) -> Option<u8> {
    stop.soft.is_cancelled().then(|| {
        eprintln!("cancelled; nothing was changed");
        exit::PARTIAL
    })
}

async fn run_until(cli: &Cli, a: &ExpireArgs, stop: &super::stop::Stop) -> Result<u8, String> {
    if let Err(e) = validate_bucket_name(&a.bucket) {
        super::out::error(&e.to_string(), exit::USAGE);
        return Ok(exit::USAGE);
    }
    let s = settings(cli)?;
    let client = super::client(&s);
    let bucket = a.bucket.as_str();
    let current = client
        .get_bucket_lifecycle(bucket)
        .await
        .map_err(|e| e.to_string())?;
    let ids: Vec<String> = current
        .as_ref()
        .map(|c| c.rules.iter().map(|r| r.id.clone()).collect())
        .unwrap_or_default();

    if let Some(path) = &a.restore {
        let xml = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        crate::oss::parse::bucket_lifecycle(&xml)
            .map_err(|e| format!("{} is not a lifecycle configuration: {e}", path.display()))?;
        client
            .put_bucket_lifecycle(bucket, &xml)
            .await
            .map_err(|e| e.to_string())?;
        super::out::text(&format!(
            "Restored the lifecycle configuration of {bucket} from {}.",
            path.display()
        ));
        return Ok(exit::DONE);
    }
    if a.remove {
        match lifecycle::installed(&ids) {
            None => super::out::text(&format!(
                "{bucket} has no ossweep lifecycle rules; nothing to remove."
            )),
            Some(_) if lifecycle::has_foreign_rules(&ids) => {
                super::out::error(&format!("{bucket}'s lifecycle configuration also holds rules ossweep did not write ({}); edit it in the console or use --restore FILE", ids.join(", ")), exit::ERROR);
                return Ok(exit::ERROR);
            }
            Some(_) => {
                client
                    .delete_bucket_lifecycle(bucket)
                    .await
                    .map_err(|e| e.to_string())?;
                super::out::text(&format!("Removed ossweep's lifecycle rules from {bucket}. Objects not yet expired stay."));
            }
        }
        return Ok(exit::DONE);
    }

    let prepared = tokio::select! {
        p = expiry::prepare(&client, bucket, a.days) => p,
        _ = stop.soft.cancelled() => return Ok(cancelled_before_change(stop).unwrap_or(exit::PARTIAL)),
    };
    let plan = match prepared {
        Ok(p) => p,
        Err(ExpiryError::Days(d)) => {
            super::out::error(&ExpiryError::Days(d).to_string(), exit::USAGE);
            return Ok(exit::USAGE);
        }
        Err(e) => return Err(e.to_string()),
    };
    if let Some(xml) = &plan.replaces {
        super::out::text(&format!("{bucket} has {} lifecycle rule(s), which will be replaced (a backup is saved first):\n{}", plan.replaced.len(), crate::text::visible(xml.trim())));
    }
    for line in plan.describe() {
        super::out::text(&line);
    }
    let now = time::unix_secs(std::time::SystemTime::now());
    super::out::text(&format!(
        "The rules, exactly as they are sent:\n{}",
        plan.configuration(&time::date_only(now))
    ));
    if !a.yes {
        if !confirm::interactive() {
            super::out::refused(
                "no terminal to confirm on; pass --yes to install the rules",
                exit::REFUSED,
            );
            return Ok(exit::REFUSED);
        }
        if !confirm::typed(
            &format!("Type the bucket name ({bucket}) to confirm: "),
            bucket,
        )
        .map_err(|e| e.to_string())?
        {
            super::out::refused("the name did not match; nothing was changed", exit::REFUSED);
            return Ok(exit::REFUSED);
        }
    }
    if let Some(code) = cancelled_before_change(stop) {
        return Ok(code);
    }
    let backup = a
        .backup
        .clone()
        .unwrap_or_else(|| PathBuf::from(plan.backup_name(now)));
    let installed = expiry::install(&client, &plan, &backup, now)
        .await
        .map_err(|e| e.to_string())?;
    super::out::text(&installed.describe(&plan));
    super::out::text(&plan.next_step());
    Ok(exit::DONE)
}
