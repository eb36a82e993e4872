//! Runs the engine for the headless commands: progress on stderr (or NDJSON
//! events on stdout with `--json`), Ctrl-C cancels between batches.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::blockers::Category;
use crate::delete::progress::{eta_secs, ProgressState};
use crate::delete::{Event, RunError, Summary};
use crate::engine::{self, Preflight, RunFailed, RunOptions};
use crate::oss::Client;
use crate::units::duration;

use super::out;
use super::stop::Stop;
use super::table::{bytes, count};

/// One progress line: bar, counts, rate, ETA, throttling.
pub fn progress_line(p: &ProgressState, rate: f64, elapsed: Duration) -> String {
    let done = p.done();
    let verb = if p.dry_run { "listed" } else { "deleted" };
    let mut line = match p.total() {
        Some(total) if total > 0 => {
            let frac = (done as f64 / total as f64).min(1.0);
            let filled = (frac * 20.0).round() as usize;
            format!(
                "[{}{}] {:>3}% {} / {} {verb}",
                "#".repeat(filled),
                "-".repeat(20 - filled),
                (frac * 100.0) as u32,
                count(done),
                count(total)
            )
        }
        _ => format!("{} {verb}", count(done)),
    };
    line.push_str(&format!(", {}/s, {}", count(rate as u64), bytes(p.bytes())));
    if let Some(eta) = eta_secs(done, p.total(), rate) {
        line.push_str(&format!(", ETA {}", duration(eta)));
    }
    line.push_str(&format!(", {} elapsed", duration(elapsed.as_secs())));
    if p.throttles > 0 {
        line.push_str(&format!(", throttled {}x", p.throttles));
    }
    if let Some(c) = p.concurrency {
        line.push_str(&format!(", {c} in flight"));
    }
    if p.failed() > 0 {
        line.push_str(&format!(", {} failed", count(p.failed())));
    }
    if let Some(pass) = p.verifying {
        line.push_str(&format!(", verifying (pass {pass})"));
    }
    line
}

/// Runs confirmed preflights to their end through the engine, showing progress.
/// A first signal stops the run after the batches in flight; a second stops
/// waiting for them, and the summaries say what the events so far showed.
pub async fn run(
    client: &Client,
    preflights: &[Preflight],
    opts: RunOptions,
    json: bool,
    stop: &Stop,
) -> Vec<Summary> {
    let launched = engine::launch::start(client, preflights, opts, stop.soft.clone());
    let buckets = preflights.iter().map(|p| p.bucket.clone()).collect();
    show(launched, buckets, json, stop).await
}

/// Continues an accepted resume through the engine, showing progress as `run` does.
pub async fn resume(
    client: &Client,
    accepted: engine::AcceptedResume,
    json: bool,
    stop: &Stop,
) -> Vec<Summary> {
    let buckets = accepted
        .view
        .resumable()
        .iter()
        .map(|b| b.bucket.clone())
        .collect();
    let launched = engine::launch::resume(client, accepted, stop.soft.clone());
    show(launched, buckets, json, stop).await
}

/// Whether the failures of an `ItemsFailed` event just applied opened their
/// group (category and code): only those are printed as they come, the
/// summary counts the rest.
fn first_of_its_kind(state: &ProgressState, category: Category, code: &str, n: u64) -> bool {
    state
        .failures
        .iter()
        .find(|g| g.category == category && g.code == code)
        .is_some_and(|g| g.count == n)
}

