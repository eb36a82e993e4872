//! The drill-down: `Enter` on a category shows what is behind its count;
//! marked items go through the same confirm pane as a category clear.

use super::*;
use crate::scan::found::{Found, Listed, Prefixes};
use crate::vocab::Target;

/// What the scan of `backups` found behind its counts.
pub(super) fn found_items(r: &mut ScanReport) {
    let mut uploads = Listed::default();
    for (key, id, days) in [
        (
            "db/dump-2024-12-30.tar",
            "0004B9894A22E5B1888A1E29F823****",
            2,
        ),
        (
            "media/raw/interview-take-3.mov",
            "0004B999EF5A239BB9138C6227D6****",
            40,
        ),
    ] {
        uploads.push(Found::Upload {
            key: key.into(),
            upload_id: id.into(),
            initiated: Some(T0 - days * DAY),
        });
    }
    r.found.insert(Category::Parts, uploads);
    let mut aps = Listed::default();
    aps.push(Found::AccessPoint {
        name: "analytics-ro".into(),
        status: "enable".into(),
        network: "vpc".into(),
        alias: "analytics-ro-b1lz8mz4jqvbyp3f7bq0nk5r-ossalias".into(),
    });
    r.found.insert(Category::AccessPoints, aps);
    let mut prefixes = Prefixes::default();
    for (key, size, n) in [
        ("db/", 5u64 << 30, 1_200),
        ("media/", 2 << 30, 4_000),
        ("logs/", 1 << 30, 799),
        ("", 1 << 20, 1),
    ] {
        for i in 0..n {
            prefixes.add(&format!("{key}{i}"), size / n);
        }
    }
    r.found.insert(Category::Objects, prefixes.biggest());
}

fn drilled(category_row: usize) -> App {
    let mut app = scanned();
    for _ in 0..category_row {
        app.update(key('j'));
    }
    app.update(code(KeyCode::Enter));
    app
}

