//! The terminal wizard: bucket list -> scan -> confirm -> progress -> report.
//!
//! `app` is the state machine (no I/O), `screens` render it, `driver` turns its
//! effects into tasks, and `run` is the one event loop between them.
//!
//! The wizard, screen by screen (the README shows a few captures; `bash tests/captures.sh` takes them all):
//!
//! # The wizard
//!
//! `ossweep` (on a terminal) opens the wizard on your account; `ossweep demo` opens it on
//! the built-in emulator. It mirrors the console's *Delete Bucket* flow:
//!
//! 1. **Bucket list**: every bucket with region, creation date, storage class, and
//!    versioning, objects, versions and size loaded lazily (a spinner until known); each
//!    column as wide as its content, and on a narrow terminal the class, region,
//!    versioning, versions and name columns give way in that order, cut with `…`. The
//!    numbers agree with the scan's: OSS's statistics (GetBucketStat) count every version
//!    of a versioned bucket together, so such a bucket shows `≤874` objects and `?`
//!    versions until a complete scan of it (`Enter`) has counted them exactly (`385` and
//!    `489`); an unversioned bucket's count is exact from the start (`?` explains it).
//!    On a terminal 140 columns or wider a **details panel** beside the list shows the
//!    selected bucket's endpoint, statistics (size, objects, delete markers, uploads and
//!    their bytes, LiveChannels, bytes per storage class, when OSS last updated them) and
//!    the scan's exact counts. `/` filters as you type, `s` sorts by name, size or date,
//!    `Space` marks buckets for a batch, `r` refreshes, `Enter` opens the scan pane.
//! 2. **Scan pane**: the categories fill in as the scan streams, then the risks (when
//!    they do not fit, the title says `↓ more risks: PgDn` and `PgUp`/`PgDn` scroll
//!    them). `Enter` opens the **drill-down** of the selected category (below). `c`
//!    clears the selected category, `a` everything ossweep can clear (attachments
//!    included, each named), `D` deletes the bucket, `e` installs lifecycle expiry rules.
//!    None of these four works until the scan is complete: the hint bar says
//!    `c a D e wait for the scan`, and a scan that failed or was stopped needs `r`
//!    first. `Esc` goes back.
//! 3. **Drill-down** (`Enter` on a category): what is behind the count, as the scan
//!    found it. Incomplete multipart uploads with key, upload id, when they were
//!    initiated, and their parts and size (ListParts, asked for fifty at a time as you
//!    move down; `…` until known, `gone` when the upload no longer exists); access points
//!    with status, network origin and alias; LiveChannels with status, whether a client
//!    is pushing a stream to them now (`LIVE: receiving a stream`, `Idle`, `Disabled`)
//!    and last change;
//!    OSS accelerators by zone; for objects, previous versions and delete markers the
//!    **biggest top-level prefixes** (keys, bytes, share of the category) and, when a
//!    retention policy keeps some, a second list (`Tab`) of the objects it keeps and the
//!    date each is released. `/` filters (the title says `(1 of 3)`), `Esc` clears the
//!    filter, then goes back. Where OSS deletes items one at a time (an access point, a
//!    LiveChannel, an upload) `Space` marks items and `d` deletes the marked ones (or the
//!    selected one) through the same confirm pane as a category clear: the engine's
//!    preflight names each item and its risk ("applications that use its alias lose
//!    access", "its uploaded parts are freed"), the bucket's name must be typed, and
//!    the run verifies with a fresh listing that exactly those items are gone while
//!    their siblings stay. `Esc` on the confirm pane comes back to the drill-down as it
//!    was. The scan keeps at most 1,000 items per category and counts prefixes for at
//!    most 4,096 distinct ones (the rest in one `(other prefixes)` row), so memory does
//!    not grow with the bucket; when a category holds more, the drill-down says so and
//!    the category is cleared as a whole. A vector bucket's scan pane is its drill-down:
//!    its indexes, each deletable alone (`c`).
//! 4. **Confirm pane**: every destructive action goes through it, each with the
//!    engine's preflight: exactly what goes (count and bytes per category, the scan's
//!    numbers), what stays and why, and every risk, most severe first; when it is taller
//!    than the terminal, its title says `↓ more below` and `↑`/`↓` scroll. A field below
//!    takes the bucket's name (for a batch: `delete N buckets`); `Enter` is accepted
//!    only on an exact match. When the verdict says the bucket cannot be deleted by API
//!    (OSS-HDFS data, objects under a WORM retention policy, accelerators only reachable
//!    in-region, a listing that failed), `D` says why and what the manual step is, and
//!    offers the one thing that can be done: emptying the data (objects, versions,
//!    markers, uploads) while the bucket keeps its access points, accelerators and
//!    LiveChannels. A bucket that is blocked altogether (its objects cannot even be
//!    listed) gets no field at all. `e` shows the phase, the rules and the configuration
//!    they replace; `↑`/`↓` change the number of days.
//! 5. **Progress pane**: one row per category: its label, a bar in its own column and
//!    `done / total` (a category with nothing to do says `✓ nothing to do` instead of
//!    a bar); keys and bytes per second smoothed over five seconds (shown from the first
//!    half second) with a sparkline, bytes freed, requests, retries, throttling,
//!    concurrency, elapsed time and an ETA from the smoothed rate, and a
//!    scrollable list of failures; the totals are the scan's counts. `Esc` asks whether
//!    to stop after the batches in flight; the question, and `q`'s, say that the rest
//!    can be resumed (`ossweep resume RUN`).
//! 6. **Report pane**: the run's time (the same the progress pane showed), one sentence
//!    per bucket saying what happened ("49 delete markers cleared; 385 current objects,
//!    489 previous versions remain."), what failed and why (OSS code and request id),
//!    whether the bucket is gone, and where the audit report is (every deleted key and
//!    version id, NDJSON, under the platform state directory, e.g.
//!    `~/.local/state/ossweep/reports/`). `Enter` goes back to the same bucket's scan
//!    pane, rescanned, after clearing categories (work through the blockers the way the
//!    console does), or to the refreshed list after a deletion.
//!
//! **Interrupted runs**: when a run of this account was interrupted (the wizard quit
//! mid-run, a headless run stopped or killed), the bucket list opens with a banner:
//! `An interrupted deletion of acme-logs: 37% done`. `R` (once the list has loaded)
//! opens the resume in the confirm pane: the engine's check, the same as `ossweep
//! resume`'s, says for each bucket whether it is the bucket confirmed, what was
//! confirmed and what is left, and what changed since (entries written, attachments
//! created, versioning, the verdict, new risks). Nothing is deleted until the bucket's
//! name is typed there, and `Enter` then continues the run from where it stood; a
//! bucket that is not the one confirmed cannot be typed past. `Esc` goes back, `X`
//! discards the run (its journal goes; nothing is sent), `L` leaves it for later. The
//! demo keeps its runs' journals only as long as the demo runs.
//!
//! **Batches**: mark buckets with `Space` in the list and press `D`. Every marked bucket
//! is scanned to its end first (a line per bucket shows its progress), then one confirm
//! pane lists each bucket's preflight with all its risks. A batch starts only when every
//! bucket in it can be deleted; otherwise the pane names the ones that cannot (unmark
//! them, or open them alone to empty them).
//!
//! The header of every screen says where requests go: the profile and the region or
//! endpoint, and a `DEMO` marker under `ossweep demo`.
//!
//! **Layout.** Every screen works from 80x24 up. Table columns are as wide as their
//! content, and what gives way is cut with `…`; a line that does not fit (a header, an
//! estimate, a note, the status line) ends in `…`, never mid-word without a mark. Long
//! texts (risks, the confirm pane, the report, failures, error banners) wrap with a
//! hanging indent, so a wrapped sentence reads as one under its mark; where they can
//! be taller than the screen the title says `↓ more below` (or `↑ more above`) and
//! they scroll. An error banner keeps its request id visible however long the
//! message.
//!
//! Everywhere: `?` opens help built from the same key table as the bottom hint bar (on
//! the scan, confirm and batch panes it also says what each category state and risk
//! mark means; the bar itself
//! drops what does not fit, but always keeps `? help` and `q quit`), `q` quits (asking
//! first while a deletion runs; then the run stops after the batches in flight, and once
//! the terminal is restored the summary, the audit report's path and `ossweep resume
//! RUN` are printed, exit code 3), errors show as a
//! banner with the OSS code, message and request id and `r` to retry, a terminal smaller
//! than 80x20 gets a message instead of garbage, resizing works, `NO_COLOR` is respected,
//! and the terminal is restored on panic. `--debug` writes a log under the platform state
//! directory (`~/.local/state/ossweep/ossweep.log` on Linux), never to the screen.
//!
//! | key | does |
//! |---|---|
//! | `↑`/`↓`, `j`/`k` | move |
//! | `g`/`Home`, `G`/`End`, `PgUp`/`PgDn` | first, last, a page (10 rows) |
//! | `Enter` | open (a bucket's scan, a category's drill-down) or confirm |
//! | `Esc` | back; on the list and in a drill-down, first clears the filter (the title says `Buckets (2 of 10)` while one applies) |
//! | `/` | filter |
//! | `Space` | mark, and move to the next bucket (or item, in a drill-down) |
//! | `d` | in a drill-down: delete the marked items (or the selected one) |
//! | `PgUp`/`PgDn` | on the scan pane: scroll the risks |
//! | `R`, `X`, `L` | on the list's interrupted-run banner: check the run and ask to resume it (the name is typed), discard, later |
//! | `s` | sort (name, size, date) |
//! | `c` | clear the selected category |
//! | `a` | clear all |
//! | `D` | delete the bucket (or the marked buckets) |
//! | `e` | expiry rules |
//! | `Tab` | buckets / vector buckets; in a drill-down, its next list |
//! | `r` | refresh / rescan / retry |
//! | `?` | help |
//! | `q` | quit |
//!
//! Text fields (the filter, the typed bucket name) edit as readline does: `←`/`→`,
//! `Home`/`End`, `Ctrl-A`/`Ctrl-E`, `Backspace`/`Delete`, `Ctrl-U` (to the start),
//! `Ctrl-K` (to the end), `Ctrl-W` (the word before); a control chord is never typed as
//! a letter.
//!
//! The screens, captured by `bash tests/captures.sh` (the real binary in a 100x30 tmux
//! pane against `ossweep emulator --seed demo --latency-ms 100`; runs of blank rows
//! squeezed to one): the list, the scan of a bucket with OSS-HDFS data, `D` on it (the
//! verdict offers emptying instead), the drill-down into a bucket's uploads, `D` on the
//! replicated bucket with the name half typed, a deletion in progress, and its report.
//! The same screens at 80x24 (`COLS=80 ROWS=24 bash tests/captures.sh`) follow after
//! the vector buckets.
//!
//! **Vector buckets**: `Tab` switches the list to the account's OSS Vectors buckets
//! (every region; they are not in ListBuckets, so other tools miss them) with each one's
//! region, creation date and index count. `Enter` scans one: its indexes with dimension,
//! metric, vector count (counted by listing keys, up to 5,000 per index; more shows as
//! `5,000+`) and status (`deleting` while OSS finishes an earlier deletion). On the scan
//! pane `c` deletes the selected index, `a` every index, `D` the vector bucket; each goes
//! through the same confirm pane (type the bucket's name), progress pane and report as
//! an object bucket's run, and the bucket is deleted only once a fresh listing shows no
//! index left. Captured the same way:
//!
//! At 80x24: the list (the class, region and versioning columns cut with `…`), the scan
//! pane (the note cut, the risks scrolling), the drill-down, the confirm pane (scrolling,
//! its title says so) and the progress pane.
//!

