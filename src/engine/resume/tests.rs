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
