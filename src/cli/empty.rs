//! `ossweep empty BUCKET`: clears categories without deleting the bucket, after
//! printing the engine's preflight.

use std::path::PathBuf;

use crate::blockers::Category;
use crate::delete::check_scope;
use crate::engine::Action;
use crate::oss::request::validate_bucket_name;
use crate::vocab::{BucketKind, Target};

use super::{confirm, exit, preflight, runner, settings, Cli};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ossweep empty acme-logs
  ossweep empty oss://acme-logs/2024/ --dry-run
  ossweep empty acme-media --only parts,live-channels --yes --json
  ossweep empty acme-embeddings --vector --only-index scratch
  ossweep empty acme-media --access-point analytics-ro
  ossweep empty acme-media --upload-id 0004B9894A22E5B1888A1E29F823ABCD")]
pub struct EmptyArgs {
    /// The bucket to clear: NAME, or oss://NAME/PREFIX for only the keys under PREFIX.
    pub bucket: String,
    /// Only these categories, comma-separated: objects, previous-versions,
    /// delete-markers, parts, live-channels, access-points, accelerators, or
    /// `all`. Default: objects, previous-versions, delete-markers and parts
    /// (the bucket's attachments stay unless named).
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
    /// BUCKET is an OSS Vectors bucket: delete its vector indexes (all of them,
    /// or those named with --only-index); the bucket stays.
    #[arg(long)]
    pub vector: bool,
    /// With --vector: only this index (repeat for several).
    #[arg(long, value_name = "IDX", requires = "vector")]
    pub only_index: Vec<String>,
    /// Only this access point (repeat for several); the others stay.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["only", "prefix", "vector", "live_channel", "upload_id"])]
    pub access_point: Vec<String>,
    /// Only this LiveChannel (repeat for several); the others stay.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["only", "prefix", "vector", "upload_id"])]
    pub live_channel: Vec<String>,
    /// Only the incomplete multipart upload with this upload id (repeat for
    /// several; `ossweep scan --json` lists them under `found`).
    #[arg(long, value_name = "ID", conflicts_with_all = ["only", "prefix", "vector"])]
    pub upload_id: Vec<String>,
    /// Deny writes to the bucket (under --prefix, to the prefix) while it is
    /// emptied: a bucket policy statement of ossweep's that ends by itself;
    /// the policy is put back afterwards.
    #[arg(long, conflicts_with = "vector")]
    pub freeze_writes: bool,
}

/// The action `empty` asks for, or a usage error (pure).
pub fn action_of(a: &EmptyArgs) -> Result<(BucketKind, Action), String> {
    if a.vector {
        crate::oss::vectors::validate_bucket_name(&a.bucket).map_err(|e| e.to_string())?;
        if a.only.is_some() || a.prefix.is_some() {
            return Err("--only and --prefix apply to object buckets; a vector bucket's indexes are chosen with --only-index".into());
        }
        for i in &a.only_index {
            crate::oss::vectors::validate_index_name(i).map_err(|e| e.to_string())?;
        }
        let action = if a.only_index.is_empty() {
            Action::clear_all(BucketKind::Vector)
        } else {
            Action::clear_indexes(a.only_index.iter().cloned())
        };
        return Ok((BucketKind::Vector, action));
    }
    validate_bucket_name(&a.bucket).map_err(|e| e.to_string())?;
    // Items named one by one: the preflight checks the scan found each.
    let named = |names: &[String], category: Category, upload: bool| {
        Action::clear_items(
            category,
            names.iter().map(|n| match upload {
                // The preflight finds the upload's key from its id.
                true => Target::upload(n),
                false => Target::named(n),
            }),
        )
    };
    if !a.access_point.is_empty() {
        return Ok((
            BucketKind::Object,
            named(&a.access_point, Category::AccessPoints, false),
        ));
    }
    if !a.live_channel.is_empty() {
        return Ok((
            BucketKind::Object,
            named(&a.live_channel, Category::LiveChannels, false),
        ));
    }
    if !a.upload_id.is_empty() {
        return Ok((
            BucketKind::Object,
            named(&a.upload_id, Category::Parts, true),
        ));
    }
    let action = match a.only.as_deref() {
        Some("all") => Action::clear_all(BucketKind::Object),
        Some(s) => Action::clear(parse_categories(s)?),
        // What a bucket stores; its attachments stay unless named with --only.
        None => Action::empty_only(),
    };
    check_scope(
        BucketKind::Object,
        &action.scope(BucketKind::Object),
        a.prefix.as_deref(),
        false,
    )?;
    Ok((BucketKind::Object, action))
}

