use super::*;
use crate::scan::risk::Severity;

fn bucket(name: &str, state: CheckState, differences: &[&str]) -> BucketCheck {
    BucketCheck {
        kind: BucketKind::Object,
        bucket: name.into(),
        region: "cn-hangzhou".into(),
        action: Action::DeleteBucket,
        prefix: None,
        confirmed: "12,000 current objects (117.2 KiB)".into(),
        deleted: 3_000,
        left: 9_000,
        state,
        differences: differences.iter().map(|d| d.to_string()).collect(),
        unconfirmed: 0,
        risks: vec![Risk {
            severity: Severity::Danger,
            kind: "name-cooldown",
            text: "The name is released.".into(),
        }],
        listing: Default::default(),
        freeze_writes: false,
    }
}

fn view(buckets: Vec<BucketCheck>) -> ResumeView {
    ResumeView {
        run: "20261206-000000-0001".into(),
        status: "25% done".into(),
        report: None,
        buckets,
    }
}

#[test]
fn what_must_be_typed_and_who_must_be_named_again() {
    let one = view(vec![bucket("victim", CheckState::Resumable, &[])]);
    assert_eq!(one.expected(), "victim");
    assert!(one.to_confirm().is_empty() && one.refusals().is_empty());
    let grown = view(vec![
        bucket("done", CheckState::Done, &[]),
        bucket("a", CheckState::Resumable, &["5,000 entries written after"]),
        bucket("b", CheckState::Resumable, &[]),
        bucket("gone", CheckState::Gone, &[]),
    ]);
    assert_eq!(grown.expected(), "resume 2 buckets");
    assert_eq!(grown.to_confirm(), ["a"]);
    let refused = view(vec![
        bucket("a", CheckState::Resumable, &[]),
        bucket(
            "victim",
            CheckState::Refused("it is not the bucket the run was confirmed for".into()),
            &[],
        ),
    ]);
    assert_eq!(
        refused.refusals(),
        ["victim: it is not the bucket the run was confirmed for"]
    );
}

/// A finished scan of `shop` holding these objects and access points.
fn scan(objects: u64, access_points: &[&str]) -> crate::scan::ScanReport {
    use crate::scan::found::{Found, Listed};
    use crate::scan::{ScanReport, State};
    let mut r = ScanReport::new("shop");
    r.region = "cn-hangzhou".into();
    for c in &mut r.categories {
        c.state = State::Clear;
    }
    r.category_mut(Category::Objects).count = objects;
    r.category_mut(Category::Objects).state = State::Blocks;
    if !access_points.is_empty() {
        let c = r.category_mut(Category::AccessPoints);
        c.count = access_points.len() as u64;
        c.state = State::Blocks;
        let mut listed = Listed::default();
        for name in access_points {
            listed.push(Found::AccessPoint {
                name: name.to_string(),
                status: "enable".into(),
                network: "internet".into(),
                alias: format!("{name}-ossalias"),
            });
        }
        r.found.insert(Category::AccessPoints, listed);
    }
    r.finished = true;
    r.complete = true;
    r.risks = crate::scan::risk::risks(&r);
    r
}

/// A bucket run confirmed from `scan` for `action`.
fn confirmed_run(scan: &crate::scan::ScanReport, action: Action) -> BucketRun {
    let pf = preflight(scan, action).unwrap();
    let j = journal::Journal::new(
        "20261206-000000-0001",
        0,
        "acct",
        None,
        vec![pf.confirmed()],
    );
    j.buckets[0].clone()
}

fn check_of(b: &BucketRun, now: &crate::scan::ScanReport) -> (Vec<String>, u64) {
    let pf = preflight(now, b.confirmed.action.clone()).unwrap();
    differences(b, now, &pf)
}

#[test]
fn nothing_new_is_no_difference() {
    let before = scan(12_000, &["ap-1"]);
    let b = confirmed_run(&before, Action::DeleteBucket);
    let mut now = scan(9_000, &["ap-1"]);
    now.newer = Some(crate::scan::report::Newer::new(0));
    assert_eq!(check_of(&b, &now), (Vec::new(), 0));
}