/// Shows a run's events until it ends; returns its summaries.
async fn show(
    launched: engine::Launched,
    buckets: Vec<String>,
    json: bool,
    stop: &Stop,
) -> Vec<Summary> {
    let engine::Launched {
        events: mut rx,
        done: task,
    } = launched;
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut state = ProgressState::default();
    let mut last_draw = Instant::now() - Duration::from_secs(10);
    let mut window: std::collections::VecDeque<(Instant, u64)> = Default::default();
    // Summaries of the buckets already finished, for a run abandoned part-way.
    let mut finished: Vec<Summary> = Vec::new();
    loop {
        let e = tokio::select! {
            e = rx.recv() => match e {
                Some(e) => e,
                None => break,
            },
            _ = stop.hard.cancelled() => {
                task.abort();
                if tty && !json {
                    eprint!("\r\x1b[K");
                }
                if !state.bucket.is_empty() {
                    finished.push(state.summary_so_far());
                }
                return finished;
            }
        };
        state.apply(&e);
        if let Event::Finished { summary } | Event::Cancelled { summary } = &e {
            finished.push(summary.as_ref().clone());
            state = ProgressState::default();
            // The next bucket's rate starts afresh.
            window.clear();
        }
        if json {
            out::line(&e);
            continue;
        }
        match &e {
            Event::ItemsFailed {
                category,
                count: n,
                code,
                message,
                sample,
                ..
            } if first_of_its_kind(&state, *category, code, *n) => {
                let example = sample
                    .first()
                    .map(|s| format!(" (e.g. {:?})", s.key))
                    .unwrap_or_default();
                eprint!("{}", if tty { "\r\x1b[K" } else { "" });
                eprintln!(
                    "  ! {}: {}: {}{example}",
                    category.counted(*n),
                    crate::text::visible(code),
                    crate::text::visible(message)
                );
            }
            Event::ItemsSkipped {
                category,
                count: n,
                reason,
                ..
            } => {
                eprint!("{}", if tty { "\r\x1b[K" } else { "" });
                let what = if *n == 0 {
                    category.noun().to_string()
                } else {
                    category.counted(*n)
                };
                eprintln!("  - skipped {what}: {reason}");
            }
            _ => {}
        }
        let now = Instant::now();
        // What earlier sessions of a resumed run deleted is not this one's rate.
        if let Event::Progress { requests: 0, .. } = &e {
            window.clear();
        }
        window.push_back((now, state.done()));
        while window.len() > 2 && now.duration_since(window[0].0) > Duration::from_secs(5) {
            window.pop_front();
        }
        let rate = match (window.front(), window.back()) {
            (Some(a), Some(b)) if b.0 > a.0 => {
                b.1.saturating_sub(a.1) as f64 / b.0.duration_since(a.0).as_secs_f64()
            }
            _ => 0.0,
        };
        let interval = if tty {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(5)
        };
        if now.duration_since(last_draw) >= interval
            && matches!(e, Event::Progress { .. })
            && !super::out::quiet()
        {
            last_draw = now;
            let line = progress_line(&state, rate, started.elapsed());
            if tty {
                eprint!("\r\x1b[K{line}");
                let _ = std::io::stderr().flush();
            } else {
                eprintln!("{line}");
            }
        }
    }
    if tty && !json {
        eprint!("\r\x1b[K");
    }
    let failed = |why: RunError| {
        buckets
            .iter()
            .map(|b| Summary {
                bucket: b.clone(),
                error: Some(why.clone()),
                ..Default::default()
            })
            .collect()
    };
    match engine::Launched::end(task).await {
        Ok(summaries) => summaries,
        Err(RunFailed::Refused(refused)) => failed(RunError::local(
            "refused",
            refused
                .iter()
                .flat_map(|r| r.reasons.clone())
                .collect::<Vec<_>>()
                .join("; "),
        )),
        Err(RunFailed::Stopped(why)) => failed(RunError::local("refused", why)),
        Err(RunFailed::Crashed(why)) => failed(RunError::local("the deletion task failed", why)),
    }
}

/// A confirmed headless run (`delete`, `empty`): how it reports and stops.
pub struct Headless<'a> {
    pub report: Option<&'a std::path::Path>,
    pub dry_run: bool,
    pub json: bool,
    pub stop: &'a Stop,
}