pub mod app;
pub mod driver;
mod guard;
pub mod keymap;
pub mod line_edit;
pub mod msg;
pub mod screens;
pub mod theme;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use tokio::sync::mpsc;

use crate::oss::Client;
use app::App;
use driver::Driver;
use msg::Msg;

/// Whether the terminal says it cannot move the cursor (`TERM=dumb`): the
/// full-screen wizard cannot be drawn there.
pub fn dumb_terminal() -> bool {
    std::env::var("TERM").is_ok_and(|t| t.trim() == "dumb")
}

/// Runs the wizard until the user quits; the terminal is restored on every path
/// (ratatui's panic hook covers panics).
pub async fn run(
    client: Client,
    report_dir: Option<PathBuf>,
    runs_dir: Option<PathBuf>,
    context: app::Context,
    held: Option<tokio::sync::watch::Receiver<Option<crate::oss::credentials::Held>>>,
) -> Result<Option<app::Quitted>, String> {
    let mut terminal = ratatui::try_init().map_err(|e| format!("cannot open the terminal: {e}"))?;
    let keys = EventStream::new().filter_map(|ev| async move {
        match ev {
            Ok(TermEvent::Key(k)) if k.kind == KeyEventKind::Press => Some(Msg::Key(k)),
            Ok(TermEvent::Resize(..)) => Some(Msg::Resized),
            _ => None,
        }
    });
    let (tx, rx) = mpsc::channel::<Msg>(1024);
    // Temporary credentials renewed: the header shows what is held now.
    if let Some(mut held) = held {
        let tx = tx.clone();
        tokio::spawn(async move {
            while held.changed().await.is_ok() {
                let now = held.borrow_and_update().clone();
                if let Some(h) = now {
                    if tx.send(Msg::CredentialsHeld(h)).await.is_err() {
                        break;
                    }
                }
            }
        });
    }
    let mut driver = Driver::new(client, tx, report_dir);
    if let Some(dir) = &runs_dir {
        driver.keep_runs_in(dir);
    }
    let result = drive(
        &mut terminal,
        App::new(context),
        driver,
        rx,
        Box::pin(keys),
        &theme::Theme::from_env(),
        |_| {},
    )
    .await;
    ratatui::restore();
    result.map(|app| app.quitted())
}

