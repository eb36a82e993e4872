//! The headless face of the engine's preflight: scans the buckets (with a
//! progress line on a terminal), then prints what goes, what stays, every risk
//! and the verdict, before anything is asked or sent.

use std::io::IsTerminal;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::engine::{self, Action, Preflight, Refusal, Unprepared, Verdict};
use crate::oss::Client;
use crate::scan::ScanEvent;
use crate::vocab::BucketKind;

/// Why no preflight could be made.
pub enum Failed {
    /// Ctrl-C during the scans: nothing was sent.
    Cancelled,
    /// A scan failed (no such bucket, no permission...).
    Scan(String),
}

/// Scans each bucket to its end and returns the preflight of `action` for each.
pub async fn prepare_all(
    client: &Client,
    kind: BucketKind,
    buckets: &[String],
    prefix: Option<&str>,
    action: &Action,
    cancel: &CancellationToken,
) -> Result<Vec<Preflight>, Failed> {
    let mut out = Vec::with_capacity(buckets.len());
    for bucket in buckets {
        let (tx, show) = scan_progress(bucket.clone());
        let result = engine::prepare(
            client,
            kind,
            bucket,
            prefix,
            action.clone(),
            Some(tx),
            cancel,
        )
        .await;
        let _ = show.await;
        match result {
            Ok(p) => out.push(p),
            Err(Unprepared::Cancelled(_)) => return Err(Failed::Cancelled),
            Err(Unprepared::ScanFailed(e)) => {
                let hint = match e.is_code("NoSuchBucket") {
                    true => super::suggest::missing_bucket(client, kind, bucket)
                        .await
                        .map(|h| format!("\n{h}"))
                        .unwrap_or_default(),
                    false => String::new(),
                };
                return Err(Failed::Scan(format!("cannot scan {bucket}: {e}{hint}")));
            }
        }
    }
    Ok(out)
}

/// A live count of what a scan found, on stderr, at most once a second on a
/// terminal (every 10 s in a log); nothing under `--quiet`. The task ends
/// with the scan's events (its line is cleared).
pub fn scan_progress(name: String) -> (mpsc::Sender<ScanEvent>, tokio::task::JoinHandle<()>) {
    let tty = std::io::stderr().is_terminal();
    let (tx, mut rx) = mpsc::channel::<ScanEvent>(64);
    let show = tokio::spawn(async move {
        let every = if tty {
            std::time::Duration::from_secs(1)
        } else {
            std::time::Duration::from_secs(10)
        };
        let mut last = std::time::Instant::now();
        let mut found: std::collections::BTreeMap<crate::blockers::Category, u64> =
            Default::default();
        let mut drawn = false;
        while let Some(e) = rx.recv().await {
            if let ScanEvent::Counted {
                category, count, ..
            } = e
            {
                found.insert(category, count);
                if !super::out::quiet() && last.elapsed() >= every {
                    last = std::time::Instant::now();
                    let line = format!(
                        "scanning {}: {} found so far",
                        crate::text::visible(&name),
                        crate::units::count(found.values().sum())
                    );
                    if tty {
                        eprint!("\r\x1b[K{line}");
                        drawn = true;
                    } else {
                        eprintln!("{line}");
                    }
                }
            }
        }
        if drawn {
            eprint!("\r\x1b[K");
        }
    });
    (tx, show)
}

/// What a destructive command asks of each bucket it names.
pub struct Asked<'a> {
    pub kind: BucketKind,
    pub buckets: &'a [String],
    /// Only keys under this prefix.
    pub prefix: Option<&'a str>,
    pub action: &'a Action,
    /// `--freeze-writes`: writes denied while it runs.
    pub freeze_writes: bool,
}

/// Scans and shows the preflights (the first NDJSON event with `json`), or says
/// why there are none: `Err(exit code)` after a Ctrl-C, `Err` message on failure.
pub async fn prepare_and_show(
    client: &Client,
    asked: Asked<'_>,
    stop: &super::stop::Stop,
    json: bool,
) -> Result<Result<Vec<Preflight>, u8>, String> {
    let Asked {
        kind,
        buckets,
        prefix,
        action,
        freeze_writes,
    } = asked;
    let prepared = tokio::select! {
        p = prepare_all(client, kind, buckets, prefix, action, &stop.soft) => p,
        // A second signal does not wait for a slow reply.
        _ = stop.hard.cancelled() => Err(Failed::Cancelled),
    };
    let mut preflights = match prepared {
        Ok(p) => p,
        Err(Failed::Cancelled) => {
            eprintln!("cancelled during the scan; nothing was deleted");
            return Ok(Err(super::exit::PARTIAL));
        }
        Err(Failed::Scan(e)) => return Err(e),
    };
    if freeze_writes {
        let now = crate::oss::time::unix_secs(std::time::SystemTime::now());
        for p in &mut preflights {
            if let Err(e) = p.freeze_writes(true, now) {
                super::out::error(&format!("--freeze-writes: {e}"), super::exit::USAGE);
                return Ok(Err(super::exit::USAGE));
            }
        }
    }
    if json {
        let event = serde_json::json!({ "event": "preflight", "buckets": preflights });
        super::out::text(&event.to_string());
    } else if !super::out::quiet() || std::io::stdin().is_terminal() {
        // Quiet, a script's run shows no preflight (its command line confirmed
        // it; a refusal is still said); a person who may be asked sees it.
        for p in &preflights {
            eprint!("{}", render(p));
        }
        if preflights.len() > 1 {
            eprintln!(
                "{} (the scans' counts)",
                crate::engine::preflight::batch::totals(&preflights)
            );
        }
    }
    Ok(Ok(preflights))
}