impl<'a> Headless<'a> {
    pub fn new(
        report: Option<&'a std::path::Path>,
        dry_run: bool,
        json: bool,
        stop: &'a Stop,
    ) -> Self {
        Headless {
            report,
            dry_run,
            json,
            stop,
        }
    }

    /// Runs the confirmed preflights and says, bucket by bucket, what was
    /// done and what it means; returns the exit code the worst one earns.
    pub async fn carry_out(
        &self,
        client: &Client,
        preflights: &[Preflight],
        audit: crate::delete::Audit,
    ) -> u8 {
        let summaries = match run_journaled(
            client,
            preflights,
            audit,
            self.report,
            self.dry_run,
            self.json,
            self.stop,
        )
        .await
        {
            Ok(s) => s,
            Err(code) => return code,
        };
        let mut worst = super::exit::DONE;
        for (summary, p) in summaries.iter().zip(preflights) {
            if !self.json {
                eprint!("{}", describe(summary, self.report));
                eprintln!("  {}", crate::text::visible(&p.outcome(summary)));
                // Quiet: the outcome alone.
                if let Some(money) = p.money_outcome(summary).filter(|_| !super::out::quiet()) {
                    eprintln!("  {money}");
                }
            }
            worst = worst.max(exit_code(summary));
        }
        if let (Some(p), false) = (self.report, self.json) {
            eprintln!("report: {}", p.display());
        }
        worst
    }
}

/// Runs confirmed preflights as `delete` and `empty` do: their session first
/// (journal and locks; refused, exit 4, when another run holds a bucket), then
/// the run with its progress, then how to resume it if it was interrupted.
#[allow(clippy::too_many_arguments)]
async fn run_journaled(
    client: &Client,
    preflights: &[Preflight],
    audit: crate::delete::Audit,
    report: Option<&std::path::Path>,
    dry_run: bool,
    json: bool,
    stop: &Stop,
) -> Result<Vec<Summary>, u8> {
    let session = match start_session(client, preflights, report, dry_run, json).await {
        Ok(s) => s,
        Err(busy) => {
            out::error(&format!("{busy}; nothing was sent"), super::exit::REFUSED);
            return Err(super::exit::REFUSED);
        }
    };
    let journal = session.as_ref().map(|s| s.journal().clone());
    let opts = RunOptions {
        dry_run,
        audit,
        session,
    };
    let summaries = run(client, preflights, opts, json, stop).await;
    resume_note(journal.as_deref(), json);
    Ok(summaries)
}

/// Starts the session of a run through the engine (none for a dry run) and
/// says its id: on stderr, or as a `journal` event with `--json`; a run that
/// keeps no journal is warned about. `Err` when another run holds one of the
/// buckets: nothing may be sent.
async fn start_session(
    client: &Client,
    preflights: &[Preflight],
    report: Option<&std::path::Path>,
    dry_run: bool,
    json: bool,
) -> Result<Option<engine::Session>, String> {
    let unjournaled = |why: &dyn std::fmt::Display| {
        eprintln!("warning: the run keeps no journal ({why}); an interrupted run cannot be resumed")
    };
    let runs = match engine::journal::Runs::default_place() {
        Some(Ok(r)) => Some(r),
        Some(Err(e)) if !dry_run => {
            unjournaled(&e);
            None
        }
        _ => None,
    };
    let started =
        engine::session::start(client, runs.as_ref(), report, preflights, dry_run).await?;
    if let Some(why) = &started.unjournaled {
        unjournaled(why);
    }
    if let Some(j) = started.session.as_ref().map(|s| s.journal()) {
        if json {
            out::line(&serde_json::json!({
                "event": "journal",
                "run": j.id(),
                "path": j.path(),
            }));
        } else if !out::quiet() {
            eprintln!(
                "run {} (if it is interrupted: ossweep resume {})",
                j.id(),
                j.id()
            );
        }
    }
    Ok(started.session)
}

