//! The state machine driven by messages (no terminal, no runtime), and a
//! snapshot of every screen and state on a 100x30 `TestBackend`.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::*;
use crate::blockers::Category;
use crate::delete::event::{CategoryTotals, FailedItem, Remaining};
use crate::delete::{Event, Summary};
use crate::engine::expiry::ExpiryPlan;
use crate::engine::Verdict;
use crate::lifecycle::Phase;
use crate::oss::model::ReplicationRule;
use crate::oss::model::{BucketStat, BucketSummary, ObjectIdentifier, Versioning};
use crate::scan::{ScanEvent, ScanReport, State};
use crate::vocab::BucketKind;

mod account;
mod counts;
mod drill;
mod freeze;
mod layout;

const DAY: i64 = 86_400;
const T0: i64 = 1_735_689_600; // 2025-01-01

pub(super) fn context() -> Context {
    Context {
        profile: "default".into(),
        target: "region cn-hangzhou".into(),
        demo: false,
        credentials: String::new(),
        held: None,
        reports: Some("/home/u/.local/state/ossweep/reports".into()),
        prices: Default::default(),
    }
}

pub(super) fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub(super) fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub(super) fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(key(c));
    }
}

fn bucket(name: &str, region: &str, age_days: i64) -> BucketSummary {
    BucketSummary {
        name: name.into(),
        region: region.into(),
        creation_date: Some(T0 - age_days * DAY),
        storage_class: "Standard".into(),
        extranet_endpoint: None,
        intranet_endpoint: None,
        resource_group_id: None,
    }
}

fn stat(objects: u64, storage: u64, markers: u64) -> BucketStat {
    BucketStat {
        object_count: objects,
        storage,
        delete_marker_count: markers,
        ..Default::default()
    }
}

/// An app with three buckets listed and their details loaded.
fn listed() -> App {
    let (mut app, _) = App::new(context());
    app.update(Msg::BucketsLoaded(Ok(vec![
        bucket("shop-assets", "cn-hangzhou", 400),
        bucket("logs-2024", "cn-shanghai", 700),
        bucket("backups", "cn-beijing", 90),
    ])));
    for (b, s, v) in [
        ("shop-assets", stat(1_204, 3 << 30, 0), Versioning::Off),
        ("logs-2024", stat(250_000, 80 << 30, 0), Versioning::Off),
        ("backups", stat(9_870, 12 << 30, 312), Versioning::Enabled),
    ] {
        app.update(Msg::DetailsLoaded {
            bucket: b.into(),
            result: Ok((Some(s), v)),
        });
    }
    app
}

fn report(bucket: &str, complete: bool) -> ScanReport {
    let mut r = ScanReport::new(bucket);
    r.region = "cn-beijing".into();
    r.prices = Some(crate::money::PriceTable::builtin().for_bucket("china", "cn-beijing", None));
    r.versioning = Versioning::Enabled;
    r.estimate = Some(stat(9_870, 12 << 30, 312));
    let set = |r: &mut ScanReport, c: Category, n: u64, b: u64, s: State| {
        let x = r.category_mut(c);
        x.count = n;
        x.bytes = b;
        x.state = s;
    };
    set(
        &mut r,
        Category::Objects,
        6_000,
        8 << 30,
        if complete {
            State::Blocks
        } else {
            State::Scanning
        },
    );
    set(
        &mut r,
        Category::PreviousVersions,
        3_870,
        4 << 30,
        if complete {
            State::Blocks
        } else {
            State::Scanning
        },
    );
    set(
        &mut r,
        Category::DeleteMarkers,
        312,
        0,
        if complete {
            State::Blocks
        } else {
            State::Scanning
        },
    );
    if complete {
        set(&mut r, Category::Parts, 2, 300 << 20, State::Blocks);
        drill::found_items(&mut r);
        set(&mut r, Category::LiveChannels, 0, 0, State::Clear);
        set(&mut r, Category::AccessPoints, 1, 0, State::Blocks);
        r.category_mut(Category::AccessPoints).note = Some("1 with an access point policy".into());
        set(&mut r, Category::Accelerators, 0, 0, State::Clear);
        set(&mut r, Category::OssHdfs, 0, 0, State::Clear);
        r.finished = true;
        r.complete = true;
        r.replication = vec![ReplicationRule {
            id: "dr".into(),
            prefixes: vec![],
            action: "ALL".into(),
            destination_bucket: "backups-dr".into(),
            destination_location: "oss-cn-shanghai".into(),
            status: "doing".into(),
            historical_object_replication: true,
        }];
        r.risks = crate::scan::risk::risks(&r);
    }
    r
}

/// `backups` open in the scan pane, scan finished.
fn scanned() -> App {
    let mut app = listed();
    app.update(key('s')); // sort by size: logs-2024, backups, shop-assets
    app.update(key('s')); // by date: backups, shop-assets, logs-2024
    let effects = app.update(code(KeyCode::Enter));
    assert_eq!(effects, [Effect::StartScan("backups".into())]);
    app.update(Msg::Scanned {
        bucket: "backups".into(),
        event: ScanEvent::Finished(Box::new(report("backups", true))),
    });
    app
}

fn summary(bucket: &str) -> Summary {
    let mut s = Summary {
        bucket: bucket.into(),
        requests: 10,
        sent: 12,
        elapsed_ms: 4_300,
        retries: 2,
        throttles: 1,
        ..Default::default()
    };
    s.categories.insert(
        Category::Objects,
        CategoryTotals {
            deleted: 6_000,
            bytes: 8 << 30,
            ..Default::default()
        },
    );
    s.categories.insert(
        Category::PreviousVersions,
        CategoryTotals {
            deleted: 3_868,
            bytes: 4 << 30,
            failed: 2,
            ..Default::default()
        },
    );
    for (key, version) in [
        ("db/2024-12-31.sql.gz", "CAEQ000000000000A1"),
        ("db/2025-01-01.sql.gz", "CAEQ000000000000A2"),
    ] {
        s.record_failure(FailedItem {
            category: Category::PreviousVersions,
            key: key.into(),
            version_id: Some(version.into()),
            code: "AccessDenied".into(),
            message: "You have no right to access this object. (needs oss:DeleteObject)".into(),
        });
    }
    s.remaining = Some(Remaining { explanation: "some items could not be deleted (see the failures above), so the bucket was left in place: 2 previous versions remain.".into(), ..Default::default() });
    s
}

