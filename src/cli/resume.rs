//! `ossweep resume`: lists interrupted runs, continues one, or discards them.
//! A resumed run does what was confirmed when it started (the journal keeps
//! that), and nothing else: the engine's check (`engine::resume`) binds it to
//! the bucket confirmed, finds key by key what was written since, and compares
//! what the verdict rests on. What differs is shown, and the bucket must be
//! named again (`--confirm NAME`, or at the prompt); a bucket that is not the
//! one confirmed is never touched.

use crate::engine::journal::{shown_id, valid_id, Journal, Listing, Runs, Stage};
use crate::engine::resume::{self, CheckState, ResumeView};
use crate::engine::Account;
use crate::oss::Client;
use crate::text::visible;
use crate::units::count;

use super::{confirm, exit, runner, settings, Cli};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  ossweep resume                 list interrupted runs
  ossweep resume --last          continue the most recent one
  ossweep resume 20261206-213504-1f2e --json
  ossweep resume --last --confirm victim   (it changed since: name it again)
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
    /// Accept what changed in a bucket since the run was confirmed (new
    /// entries, new attachments, another configuration): name it again.
    #[arg(long, value_name = "NAME", num_args = 1..)]
    pub confirm: Vec<String>,
    /// Print events as NDJSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(cli: &Cli, a: &ResumeArgs) -> Result<u8, String> {
    let runs = match Runs::default_place() {
        None => return Err("no state directory: ossweep keeps no journals here".into()),
        Some(Err(e)) => return Err(format!("cannot open the runs directory: {e}")),
        Some(Ok(r)) => r,
    };
    if !a.discard.is_empty() {
        for id in &a.discard {
            // A run that may have left a write freeze on lifts it first.
            let client = if crate::engine::freeze::left_on(&runs, id) {
                Some(super::client(&settings(cli)?))
            } else {
                None
            };
            match crate::engine::freeze::discard(client.as_ref(), &runs, id).await {
                Ok(said) => {
                    for line in said {
                        eprintln!("{}", visible(&line));
                    }
                }
                Err(e) => {
                    // Lifting failed; otherwise no such run (a usage error).
                    let code = if client.is_some() {
                        exit::ERROR
                    } else {
                        exit::USAGE
                    };
                    super::out::error(&visible(&e), code);
                    return Ok(code);
                }
            }
        }
        return Ok(exit::DONE);
    }
    if let Some(id) = a.run.as_deref().filter(|id| !valid_id(id)) {
        super::out::error(
            &format!(
                "{} is not a run id (they look like 20261206-213504-1f2e; ossweep resume lists them)",
                shown_id(id)
            ),
            exit::USAGE,
        );
        return Ok(exit::USAGE);
    }
    let s = settings(cli)?;
    let client = super::client(&s);
    let account = Account::of(&client).await;
    let listing = runs.list();
    let now = crate::oss::time::unix_secs(std::time::SystemTime::now());
    let mine: Vec<&Journal> = listing
        .runs
        .iter()
        .filter(|j| account.owns(j) && !j.finished())
        .collect();
    let others = listing.runs.iter().filter(|j| !account.owns(j)).count();
    if a.discard_stale {
        let mut n = 0;
        for j in &mine {
            if (j.is_stale(now) || buckets_gone(&client, j).await) && runs.discard(&j.id).is_ok() {
                n += 1;
                eprintln!(
                    "discarded stale run {} ({})",
                    j.id,
                    visible(&j.bucket_names())
                );
            }
        }
        eprintln!("{n} stale run{} discarded", if n == 1 { "" } else { "s" });
        return Ok(exit::DONE);
    }
    let id = match (&a.run, a.last) {
        (Some(id), _) => id.clone(),
        (None, true) => {
            name_unreadable(&listing);
            match mine.first() {
                Some(j) => j.id.clone(),
                None => {
                    // Nothing was asked of OSS and nothing continues: a script
                    // asking to resume learns there was nothing (exit 1).
                    super::out::error(
                        &format!(
                            "no interrupted run of this account to resume{}",
                            elsewhere(others)
                        ),
                        exit::ERROR,
                    );
                    return Ok(exit::ERROR);
                }
            }
        }
        (None, false) => {
            list_runs(&client, &mine, &listing, others, now, a.json).await;
            return Ok(exit::DONE);
        }
    };
    // A run with nothing left but a write freeze to lift: lift it.
    let only_frozen = runs.open(&id).is_ok_and(|j| {
        let snap = j.snapshot();
        account.owns(&snap)
            && snap.frozen_until().is_some()
            && snap.buckets.iter().all(|b| b.stage == Stage::Done)
    });
    if only_frozen {
        return match crate::engine::freeze::lift_left_on(&client, &runs, &id, true).await {
            Ok(said) => {
                for line in said {
                    eprintln!("{}", visible(&line));
                }
                eprintln!(
                    "run {id} is over: every bucket was done, and its write freeze is lifted"
                );
                Ok(exit::DONE)
            }
            Err(e) => {
                super::out::error(&visible(&e), exit::ERROR);
                Ok(exit::ERROR)
            }
        };
    }
    let stop = super::stop::Stop::on_signals();
    if !a.json {
        eprintln!("checking run {id}: is each bucket the one confirmed, and what changed since?");
        if let Some(line) = runs
            .open(&id)
            .ok()
            .and_then(|j| j.snapshot().freeze_line(now))
        {
            eprintln!("{}", visible(&line));
        }
    }
    let checked = tokio::select! {
        c = resume::check(&client, &runs, &account, &id, &stop.soft) => c,
        _ = stop.hard.cancelled() => Err("cancelled during the check; nothing was sent".into()),
    };
    let check = match checked {
        Ok(c) => c,
        Err(e) => {
            super::out::error(&format!("{e}; nothing was sent"), exit::ERROR);
            return Ok(exit::ERROR);
        }
    };
    show_check(&check.view, a.json);
    if !check.view.refusals().is_empty() {
        // Each refused bucket said why above.
        super::out::refused(
            &format!("nothing was sent. Forget the run with: ossweep resume --discard {id}"),
            exit::REFUSED,
        );
        return Ok(exit::REFUSED);
    }
    let mut named: Vec<String> = a.confirm.clone();
    for bucket in check.view.to_confirm() {
        if named.iter().any(|n| n == bucket) {
            continue;
        }
        if !confirm::interactive() {
            super::out::refused(&format!(
                "{bucket} holds what was never confirmed (above); pass --confirm {bucket} to take it in. Nothing was sent."
            ), exit::REFUSED);
            return Ok(exit::REFUSED);
        }
        let ok = confirm::typed(
            &format!("Type {bucket} to take in what changed, and go on: "),
            bucket,
        )
        .map_err(|e| e.to_string())?;
        if !ok {
            super::out::refused("the name did not match; nothing was sent", exit::REFUSED);
            return Ok(exit::REFUSED);
        }
        named.push(bucket.to_string());
    }
    let accepted = match check.accept(&named).await {
        Ok(a) => a,
        Err(e) => {
            super::out::error(&e, exit::REFUSED);
            return Ok(exit::REFUSED);
        }
    };
    let journal = accepted.journal().clone();
    let snap = journal.snapshot();
    if a.json {
        super::out::text(&format!(
            "{}",
            serde_json::json!({"event": "journal", "run": snap.id, "path": journal.path(), "resumed": true})
        ));
    } else {
        eprintln!("resuming run {}: {}", snap.id, snap.status());
    }
    let summaries = runner::resume(&client, accepted, a.json, &stop).await;
    let mut worst = exit::DONE;
    for summary in &summaries {
        if !a.json {
            eprint!("{}", runner::describe(summary, snap.report.as_deref()));
        }
        worst = worst.max(runner::exit_code(summary));
    }
    runner::resume_note(Some(&journal), a.json);
    if let (Some(p), false) = (&snap.report, a.json) {
        eprintln!("report: {}", visible(&p.display().to_string()));
    }
    Ok(worst)
}

