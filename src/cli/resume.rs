//! `ossweep resume`: lists interrupted runs, continues one, or discards them.
//! A resumed run does what was confirmed when it started (the journal keeps
//! that): it re-checks each bucket, settles the batches that were in flight,
//! lists only the spans not done, and appends to the same audit report. It asks
//! again only when the bucket now holds more than was confirmed.

use std::sync::Arc;

use crate::delete::Audit;
use crate::engine::journal::{self, Journal, Journaler, Stage};
use crate::oss::{Client, OssError};
use crate::units::count;

use super::{confirm, exit, runner, settings, Cli};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ossweep resume                 list interrupted runs
  ossweep resume --last          continue the most recent one
  ossweep resume 20261206-213504-1f2e --json
  ossweep resume --discard 20261206-213504-1f2e
  ossweep resume --discard-stale")]
pub struct ResumeArgs {
    /// The run to continue (an id from `ossweep resume`).
    pub run: Option<String>,
    /// Continue the most recent interrupted run.
    #[arg(long, conflicts_with = "run")]
    pub last: bool,
    /// Forget these runs: their journals go, nothing is sent.
    #[arg(long, value_name = "RUN", num_args = 1.., conflicts_with_all = ["run", "last"])]
    pub discard: Vec<String>,
    /// Forget the stale runs (untouched for 7 days, or whose buckets are gone).
    #[arg(long, conflicts_with_all = ["run", "last"])]
    pub discard_stale: bool,
    /// Accept a bucket that now holds more than was confirmed (name it again).
    #[arg(long, value_name = "NAME", num_args = 1..)]
    pub confirm: Vec<String>,
    /// Print events as NDJSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(cli: &Cli, a: &ResumeArgs) -> Result<u8, String> {
    let Some(dir) = journal::runs_dir() else {
        return Err("no state directory: ossweep keeps no journals here".into());
    };
    let s = settings(cli)?;
    let client = super::client(&s);
    let account = client.config().account_digest();
    let (runs, broken) = journal::list(&dir);
    let now = crate::oss::time::unix_secs(std::time::SystemTime::now());
    if !a.discard.is_empty() {
        for id in &a.discard {
            match Journaler::open(&dir, id) {
                Ok(j) => {
                    j.finish();
                    eprintln!("discarded run {id}: its journal is gone; nothing was sent");
                }
                Err(e) => {
                    super::out::error(&e.to_string(), exit::USAGE);
                    return Ok(exit::USAGE);
                }
            }
        }
        return Ok(exit::DONE);
    }
    let mine: Vec<&Journal> = runs.iter().filter(|j| j.account == account).collect();
    if a.discard_stale {
        let mut n = 0;
        for j in &mine {
            let gone = buckets_gone(&client, j).await;
            if j.is_stale(now) || gone {
                if let Ok(h) = Journaler::open(&dir, &j.id) {
                    h.finish();
                    n += 1;
                    eprintln!("discarded stale run {} ({})", j.id, j.bucket_names());
                }
            }
        }
        eprintln!("{n} stale run{} discarded", if n == 1 { "" } else { "s" });
        return Ok(exit::DONE);
    }
    let id = match (&a.run, a.last) {
        (Some(id), _) => id.clone(),
        (None, true) => match mine.first() {
            Some(j) => j.id.clone(),
            None => {
                eprintln!("no interrupted run of this account to resume");
                return Ok(exit::DONE);
            }
        },
        (None, false) => {
            list_runs(
                &client,
                &mine,
                &broken,
                runs.len() - mine.len(),
                now,
                a.json,
            )
            .await;
            return Ok(exit::DONE);
        }
    };
    let journal = match Journaler::open(&dir, &id) {
        Ok(j) => j,
        Err(e) => {
            super::out::error(&e.to_string(), exit::USAGE);
            return Ok(exit::USAGE);
        }
    };
    if journal.snapshot().account != account {
        eprintln!(
            "error: run {id} ran as another account or endpoint; resume it with the same profile, credentials and endpoint"
        );
        return Ok(exit::USAGE);
    }
    if let Some(code) = recheck(&client, &journal, &a.confirm, a.json).await? {
        return Ok(code);
    }
    let snap = journal.snapshot();
    if a.json {
        super::out::text(&format!(
            "{}",
            serde_json::json!({"event": "journal", "run": snap.id, "path": journal.path(), "resumed": true})
        ));
    } else {
        eprintln!("resuming run {}: {}", snap.id, snap.status());
    }
    let audit = match &snap.report {
        Some(p) => Audit::to_file(p)
            .map_err(|e| format!("cannot append to the report {}: {e}", p.display()))?,
        None => Audit::none(),
    };
    let stop = super::stop::Stop::on_signals();
    let summaries = runner::resume(&client, journal.clone(), audit, a.json, &stop).await;
    let mut worst = exit::DONE;
    for summary in &summaries {
        if !a.json {
            eprint!("{}", runner::describe(summary));
        }
        worst = worst.max(runner::exit_code(summary));
    }
    runner::resume_note(Some(&journal), a.json);
    if let (Some(p), false) = (&snap.report, a.json) {
        eprintln!("report: {}", p.display());
    }
    Ok(worst)
}