/// A run of `backups` half-way, with a failure.
fn running() -> App {
    let mut app = scanned();
    app.update(key('D'));
    typed(&mut app, "backups");
    let effects = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::CancelScan, Effect::StartRun(p)] if p.len() == 1 && p[0].action.deletes_bucket() && p[0].bucket == "backups")
    );
    app.run_started(Some(
        "/home/me/.local/state/ossweep/reports/backups-20250101T000000Z.ndjson".into(),
    ));
    let b = || "backups".to_string();
    for e in [
        Event::Started {
            bucket: b(),
            dry_run: false,
        },
        Event::CategoryStarted {
            bucket: b(),
            category: Category::Objects,
            estimate: Some(6_000),
        },
        Event::CategoryStarted {
            bucket: b(),
            category: Category::PreviousVersions,
            estimate: Some(3_870),
        },
        Event::CategoryStarted {
            bucket: b(),
            category: Category::DeleteMarkers,
            estimate: Some(312),
        },
        Event::Progress {
            bucket: b(),
            category: Category::Objects,
            keys: 3_000,
            bytes: 4 << 30,
            requests: 3,
        },
        Event::Progress {
            bucket: b(),
            category: Category::PreviousVersions,
            keys: 1_000,
            bytes: 1 << 30,
            requests: 1,
        },
        Event::Throttled { delay_ms: 200 },
        Event::Concurrency { limit: 6 },
        Event::ItemsFailed {
            bucket: b(),
            category: Category::PreviousVersions,
            count: 2,
            code: "AccessDenied".into(),
            message: "You have no right to access this object.".into(),
            sample: vec![ObjectIdentifier::version(
                "db/2024-12-31.sql.gz",
                "CAEQ000000000000A1",
            )],
        },
    ] {
        app.update(Msg::Engine(e));
    }
    for s in 1..=4 {
        app.update(Msg::Tick(Duration::from_secs(s)));
    }
    app
}

fn snapshot(app: &App) -> String {
    snapshot_at(app, 100, 30)
}

pub(super) fn snapshot_at(app: &App, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| app.render(f.area(), f.buffer_mut(), &Theme::plain()))
        .unwrap();
    t.backend().to_string()
}

// ------------------------------------------------------------------ state machine

#[test]
fn starts_by_listing_buckets_and_loads_details_lazily() {
    let (mut app, effects) = App::new(context());
    assert_eq!(
        effects,
        [
            Effect::LoadBuckets,
            Effect::LoadInterrupted,
            Effect::LoadVectorBuckets
        ]
    );
    assert!(app.animating());
    let effects = app.update(Msg::BucketsLoaded(Ok(vec![
        bucket("a-bucket", "cn-hangzhou", 1),
        bucket("b-bucket", "cn-hangzhou", 1),
    ])));
    assert_eq!(
        effects,
        [
            Effect::LoadDetails("a-bucket".into()),
            Effect::LoadDetails("b-bucket".into())
        ]
    );
}

#[test]
fn filter_marks_and_sort() {
    let mut app = listed();
    app.update(key('/'));
    typed(&mut app, "log");
    assert_eq!(app.list.visible().len(), 1);
    app.update(code(KeyCode::Esc));
    assert_eq!(
        (app.list.filter.as_str(), app.list.visible().len()),
        ("", 3)
    );
    app.update(key(' '));
    app.update(key(' '));
    assert_eq!(app.list.marked.len(), 2);
    app.update(key('D'));
    assert!(matches!(app.screen, Screen::Batch(_)));
    app.update(code(KeyCode::Esc));
    assert_eq!(app.screen, Screen::List);
}

/// Marks `backups` and `shop-assets`, presses D: both are scanned first.
fn batch_scanned(shop_has_hdfs: bool) -> App {
    let mut app = listed();
    app.update(key('s'));
    app.update(key('s')); // by date: backups, shop-assets, logs-2024
    app.update(key(' '));
    app.update(key(' '));
    assert_eq!(
        app.update(key('D')),
        [Effect::ScanBatch(
            BucketKind::Object,
            vec!["shop-assets".into(), "backups".into()]
        )],
        "list order"
    );
    app.update(Msg::Scanned {
        bucket: "backups".into(),
        event: ScanEvent::Finished(Box::new(report("backups", true))),
    });
    assert!(
        matches!(app.screen, Screen::Batch(_)),
        "the confirm pane waits for every scan"
    );
    let mut shop = report("shop-assets", true);
    shop.region = "cn-hangzhou".into();
    shop.replication.clear();
    shop.website = true;
    if shop_has_hdfs {
        let c = shop.category_mut(Category::OssHdfs);
        c.count = 40;
        c.state = State::ManualStep;
    }
    shop.risks = crate::scan::risk::risks(&shop);
    app.update(Msg::Scanned {
        bucket: "shop-assets".into(),
        event: ScanEvent::Finished(Box::new(shop)),
    });
    app
}

#[test]
fn a_batch_is_scanned_then_confirmed_with_every_buckets_risks() {
    let mut app = batch_scanned(false);
    let Screen::Confirm(c, None) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(c.expected(), "delete 2 buckets");
    // Every bucket's risks, scrolling down the pane.
    let mut text = snapshot(&app);
    for _ in 0..40 {
        app.update(code(KeyCode::Down));
        text.push_str(&snapshot(&app));
    }
    assert!(
        text.contains("Replication rule") && text.contains("static website"),
        "{text}"
    );
    typed(&mut app, "delete 2 buckets");
    let effects = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::CancelScan, Effect::StartRun(p)] if p.len() == 2 && p.iter().all(|p| p.action.deletes_bucket()))
    );
}

#[test]
fn a_batch_with_a_bucket_that_cannot_be_deleted_cannot_start() {
    let mut app = batch_scanned(true);
    typed(&mut app, "delete 2 buckets");
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    let text = snapshot(&app);
    assert!(text.contains("cannot be deleted"), "{text}");
}

#[test]
fn destructive_keys_wait_for_a_complete_scan() {
    let mut app = listed();
    app.update(code(KeyCode::Enter));
    for k in ['D', 'a', 'c', 'e'] {
        assert!(app.update(key(k)).is_empty(), "{k} acted mid-scan");
        assert!(matches!(app.screen, Screen::Scan(_)));
        assert!(
            app.notice.as_deref().unwrap().contains("wait for the scan"),
            "{:?}",
            app.notice
        );
    }
    assert!(snapshot(&app).contains("c a D e wait for the scan"));
    // A scan that failed never unlocks them either.
    let bucket = match &app.screen {
        Screen::Scan(s) => s.bucket.clone(),
        _ => unreachable!(),
    };
    app.update(Msg::ScanFailed {
        bucket,
        error: ErrorInfo::text("Scan failed:", "AccessDenied"),
    });
    assert!(app.update(key('D')).is_empty());
    assert!(app.notice.as_deref().unwrap().contains("rescan"));
}

#[test]
fn clear_all_needs_the_typed_name_and_lists_what_goes() {
    let mut app = scanned();
    app.update(key('a'));
    let Screen::Confirm(c, Some(_)) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(c.expected(), "backups");
    assert!(
        app.update(code(KeyCode::Enter)).is_empty(),
        "no name, no run"
    );
    let text = snapshot(&app);
    assert!(
        text.contains("1 access point") && text.contains("6,000 current objects"),
        "{text}"
    );
    typed(&mut app, "backups");
    let effects = app.update(code(KeyCode::Enter));
    let [Effect::CancelScan, Effect::StartRun(p)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        p[0].action,
        engine::Action::clear_all(crate::vocab::BucketKind::Object)
    );
}