fn items(app: &App) -> &crate::tui::screens::items::Items {
    match &app.screen {
        Screen::Scan(s) => s.items.as_ref().expect("the drill-down is open"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn enter_on_uploads_lists_them_and_a_marked_one_is_confirmed_by_name() {
    let mut app = drilled(3);
    assert_eq!(items(&app).category, Category::Parts);
    assert_eq!(items(&app).visible().len(), 2);
    assert_eq!(app.keys(), keymap::ITEMS);
    app.update(key('j'));
    app.update(key(' '));
    assert_eq!(items(&app).marked.len(), 1);
    app.update(key('d'));
    let Screen::Confirm(c, Some(_)) = &app.screen else {
        panic!("{:?}", app.screen)
    };
    let Intent::Run { preflights, .. } = &c.intent else {
        unreachable!()
    };
    let p = &preflights[0];
    assert_eq!(p.goes[0].phrase(), "1 incomplete multipart upload");
    assert!(p
        .risks
        .iter()
        .any(|r| r.kind == "irreversible" && r.text.contains("media/raw/interview-take-3.mov")));
    // Esc goes back to the drill-down as it was.
    app.update(code(KeyCode::Esc));
    assert_eq!(items(&app).marked.len(), 1);
    app.update(key('d'));
    typed(&mut app, "backups");
    let effects = app.update(code(KeyCode::Enter));
    let [Effect::CancelScan, Effect::StartRun(p)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        p[0].action,
        engine::Action::clear_items(
            Category::Parts,
            [Target {
                name: "media/raw/interview-take-3.mov".into(),
                upload_id: Some("0004B999EF5A239BB9138C6227D6****".into()),
            }]
        )
    );
}

#[test]
fn upload_sizes_are_asked_for_when_the_drill_down_opens_and_fill_in() {
    let mut app = scanned();
    for _ in 0..3 {
        app.update(key('j'));
    }
    let effects = app.update(code(KeyCode::Enter));
    let [Effect::SizeUploads { bucket, uploads }] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!((bucket.as_str(), uploads.len()), ("backups", 2));
    assert!(snapshot(&app).contains("…"), "sizes pending");
    let (first, second) = (uploads[0].clone(), uploads[1].clone());
    app.update(Msg::UploadSized {
        bucket: "backups".into(),
        upload: first,
        result: Ok((3, 300 << 20)),
    });
    app.update(Msg::UploadSized {
        bucket: "backups".into(),
        upload: second,
        result: Err("gone".into()),
    });
    let shown = snapshot(&app);
    assert!(
        shown.contains("300.0 MiB") && shown.contains("gone"),
        "{shown}"
    );
    // Moving within what was asked for asks nothing more.
    assert!(app.update(key('j')).is_empty());
}

#[test]
fn the_drill_down_filters_counts_and_esc_clears_then_goes_back() {
    let mut app = drilled(3);
    app.update(key('/'));
    typed(&mut app, "media");
    app.update(code(KeyCode::Enter));
    assert_eq!(items(&app).visible().len(), 1);
    assert!(snapshot(&app).contains("(1 of 2)"));
    // d with nothing marked takes the selected (filtered) row.
    assert_eq!(
        items(&app).targets()[0].name,
        "media/raw/interview-take-3.mov"
    );
    app.update(code(KeyCode::Esc));
    assert_eq!(
        items(&app).visible().len(),
        2,
        "Esc clears the filter first"
    );
    app.update(code(KeyCode::Esc));
    assert!(matches!(&app.screen, Screen::Scan(s) if s.items.is_none()));
}

#[test]
fn prefixes_are_shown_biggest_first_and_cannot_be_deleted_one_by_one() {
    let mut app = drilled(0);
    assert_eq!(app.keys(), keymap::ITEMS_VIEW);
    let names: Vec<&str> = items(&app).visible().iter().map(|f| f.name()).collect();
    assert_eq!(names, ["db/", "media/", "logs/", ""]);
    app.update(key(' '));
    app.update(key('d'));
    assert!(matches!(&app.screen, Screen::Scan(_)), "nothing to confirm");
    assert!(items(&app).marked.is_empty());
}

#[test]
fn a_drill_down_waits_for_the_scan() {
    let mut app = listed();
    app.update(code(KeyCode::Enter));
    app.update(code(KeyCode::Enter));
    assert!(matches!(&app.screen, Screen::Scan(s) if s.items.is_none()));
}

#[test]
fn snapshot_the_drill_down_at_80x24_and_120x40() {
    let mut marked = drilled(3);
    marked.update(key(' '));
    for (i, upload) in items(&marked).targets().into_iter().enumerate() {
        marked.update(Msg::UploadSized {
            bucket: "backups".into(),
            upload,
            result: Ok((3 + i as u64, 300 << 20)),
        });
    }
    // An object category whose retention policy keeps some objects: its
    // second list (Tab), each object with its release date.
    let mut locked = scanned();
    if let Screen::Scan(s) = &mut locked.screen {
        for (key, days) in [("db/2024-12-31.sql.gz", 30), ("db/2025-01-01.sql.gz", 400)] {
            s.report.locked.push(Found::Locked {
                key: key.into(),
                version_id: "CAEQ000000000000A1".into(),
                bytes: 52 << 20,
                release: T0 + days * DAY,
            });
        }
    }
    locked.update(code(KeyCode::Enter));
    assert_eq!(locked.keys(), keymap::ITEMS_LISTS);
    locked.update(code(KeyCode::Tab));
    assert_eq!(items(&locked).current().title, "under retention (WORM)");
    for (name, app) in [
        ("drill_uploads", marked),
        ("drill_worm_locked", locked),
        ("drill_prefixes", drilled(0)),
        ("drill_access_points", drilled(5)),
    ] {
        insta::assert_snapshot!(format!("{name}_80x24"), snapshot_at(&app, 80, 24));
        insta::assert_snapshot!(format!("{name}_120x40"), snapshot_at(&app, 120, 40));
    }
}
