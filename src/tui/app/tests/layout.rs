//! Layout behaviour that needs the state machine: what scrolls, and by how much.

use super::*;

#[test]
fn the_scan_panes_risks_scroll_a_whole_risk_at_a_time() {
    let mut app = scanned();
    // At 80x24 the risks do not fit: the title says so.
    let first = snapshot_at(&app, 80, 24);
    assert!(first.contains("↓ more risks: PgDn"), "{first}");
    app.update(code(KeyCode::PageDown));
    let second = snapshot_at(&app, 80, 24);
    // The next risk's first line is now the first line shown, never half a risk.
    let top_of = |screen: &str| {
        screen
            .lines()
            .skip_while(|l| !l.contains(" Risks "))
            .nth(1)
            .unwrap()
            .to_string()
    };
    let top = top_of(&second);
    assert!(
        top.starts_with("\"!!") || top.starts_with("\"! "),
        "{second}"
    );
    assert_ne!(top, top_of(&first), "it moved by one risk");
    assert!(second.contains("↑ more risks: PgUp") || second.contains("↓ more risks: PgDn"));
    app.update(code(KeyCode::PageUp));
    assert_eq!(snapshot_at(&app, 80, 24), first, "back where it started");
}

/// At 80 columns a long name keeps its room: the storage class and
/// versioning columns go first, a name still too long is cut in the middle
/// (its distinguishing end kept), and the status line names it in full.
#[test]
fn at_80_columns_the_name_has_priority_over_class_and_versioning() {
    let (mut app, _) = App::new(context());
    let long = |end: &str| format!("team-00-bucket-with-a-rather-long-name-{end}");
    app.update(Msg::BucketsLoaded(Ok(vec![
        bucket(&long("eu"), "ap-southeast-1", 10),
        bucket(&long("us"), "ap-southeast-5", 10),
    ])));
    for name in [long("eu"), long("us")] {
        app.update(Msg::DetailsLoaded {
            bucket: name,
            result: Ok((Some(stat(1_204, 3 << 30, 0)), Versioning::Enabled)),
        });
    }
    let text = snapshot_at(&app, 80, 24);
    insta::assert_snapshot!("list_long_names_80x24", text);
    let head = text.lines().find(|l| l.contains("NAME")).unwrap();
    assert!(!head.contains("CLASS"), "{head}");
    for end in ["-eu ", "-us "] {
        assert!(text.contains(end), "the end that tells them apart: {text}");
    }
    // The status line names the selected bucket whole.
    let status = text.lines().rev().nth(1).unwrap();
    assert!(status.contains(&long("eu")), "{status}");
    // Wide enough, every column is back.
    let wide = snapshot_at(&app, 139, 30);
    assert!(wide.contains("CLASS") && wide.contains("VERSIONING") && wide.contains(&long("us")));
}