/// After a run: when its journal is still there (the run did not finish),
/// how to resume it; with `--json` an `interrupted` event.
pub fn resume_note(journal: Option<&engine::journal::Journaler>, json: bool) {
    let Some(j) = journal.filter(|j| j.path().exists()) else {
        return;
    };
    let snap = j.snapshot();
    if snap
        .buckets
        .iter()
        .all(|b| b.stage == engine::journal::Stage::Done)
    {
        // Kept only for a write freeze left on: its summary said so, loudly.
        return;
    }
    let now = crate::oss::time::unix_secs(std::time::SystemTime::now());
    if json {
        out::text(&format!(
            "{}",
            serde_json::json!({
                "event": "interrupted",
                "run": snap.id,
                "status": snap.status(),
                "resume": format!("ossweep resume {}", snap.id),
                "frozen_until": snap.frozen_until().map(crate::oss::time::iso8601_seconds),
            })
        ));
    } else {
        eprintln!(
            "interrupted: {}. Resume with: ossweep resume {}",
            snap.status(),
            snap.id
        );
        // A stop at once leaves the freeze on: never silently.
        if let Some(line) = snap.freeze_line(now) {
            eprintln!("WRITES STAY FROZEN: {}", crate::text::visible(&line));
        }
    }
}

/// After the wizard quit mid-run, on the restored terminal: each bucket's
/// summary, the report's path and how to resume; the exit code they earn
/// (3 when the run stopped short). A wizard closed otherwise exits 0.
pub fn farewell(quitted: Option<crate::tui::app::Quitted>) -> u8 {
    let Some(q) = quitted else {
        return super::exit::DONE;
    };
    let mut worst = super::exit::DONE;
    for s in &q.summaries {
        eprint!("{}", describe(s, q.report_file.as_deref()));
        worst = worst.max(exit_code(s));
    }
    if let Some(e) = &q.error {
        eprintln!("the run stopped: {}", crate::text::visible(&e.to_string()));
        worst = worst.max(super::exit::PARTIAL);
    }
    if let Some(p) = &q.report_file {
        eprintln!("report: {}", p.display());
    }
    if q.summaries.is_empty() {
        // Quit before any bucket's summary: nothing is known to be complete.
        worst = worst.max(super::exit::PARTIAL);
    }
    if let (Some(id), true) = (&q.resume, worst != super::exit::DONE) {
        eprintln!("interrupted: the rest can be resumed with: ossweep resume {id}");
    }
    worst
}

/// The audit trail of a headless run: the `--report` file (refused, before
/// anything is sent, when it cannot be written), or for a dry run each item
/// it would delete on stdout (NDJSON, among the `--json` events too:
/// `"action":"would-delete"`).
pub fn open_audit(
    report: Option<&std::path::Path>,
    preflights: &[Preflight],
    dry_run: bool,
) -> Result<crate::delete::Audit, String> {
    let to = match report {
        Some(p) => engine::session::ReportTo::File(p.to_path_buf()),
        None => engine::session::ReportTo::Nowhere,
    };
    to.open(preflights, dry_run).map(|(audit, _)| audit)
}

/// The closing report of a run, for people.
pub fn describe(s: &Summary, report: Option<&std::path::Path>) -> String {
    let full = describe_fully(s, report);
    if super::out::quiet() {
        // The headline only; the outcome line follows it.
        return full
            .lines()
            .next()
            .map(|l| format!("{l}\n"))
            .unwrap_or_default();
    }
    full
}