/// One bucket's preflight, for people.
pub fn render(p: &Preflight) -> String {
    let scope = match &p.prefix {
        Some(prefix) => format!(" under prefix {prefix:?}"),
        None => String::new(),
    };
    // What the action does to the bucket, in the verdict's terms.
    let noun = p.kind.noun();
    let verdict = match (&p.verdict, p.action.deletes_bucket()) {
        (Verdict::Blocked { .. }, _) => "nothing can be done by API (blocked)".into(),
        (Verdict::Deletable { .. }, true) => format!("the {noun} can be deleted"),
        (Verdict::EmptyOnly { .. }, true) => {
            format!("the {noun} cannot be deleted by API (empty-only)")
        }
        (_, false) => format!("the {noun} stays"),
    };
    let mut out = format!("{} ({}){scope}: {verdict}\n", p.bucket, p.region);
    // The verb agrees with the verdict line above.
    let verb = match &p.verdict {
        Verdict::Blocked { .. } => "holds:  ",
        _ => "deletes:",
    };
    out.push_str(&format!("  {verb} {}\n", p.what_goes()));
    for i in &p.indexes {
        out.push_str(&format!(
            "           index {} ({} dimensions, {}, {} vectors, {})\n",
            i.index.name,
            i.index.dimension,
            i.index.distance_metric,
            i.vectors_text(),
            i.index.status
        ));
    }
    for i in &p.stays {
        out.push_str(&format!(
            "  keeps:   {} ({})\n",
            i.phrase(),
            i.note.as_deref().unwrap_or_default()
        ));
    }
    match &p.verdict {
        Verdict::Deletable { settled_by_oss } if p.action.deletes_bucket() => {
            for s in settled_by_oss {
                out.push_str(&format!("  unknown: {s}\n"));
            }
        }
        Verdict::Deletable { .. } => {}
        Verdict::EmptyOnly {
            reasons,
            manual_steps,
        } => {
            for r in reasons {
                out.push_str(&format!("  why:     {r}\n"));
            }
            for s in manual_steps {
                out.push_str(&format!("  manual step: {s}\n"));
            }
        }
        Verdict::Blocked { reasons } => {
            for r in reasons {
                out.push_str(&format!("  why:     {r}\n"));
            }
        }
    }
    for r in &p.risks {
        out.push_str(&format!("  {:<2} {}\n", r.severity.mark(), r.text));
    }
    if p.requests > 0 {
        out.push_str(&format!(
            "  about {}\n",
            crate::units::counted(p.requests, "request", "requests")
        ));
    }
    if let Some(f) = &p.freeze {
        for line in f.lines() {
            out.push_str(&format!("  {line}\n"));
        }
        out.push_str("  the statement:\n");
        for line in f.statement.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    crate::text::visible_lines(&out)
}

/// Why nothing was sent, and what the user can do instead.
pub fn render_refusal(r: &Refusal, alternative: Option<&str>) -> String {
    let mut out = format!("refused: {} cannot be deleted:\n", r.bucket);
    for reason in &r.reasons {
        out.push_str(&format!("  - {reason}\n"));
    }
    for step in &r.manual_steps {
        out.push_str(&format!("  manual step: {step}\n"));
    }
    match (r.can_empty, alternative) {
        (true, Some(alt)) => out.push_str(&format!("  {alt}\n")),
        // Emptying would delete nothing: not offered as if it could.
        (false, Some(_)) if !r.manual_steps.is_empty() => out.push_str(
            "  Nothing can be emptied either: what it holds stays until the step above is done.\n",
        ),
        _ => {}
    }
    crate::text::visible_lines(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blockers::Category;
    use crate::scan::{ScanReport, State};

    #[test]
    fn an_empty_only_preflight_says_why_and_what_to_do() {
        let mut r = ScanReport::new("lake");
        r.region = "cn-shanghai".into();
        for c in &mut r.categories {
            c.state = State::Clear;
        }
        for (cat, n) in [(Category::Objects, 500), (Category::OssHdfs, 40)] {
            let c = r.category_mut(cat);
            c.count = n;
            c.state = State::Blocks;
        }
        r.finished = true;
        r.complete = true;
        let p = engine::preflight(&r, Action::DeleteBucket).unwrap();
        let text = render(&p);
        assert!(
            text.starts_with(
                "lake (cn-shanghai): the bucket cannot be deleted by API (empty-only)"
            ),
            "{text}"
        );
        assert!(
            text.contains("manual step: Remove the OSS-HDFS data"),
            "{text}"
        );
        assert!(
            text.contains("keeps:   40 OSS-HDFS objects (never deleted through the object API)"),
            "{text}"
        );
        let refusal = render_refusal(&p.refusal().unwrap(), Some("use --empty-only"));
        assert!(
            refusal.contains("refused: lake cannot be deleted")
                && refusal.contains("use --empty-only")
        );
    }
}