/// Before anything is sent: each bucket not finished must still exist (a
/// bucket gone that was to be deleted counts as done), and must not hold more
/// than was confirmed; if it does, the difference is shown and the bucket
/// must be named again (`--confirm` or at the prompt), else nothing is sent.
async fn recheck(
    client: &Client,
    journal: &Arc<Journaler>,
    confirmed_again: &[String],
    json: bool,
) -> Result<Option<u8>, String> {
    let snap = journal.snapshot();
    for b in &snap.buckets {
        if b.stage == Stage::Done {
            continue;
        }
        let c = &b.confirmed;
        if c.kind.is_vector() {
            continue;
        }
        match client.get_bucket_info(&c.bucket).await {
            Ok(_) => {}
            Err(OssError::Api(e)) if e.code == "NoSuchBucket" => {
                if c.action.deletes_bucket() {
                    // The interrupted session got as far as deleting it: the
                    // run settles its books from the journal.
                    eprintln!("{}: already deleted", c.bucket);
                    continue;
                }
                eprintln!(
                    "error: {} no longer exists; discard the run with: ossweep resume --discard {}",
                    c.bucket, snap.id
                );
                return Ok(Some(exit::ERROR));
            }
            Err(e) => {
                return Err(format!(
                    "{}: {}",
                    c.bucket,
                    e.to_string().lines().next().unwrap_or_default()
                ))
            }
        }
        let Some(grown) = growth(client, c).await else {
            continue;
        };
        let line = format!(
            "{}: it now holds {} more entr{} than the {} confirmed when the run started (new objects were written since)",
            c.bucket,
            count(grown),
            if grown == 1 { "y" } else { "ies" },
            count(c.entries())
        );
        if json {
            super::out::text(&format!(
                "{}",
                serde_json::json!({"event": "scope-grew", "bucket": c.bucket, "more": grown})
            ));
        }
        eprintln!("{line}");
        if confirmed_again.contains(&c.bucket) {
            continue;
        }
        if !confirm::interactive() {
            eprintln!(
                "refused: {} grew since it was confirmed; pass --confirm {} to delete the new entries too. Nothing was sent.",
                c.bucket, c.bucket
            );
            return Ok(Some(exit::REFUSED));
        }
        let ok = confirm::typed(
            &format!("Type {} to delete the new entries too: ", c.bucket),
            &c.bucket,
        )
        .map_err(|e| e.to_string())?;
        if !ok {
            eprintln!("refused: the name did not match; nothing was sent");
            return Ok(Some(exit::REFUSED));
        }
    }
    Ok(None)
}

/// How many more entries the bucket holds than were confirmed, by OSS's
/// statistics (`None`: not more, or it cannot tell: a prefix scope, a scope
/// without every object kind, statistics refused). Statistics lag, so only
/// growth beyond the confirmed count counts: a stale figure never asks twice.
async fn growth(client: &Client, c: &crate::engine::Confirmed) -> Option<u64> {
    use crate::vocab::Category;
    if c.prefix.is_some() {
        return None;
    }
    let scope = c.action.scope(c.kind);
    let kinds = [
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
    ];
    if !kinds.iter().all(|k| scope.contains(k)) {
        return None;
    }
    let stat = client.get_bucket_stat(&c.bucket).await.ok()?;
    let confirmed: u64 = c
        .goes
        .iter()
        .filter(|i| kinds.contains(&i.category))
        .map(|i| i.count)
        .sum();
    let now = stat.object_count + stat.delete_marker_count;
    now.checked_sub(confirmed).filter(|more| *more > 0)
}

async fn buckets_gone(client: &Client, j: &Journal) -> bool {
    for b in j.buckets.iter().filter(|b| b.stage != Stage::Done) {
        if b.confirmed.kind.is_vector() {
            continue;
        }
        match client.get_bucket_info(&b.confirmed.bucket).await {
            Err(OssError::Api(e)) if e.code == "NoSuchBucket" => {}
            _ => return false,
        }
    }
    true
}

async fn list_runs(
    client: &Client,
    mine: &[&Journal],
    broken: &[(String, String)],
    others: usize,
    now: i64,
    json: bool,
) {
    if json {
        let runs: Vec<serde_json::Value> = mine
            .iter()
            .map(|j| {
                serde_json::json!({
                    "run": j.id,
                    "buckets": j.buckets.iter().map(|b| &b.confirmed.bucket).collect::<Vec<_>>(),
                    "started": crate::oss::time::iso8601(j.started),
                    "percent": j.percent(),
                    "status": j.status(),
                    "stale": j.is_stale(now),
                })
            })
            .collect();
        super::out::text(&format!("{}", serde_json::json!({ "runs": runs })));
        return;
    }
    if mine.is_empty() {
        eprintln!("no interrupted run of this account");
    }
    for j in mine {
        let stale = if j.is_stale(now) {
            " (stale: untouched for over 7 days)"
        } else if buckets_gone(client, j).await {
            " (stale: its buckets are gone)"
        } else {
            ""
        };
        println!(
            "{}  {}  started {}  {}{stale}",
            j.id,
            crate::text::visible(&j.bucket_names()),
            crate::oss::time::iso8601(j.started),
            j.status()
        );
        let left: Vec<String> = j
            .buckets
            .iter()
            .filter(|b| b.stage != Stage::Done)
            .map(|b| {
                let deleted: u64 = b.deleted.values().map(|d| d.entries).sum();
                format!(
                    "{} ({} of {} entries left)",
                    b.confirmed.bucket,
                    count(b.confirmed.entries().saturating_sub(deleted)),
                    count(b.confirmed.entries())
                )
            })
            .collect();
        if !left.is_empty() {
            println!("    left: {}", crate::text::visible(&left.join(", ")));
        }
    }
    if !mine.is_empty() {
        eprintln!(
            "continue one with: ossweep resume RUN (or --last); forget one with --discard RUN"
        );
    }
    if others > 0 {
        eprintln!("({others} more belong to other accounts or endpoints)");
    }
    for (name, why) in broken {
        eprintln!("unreadable journal {name}: {why}");
    }
}