fn describe_fully(s: &Summary, report: Option<&std::path::Path>) -> String {
    let mut out = String::new();
    let verb = if s.dry_run { "would delete" } else { "deleted" };
    out.push_str(&format!(
        "{}: {verb} {} ({})",
        s.bucket,
        crate::units::counted(s.deleted(), "item", "items"),
        s.bytes_text()
    ));
    if s.earlier.is_some() {
        // A resumed run: the totals are the whole run's, the requests and
        // the time this session's.
        let (n, b) = s.this_session();
        out.push_str(&format!(
            " in all its sessions; this session {verb} {} ({})",
            count(n),
            crate::units::bytes(b)
        ));
    }
    if !s.dry_run {
        out.push_str(&format!(
            " with {} ({} of them deleting)",
            crate::units::counted(s.sent, "request", "requests"),
            count(s.requests)
        ));
    }
    out.push_str(&format!(" in {}", duration(s.elapsed_ms / 1000)));
    if s.retries > 0 || s.throttles > 0 {
        out.push_str(&format!(
            "; {} retries, {} throttled",
            s.retries, s.throttles
        ));
    }
    out.push('\n');
    for (c, t) in &s.categories {
        if t.deleted + t.failed + t.skipped > 0 {
            out.push_str(&format!(
                "  {:<32} {:>12} {verb}",
                c.label(),
                count(t.deleted)
            ));
            if t.failed > 0 {
                out.push_str(&format!(", {} failed", count(t.failed)));
            }
            if t.skipped > 0 {
                out.push_str(&format!(", {} skipped", count(t.skipped)));
            }
            out.push('\n');
        }
    }
    // Grouped by category and code; every failed key is in the report.
    for g in &s.failure_groups {
        out.push_str(&format!("  failed: {}\n", g.line()));
    }
    if s.failures_total > 0 {
        // Never a pointer to a report that does not exist.
        out.push_str(&match report {
            Some(p) => format!(
                "  every failed key is in the report {}\n",
                crate::text::visible(&p.display().to_string())
            ),
            None => "  run with --report FILE to keep every failed key\n".to_string(),
        });
    }
    if let Some(line) = s.replies_line() {
        out.push_str(&format!("  {line}\n"));
    }
    if !s.dry_run && !s.verified.is_empty() {
        let names: Vec<&str> = s.verified.iter().map(|c| c.slug()).collect();
        let what = match (&s.prefix, s.named_items) {
            (_, n) if n > 0 => "verified by a fresh listing (none of the named items left)".into(),
            (Some(p), _) => format!(
                "verified empty under prefix {:?} by a fresh listing (the rest of the bucket was not part of the run)",
                crate::text::visible(p)
            ),
            (None, _) => "verified empty by a fresh listing".to_string(),
        };
        out.push_str(&format!("  {what}: {}\n", names.join(", ")));
    }
    let abandoned = s
        .error
        .as_ref()
        .is_some_and(|e| e.kind == crate::delete::event::StopKind::Abandoned);
    if s.cancelled && !abandoned {
        out.push_str("  cancelled: stopped after the batches in flight; nothing else was sent.\n");
    }
    if let Some(e) = &s.error {
        out.push_str(&format!("  stopped: {e}\n"));
    }
    if let Some(kept) = s.unconfirmed_line() {
        out.push_str(&format!("  {kept}\n"));
    }
    if let Some(again) = s.listed_again_line() {
        out.push_str(&format!("  {again}\n"));
    }
    if let Some(denied) = s.permission_line() {
        out.push_str(&format!("  {denied}\n"));
    }
    if s.deleted_elsewhere {
        out.push_str(&format!(
            "  {} {} was deleted by someone else during the run (OSS answers NoSuchBucket): nothing of it remains.\n",
            s.kind.noun(),
            s.bucket
        ));
    }
    if s.bucket_deleted {
        out.push_str(&format!(
            "  {} {} deleted.{}\n",
            s.kind.noun(),
            s.bucket,
            s.name_note().map(|n| format!(" {n}")).unwrap_or_default()
        ));
    }
    if let Some(r) = &s.remaining {
        out.push_str(&format!("  bucket kept: {}\n", r.explanation));
    }
    match &s.freeze {
        // The stop above says it.
        None | Some(crate::freeze::FreezeOutcome::NotApplied { .. }) => {}
        Some(f) => out.push_str(&format!("  {}\n", f.sentence())),
    }
    crate::text::visible_lines(&out)
}