/// " (2 more belong to other accounts or endpoints)", or nothing.
fn elsewhere(others: usize) -> String {
    match others {
        0 => String::new(),
        1 => " (1 run belongs to another account or endpoint)".into(),
        n => format!(" ({n} runs belong to other accounts or endpoints)"),
    }
}

/// Says which journals cannot be resumed, and how to forget them.
fn name_unreadable(listing: &Listing) {
    for u in &listing.unreadable {
        eprintln!("unreadable journal {}: {}", u.file, u.why);
    }
    if let Some(u) = listing.unreadable.first() {
        let id = u.file.strip_suffix(".json").unwrap_or(&u.file);
        if valid_id(id) {
            eprintln!("forget one with: ossweep resume --discard {id}");
        }
    }
}

/// What the check found, for people (stderr), and with `--json` as a
/// `resume-check` event.
fn show_check(view: &ResumeView, json: bool) {
    if json {
        super::out::line(&serde_json::json!({ "event": "resume-check", "check": view }));
    }
    for b in &view.buckets {
        let scope = b
            .prefix
            .as_deref()
            .map(|p| format!(" under prefix {:?}", visible(p)))
            .unwrap_or_default();
        let state = match &b.state {
            CheckState::Done => "finished earlier".to_string(),
            CheckState::Gone => "already deleted".to_string(),
            CheckState::Resumable if b.differences.is_empty() => {
                format!(
                    "the bucket confirmed, nothing new; {}",
                    resume::left_line(b)
                )
            }
            CheckState::Resumable => format!(
                "the bucket confirmed; {}; it changed since:",
                resume::left_line(b)
            ),
            CheckState::Refused(why) => format!("REFUSED: {why}"),
        };
        eprintln!("{}{scope}: {}", visible(&b.bucket), visible(&state));
        if b.state == CheckState::Resumable {
            eprintln!("  confirmed: {}", visible(&b.confirmed));
            if let Some(line) = resume::freeze_line(b) {
                eprintln!("  {line}");
            }
        }
        for d in &b.differences {
            eprintln!("  ! {}", visible(d));
        }
        if !b.differences.is_empty() {
            for r in b.risks.iter().filter(|r| r.kind != "irreversible") {
                eprintln!("  {} {}", r.severity.mark(), visible(&r.text));
            }
        }
    }
}