#[test]
fn an_empty_only_bucket_offers_emptying_instead_of_deleting() {
    let mut app = scanned();
    if let Screen::Scan(s) = &mut app.screen {
        let c = s.report.category_mut(Category::OssHdfs);
        c.count = 40;
        c.state = State::ManualStep;
    }
    app.update(key('D'));
    let Screen::Confirm(c, Some(_)) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    let Intent::Run {
        preflights,
        instead: Some(refusal),
    } = &c.intent
    else {
        panic!("{:?}", c.intent)
    };
    assert!(refusal.reasons[0].contains("OSS-HDFS"));
    assert_eq!(preflights[0].action, engine::Action::empty_only());
    assert!(matches!(preflights[0].verdict, Verdict::EmptyOnly { .. }));
    typed(&mut app, "backups");
    let effects = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::CancelScan, Effect::StartRun(p)] if !p[0].action.deletes_bucket()),
        "{effects:?}"
    );
}

#[test]
fn a_blocked_bucket_cannot_be_confirmed() {
    let mut app = scanned();
    if let Screen::Scan(s) = &mut app.screen {
        let c = s.report.category_mut(Category::Objects);
        c.state = State::Unknown;
        c.note = Some("listing failed: AccessDenied".into());
    }
    app.update(key('D'));
    typed(&mut app, "backups");
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    assert!(snapshot(&app).contains("cannot start"));
}

#[test]
fn blockers_the_endpoint_cannot_list_that_oss_guards_are_said_on_the_confirm_pane() {
    let mut app = scanned();
    if let Screen::Scan(s) = &mut app.screen {
        let c = s.report.category_mut(Category::AccessPoints);
        c.state = State::Unknown;
        c.unsupported = true;
        c.note = Some("not supported by this endpoint (ListAccessPoints)".into());
    }
    app.update(key('D'));
    let text = snapshot(&app);
    assert!(
        text.contains("unknown: the access points could not be listed"),
        "{text}"
    );
    typed(&mut app, "backups");
    let effects = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::CancelScan, Effect::StartRun(p)] if p[0].left_to_oss.contains(&Category::AccessPoints)),
        "{effects:?}"
    );
}

