//! `ossweep expire BUCKET [--days N] [--remove]`: lifecycle rules that empty a
//! bucket server-side, for buckets too big to delete by API.

use std::path::PathBuf;

use crate::engine::expiry::{self, ExpiryError};
use crate::expire;
use crate::oss::request::validate_bucket_name;
use crate::oss::time;

use super::{confirm, exit, settings, Cli};

#[derive(Debug, clap::Args)]
pub struct ExpireArgs {
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
    if let Err(e) = validate_bucket_name(&a.bucket) {
        eprintln!("error: {e}");
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
        println!(
            "Restored the lifecycle configuration of {bucket} from {}.",
            path.display()
        );
        return Ok(exit::DONE);
    }
    if a.remove {
        match expire::installed(&ids) {
            None => println!("{bucket} has no ossweep lifecycle rules; nothing to remove."),
            Some(_) if expire::has_foreign_rules(&ids) => {
                eprintln!("error: {bucket}'s lifecycle configuration also holds rules ossweep did not write ({}); edit it in the console or use --restore FILE", ids.join(", "));
                return Ok(exit::ERROR);
            }
            Some(_) => {
                client
                    .delete_bucket_lifecycle(bucket)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("Removed ossweep's lifecycle rules from {bucket}. Objects not yet expired stay.");
            }
        }
        return Ok(exit::DONE);
    }

    let plan = match expiry::prepare(&client, bucket, a.days).await {
        Ok(p) => p,
        Err(ExpiryError::Days(d)) => {
            eprintln!("error: {}", ExpiryError::Days(d));
            return Ok(exit::USAGE);
        }
        Err(e) => return Err(e.to_string()),
    };
    if let Some(xml) = &plan.replaces {
        println!("{bucket} has {} lifecycle rule(s), which will be replaced (a backup is saved first):\n{}", plan.replaced_rules, xml.trim());
    }
    for line in plan.describe() {
        println!("{line}");
    }
    let now = time::unix_secs(std::time::SystemTime::now());
    println!(
        "The rules, exactly as they are sent:\n{}",
        plan.configuration(&time::date_only(now))
    );
    if !a.yes {
        if !confirm::interactive() {
            eprintln!("refused: no terminal to confirm on; pass --yes to install the rules");
            return Ok(exit::REFUSED);
        }
        if !confirm::typed(
            &format!("Type the bucket name ({bucket}) to confirm: "),
            bucket,
        )
        .map_err(|e| e.to_string())?
        {
            eprintln!("refused: the name did not match; nothing was changed");
            return Ok(exit::REFUSED);
        }
    }
    let backup = a
        .backup
        .clone()
        .unwrap_or_else(|| PathBuf::from(plan.backup_name(now)));
    let installed = expiry::install(&client, &plan, &backup, now)
        .await
        .map_err(|e| e.to_string())?;
    println!("{}", installed.describe(&plan));
    println!("{}", plan.next_step());
    Ok(exit::DONE)
}
