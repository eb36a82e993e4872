use super::*;
use proptest::prelude::*;

const UNTIL: i64 = 1_796_000_400; // 2026-11-30T01:00:00Z

/// A policy a user wrote: an access point's statement, spacing and order
/// their own.
const THEIRS: &str = r#"{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["oss:GetObject"],
      "Principal": ["27737962156157xxxx"],
      "Resource": ["acs:oss:cn-hangzhou:1234567890:accesspoint/ap-01/object/*"]
    }
  ]
}"#;

fn plan(policy: Option<&str>) -> FreezePlan {
    FreezePlan::new(Some("1234567890"), "shop", None, UNTIL, policy)
}

#[test]
fn the_statement_denies_writes_to_everyone_until_its_end() {
    let p = plan(None);
    let s = p.statement_value();
    assert_eq!(s["Sid"], SID);
    assert_eq!(s["Effect"], "Deny");
    assert_eq!(s["Principal"], json!(["*"]));
    assert_eq!(s["Resource"], json!(["acs:oss:*:1234567890:shop/*"]));
    assert_eq!(
        s["Condition"]["DateLessThan"]["acs:CurrentTime"],
        json!(["2026-11-30T01:00:00Z"])
    );
    let actions: Vec<&str> = s["Action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(actions.contains(&"oss:PutObject"));
    // Nothing ossweep needs is denied.
    for open in [
        "oss:DeleteObject",
        "oss:ListObjects",
        "oss:AbortMultipartUpload",
        "oss:PutBucketPolicy",
        "oss:DeleteBucketPolicy",
        "oss:DeleteBucket",
    ] {
        assert!(!actions.contains(&open), "{open}");
    }
    // A prefix run freezes its prefix only; an unknown owner is `*`.
    let p = FreezePlan::new(None, "shop", Some("logs/"), UNTIL, None);
    assert_eq!(p.resources, ["acs:oss:*:*:shop/logs/*"]);
    let lines = p.lines().join("\n");
    assert!(lines.contains("2026-11-30T01:00:00Z"), "{lines}");
    assert!(lines.contains("the owner's own applications too"));
    assert!(lines.contains("server-side writers"));
}

#[test]
fn a_freeze_joins_the_policy_and_leaves_exactly_what_was_there() {
    let frozen_doc = frozen(Some(THEIRS), plan(Some(THEIRS)).statement_value()).unwrap();
    let doc: Value = serde_json::from_str(&frozen_doc).unwrap();
    assert_eq!(doc["Version"], "1");
    assert_eq!(doc["Statement"].as_array().unwrap().len(), 2);
    assert_eq!(frozen_until(&frozen_doc), Some(UNTIL));
    assert_eq!(frozen_until(THEIRS), None);
    assert_eq!(plan(Some(THEIRS)).kept_statements, 1);
    // Taken out again: the same document, as JSON.
    let rest = without_freeze(&frozen_doc).unwrap();
    assert!(same(rest.as_deref(), Some(THEIRS)));
    // Without a freeze in it, a policy comes back byte for byte.
    assert_eq!(without_freeze(THEIRS).unwrap().as_deref(), Some(THEIRS));
    // A second freeze replaces the first.
    let again = frozen(Some(&frozen_doc), plan(None).statement_value()).unwrap();
    let doc: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(doc["Statement"].as_array().unwrap().len(), 2);
    // On a bucket without a policy, the freeze is the whole policy.
    let alone = frozen(None, plan(None).statement_value()).unwrap();
    assert_eq!(without_freeze(&alone).unwrap(), None);
}

#[test]
fn what_cannot_be_merged_into_is_refused() {
    let s = plan(None).statement_value();
    assert!(frozen(Some("not json"), s.clone()).is_err());
    assert!(frozen(Some("[1,2]"), s.clone()).is_err());
    assert!(frozen(Some(r#"{"Statement":"x"}"#), s).is_err());
}

#[test]
fn lifting_puts_back_what_was_there_or_deletes_what_was_not() {
    let ours = plan(None).statement_value();
    let on_theirs = frozen(Some(THEIRS), ours.clone()).unwrap();
    let alone = frozen(None, ours.clone()).unwrap();
    // Put back exactly as GetBucketPolicy returned it.
    assert_eq!(
        lift(Some(THEIRS), Some(&on_theirs)).unwrap(),
        (
            Lift::Put(THEIRS.into()),
            Restored::AsItWas,
            Some(THEIRS.into())
        )
    );
    assert_eq!(
        lift(None, Some(&alone)).unwrap(),
        (Lift::Delete, Restored::Removed, None)
    );
    // Already as it was (the freeze never went on): nothing to send.
    assert_eq!(lift(Some(THEIRS), Some(THEIRS)).unwrap().0, Lift::Nothing);
    assert_eq!(lift(None, None).unwrap().0, Lift::Nothing);
    // Someone removed the whole policy meanwhile: what was there goes back.
    assert_eq!(
        lift(Some(THEIRS), None).unwrap().0,
        Lift::Put(THEIRS.into())
    );
    // Someone changed the policy during the run: only ours comes out.
    let changed = frozen(Some(r#"{"Version":"1","Statement":[]}"#), ours.clone()).unwrap();
    let (what, how, after) = lift(Some(THEIRS), Some(&changed)).unwrap();
    assert_eq!(how, Restored::TheirChangesKept);
    assert_eq!(what, Lift::Delete);
    assert_eq!(after, None);
    let theirs_then = r#"{"Version":"1","Statement":[{"Effect":"Deny","Action":["oss:GetObject"],"Principal":["*"],"Resource":["acs:oss:*:*:shop/private/*"]}]}"#;
    let changed = frozen(Some(theirs_then), ours).unwrap();
    let (what, how, after) = lift(None, Some(&changed)).unwrap();
    assert_eq!(how, Restored::TheirChangesKept);
    assert!(matches!(what, Lift::Put(ref p) if same(Some(p), Some(theirs_then))));
    assert!(same(after.as_deref(), Some(theirs_then)));
}

#[test]
fn the_hold_is_an_hour_at_least_and_a_week_at_most() {
    assert_eq!(hold_secs(0), MIN_HOLD_SECS);
    assert_eq!(hold_secs(200 * 60), MIN_HOLD_SECS + 60);
    assert_eq!(hold_secs(u64::MAX), MAX_HOLD_SECS);
}

fn statement_strategy() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["Allow", "Deny"]),
        prop::collection::vec("[a-z]{1,8}", 1..3),
        prop::option::of("[a-zA-Z0-9]{1,12}"),
    )
        .prop_map(|(effect, actions, sid)| {
            let mut s = json!({
                "Effect": effect,
                "Action": actions.iter().map(|a| format!("oss:{a}")).collect::<Vec<_>>(),
                "Principal": ["*"],
                "Resource": ["acs:oss:*:*:shop/*"],
            });
            if let Some(sid) = sid {
                s["Sid"] = json!(sid);
            }
            s
        })
}

proptest! {
    /// Whatever the bucket's policy, freezing then lifting gives it back.
    #[test]
    fn freezing_then_lifting_restores_any_policy(
        statements in prop::option::of(prop::collection::vec(statement_strategy(), 0..5)),
        until in 0i64..4_000_000_000,
    ) {
        let previous = statements.map(|s| {
            serde_json::to_string_pretty(&json!({"Version": "1", "Statement": s})).unwrap()
        });
        let ours = FreezePlan::new(Some("1"), "shop", None, until, previous.as_deref());
        let on = frozen(previous.as_deref(), ours.statement_value()).unwrap();
        prop_assert_eq!(frozen_until(&on), Some(until));
        let (what, how, after) = lift(previous.as_deref(), Some(&on)).unwrap();
        prop_assert_ne!(how, Restored::TheirChangesKept);
        prop_assert_eq!(after.as_deref(), previous.as_deref());
        match (what, &previous) {
            (Lift::Put(p), Some(prev)) => prop_assert_eq!(&p, prev),
            (Lift::Delete, None) => {}
            (other, _) => prop_assert!(false, "unexpected {:?}", other),
        }
    }
}

#[test]
fn the_statement_shown_is_the_statement_sent() {
    let p = plan(None);
    let shown: Value = serde_json::from_str(&p.statement).unwrap();
    assert_eq!(shown, p.statement_value());
    assert!(p.statement.lines().nth(1).unwrap().contains("\"Sid\""));
}