#[test]
fn delete_needs_the_exact_name() {
    let mut app = scanned();
    assert_eq!(app.update(key('D')), [Effect::CancelScan]);
    typed(&mut app, "backupz");
    assert!(
        app.update(code(KeyCode::Enter)).is_empty(),
        "a mismatch does nothing"
    );
    assert!(matches!(app.screen, Screen::Confirm(..)));
    app.update(code(KeyCode::Backspace));
    typed(&mut app, "s");
    let effects = app.update(code(KeyCode::Enter));
    let [Effect::CancelScan, Effect::StartRun(p)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(p[0].action, engine::Action::DeleteBucket);
    assert_eq!(
        (p[0].entries(), p[0].bytes()),
        (10_185, (12 << 30) + (300 << 20))
    );
    assert!(matches!(app.screen, Screen::Progress(_)) && app.run.active());
}

#[test]
fn esc_on_confirm_returns_to_the_same_scan() {
    let mut app = scanned();
    app.update(key('D'));
    typed(&mut app, "q");
    assert_ne!(app.modal, Some(Modal::Quit), "q is text in the name field");
    // `?` is help (no name holds one); any key closes it.
    app.update(key('?'));
    assert_eq!(app.modal, Some(Modal::Help));
    app.update(key('x'));
    assert_eq!(app.modal, None);
    app.update(code(KeyCode::Esc));
    match &app.screen {
        Screen::Scan(s) => assert!(s.report.finished && s.bucket == "backups"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn clearing_a_category_asks_for_the_name_then_runs_only_that_category() {
    let mut app = scanned();
    app.update(key('j'));
    app.update(key('c'));
    let Screen::Confirm(c, Some(_)) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    let Intent::Run { preflights, .. } = &c.intent else {
        unreachable!()
    };
    assert_eq!(preflights[0].goes[0].count, 3_870);
    typed(&mut app, "backups");
    let effects = app.update(code(KeyCode::Enter));
    let [Effect::CancelScan, Effect::StartRun(p)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        p[0].action,
        engine::Action::clear([Category::PreviousVersions])
    );
    // The report goes back to the same bucket's scan pane, rescanned.
    let mut s = summary("backups");
    s.remaining = None;
    app.update(Msg::RunEnded(Ok(vec![s])));
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        [Effect::StartScan("backups".into())]
    );
    assert!(matches!(&app.screen, Screen::Scan(s) if s.bucket == "backups" && s.scanning));
}

#[test]
fn oss_hdfs_is_never_cleared_and_empty_categories_need_nothing() {
    let mut app = scanned();
    for _ in 0..7 {
        app.update(key('j'));
    }
    app.update(key('c'));
    assert!(matches!(&app.screen, Screen::Scan(_)));
    assert!(app.notice.as_deref().unwrap().contains("console"));
    app.update(key('k'));
    app.update(key('c'));
    assert!(app
        .notice
        .as_deref()
        .unwrap()
        .starts_with("Nothing to clear"));
}

fn expiry_plan(days: u32) -> ExpiryPlan {
    ExpiryPlan {
        bucket: "backups".into(),
        phase: Phase::A,
        days,
        versioning: Versioning::Enabled,
        hdfs: crate::lifecycle::Hdfs::Absent,
        installed: None,
        replaces: Some("<LifecycleConfiguration/>".into()),
        replaced: vec![crate::oss::model::LifecycleRule {
            id: "archive-logs".into(),
            prefix: "logs/".into(),
            enabled: true,
            expiration_days: Some(365),
            transitions: vec!["Archive".into()],
            ..Default::default()
        }],
        note: None,
    }
}

#[test]
fn expiry_rules_are_read_then_confirmed_by_name_with_adjustable_days() {
    let mut app = scanned();
    assert_eq!(
        app.update(key('e')),
        [Effect::PrepareExpiry {
            bucket: "backups".into(),
            days: 1
        }]
    );
    app.update(Msg::ExpiryPrepared {
        bucket: "backups".into(),
        result: Ok(expiry_plan(1)),
    });
    assert!(
        matches!(&app.screen, Screen::Confirm(c, Some(_)) if matches!(c.intent, Intent::Expiry(_)))
    );
    for _ in 0..6 {
        app.update(code(KeyCode::Up));
    }
    app.update(code(KeyCode::Down));
    assert!(
        app.update(code(KeyCode::Enter)).is_empty(),
        "the name first"
    );
    typed(&mut app, "backups");
    assert_eq!(
        app.update(code(KeyCode::Enter)),
        [Effect::InstallExpiry(expiry_plan(6))]
    );
    let effects = app.update(Msg::ExpiryInstalled {
        bucket: "backups".into(),
        result: Ok("Installed ossweep-expire-phase-a".into()),
    });
    assert_eq!(effects, [Effect::StartScan("backups".into())]);
    assert!(
        matches!(&app.screen, Screen::Scan(s) if s.notice.as_deref() == Some("Installed ossweep-expire-phase-a"))
    );
}

/// What `e` did, with the backup's path, is read whole at 80x24 (wrapped, never cut).
#[test]
fn the_installed_rules_and_the_whole_backup_path_show_at_80x24() {
    let mut app = scanned();
    let path = "/home/me/.local/state/ossweep/reports/backups-lifecycle-20261207T114500Z.xml";
    app.update(key('e'));
    app.update(Msg::ExpiryInstalled {
        bucket: "backups".into(),
        result: Ok(format!(
            "Installed ossweep-expire-phase-a-2026-12-07 on backups; the previous configuration is saved in {path} (put it back with `ossweep expire backups --restore {path}`). Run ossweep expire backups again after the data has expired."
        )),
    });
    let text = snapshot_at(&app, 80, 24);
    insta::assert_snapshot!("expiry_installed_80x24", text);
    let rows: Vec<&str> = text.lines().map(|l| l.trim_matches('"')).collect();
    assert!(
        rows.iter().any(|l| l.contains(path)),
        "the path on one line, whole: {text}"
    );
}

#[test]
fn the_header_says_where_requests_go() {
    let text = snapshot(&listed());
    assert!(
        text.contains("profile default  region cn-hangzhou"),
        "{text}"
    );
    let (mut demo, _) = App::new(Context {
        profile: "demo".into(),
        target: "emulator http://127.0.0.1:9000".into(),
        demo: true,
        credentials: String::new(),
        held: None,
        reports: None,
        prices: Default::default(),
    });
    demo.update(Msg::BucketsLoaded(Ok(vec![])));
    assert!(snapshot(&demo).contains("DEMO"));
    // Which AccessKey signs, masked.
    let (mut keyed, _) = App::new(Context {
        credentials: "key LTAI****1234".into(),
        ..context()
    });
    keyed.update(Msg::BucketsLoaded(Ok(vec![])));
    let text = snapshot(&keyed);
    assert!(
        text.contains("profile default  region cn-hangzhou  key LTAI****1234"),
        "{text}"
    );
    // A role: its name, then, once renewed, the key held and until when.
    let (mut role, _) = App::new(Context {
        credentials: "role ossweep-runner".into(),
        ..context()
    });
    role.update(Msg::BucketsLoaded(Ok(vec![])));
    assert!(snapshot(&role).contains("region cn-hangzhou  role ossweep-runner"));
    role.update(Msg::CredentialsHeld(crate::oss::credentials::Held {
        key: "STS.****wxyz".into(),
        expires: Some(T0 + 3_600 + 42 * 60),
    }));
    let text = snapshot(&role);
    assert!(
        text.contains("role ossweep-runner STS.****wxyz until 01:42 UTC"),
        "{text}"
    );
}

#[test]
fn stopping_a_run_asks_first_and_quitting_cancels_it() {
    let mut app = running();
    app.update(code(KeyCode::Esc));
    assert_eq!(app.modal, Some(Modal::Stop));
    assert!(app.update(key('n')).is_empty());
    app.update(code(KeyCode::Esc));
    assert_eq!(app.update(key('y')), [Effect::CancelRun]);
    assert!(matches!(&app.screen, Screen::Progress(p) if p.stopping));
    assert!(
        app.update(key('q')).is_empty(),
        "asks before quitting a running deletion"
    );
    assert_eq!(app.modal, Some(Modal::Quit));
    // The run stops after its batches in flight; the wizard quits when it has.
    assert_eq!(app.update(key('y')), [Effect::CancelRun]);
    assert_eq!(app.run, RunState::Quitting);
}

/// The stop question is the progress pane's: a run that ends under it takes
/// it away, and the next key is the report's.
#[test]
fn a_run_that_ends_under_the_stop_question_leaves_no_question() {
    let mut app = running();
    app.update(code(KeyCode::Esc));
    assert_eq!(app.modal, Some(Modal::Stop));
    app.update(Msg::RunEnded(Ok(vec![summary("backups")])));
    assert!(!snapshot(&app).contains("Stop after the batches in flight?"));
    assert_eq!(app.update(code(KeyCode::Enter)), [Effect::LoadBuckets]);
}

#[test]
fn the_report_returns_to_a_refreshed_list() {
    let mut app = running();
    app.update(Msg::RunEnded(Ok(vec![summary("backups")])));
    assert!(matches!(app.screen, Screen::Report(_)) && !app.run.active());
    assert_eq!(app.update(code(KeyCode::Enter)), [Effect::LoadBuckets]);
    assert_eq!(app.screen, Screen::List);
    assert_eq!(
        listed().update(key('q')),
        [Effect::CancelScan, Effect::Quit]
    );
}

#[test]
fn help_is_built_from_the_key_table_and_any_key_closes_it() {
    let mut app = listed();
    app.update(key('?'));
    let text = snapshot(&app);
    for b in keymap::LIST {
        assert!(text.contains(b.hint), "{}", b.hint);
    }
    app.update(key('x'));
    assert_eq!(app.modal, None);
}

#[test]
fn errors_show_code_message_and_request_id_and_r_retries() {
    let (mut app, _) = App::new(context());
    app.update(Msg::BucketsLoaded(Err(ErrorInfo {
        title: "Could not list buckets:".into(),
        code: Some("AccessDenied".into()),
        message: "You are denied by bucket policy.".into(),
        request_id: Some("5C3D8D2A0ACA54D87B43".into()),
    })));
    let text = snapshot(&app);
    assert!(
        text.contains("AccessDenied")
            && text.contains("5C3D8D2A0ACA54D87B43")
            && text.contains("retry")
    );
    assert_eq!(app.update(key('r')), [Effect::LoadBuckets]);
}

// ------------------------------------------------------------------ snapshots

#[test]
fn snapshot_list_loading() {
    let (app, _) = App::new(context());
    insta::assert_snapshot!("list_loading", snapshot(&app));
}

#[test]
fn snapshot_list_empty() {
    let (mut app, _) = App::new(context());
    app.update(Msg::BucketsLoaded(Ok(vec![])));
    insta::assert_snapshot!("list_empty", snapshot(&app));
}

#[test]
fn snapshot_list_error() {
    let (mut app, _) = App::new(context());
    app.update(Msg::BucketsLoaded(Err(ErrorInfo {
        title: "Could not list buckets:".into(),
        code: Some("InvalidAccessKeyId".into()),
        message: "The OSS Access Key Id you provided does not exist in our records.".into(),
        request_id: Some("5C3D8D2A0ACA54D87B43".into()),
    })));
    insta::assert_snapshot!("list_error", snapshot(&app));
}

#[test]
fn snapshot_list_populated_with_a_detail_still_loading() {
    let (mut app, _) = App::new(context());
    app.update(Msg::BucketsLoaded(Ok(vec![
        bucket("shop-assets", "cn-hangzhou", 400),
        bucket("logs-2024", "cn-shanghai", 700),
    ])));
    app.update(Msg::DetailsLoaded {
        bucket: "shop-assets".into(),
        result: Ok((Some(stat(1_204, 3 << 30, 0)), Versioning::Off)),
    });
    app.update(key(' '));
    insta::assert_snapshot!("list_populated", snapshot(&app));
}

#[test]
fn snapshot_list_and_scan_without_bucket_statistics() {
    let (mut app, _) = App::new(context());
    app.update(Msg::BucketsLoaded(Ok(vec![bucket(
        "shop-assets",
        "cn-hangzhou",
        400,
    )])));
    app.update(Msg::DetailsLoaded {
        bucket: "shop-assets".into(),
        result: Ok((None, Versioning::Off)),
    });
    let list = snapshot(&app);
    assert!(list.contains("n/a"), "{list}");
    insta::assert_snapshot!("list_without_statistics", list);
    app.update(code(KeyCode::Enter));
    let mut r = report("shop-assets", true);
    r.estimate = None;
    r.estimate_unavailable = Some("AccessDenied, no oss:GetBucketStat".into());
    app.update(Msg::Scanned {
        bucket: "shop-assets".into(),
        event: ScanEvent::Finished(Box::new(r)),
    });
    let scan = snapshot(&app);
    assert!(
        scan.contains("OSS estimate unavailable (AccessDenied, no oss:GetBucketStat)"),
        "{scan}"
    );
    insta::assert_snapshot!("scan_without_statistics", scan);
}

#[test]
fn snapshot_list_filtered() {
    let mut app = listed();
    app.update(key('/'));
    typed(&mut app, "back");
    insta::assert_snapshot!("list_filtered", snapshot(&app));
}

#[test]
fn snapshot_scan_streaming() {
    let mut app = listed();
    app.update(code(KeyCode::Enter));
    let bucket = match &app.screen {
        Screen::Scan(s) => s.bucket.clone(),
        other => panic!("{other:?}"),
    };
    app.update(Msg::Scanned {
        bucket: bucket.clone(),
        event: ScanEvent::Estimate(Box::new(report(&bucket, false))),
    });
    app.update(Msg::Scanned {
        bucket,
        event: ScanEvent::Counted {
            category: Category::Objects,
            count: 2_000,
            bytes: 2 << 30,
        },
    });
    insta::assert_snapshot!("scan_streaming", snapshot(&app));
}

#[test]
fn snapshot_scan_done_with_risks() {
    insta::assert_snapshot!("scan_done", snapshot(&scanned()));
}

#[test]
fn snapshot_confirm_clear_category() {
    let mut app = scanned();
    app.update(key('j'));
    app.update(key('c'));
    insta::assert_snapshot!("confirm_clear_category", snapshot(&app));
}

#[test]
fn snapshot_confirm_single_bucket_with_risks_at_80x24() {
    let mut app = scanned();
    app.update(key('D'));
    insta::assert_snapshot!("confirm_risks_80x24", snapshot_at(&app, 80, 24));
}

#[test]
fn a_confirm_pane_taller_than_the_terminal_says_so_and_scrolls_to_its_last_risk() {
    let mut app = scanned();
    app.update(key('D'));
    let top = snapshot_at(&app, 80, 20);
    assert!(top.contains("↓ more below: ↑/↓ scroll"), "{top}");
    let last = match &app.screen {
        Screen::Confirm(c, _) => match &c.intent {
            Intent::Run { preflights, .. } => preflights[0].risks.last().unwrap().text.clone(),
            Intent::Expiry(_) | Intent::Resume { .. } => unreachable!(),
        },
        other => panic!("{other:?}"),
    };
    let head: String = last
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        !top.contains(&head),
        "the last risk is below the fold\n{top}"
    );
    for _ in 0..200 {
        app.update(code(KeyCode::Down));
    }
    let bottom = snapshot_at(&app, 80, 20);
    assert!(
        bottom.contains("↑ more above") && !bottom.contains("more below") && bottom.contains(&head),
        "{bottom}"
    );
    // One Up after scrolling far past the end moves at once: scrolling stopped at the end.
    app.update(code(KeyCode::Up));
    let one_up = snapshot_at(&app, 80, 20);
    assert!(one_up.contains("more above and below"), "{one_up}");
}

#[test]
fn snapshot_confirm_empty_only() {
    let mut app = scanned();
    if let Screen::Scan(s) = &mut app.screen {
        let c = s.report.category_mut(Category::OssHdfs);
        c.count = 40;
        c.bytes = 5 << 30;
        c.state = State::ManualStep;
    }
    app.update(key('D'));
    insta::assert_snapshot!("confirm_empty_only", snapshot(&app));
}

#[test]
fn snapshot_batch_scanning() {
    let mut app = listed();
    app.update(key(' '));
    app.update(key(' '));
    app.update(key('D'));
    app.update(Msg::Scanned {
        bucket: "backups".into(),
        event: ScanEvent::Finished(Box::new(report("backups", true))),
    });
    insta::assert_snapshot!("batch_scanning", snapshot(&app));
}

#[test]
fn snapshot_confirm_mismatch_and_match() {
    let mut app = scanned();
    app.update(key('D'));
    typed(&mut app, "backupz");
    insta::assert_snapshot!("confirm_mismatch", snapshot(&app));
    app.update(code(KeyCode::Backspace));
    typed(&mut app, "s");
    insta::assert_snapshot!("confirm_match", snapshot(&app));
}

#[test]
fn snapshot_confirm_batch_with_risks() {
    insta::assert_snapshot!("confirm_batch", snapshot(&batch_scanned(false)));
    insta::assert_snapshot!("confirm_batch_refused", snapshot(&batch_scanned(true)));
}

#[test]
fn snapshot_expiry_confirm() {
    let mut app = scanned();
    app.update(key('e'));
    app.update(Msg::ExpiryPrepared {
        bucket: "backups".into(),
        result: Ok(expiry_plan(1)),
    });
    insta::assert_snapshot!("confirm_expiry", snapshot(&app));
}

#[test]
fn snapshot_progress_mid_run_with_failures() {
    insta::assert_snapshot!("progress_mid_run", snapshot(&running()));
}

#[test]
fn snapshot_progress_stop_prompt_and_cancelled() {
    let mut app = running();
    app.update(code(KeyCode::Esc));
    insta::assert_snapshot!("progress_stop_prompt", snapshot(&app));
    app.update(key('y'));
    let mut s = summary("backups");
    s.cancelled = true;
    s.remaining = None;
    app.update(Msg::Engine(Event::Cancelled {
        summary: Box::new(s.clone()),
    }));
    insta::assert_snapshot!("progress_cancelled", snapshot(&app));
    app.update(Msg::RunEnded(Ok(vec![s])));
    insta::assert_snapshot!("report_cancelled", snapshot(&app));
}

#[test]
fn snapshot_report() {
    let mut app = running();
    let mut gone = summary("backups");
    gone.failures.clear();
    gone.failures_total = 0;
    gone.remaining = None;
    gone.categories
        .get_mut(&Category::PreviousVersions)
        .unwrap()
        .failed = 0;
    gone.bucket_deleted = true;
    gone.verified = [Category::Objects, Category::PreviousVersions].into();
    app.update(Msg::RunEnded(Ok(vec![gone])));
    insta::assert_snapshot!("report_deleted", snapshot(&app));
    let mut app = running();
    app.update(Msg::RunEnded(Ok(vec![summary("backups")])));
    insta::assert_snapshot!("report_with_failures", snapshot(&app));
}

#[test]
fn snapshot_help_and_too_small() {
    let mut app = listed();
    app.update(key('?'));
    insta::assert_snapshot!("help_overlay", snapshot(&app));
    let mut t = Terminal::new(TestBackend::new(60, 12)).unwrap();
    t.draw(|f| app.render(f.area(), f.buffer_mut(), &Theme::plain()))
        .unwrap();
    insta::assert_snapshot!("too_small", t.backend().to_string());
}

#[test]
fn a_long_list_scrolls_with_the_selection() {
    let (mut app, _) = App::new(context());
    let buckets: Vec<BucketSummary> = (0..100)
        .map(|i| bucket(&format!("bucket-{i:03}"), "cn-hangzhou", i))
        .collect();
    app.update(Msg::BucketsLoaded(Ok(buckets)));
    for _ in 0..60 {
        app.update(key('j'));
    }
    let text = snapshot(&app);
    assert!(
        text.contains("bucket-060") && !text.contains("bucket-000"),
        "{text}"
    );
}

#[test]
fn after_going_back_from_a_confirm_pane_the_other_actions_still_work() {
    let mut app = scanned();
    app.update(key('D'));
    app.update(code(KeyCode::Esc));
    app.update(key('a'));
    assert!(
        matches!(app.screen, Screen::Confirm(..)),
        "{:?}",
        app.notice
    );
}

#[test]
fn a_slow_reply_shows_on_the_status_line_until_the_scan_moves() {
    let mut app = listed();
    app.update(Msg::Waiting(
        "waiting for OSS (GetBucketInfo, attempt 2 of 5, 25 s)".into(),
    ));
    assert!(snapshot(&app).contains("waiting for OSS (GetBucketInfo, attempt 2 of 5, 25 s)"));
    app.update(Msg::Scanned {
        bucket: "elsewhere".into(),
        event: ScanEvent::Counted {
            category: Category::Objects,
            count: 1,
            bytes: 1,
        },
    });
    assert_eq!(app.notice, None);
}

/// The engine's check of a run whose bucket grew after it was interrupted.
fn grown_check(run: &str) -> crate::engine::ResumeView {
    use crate::engine::resume::{BucketCheck, CheckState};
    use crate::scan::risk::{Risk, Severity};
    crate::engine::ResumeView {
        run: run.into(),
        status: "25% done: 3,000 of 12,000 entries deleted; 0 of 1 bucket finished".into(),
        report: None,
        buckets: vec![BucketCheck {
            kind: crate::vocab::BucketKind::Object,
            bucket: "acme-logs".into(),
            region: "cn-hangzhou".into(),
            action: engine::Action::DeleteBucket,
            prefix: None,
            confirmed: "12,000 current objects (1.1 MiB)".into(),
            deleted: 3_000,
            left: 9_000,
            state: CheckState::Resumable,
            differences: vec![
                "5,000 entries written after the run was confirmed (5,000 current objects) (e.g. \"late/0000001\"): never confirmed".into(),
            ],
            unconfirmed: 5_000,
            risks: vec![Risk {
                severity: Severity::Danger,
                kind: "name-cooldown",
                text: "Once deleted, the name acme-logs can be registered by anyone after a 4-8 hour cool-down.".into(),
            }],
            listing: Default::default(),
            freeze_writes: false,
        }],
    }
}

#[test]
fn an_interrupted_run_is_offered_on_the_list_and_resumed_only_after_its_check_and_name() {
    let (mut app, _) = App::new(context());
    let run = super::interrupted::Interrupted {
        frozen: None,
        id: "20261206-213504-1f2e".into(),
        buckets: "acme-logs".into(),
        percent: 37,
    };
    app.update(Msg::Interrupted(vec![run.clone()]));
    let text = snapshot(&app);
    assert!(
        text.contains("An interrupted deletion of acme-logs: 37% done"),
        "{text}"
    );
    assert!(
        text.contains("R resume") && text.contains("X discard") && text.contains("L later"),
        "{text}"
    );
    // While the list still loads, R does nothing but say so.
    assert!(app.update(key('R')).is_empty());
    assert!(matches!(app.screen, Screen::List));
    assert!(app.notice.as_deref().unwrap_or_default().contains("Wait"));
    app.update(Msg::BucketsLoaded(Ok(vec![bucket(
        "acme-logs",
        "cn-hangzhou",
        9,
    )])));
    // L: later; the banner goes for this session.
    let mut later = app.clone();
    assert!(later.update(key('L')).is_empty());
    assert!(later.interrupted.is_empty());
    // X: the journal goes, nothing is sent.
    let mut discard = app.clone();
    assert_eq!(
        discard.update(key('X')),
        [Effect::DiscardRun(run.id.clone())]
    );
    // R: the engine's check opens in the confirm pane; nothing runs yet.
    let effects = app.update(key('R'));
    assert_eq!(effects, [Effect::CheckResume(run.id.clone())]);
    assert!(matches!(app.screen, Screen::Confirm(..)));
    let checking = snapshot(&app);
    assert!(
        checking.contains("Checking run 20261206-213504-1f2e"),
        "{checking}"
    );
    // Stray keys, even the name and Enter, start nothing while it checks.
    for c in "acme-logs".chars() {
        assert!(app.update(key(c)).is_empty());
    }
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    assert!(!app.run.active());
    // The check is in: what changed is shown; the name must be typed.
    let effects = app.update(Msg::ResumeChecked {
        run: run.id.clone(),
        result: Ok(Box::new(grown_check(&run.id))),
    });
    assert!(effects.is_empty());
    let text = snapshot(&app);
    assert!(
        text.contains("5,000 entries written after the run was confirmed"),
        "{text}"
    );
    assert!(text.contains("Type acme-logs to confirm"), "{text}");
    // Esc: back to the list, the check's locks go, the run is offered again.
    let mut esc = app.clone();
    assert_eq!(
        esc.update(code(KeyCode::Esc)),
        [Effect::DropResume, Effect::LoadInterrupted]
    );
    assert!(matches!(esc.screen, Screen::List));
    // The name typed (what was typed while checking stays), Enter resumes.
    let effects = app.update(code(KeyCode::Enter));
    assert_eq!(effects, [Effect::ResumeRun(run.id.clone())]);
    assert!(matches!(app.screen, Screen::Progress(_)));
    app.update(Msg::Journaled(run.id.clone()));
    app.update(key('q'));
    let text = snapshot(&app);
    assert!(
        text.contains("ossweep resume 20261206-213504-1f2e"),
        "{text}"
    );
}

#[test]
fn a_resume_whose_bucket_is_not_the_one_confirmed_cannot_start() {
    use crate::engine::resume::CheckState;
    let mut app = listed();
    app.update(Msg::Interrupted(vec![super::interrupted::Interrupted {
        frozen: None,
        id: "20261206-213504-1f2e".into(),
        buckets: "acme-logs".into(),
        percent: 37,
    }]));
    app.update(key('R'));
    let mut view = grown_check("20261206-213504-1f2e");
    view.buckets[0].state = CheckState::Refused("it is not the bucket the run was confirmed for: it was created 2026-12-07T08:00:00.000Z, not 2026-12-01T08:00:00.000Z like the bucket confirmed: it was deleted and created again. ossweep never touches it; discard the run".into());
    app.update(Msg::ResumeChecked {
        run: "20261206-213504-1f2e".into(),
        result: Ok(Box::new(view)),
    });
    for c in "acme-logs".chars() {
        app.update(key(c));
    }
    assert!(app.update(code(KeyCode::Enter)).is_empty());
    let text = snapshot_at(&app, 80, 24);
    assert!(text.contains("Nothing can start"), "{text}");
    assert!(text.contains("cannot start"), "{text}");
    insta::assert_snapshot!("resume_refused_80x24", text);
}

#[test]
fn a_resume_that_cannot_be_checked_says_why_on_the_list() {
    let mut app = listed();
    app.update(Msg::Interrupted(vec![super::interrupted::Interrupted {
        frozen: None,
        id: "20261206-213504-1f2e".into(),
        buckets: "acme-logs".into(),
        percent: 37,
    }]));
    app.update(key('R'));
    let effects = app.update(Msg::ResumeChecked {
        run: "20261206-213504-1f2e".into(),
        result: Err(super::ErrorInfo::text(
            "Cannot resume:",
            "bucket acme-logs is in use by another ossweep run (run 20261206-220000-0001, process 4242, since 2026-12-06T22:00:00.000Z); wait for it to end, or stop it",
        )),
    });
    assert_eq!(effects, [Effect::LoadInterrupted]);
    assert!(matches!(app.screen, Screen::List));
    let text = snapshot(&app);
    assert!(text.contains("in use by another ossweep run"), "{text}");
}

#[test]
fn q_mid_run_stops_after_the_batches_in_flight_then_quits_with_the_summary() {
    let (mut app, _) = App::new(context());
    app.run = RunState::Running;
    app.screen = Screen::Progress(Box::new(Progress::resumed(vec!["b".into()], app.now)));
    app.update(Msg::Journaled("20261206-000000-0001".into()));
    assert!(app.update(key('q')).is_empty());
    assert_eq!(app.modal, Some(Modal::Quit));
    // y: the run stops first; the wizard does not quit yet.
    assert_eq!(app.update(key('y')), [Effect::CancelRun]);
    assert_eq!(app.run, RunState::Quitting);
    assert!(app.quitted().is_none(), "still running");
    let summary = crate::delete::Summary {
        bucket: "b".into(),
        cancelled: true,
        ..Default::default()
    };
    // The run ended: now it quits, leaving the summary to print.
    assert_eq!(
        app.update(Msg::RunEnded(Ok(vec![summary.clone()]))),
        [Effect::Quit]
    );
    let q = app.quitted().expect("a summary to print");
    assert_eq!(q.summaries, [summary]);
    assert_eq!(q.resume.as_deref(), Some("20261206-000000-0001"));
}

#[test]
fn list_keys_jump_page_and_esc_clears_an_applied_filter() {
    let mut app = listed();
    let n = app.list.visible().len();
    assert!(n >= 3, "{n}");
    app.update(key('G'));
    assert_eq!(app.list.selected, n - 1);
    app.update(key('g'));
    assert_eq!(app.list.selected, 0);
    app.update(code(KeyCode::End));
    assert_eq!(app.list.selected, n - 1);
    app.update(code(KeyCode::PageUp));
    assert_eq!(app.list.selected, (n - 1).saturating_sub(10));
    app.update(code(KeyCode::Home));
    assert_eq!(app.list.selected, 0);
    // A filter typed with readline keys: Ctrl-W takes the last word back,
    // Ctrl-U everything; neither is typed as a letter.
    app.update(key('/'));
    typed(&mut app, "zzz back");
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('w'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(app.list.filter.as_str(), "zzz ");
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(app.list.filter.as_str(), "");
    typed(&mut app, "back");
    app.update(code(KeyCode::Enter));
    let total = app.list.rows.len();
    let matching = app.list.visible().len();
    assert!(matching < total);
    let text = snapshot(&app);
    assert!(
        text.contains(&format!("Buckets ({matching} of {total})")),
        "{text}"
    );
    // Esc clears the applied filter.
    app.update(code(KeyCode::Esc));
    assert_eq!(app.list.filter.as_str(), "");
    assert_eq!(app.list.visible().len(), total);
}

#[test]
fn a_category_with_nothing_to_do_says_so_instead_of_a_full_bar() {
    let mut app = running();
    for e in [
        Event::CategoryStarted {
            bucket: "backups".into(),
            category: Category::Accelerators,
            estimate: Some(0),
        },
        Event::CategoryDone {
            bucket: "backups".into(),
            category: Category::Accelerators,
            deleted: 0,
            failed: 0,
        },
    ] {
        app.update(Msg::Engine(e));
    }
    let text = snapshot(&app);
    let row = text
        .lines()
        .find(|l| l.contains("OSS accelerators"))
        .expect(&text);
    assert!(row.contains("✓") && row.contains("nothing to do"), "{row}");
    assert!(!row.contains('█') && !row.contains('░'), "{row}");
    // The label never sits on a bar: bars start after the label column.
    let objects = text
        .lines()
        .find(|l| l.contains("Current objects"))
        .unwrap();
    assert!(objects.contains("Current objects  "), "{objects}");
}

#[test]
fn the_rate_is_smoothed_and_shows_in_the_first_second() {
    use crate::tui::screens::progress::Progress;
    let t0 = Duration::from_secs(10);
    let mut p = Progress::resumed(vec!["b".into()], t0);
    // A resumed run: what earlier sessions deleted is booked first, without
    // requests. It is done, but not this session's rate.
    p.apply(&Event::Progress {
        bucket: "b".into(),
        category: Category::Objects,
        keys: 200_000,
        bytes: 1 << 30,
        requests: 0,
    });
    p.tick(t0);
    let progress = |keys| {
        Msg::Engine(Event::Progress {
            bucket: "b".into(),
            category: Category::Objects,
            keys,
            bytes: keys * 100,
            requests: 1,
        })
    };
    let Msg::Engine(e) = progress(500) else {
        unreachable!()
    };
    p.apply(&e);
    // Half a second in: 500 keys is 1,000 keys/s, not 0.
    p.tick(t0 + Duration::from_millis(500));
    assert_eq!(p.rate(), 1_000);
    assert_eq!(p.byte_rate(), 100_000);
    // Samples each second: the rate is their mean over the last five.
    let mut now = t0 + Duration::from_millis(500);
    for keys in [1_000u64, 3_000, 1_000, 3_000, 1_000, 3_000] {
        let Msg::Engine(e) = progress(keys) else {
            unreachable!()
        };
        p.apply(&e);
        now += Duration::from_secs(1);
        p.tick(now);
    }
    assert!((1_500..=2_700).contains(&p.rate()), "{}", p.rate());
}

#[test]
fn help_on_the_scan_pane_explains_states_and_risk_marks() {
    let mut app = scanned();
    app.update(key('?'));
    let text = snapshot_at(&app, 100, 40);
    for want in [
        "blocks      present; ossweep can clear it",
        "not yet",
        "manual step",
        "!!          data lost for good",
        "i           for information",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
}

#[test]
fn at_80_columns_the_list_cuts_long_names_with_an_ellipsis_and_keeps_help_and_quit() {
    let mut app = listed();
    // A long name among short ones.
    let mut long = app.list.rows[0].clone();
    long.summary.name = "acme-compliance-archive-2019-to-2024-retained".into();
    app.list.rows.push(long);
    let text = snapshot_at(&app, 80, 24);
    let row = text
        .lines()
        .find(|l| l.contains("acme-compli"))
        .expect(&text);
    // Cut in the middle: the start and the distinguishing end stay.
    assert!(
        row.contains('…') && row.contains("-retained") && !row.contains("2019-to-2024-retained"),
        "cut with an ellipsis: {row}"
    );
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim_matches('"').trim().is_empty())
        .unwrap();
    assert!(last.contains("? help") && last.contains("q quit"), "{last}");
    // Every row stays inside the width, the sizes column included.
    assert!(text.contains("GiB"), "{text}");
}

/// The progress pane with every category a bucket deletion clears started.
fn running_every_category() -> App {
    let mut app = running();
    for category in [
        Category::Parts,
        Category::LiveChannels,
        Category::AccessPoints,
        Category::Accelerators,
    ] {
        app.update(Msg::Engine(Event::CategoryStarted {
            bucket: "backups".into(),
            category,
            estimate: Some(if category == Category::Parts { 4 } else { 0 }),
        }));
    }
    app.update(Msg::Engine(Event::CategoryDone {
        bucket: "backups".into(),
        category: Category::Accelerators,
        deleted: 0,
        failed: 0,
    }));
    app
}

/// Every screen at the smallest size the wizard supports (80x24) and at a
/// large one (120x40), so layouts can be seen to hold at both.
#[test]
fn snapshot_every_screen_at_80x24_and_120x40() {
    let mut filtered = listed();
    filtered.update(key('/'));
    typed(&mut filtered, "shop");
    filtered.update(code(KeyCode::Enter));
    let mut confirm = scanned();
    confirm.update(key('D'));
    typed(&mut confirm, "back");
    let mut report = running();
    report.update(Msg::RunEnded(Ok(vec![summary("backups")])));
    let mut help = scanned();
    help.update(key('?'));
    let mut interrupted = listed();
    interrupted.update(Msg::Interrupted(vec![super::interrupted::Interrupted {
        frozen: None,
        id: "20261206-213504-1f2e".into(),
        buckets: "backups".into(),
        percent: 37,
    }]));
    let mut checking = interrupted.clone();
    checking.update(key('R'));
    let mut resume = checking.clone();
    resume.update(Msg::ResumeChecked {
        run: "20261206-213504-1f2e".into(),
        result: Ok(Box::new(grown_check("20261206-213504-1f2e"))),
    });
    for c in "acme".chars() {
        resume.update(key(c));
    }
    let screens: Vec<(&str, App)> = vec![
        ("list", listed()),
        ("list_filtered", filtered),
        ("list_interrupted_run", interrupted),
        ("resume_checking", checking),
        ("resume_grown", resume),
        ("scan_done", scanned()),
        ("confirm_delete", confirm),
        ("confirm_batch", batch_scanned(false)),
        ("progress_every_category", running_every_category()),
        ("report", report),
        ("help_scan", help),
    ];
    for (name, app) in &screens {
        insta::assert_snapshot!(format!("{name}_80x24"), snapshot_at(app, 80, 24));
        insta::assert_snapshot!(format!("{name}_120x40"), snapshot_at(app, 120, 40));
    }
}

/// The help and the hint bar are built from each screen's key table; this
/// checks the table against the handling: every key the screen answers is in
/// the table (so in its help), and every key the table lists (moves aside,
/// which may have nowhere to go) does something there.
#[test]
fn every_listed_key_acts_and_every_acting_key_is_listed() {
    let with_banner = || {
        let mut app = listed();
        app.update(Msg::Interrupted(vec![super::interrupted::Interrupted {
            frozen: None,
            id: "20261206-213504-1f2e".into(),
            buckets: "backups".into(),
            percent: 37,
        }]));
        app
    };
    let report = || {
        let mut app = running();
        app.update(Msg::RunEnded(Ok(vec![summary("backups")])));
        app
    };
    type Fixture = Box<dyn Fn() -> App>;
    let screens: Vec<(&str, Fixture)> = vec![
        ("list", Box::new(listed)),
        ("list with the banner", Box::new(with_banner)),
        ("scan", Box::new(scanned)),
        ("progress", Box::new(running)),
        ("report", Box::new(report)),
    ];
    let mut keys: Vec<KeyEvent> = ('a'..='z')
        .chain('A'..='Z')
        .chain(['/', ' ', '?'])
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect();
    keys.extend(
        [
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
        ]
        .map(|c| KeyEvent::new(c, KeyModifiers::NONE)),
    );
    // Keys that act only in some states, which these fixtures are not in.
    let only_sometimes = [
        ("list", KeyCode::Esc),
        ("list with the banner", KeyCode::Esc),
    ];
    let mut wrong = Vec::new();
    for (name, make) in &screens {
        let table = make().keys();
        for k in &keys {
            let mut app = make();
            let before = (snapshot(&app), app.screen.clone());
            let effects = app.update(Msg::Key(*k));
            let acted = !effects.is_empty()
                || app.modal.is_some()
                || (snapshot(&app), app.screen.clone()) != before;
            let action = keymap::action(*k);
            let listed = action.is_some_and(|a| keymap::offers(table, a));
            let moves = keymap::steps(action.unwrap_or(KeyAction::Help)).is_some()
                || matches!(action, Some(KeyAction::Up | KeyAction::Down));
            if acted && !listed {
                wrong.push(format!(
                    "{name}: {:?} acts but the help does not list it",
                    k.code
                ));
            }
            if !acted && listed && !moves && !only_sometimes.contains(&(*name, k.code)) {
                wrong.push(format!("{name}: {:?} is listed but does nothing", k.code));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_selection_follows_its_bucket_across_sorts_and_filters() {
    let mut app = listed();
    // Sorted by name: backups, logs-2024, shop-assets. Select logs-2024.
    app.update(code(KeyCode::Down));
    let selected = |app: &App| app.list.selected_row().unwrap().summary.name.clone();
    assert_eq!(selected(&app), "logs-2024");
    for _ in 0..3 {
        app.update(key('s'));
        assert_eq!(selected(&app), "logs-2024", "sorted by {:?}", app.list.sort);
    }
    app.update(key('/'));
    typed(&mut app, "s");
    assert_eq!(selected(&app), "logs-2024");
    app.update(code(KeyCode::Esc));
    assert_eq!(selected(&app), "logs-2024");
}

#[test]
fn d_says_which_marked_buckets_the_filter_hides() {
    let mut app = listed();
    app.update(key(' ')); // backups
    app.update(key(' ')); // logs-2024
    app.update(key('/'));
    typed(&mut app, "backup");
    app.update(code(KeyCode::Enter));
    let effects = app.update(key('D'));
    assert!(
        matches!(&effects[..], [Effect::ScanBatch(_, b)] if b.len() == 2),
        "{effects:?}"
    );
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("hidden by the filter") && notice.contains("logs-2024"),
        "{notice}"
    );
}

#[test]
fn a_list_longer_than_the_screen_says_where_the_selection_is() {
    let (mut app, _) = App::new(context());
    let buckets: Vec<BucketSummary> = (0..40)
        .map(|i| bucket(&format!("bucket-{i:02}"), "cn-hangzhou", 10))
        .collect();
    app.update(Msg::BucketsLoaded(Ok(buckets)));
    assert!(snapshot_at(&app, 80, 24).contains(" 1 of 40 "));
    for _ in 0..11 {
        app.update(code(KeyCode::Down));
    }
    let text = snapshot_at(&app, 80, 24);
    assert!(text.contains(" 12 of 40 "), "{text}");
}
