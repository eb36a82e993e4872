//! The list's numbers agree with the scan's: OSS's statistics count every
//! version, so a versioned bucket shows them as a bound until it is scanned.

use super::*;

fn row(app: &App, name: &str) -> String {
    snapshot(app)
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("{name}"))
        .to_string()
}

#[test]
fn a_versioned_buckets_objects_are_a_bound_until_a_scan_splits_them() {
    let mut app = listed();
    let before = row(&app, "backups");
    assert!(
        before.contains("≤9,870") && before.contains(" ? "),
        "{before}"
    );
    let unversioned = row(&app, "shop-assets");
    assert!(
        unversioned.contains("1,204") && !unversioned.contains('≤'),
        "{unversioned}"
    );
    // Enter scans it; once the scan is complete the list shows exact numbers.
    app.update(key('s'));
    app.update(key('s'));
    app.update(code(KeyCode::Enter));
    app.update(Msg::Scanned {
        bucket: "backups".into(),
        event: ScanEvent::Finished(Box::new(report("backups", true))),
    });
    app.update(code(KeyCode::Esc));
    let after = row(&app, "backups");
    assert!(
        after.contains("6,000") && after.contains("3,870"),
        "{after}"
    );
    assert!(!after.contains('≤'), "{after}");
}

#[test]
fn an_incomplete_scan_does_not_replace_the_bound() {
    let mut app = listed();
    app.update(key('s'));
    app.update(key('s'));
    app.update(code(KeyCode::Enter));
    let mut partial = report("backups", true);
    partial.complete = false;
    app.update(Msg::Scanned {
        bucket: "backups".into(),
        event: ScanEvent::Finished(Box::new(partial)),
    });
    app.update(code(KeyCode::Esc));
    assert!(row(&app, "backups").contains("≤9,870"));
}

#[test]
fn a_wide_terminal_shows_the_selected_buckets_details_beside_the_list() {
    let mut app = listed();
    let narrow = snapshot_at(&app, 120, 40);
    assert!(!narrow.contains("Details"), "{narrow}");
    let wide = snapshot_at(&app, 160, 40);
    assert!(
        wide.contains("Details") && wide.contains("OSS statistics"),
        "{wide}"
    );
    // The panel follows the selection.
    app.update(key('j'));
    let logs = snapshot_at(&app, 160, 40);
    assert!(
        logs.contains("cn-shanghai") && logs.contains("250,000"),
        "{logs}"
    );
    insta::assert_snapshot!("list_with_details_160x40", logs);
}