/// `objects,parts` -> categories; an unknown name is a usage error.
pub fn parse_categories(s: &str) -> Result<Vec<Category>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let known: Vec<&str> = BucketKind::Object.clearable().map(|c| c.slug()).collect();
            match Category::parse(p) {
                Some(c) if c.kind() == BucketKind::Object && c.clearable() => Ok(c),
                Some(c) if c.kind() == BucketKind::Object => Err(format!(
                    "{} cannot be cleared by ossweep: {}",
                    c.slug(),
                    c.facts().never_cleared
                )),
                _ => {
                    let hint = crate::text::did_you_mean(p, &known)
                        .map(|k| format!("did you mean {k}? "))
                        .unwrap_or_default();
                    Err(format!(
                        "unknown category {p:?}; {hint}use {} (or all)",
                        known.join(", ")
                    ))
                }
            }
        })
        .collect()
}

pub async fn run(cli: &Cli, a: &EmptyArgs) -> Result<u8, String> {
    let (kind, action) = match action_of(a) {
        Ok(ka) => ka,
        Err(e) => {
            super::out::error(&e, exit::USAGE);
            return Ok(exit::USAGE);
        }
    };
    let s = settings(cli)?;
    let client = super::client(&s);
    let stop = super::stop::Stop::on_signals();
    let bucket = [a.bucket.clone()];
    let preflights = match preflight::prepare_and_show(
        &client,
        preflight::Asked {
            kind,
            buckets: &bucket,
            prefix: a.prefix.as_deref(),
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
    if let Some(r) = preflights[0].refusal() {
        if a.json {
            super::out::text(&format!(
                "{}",
                serde_json::json!({ "event": "refused", "refusals": [r] })
            ));
        }
        eprint!(
            "{}",
            preflight::render_refusal(&r, None).replace("cannot be deleted", "cannot be emptied")
        );
        eprintln!("Nothing was sent.");
        return Ok(exit::NOT_DELETABLE);
    }
    // A prefix that matches nothing is most likely a typo: never a success.
    if let Some(prefix) = &a.prefix {
        let p = &preflights[0];
        let nothing = p.goes.is_empty()
            && p.stays
                .iter()
                .filter(|i| i.category.is_data())
                .all(|i| i.count == 0);
        if nothing {
            super::out::error(
                &format!(
                    "prefix {:?} matches nothing in {} (no object, version, delete marker or upload under it); check the prefix. Nothing was sent.",
                    crate::text::visible(prefix),
                    a.bucket
                ),
                exit::ERROR,
            );
            return Ok(exit::ERROR);
        }
    }
    let audit = runner::open_audit(a.report.as_deref(), &preflights, a.dry_run)?;
    if !a.dry_run {
        if !super::out::quiet() || super::confirm::interactive() {
            eprintln!("This cannot be undone. The bucket itself is kept.");
        }
        if !a.yes {
            if !confirm::interactive() {
                super::out::refused(
                    &format!(
                        "no terminal to confirm on; pass --yes to empty {} without a prompt",
                        a.bucket
                    ),
                    exit::REFUSED,
                );
                return Ok(exit::REFUSED);
            }
            if !confirm::typed(
                &format!("Type the bucket name ({}) to confirm: ", a.bucket),
                &a.bucket,
            )
            .map_err(|e| e.to_string())?
            {
                super::out::refused("the name did not match; nothing was deleted", exit::REFUSED);
                return Ok(exit::REFUSED);
            }
        }
    }
    let run = runner::Headless::new(a.report.as_deref(), a.dry_run, a.json, &stop);
    Ok(run.carry_out(&client, &preflights, audit).await)
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