/// The one event loop: terminal input, task results and (while something moves)
/// a tick, folded into the state machine; one frame per batch of messages.
/// `on_update` sees every message after it is applied (benchmarks time keys).
pub async fn drive<B: Backend>(
    terminal: &mut Terminal<B>,
    (mut app, effects): (App, Vec<app::Effect>),
    mut driver: Driver,
    mut rx: mpsc::Receiver<Msg>,
    input: impl Stream<Item = Msg> + Unpin,
    theme: &theme::Theme,
    mut on_update: impl FnMut(&Msg),
) -> Result<App, String> {
    let mut input = input;
    for e in effects {
        driver.execute(e).await;
    }
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        terminal
            .draw(|f| app.render(f.area(), f.buffer_mut(), theme))
            .map_err(|e| e.to_string())?;
        let first = tokio::select! {
            ev = input.next() => match ev {
                Some(m) => m,
                None => return Ok(app),
            },
            Some(m) = rx.recv() => m,
            _ = tick.tick(), if app.animating() => Msg::Tick(started.elapsed()),
        };
        // Fold everything already queued into one frame.
        let mut batch = vec![first];
        while batch.len() < 512 {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        for msg in batch {
            let effects = app.update(msg.clone());
            on_update(&msg);
            for effect in effects {
                let (keep_going, report) = driver.execute(effect).await;
                if report.is_some() {
                    app.run_started(report);
                }
                if !keep_going {
                    return Ok(app);
                }
            }
        }
    }
}