#[test]
fn the_runs_own_write_freeze_is_no_difference() {
    let before = scan(12_000, &["ap-1"]);
    let b = confirmed_run(&before, Action::DeleteBucket);
    let mut now = scan(9_000, &["ap-1"]);
    now.newer = Some(crate::scan::report::Newer::new(0));
    now.frozen_until = Some(now.scanned_at + 3_600);
    now.risks = crate::scan::risk::risks(&now);
    assert!(now.risks.iter().any(|r| r.kind == "write-freeze"));
    assert_eq!(check_of(&b, &now), (Vec::new(), 0));
}

#[test]
fn entries_written_since_and_attachments_created_since_are_differences() {
    let before = scan(12_000, &["ap-1"]);
    let b = confirmed_run(&before, Action::DeleteBucket);
    let mut now = scan(9_000, &["ap-1", "ap-new"]);
    let mut newer = crate::scan::report::Newer::new(100);
    for i in 0..3 {
        newer.count(Category::Objects, &format!("late/{i}"), Some(100 + i));
    }
    // Written before the bound: confirmed, not counted.
    assert!(!newer.count(Category::Objects, "old", Some(99)));
    // Unknown time: counted, to be safe.
    newer.count(Category::DeleteMarkers, "m", None);
    now.newer = Some(newer);
    let (d, n) = check_of(&b, &now);
    assert_eq!(n, 5, "{d:?}");
    assert_eq!(
        d[0],
        "4 entries written after the run was confirmed (3 current objects, 1 delete marker) (e.g. \"late/0\"): never confirmed"
    );
    assert_eq!(
        d[1],
        "1 access point created after the run was confirmed: ap-new"
    );
}

#[test]
fn what_the_action_does_not_clear_is_no_difference() {
    // Clearing delete markers only: new objects are not the run's business.
    let before = scan(12_000, &[]);
    let b = confirmed_run(&before, Action::clear([Category::DeleteMarkers]));
    let mut now = scan(12_500, &["ap-new"]);
    let mut newer = crate::scan::report::Newer::new(100);
    newer.count(Category::Objects, "late", Some(200));
    now.newer = Some(newer.clone());
    assert_eq!(check_of(&b, &now), (Vec::new(), 0));
    // A run of named access points deletes those and nothing else.
    let before = scan(10, &["ap-1", "ap-2"]);
    let b = confirmed_run(
        &before,
        Action::clear_items(
            Category::AccessPoints,
            [crate::vocab::Target::named("ap-1")],
        ),
    );
    let mut now = scan(20, &["ap-1", "ap-2", "ap-3"]);
    now.newer = Some(newer);
    assert_eq!(check_of(&b, &now), (Vec::new(), 0));
}

#[test]
fn what_the_verdict_rests_on_is_compared() {
    let before = scan(12_000, &[]);
    let b = confirmed_run(&before, Action::DeleteBucket);
    let mut now = scan(9_000, &[]);
    now.versioning = crate::oss::model::Versioning::Enabled;
    now.website = true;
    now.risks = crate::scan::risk::risks(&now);
    let (d, _) = check_of(&b, &now);
    assert!(
        d.iter()
            .any(|x| x.starts_with("versioning is now Enabled (it was Off")),
        "{d:?}"
    );
    assert!(
        d.iter()
            .any(|x| x.starts_with("a risk not shown when it was confirmed:")),
        "{d:?}"
    );
    // Counts alone (fewer objects, another cost) are no difference.
    assert!(
        !d.iter().any(|x| x.contains("Deletion is permanent")),
        "{d:?}"
    );
}

#[test]
fn a_retention_policy_that_appeared_is_a_difference_until_named_again() {
    let before = scan(12_000, &[]);
    let mut b = confirmed_run(&before, Action::DeleteBucket);
    let mut now = scan(9_000, &[]);
    now.worm = Some(crate::oss::model::WormConfiguration {
        worm_id: "w".into(),
        state: "Locked".into(),
        retention_period_days: 30,
        creation_date: Some(0),
    });
    let (d, _) = check_of(&b, &now);
    assert!(
        d.iter().any(|x| x
            == "retention policy (WORM) is now Locked, 30 days (it was none when the run was confirmed)"),
        "{d:?}"
    );
    // Named again: the run goes on from what the check read.
    b.reconfirmed.push(Reconfirmation {
        at: 20,
        differences: d,
        facts: Some(now.facts()),
    });
    assert_eq!(b.facts(), &now.facts());
    assert_eq!(b.plan(Audit::none()).confirmed, Some(now.facts()));
    assert!(check_of(&b, &now)
        .0
        .iter()
        .all(|x| !x.starts_with("retention policy (WORM) is now")));
}
