//! `ossweep account [--json]`: every bucket and vector bucket of the account,
//! what each costs a month and where it stands, and the totals
//! (`engine::account`). It only reads: statistics and a few configuration
//! reads per bucket, never a full listing.

use serde::Serialize;

use super::{exit, settings, table, Cli};
use crate::engine::account::{self, AccountView, Standing};

#[derive(Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    view: &'a AccountView,
    summary: String,
    /// What could not be read at all.
    notes: &'a [String],
}

pub async fn run(cli: &Cli, json: bool) -> Result<u8, String> {
    let s = settings(cli)?;
    let client = super::client(&s);
    let gathered = account::gather(&client).await.map_err(|e| {
        format!(
            "cannot list the buckets: {}",
            e.to_string().lines().next().unwrap_or_default()
        )
    })?;
    let now = crate::oss::time::unix_secs(std::time::SystemTime::now());
    let view = AccountView::build(&gathered.facts, &s.prices, now);
    if json {
        let out = Json {
            view: &view,
            summary: view.summary(),
            notes: &gathered.notes,
        };
        super::out::text(&serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
        return Ok(exit::DONE);
    }
    let cells: Vec<Vec<String>> = view
        .buckets
        .iter()
        .map(|b| {
            vec![
                b.name.clone(),
                b.kind.noun().to_string(),
                b.region.clone(),
                b.monthly.as_ref().map_or("?".into(), |m| m.cell()),
                b.standing.word(),
                b.holds.join(", "),
            ]
        })
        .collect();
    super::out::raw(&table::render(
        &["NAME", "KIND", "REGION", "A MONTH", "STANDING", "HOLDS"],
        &cells,
    ));
    for b in &view.buckets {
        if let Some(why) = b.standing.why() {
            super::out::text(&format!("  {}: {why}", b.name));
        }
        if let Standing::CanGo { lifecycle: true } = b.standing {
            super::out::text(&format!(
                "  {}: more than a day of API calls; empty it with lifecycle rules (ossweep expire {}) and delete it once they have run",
                b.name, b.name
            ));
        }
    }
    super::out::text(&format!("\n{}", view.summary()));
    super::out::text(&format!(
        "Standings come from OSS's statistics (lag up to an hour); every deletion scans its bucket and shows its preflight first. Money: {}.",
        view.basis
    ));
    if let Some(v) = &view.vector_buckets {
        super::out::text(&format!(
            "Vector buckets: {} ({}, as of {}).",
            v.note, v.source, v.as_of
        ));
    }
    super::out::text("What can still bill once every bucket is gone:");
    for s in &view.still_billing {
        super::out::text(&format!("  - {s}"));
    }
    for n in &gathered.notes {
        super::out::text(&format!("note: {n}"));
    }
    Ok(exit::DONE)
}
