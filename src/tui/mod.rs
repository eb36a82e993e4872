//! The terminal wizard: bucket list -> scan -> confirm -> progress -> report.
//!
//! `app` is the state machine (no I/O), `screens` render it, `driver` turns its
//! effects into tasks, and `run` is the one event loop between them.

pub mod app;
pub mod driver;
pub mod keymap;
pub mod msg;
pub mod screens;
pub mod theme;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;

use crate::oss::Client;
use app::App;
use driver::Driver;
use msg::Msg;

/// Runs the wizard until the user quits; the terminal is restored on every path
/// (ratatui's panic hook covers panics).
pub async fn run(client: Client, report_dir: Option<PathBuf>, concurrency: usize) -> Result<(), String> {
    let mut terminal = ratatui::try_init().map_err(|e| format!("cannot open the terminal: {e}"))?;
    let result = event_loop(&mut terminal, client, report_dir, concurrency).await;
    ratatui::restore();
    result
}

async fn event_loop(terminal: &mut DefaultTerminal, client: Client, report_dir: Option<PathBuf>, concurrency: usize) -> Result<(), String> {
    let theme = theme::Theme::from_env();
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let mut driver = Driver::new(client, tx, report_dir, concurrency);
    let (mut app, effects) = App::new();
    for e in effects {
        driver.execute(e).await;
    }
    let started = Instant::now();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        terminal.draw(|f| app.render(f.area(), f.buffer_mut(), &theme)).map_err(|e| e.to_string())?;
        let first = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(TermEvent::Key(k))) if k.kind == KeyEventKind::Press => Msg::Key(k),
                Some(Ok(TermEvent::Resize(..))) => Msg::Resized,
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(format!("reading the terminal: {e}")),
                None => return Ok(()),
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
            for effect in app.update(msg) {
                let (keep_going, report) = driver.execute(effect).await;
                if report.is_some() {
                    app.run_started(report);
                }
                if !keep_going {
                    return Ok(());
                }
            }
        }
    }
}