/// The exit code a summary earns.
pub fn exit_code(s: &Summary) -> u8 {
    if s.complete() {
        super::exit::DONE
    } else if s.error.is_some() && s.deleted() == 0 {
        super::exit::ERROR
    } else {
        super::exit::PARTIAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blockers::Category;
    use crate::delete::event::CategoryTotals;

    #[test]
    fn progress_line_shows_bar_rate_eta_and_throttling() {
        let mut p = ProgressState::default();
        p.apply(&Event::CategoryStarted {
            bucket: "b".into(),
            category: Category::Objects,
            estimate: Some(4000),
        });
        p.apply(&Event::Progress {
            bucket: "b".into(),
            category: Category::Objects,
            keys: 1000,
            bytes: 2048,
            requests: 1,
        });
        p.apply(&Event::Throttled { delay_ms: 10 });
        let line = progress_line(&p, 500.0, Duration::from_secs(2));
        assert_eq!(line, "[#####---------------]  25% 1,000 / 4,000 deleted, 500/s, 2.0 KiB, ETA 6 s, 2 s elapsed, throttled 1x");
    }

    #[test]
    fn summaries_map_to_exit_codes() {
        let mut s = Summary {
            bucket: "b".into(),
            ..Default::default()
        };
        s.categories.insert(
            Category::Objects,
            CategoryTotals {
                deleted: 5,
                ..Default::default()
            },
        );
        assert_eq!(exit_code(&s), 3, "not verified by a fresh listing");
        s.verified.insert(Category::Objects);
        assert_eq!(exit_code(&s), 0);
        s.cancelled = true;
        assert_eq!(exit_code(&s), 3);
        s.cancelled = false;
        s.failures_total = 1;
        assert_eq!(exit_code(&s), 3);
        let failed = Summary {
            error: Some(crate::delete::RunError::local(
                "ListObjects",
                "AccessDenied",
            )),
            ..Default::default()
        };
        assert_eq!(exit_code(&failed), 1);
        assert!(describe(&s, None).contains("b: deleted 5 items"));
    }

    #[test]
    fn only_the_first_failure_of_a_kind_is_printed_as_it_comes() {
        let mut state = ProgressState::default();
        let failed = |n: u64, code: &str| Event::ItemsFailed {
            bucket: "b".into(),
            category: Category::Objects,
            count: n,
            code: code.into(),
            message: "denied".into(),
            sample: Vec::new(),
        };
        state.apply(&failed(1000, "AccessDenied"));
        assert!(first_of_its_kind(
            &state,
            Category::Objects,
            "AccessDenied",
            1000
        ));
        state.apply(&failed(1000, "AccessDenied"));
        assert!(!first_of_its_kind(
            &state,
            Category::Objects,
            "AccessDenied",
            1000
        ));
        state.apply(&failed(3, "NotDeleted"));
        assert!(first_of_its_kind(
            &state,
            Category::Objects,
            "NotDeleted",
            3
        ));
    }

    #[test]
    fn failures_are_one_line_per_code_and_never_point_to_a_missing_report() {
        let mut s = Summary {
            bucket: "b".into(),
            ..Default::default()
        };
        for i in 0..923 {
            s.record_failure(crate::delete::event::FailedItem {
                category: Category::Objects,
                key: format!("logs/{i}"),
                version_id: None,
                code: "AccessDenied".into(),
                message: "denied (needs oss:DeleteObject)".into(),
            });
        }
        let text = describe(&s, None);
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("AccessDenied"))
            .collect();
        assert_eq!(
            lines,
            ["  failed: 923 current objects: AccessDenied: denied (needs oss:DeleteObject) (e.g. \"logs/0\")"]
        );
        assert!(
            text.contains("run with --report FILE to keep every failed key"),
            "{text}"
        );
        let kept = describe(&s, Some(std::path::Path::new("/tmp/r.ndjson")));
        assert!(
            kept.contains("every failed key is in the report /tmp/r.ndjson"),
            "{kept}"
        );
    }
}
