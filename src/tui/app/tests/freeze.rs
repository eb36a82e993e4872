//! Freezing writes from the wizard: `^F` on the confirm pane shows what is
//! denied and the statement, and the run carries it; the report of a run a
//! writer outran offers `F`; the banner says a killed run's freeze is on.

use super::*;
use crate::delete::event::{RunError, StopKind};

fn ctrl_f() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::CONTROL))
}

fn confirming() -> App {
    let mut app = scanned();
    app.update(key('D'));
    assert!(matches!(app.screen, Screen::Confirm(..)));
    app
}

/// The name typed and Enter: the preflights the run starts with.
fn started(app: &mut App) -> Vec<crate::engine::Preflight> {
    typed(app, "backups");
    let effects = app.update(code(KeyCode::Enter));
    let [Effect::CancelScan, Effect::StartRun(p)] = &effects[..] else {
        panic!("{effects:?}")
    };
    p.clone()
}

#[test]
fn ctrl_f_freezes_writes_and_the_run_carries_it() {
    let mut app = confirming();
    let off = snapshot_at(&app, 80, 24);
    assert!(off.contains("freeze writes during the run: off"), "{off}");
    app.update(ctrl_f());
    let on = snapshot_at(&app, 120, 40);
    assert!(on.contains("freeze writes until"), "{on}");
    // Every line of the pane, scrolled through: what is denied, the statement.
    let mut all = snapshot_at(&app, 120, 40);
    for _ in 0..60 {
        app.update(code(KeyCode::Down));
        all.push_str(&snapshot_at(&app, 120, 40));
    }
    for needle in [
        "the owner's own applications too",
        "oss:PutObject (PutObject, PostObject, AppendObject",
        "\"Sid\": \"ossweepFreezeWrites\"",
        "server-side writers",
        "writes frozen during the run: ON",
    ] {
        assert!(all.contains(needle), "{needle}: {all}");
    }
    // ^F is not typed into the name; the name still starts the run.
    let p = started(&mut app);
    assert!(p[0].freeze.is_some() && p[0].confirmed().freeze_writes);
}

#[test]
fn ctrl_f_twice_is_off_again() {
    let mut app = confirming();
    app.update(ctrl_f());
    app.update(ctrl_f());
    let p = started(&mut app);
    assert!(p[0].freeze.is_none() && !p[0].confirmed().freeze_writes);
}

#[test]
fn snapshot_confirm_with_writes_frozen_at_80x24() {
    let mut app = confirming();
    app.update(ctrl_f());
    insta::assert_snapshot!("confirm_writes_frozen_80x24", snapshot_at(&app, 80, 24));
}

/// The report of a run that fresh listings kept finding entries in.
fn outrun() -> App {
    let mut app = confirming();
    started(&mut app);
    let s = Summary {
        bucket: "backups".into(),
        error: Some(RunError::of_kind(
            StopKind::Outrun,
            "verification",
            "after 5 listings of the bucket the last one still found 12 entries to delete; something may be writing to the bucket. Run again with --freeze-writes (Ctrl-F on the wizard's confirm pane) to deny writes while it runs",
        )),
        ..Default::default()
    };
    app.update(Msg::RunEnded(Ok(vec![s])));
    assert!(matches!(app.screen, Screen::Report(_)));
    app
}

#[test]
fn a_run_a_writer_outran_offers_it_again_with_writes_frozen() {
    let mut app = outrun();
    let text = snapshot_at(&app, 80, 24);
    assert!(text.contains("F again, writes frozen"), "{text}");
    let effects = app.update(key('F'));
    assert_eq!(effects, [Effect::StartScan("backups".into())]);
    assert!(matches!(app.screen, Screen::Scan(_)));
    app.update(Msg::Scanned {
        bucket: "backups".into(),
        event: ScanEvent::Finished(Box::new(report("backups", true))),
    });
    app.update(key('D'));
    let Screen::Confirm(c, _) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    let Intent::Run { preflights, .. } = &c.intent else {
        panic!()
    };
    assert!(preflights[0].freeze.is_some(), "comes with writes frozen");
    // Only once: the next confirm pane is off again.
    app.update(code(KeyCode::Esc));
    app.update(key('D'));
    let Screen::Confirm(c, _) = &app.screen else {
        panic!()
    };
    let Intent::Run { preflights, .. } = &c.intent else {
        panic!()
    };
    assert!(preflights[0].freeze.is_none());
}

#[test]
fn a_report_without_a_writer_does_not_offer_it() {
    let mut app = confirming();
    started(&mut app);
    app.update(Msg::RunEnded(Ok(vec![summary("backups")])));
    assert!(app.update(key('F')).is_empty());
    assert!(!snapshot_at(&app, 80, 24).contains("writes frozen"));
}

/// A run a SIGKILL stopped with its freeze on, as the driver finds it.
fn frozen_run() -> Msg {
    Msg::Interrupted(vec![super::super::interrupted::Interrupted {
        id: "20261206-213504-1f2e".into(),
        buckets: "acme-logs".into(),
        percent: 37,
        frozen: Some("writes frozen until 21:35 UTC".into()),
    }])
}

#[test]
fn the_banner_says_a_killed_runs_freeze_is_on() {
    let (mut app, _) = App::new(context());
    app.update(frozen_run());
    let text = snapshot_at(&app, 80, 24);
    assert!(
        text.contains("An interrupted deletion of acme-logs: 37% done")
            && text.contains("writes frozen until 21:35 UTC")
            && text.contains("R resume  X discard  L later"),
        "{text}"
    );
    insta::assert_snapshot!("banner_writes_frozen_80x24", text);
}

#[test]
fn resuming_a_run_that_freezes_writes_says_so_before_the_name() {
    let mut view = grown_check("20261206-213504-1f2e");
    view.buckets[0].freeze_writes = true;
    let mut app = listed();
    app.screen = Screen::Confirm(
        Box::new(super::super::super::screens::confirm::Confirm::resume(
            &view.run,
        )),
        None,
    );
    app.update(Msg::ResumeChecked {
        run: view.run.clone(),
        result: Ok(Box::new(view)),
    });
    let text = snapshot_at(&app, 120, 40);
    assert!(
        text.contains("writes frozen while it runs, as confirmed"),
        "{text}"
    );
}

#[test]
fn x_on_a_frozen_runs_banner_lifts_the_freeze_then_discards() {
    let mut app = listed();
    app.update(frozen_run());
    let effects = app.update(key('X'));
    assert_eq!(effects, [Effect::DiscardRun("20261206-213504-1f2e".into())]);
    assert!(app
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("Lifting the write freeze")));
    app.update(Msg::Discarded(Ok(vec![
        "acme-logs: writes unfrozen: the bucket policy is back as it was".into(),
        "discarded run 20261206-213504-1f2e: its journal is gone".into(),
    ])));
    assert!(app
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("back as it was")));
    // A lift that fails keeps the run, and offers it again.
    let effects = app.update(Msg::Discarded(Err("GetBucketPolicy: AccessDenied".into())));
    assert_eq!(effects, [Effect::LoadInterrupted]);
    assert!(app
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("not discarded: GetBucketPolicy")));
}
