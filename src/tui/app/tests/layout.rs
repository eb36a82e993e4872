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
