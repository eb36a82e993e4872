//! The terminal wizard: bucket list -> scan -> confirm -> progress -> report.
//!
//! `app` is the state machine (no I/O), `screens` render it, `driver` turns its
//! effects into tasks, and `run` is the one event loop between them.

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
