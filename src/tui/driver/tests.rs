//! The real event loop on a `TestBackend` against the built-in emulator: keys
//! become effects, the driver turns effects into tasks, their results come back
//! as messages. Includes an engine failure and a crashed engine task.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

use crate::delete::Summary;
use crate::tui::app::RunState;

use super::*;
use crate::emulator::faults::{FaultKind, FaultRule};
use crate::emulator::{self, seed::Seed, EmulatorConfig};
use crate::oss::client::ClientConfig;
use crate::oss::endpoint::{Addressing, Endpoint};
use crate::tui::app::{App, Context, Screen};
use crate::tui::theme::Theme;

fn keys(tx: &mpsc::UnboundedSender<Msg>, text: &str) {
    for c in text.chars() {
        let _ = tx.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

fn enter(tx: &mpsc::UnboundedSender<Msg>) {
    let _ = tx.send(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
}

/// Opens `bucket` through the filter, presses D, types the name and Enter,
/// quits on the report; returns the report screen as text and the run's result.
async fn delete_in_the_wizard(
    emu: &emulator::EmulatorHandle,
    bucket: &'static str,
) -> (String, Option<Result<Vec<Summary>, RunFailed>>) {
    let dir = tempfile::tempdir().unwrap();
    delete_in_the_wizard_reporting_to(emu, bucket, dir.path().to_path_buf()).await
}

/// `delete_in_the_wizard`, with the audit reports going to `reports`.
async fn delete_in_the_wizard_reporting_to(
    emu: &emulator::EmulatorHandle,
    bucket: &'static str,
    reports: std::path::PathBuf,
) -> (String, Option<Result<Vec<Summary>, RunFailed>>) {
    let mut cfg = ClientConfig::new(emu.credentials().clone(), "cn-hangzhou");
    cfg.endpoint = Some(Endpoint::parse(&emu.url()).unwrap());
    cfg.addressing = Addressing::Path;
    let (tx, rx) = mpsc::channel(1024);
    let driver = Driver::new(Client::new(cfg), tx, Some(reports));
    let (key_tx, mut key_rx) = mpsc::unbounded_channel::<Msg>();
    let input = futures::stream::poll_fn(move |cx| key_rx.poll_recv(cx));
    let ended = Arc::new(Mutex::new(None));
    let seen = ended.clone();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let k = key_tx.clone();
    let theme = Theme::plain();
    let run = crate::tui::drive(
        &mut terminal,
        App::new(Context::default()),
        driver,
        rx,
        Box::pin(input),
        &theme,
        move |m| match m {
            Msg::BucketsLoaded(Ok(_)) => {
                keys(&k, "/");
                keys(&k, bucket);
                enter(&k);
                enter(&k);
            }
            Msg::Scanned {
                bucket: b,
                event: crate::scan::ScanEvent::Finished(_),
            } if b == bucket => {
                keys(&k, "D");
                keys(&k, bucket);
                enter(&k);
            }
            Msg::RunEnded(r) => {
                *seen.lock().unwrap() = Some(r.clone());
                // A frame is drawn before the next message: quit after it.
                keys(&k, "q");
            }
            _ => {}
        },
    );
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the wizard finishes")
        .unwrap();
    let screen = terminal.backend().to_string();
    let result = ended.lock().unwrap().take();
    (screen, result)
}

async fn demo() -> emulator::EmulatorHandle {
    emulator::start(EmulatorConfig {
        seed: Seed::Demo,
        access_point_delay: Duration::from_millis(50),
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_become_tasks_whose_messages_delete_the_bucket() {
    let emu = demo().await;
    let (screen, result) = delete_in_the_wizard(&emu, "acme-tmp-suspended").await;
    let summaries = result.unwrap().unwrap();
    assert!(summaries[0].bucket_deleted, "{summaries:?}");
    assert!(
        screen.contains("acme-tmp-suspended (delete the bucket): bucket deleted"),
        "{screen}"
    );
    assert!(!emu.store().buckets.contains_key("acme-tmp-suspended"));
    assert_eq!(emu.store().buckets.len(), 9, "every other bucket stays");
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_engine_failure_reaches_the_report_with_what_oss_said() {
    let emu = demo().await;
    emu.faults().push(
        FaultRule::new(FaultKind::Deny)
            .op("DeleteBucket")
            .bucket("acme-empty-staging"),
    );
    let (screen, result) = delete_in_the_wizard(&emu, "acme-empty-staging").await;
    let summaries = result.unwrap().unwrap();
    let error = summaries[0].error.clone().expect("the run stopped");
    assert_eq!(
        (error.context.as_str(), error.code.as_deref()),
        ("DeleteBucket", Some("AccessDenied"))
    );
    assert!(error.request_id.is_some(), "typed, with the request id");
    assert!(
        screen.contains("stopped: DeleteBucket: AccessDenied"),
        "{screen}"
    );
    assert!(emu.store().buckets.contains_key("acme-empty-staging"));
    emu.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn no_run_starts_without_its_audit_report() {
    let emu = demo().await;
    // The reports directory cannot be made: a file stands where it would be.
    let home = tempfile::tempdir().unwrap();
    let blocked = home.path().join("reports");
    std::fs::write(&blocked, "not a directory").unwrap();
    let (screen, result) =
        delete_in_the_wizard_reporting_to(&emu, "acme-web-assets", blocked).await;
    let error = result.unwrap().unwrap_err();
    let RunFailed::Stopped(error) = error else {
        panic!("{error:?}")
    };
    assert!(
        error.contains("cannot make the reports directory") && error.contains("nothing was sent"),
        "{error}"
    );
    assert!(screen.contains("nothing was sent"), "{screen}");
    assert_eq!(emu.faults().count("DeleteMultipleObjects"), 0);
    assert_eq!(emu.store().buckets["acme-web-assets"].objects.len(), 304);
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_crashed_engine_task_ends_the_run_instead_of_hanging() {
    let (tx, mut rx) = mpsc::channel(4);
    let (_events_tx, events) = mpsc::channel(1);
    let crashing = crate::engine::Launched {
        events,
        done: tokio::spawn(async { panic!("boom") }),
    };
    drop(_events_tx);
    follow(crashing, tx).await;
    match rx.recv().await {
        Some(Msg::RunEnded(Err(RunFailed::Crashed(e)))) => assert!(e.contains("crashed"), "{e}"),
        other => panic!("{other:?}"),
    }
    // And the progress pane turns into a report that says so.
    let (mut app, _) = App::new(Context::default());
    app.screen = Screen::Progress(Box::default());
    app.run = RunState::Running;
    app.update(Msg::RunEnded(Err(RunFailed::Crashed(
        "the deletion task crashed".into(),
    ))));
    assert!(matches!(app.screen, Screen::Report(_)) && !app.run.active());
}