async fn buckets_gone(client: &Client, j: &Journal) -> bool {
    for b in j.buckets.iter().filter(|b| b.stage != Stage::Done) {
        if b.confirmed.kind.is_vector() {
            continue;
        }
        match client.get_bucket_info(&b.confirmed.bucket).await {
            Err(e) if e.is_code("NoSuchBucket") => {}
            _ => return false,
        }
    }
    true
}

async fn list_runs(
    client: &Client,
    mine: &[&Journal],
    listing: &Listing,
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
                    "frozen_until": j.frozen_until().map(crate::oss::time::iso8601_seconds),
                })
            })
            .collect();
        let unreadable: Vec<serde_json::Value> = listing
            .unreadable
            .iter()
            .map(|u| serde_json::json!({"file": u.file, "why": u.why}))
            .collect();
        super::out::text(&format!(
            "{}",
            serde_json::json!({ "runs": runs, "unreadable": unreadable, "other_accounts": others })
        ));
        return;
    }
    if mine.is_empty() {
        eprintln!("no interrupted run of this account{}", elsewhere(others));
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
            visible(&j.bucket_names()),
            crate::oss::time::iso8601(j.started),
            j.status()
        );
        let left: Vec<String> = j
            .buckets
            .iter()
            .filter(|b| b.stage != Stage::Done)
            .map(|b| {
                format!(
                    "{} ({} of {} entries left)",
                    b.confirmed.bucket,
                    count(b.left()),
                    count(b.confirmed.entries())
                )
            })
            .collect();
        if !left.is_empty() {
            println!("    left: {}", visible(&left.join(", ")));
        }
        if let Some(line) = j.freeze_line(now) {
            println!("    {}", visible(&line));
        }
    }
    if !mine.is_empty() {
        eprintln!(
            "continue one with: ossweep resume RUN (or --last); forget one with --discard RUN"
        );
        if others > 0 {
            eprintln!("{}", elsewhere(others).trim());
        }
    }
    name_unreadable(listing);
}
