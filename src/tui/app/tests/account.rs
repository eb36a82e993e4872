//! The account view: opened from the list, priced by the app, and "stop
//! billing": every object bucket that can go, scanned, then one typed
//! confirmation naming the count and the account; the report leads back to
//! the account, read again.

use super::*;
use crate::engine::account::BucketFacts;
use crate::oss::model::WormConfiguration;
use crate::tui::screens::account::{AccountScreen, Loaded, State as AccountState};

const GB: u64 = 1 << 30;

fn facts() -> Vec<BucketFacts> {
    let object = |name: &str, region: &str, objects: u64, bytes: u64| {
        let mut f = BucketFacts::object(&BucketSummary {
            name: name.into(),
            region: region.into(),
            creation_date: None,
            storage_class: "Standard".into(),
            extranet_endpoint: None,
            intranet_endpoint: None,
            resource_group_id: None,
        });
        let mut s = stat(objects, bytes, 0);
        s.standard.storage = bytes;
        f.stat = Ok(s);
        f
    };
    let mut archive = object("compliance", "cn-beijing", 320, GB);
    archive.worm = Ok(Some(WormConfiguration {
        worm_id: "w".into(),
        state: "Locked".into(),
        retention_period_days: 365,
        creation_date: None,
    }));
    vec![
        object("shop-assets", "cn-hangzhou", 10, 10 * GB),
        object("logs-2024", "cn-hangzhou", 250_000, 80 * GB),
        archive,
        BucketFacts::vector("embeddings", "cn-hangzhou", Some(2)),
    ]
}

fn opened() -> App {
    let mut app = listed();
    assert_eq!(app.update(key('A')), [Effect::LoadAccount]);
    assert!(matches!(&app.screen, Screen::Account(a) if a.state == AccountState::Loading));
    app.update(Msg::AccountLoaded(Ok(Loaded {
        facts: facts(),
        notes: vec![],
        account_id: Some("1234567890123456".into()),
        now: 1_796_000_000,
    })));
    app
}

#[test]
fn the_account_view_prices_every_bucket_and_gives_the_totals() {
    let app = opened();
    let Screen::Account(a) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(
        a.can_go(),
        [
            (BucketKind::Object, "shop-assets".to_string()),
            (BucketKind::Object, "logs-2024".to_string()),
            (BucketKind::Vector, "embeddings".to_string()),
        ]
    );
    let wide = snapshot_at(&app, 120, 40);
    // 90 GB at 0.12 CNY, and 1 GB of the retained bucket.
    assert!(
        wide.contains("This account's storage costs about 10.92 CNY")
            && wide.contains("retained ≤2027-11-30")
            && wide.contains("S stops the billing of the 3 buckets marked x"),
        "{wide}"
    );
    insta::assert_snapshot!("account_120x40", wide);
    insta::assert_snapshot!("account_80x24", snapshot_at(&app, 80, 24));
}

#[test]
fn stopping_billing_confirms_the_count_and_the_account_and_ends_on_the_account() {
    let mut app = opened();
    // The vector bucket (the fourth row) kept: the two object buckets go.
    for k in ['j', 'j', 'j', ' '] {
        app.update(key(k));
    }
    let effects = app.update(key('S'));
    assert_eq!(
        effects,
        [Effect::ScanEach(vec![
            (BucketKind::Object, "shop-assets".into()),
            (BucketKind::Object, "logs-2024".into())
        ])]
    );
    for b in ["shop-assets", "logs-2024"] {
        app.update(Msg::Scanned {
            bucket: b.into(),
            event: ScanEvent::Finished(Box::new(report(b, true))),
        });
    }
    let Screen::Confirm(c, None) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(c.expected(), "delete 2 buckets of 1234567890123456");
    typed(&mut app, "delete 2 buckets of 1234567890123456");
    let effects = app.update(code(KeyCode::Enter));
    assert!(
        matches!(&effects[..], [Effect::CancelScan, Effect::StartRun(p)] if p.len() == 2),
        "{effects:?}"
    );
    // The run ends: its report, then Enter reads the account again.
    app.update(Msg::RunEnded(Ok(vec![
        summary("shop-assets"),
        summary("logs-2024"),
    ])));
    assert!(matches!(app.screen, Screen::Report(_)), "{:?}", app.screen);
    let effects = app.update(code(KeyCode::Enter));
    assert_eq!(effects, [Effect::LoadAccount, Effect::LoadBuckets]);
    assert!(matches!(&app.screen, Screen::Account(a) if a.state == AccountState::Loading));
    // Esc goes back to the list.
    app.update(code(KeyCode::Esc));
    assert_eq!(app.screen, Screen::List);
}

#[test]
fn a_bucket_unmarked_is_kept_out_of_stopping_billing() {
    let mut app = opened();
    // The first row (shop-assets) unmarked: logs-2024 and the vector
    // bucket go, each scanned as what it is.
    app.update(key(' '));
    let effects = app.update(key('S'));
    assert_eq!(
        effects,
        [Effect::ScanEach(vec![
            (BucketKind::Object, "logs-2024".into()),
            (BucketKind::Vector, "embeddings".into())
        ])]
    );
    let Screen::Batch(b) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    assert_eq!(b.scans[1].report.kind, BucketKind::Vector);
}

#[test]
fn nothing_to_stop_is_said_and_nothing_starts() {
    let mut app = listed();
    app.update(key('A'));
    let mut only_retained = facts();
    only_retained.retain(|f| f.name == "compliance");
    app.update(Msg::AccountLoaded(Ok(Loaded {
        facts: only_retained,
        notes: vec!["Vector buckets could not be listed: AccessDenied".into()],
        account_id: None,
        now: 1_796_000_000,
    })));
    assert!(app.update(key('S')).is_empty());
    assert!(app
        .notice
        .as_deref()
        .unwrap()
        .starts_with("No bucket is marked to go"));
    assert!(snapshot(&app).contains("Vector buckets could not be listed"));
    let _ = AccountScreen::loading();
}
