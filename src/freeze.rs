//! Freezing writes during a run (`--freeze-writes`): a Deny statement of
//! ossweep's, merged into the bucket's policy before the first delete and
//! taken out again afterwards. Building, merging, stripping and deciding the
//! restore are pure; `engine::freeze` sends the calls.
//!
//! What OSS documents, and what this rests on (`accounts-money.md` §3):
//! - PutBucketPolicy replaces the whole document, so the statement is merged
//!   into the statements already there, never replacing them.
//! - An explicit Deny beats any Allow.
//! - A statement for everyone (`Principal: ["*"]`) without a Condition does
//!   not apply to the bucket's owner; with one it applies to everyone, the
//!   owner included. The freeze carries an `acs:CurrentTime` `DateLessThan`
//!   Condition: it stops the owner's own applications too, and a run killed
//!   without lifting it leaves a freeze that ends by itself.
//! - It denies only writes (`DENIED`), so ossweep's listings, deletes, aborts
//!   and policy calls stay open. Server-side writers (replication into the
//!   bucket, log or inventory delivery, a LiveChannel's push) are not stopped
//!   by a bucket policy: the run's verification listing finds what they wrote.
//!
//! The statement is ossweep's by its `Sid` (letters only, as policy grammars
//! that accept a `Sid` allow); whatever else the policy holds is left as it is.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The statement id that says a statement is ossweep's freeze.
pub const SID: &str = "ossweepFreezeWrites";

/// The RAM actions the freeze denies, with the calls each one covers.
pub const DENIED: [(&str, &str); 5] = [
    (
        "oss:PutObject",
        "PutObject, PostObject, AppendObject, multipart uploads (InitiateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload), CopyObject into the bucket, PutSymlink",
    ),
    ("oss:RestoreObject", "RestoreObject"),
    ("oss:PutObjectTagging", "PutObjectTagging"),
    ("oss:PutObjectAcl", "PutObjectACL"),
    ("oss:PutLiveChannel", "PutLiveChannel"),
];

/// How long a freeze holds at least, and at most: the run's expected end
/// plus a margin, whatever its size.
pub const MIN_HOLD_SECS: i64 = 3600;
pub const MAX_HOLD_SECS: i64 = 7 * 24 * 3600;
/// A pace well below what a run reaches at 100 ms per request, so the freeze
/// outlasts the run: entries per second.
const SLOW_PACE: u64 = 200;

/// How long to freeze writes for a run that deletes `entries`: an hour's
/// margin plus the run at a slow pace, at most a week.
pub fn hold_secs(entries: u64) -> i64 {
    let run = i64::try_from(entries / SLOW_PACE).unwrap_or(i64::MAX);
    MIN_HOLD_SECS.saturating_add(run).min(MAX_HOLD_SECS)
}

/// A policy document ossweep cannot work with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the bucket's policy is not a policy document ossweep can merge into: {0}")]
pub struct PolicyError(pub String);

/// What a freeze denies, to whom and until when: shown before it is
/// confirmed, and the statement that goes on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FreezePlan {
    /// The RAM actions denied.
    pub denied: Vec<String>,
    /// The resources it covers (`acs:oss:*:<uid>:<bucket>/<prefix>*`).
    pub resources: Vec<String>,
    /// Unix seconds: it ends by itself then.
    pub until: i64,
    /// The statement merged into the bucket's policy, as JSON.
    pub statement: String,
    /// Statements already in the bucket's policy, which stay.
    pub kept_statements: usize,
}

impl FreezePlan {
    /// The freeze of `bucket` (under `prefix`) owned by `uid` (`*` when not
    /// known), until `until`; `policy` is the bucket's policy now.
    pub fn new(
        uid: Option<&str>,
        bucket: &str,
        prefix: Option<&str>,
        until: i64,
        policy: Option<&str>,
    ) -> FreezePlan {
        let resources = vec![format!(
            "acs:oss:*:{}:{bucket}/{}*",
            uid.unwrap_or("*"),
            prefix.unwrap_or("")
        )];
        let statement = statement(&resources, until);
        FreezePlan {
            denied: DENIED.iter().map(|(a, _)| a.to_string()).collect(),
            resources,
            until,
            statement: shown(&statement),
            kept_statements: policy
                .and_then(|p| statements(p).ok())
                .map_or(0, |s| s.iter().filter(|s| !is_ours(s)).count()),
        }
    }

    /// The statement, as a value.
    pub fn statement_value(&self) -> Value {
        statement(&self.resources, self.until)
    }

    /// What the freeze does, a line each, for the preflight and the confirm
    /// pane; the statement's JSON comes after.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!(
                "freeze writes until {} (the run's expected end plus a margin; it ends by itself then): a Deny statement ({SID}) merged into the bucket policy{}",
                crate::oss::time::iso8601_seconds(self.until),
                match self.kept_statements {
                    0 => String::new(),
                    1 => ", beside its 1 statement, which stays".into(),
                    n => format!(", beside its {} statements, which stay", crate::units::count(n as u64)),
                }
            ),
            format!(
                "denied to everyone, the owner's own applications too, on {}:",
                self.resources.join(", ")
            ),
        ];
        for (action, covers) in DENIED {
            out.push(format!("  {action} ({covers})"));
        }
        out.push("left open: listing, deleting, aborting uploads and the policy calls, so the run goes on".into());
        out.push("not stopped: server-side writers (replication into the bucket, log or inventory delivery, a LiveChannel's push); the verification listing finds what they write".into());
        out.push("afterwards the policy is put back as it was (deleted if there was none); a deleted bucket takes it along".into());
        out
    }
}

/// A statement as people read it: one field a line, in the usual order.
fn shown(statement: &Value) -> String {
    let fields: Vec<String> = [
        "Sid",
        "Effect",
        "Action",
        "Principal",
        "Resource",
        "Condition",
    ]
    .iter()
    .filter_map(|k| {
        statement
            .get(*k)
            .map(|v| format!("  \"{k}\": {}", shown_value(v)))
    })
    .collect();
    format!("{{\n{}\n}}", fields.join(",\n"))
}

/// A long list one item a line, so a narrow pane does not cut a name.
fn shown_value(v: &Value) -> String {
    match v.as_array() {
        Some(items) if v.to_string().len() > 40 => {
            let lines: Vec<String> = items.iter().map(|i| format!("    {i}")).collect();
            format!("[\n{}\n  ]", lines.join(",\n"))
        }
        _ => v.to_string(),
    }
}

/// The Deny statement over `resources` until `until`.
fn statement(resources: &[String], until: i64) -> Value {
    json!({
        "Sid": SID,
        "Effect": "Deny",
        "Action": DENIED.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
        "Principal": ["*"],
        "Resource": resources,
        "Condition": {
            "DateLessThan": { "acs:CurrentTime": [crate::oss::time::iso8601_seconds(until)] }
        }
    })
}

fn is_ours(statement: &Value) -> bool {
    statement.get("Sid").and_then(Value::as_str) == Some(SID)
}

/// The document's statements (a single statement object counts as one).
fn statements(policy: &str) -> Result<Vec<Value>, PolicyError> {
    let doc: Value =
        serde_json::from_str(policy).map_err(|e| PolicyError(format!("not JSON ({e})")))?;
    match doc.get("Statement") {
        Some(Value::Array(s)) => Ok(s.clone()),
        Some(s @ Value::Object(_)) => Ok(vec![s.clone()]),
        None => Ok(Vec::new()),
        Some(_) => Err(PolicyError(
            "its Statement is neither a list nor a statement".into(),
        )),
    }
}

/// `policy` (or none) with `statement` in it, replacing an earlier freeze of
/// ossweep's; every other field and statement stays as it was.
pub fn frozen(policy: Option<&str>, statement: Value) -> Result<String, PolicyError> {
    let mut doc = match policy {
        Some(p) => {
            serde_json::from_str::<Value>(p).map_err(|e| PolicyError(format!("not JSON ({e})")))?
        }
        None => json!({ "Version": "1" }),
    };
    let Some(fields) = doc.as_object_mut() else {
        return Err(PolicyError("it is not a JSON object".into()));
    };
    let mut kept: Vec<Value> = statements(policy.unwrap_or("{}"))?
        .into_iter()
        .filter(|s| !is_ours(s))
        .collect();
    kept.push(statement);
    fields.insert("Statement".into(), Value::Array(kept));
    Ok(serde_json::to_string(&doc).unwrap_or_default())
}

/// `policy` without ossweep's freeze; `None` when nothing else is left in it.
/// A policy without the freeze comes back exactly as it was.
pub fn without_freeze(policy: &str) -> Result<Option<String>, PolicyError> {
    let all = statements(policy)?;
    if !all.iter().any(is_ours) {
        return Ok(Some(policy.to_string()));
    }
    let rest: Vec<Value> = all.into_iter().filter(|s| !is_ours(s)).collect();
    if rest.is_empty() {
        return Ok(None);
    }
    let mut doc: Value = serde_json::from_str(policy).map_err(|e| PolicyError(e.to_string()))?;
    if let Some(fields) = doc.as_object_mut() {
        fields.insert("Statement".into(), Value::Array(rest));
    }
    Ok(Some(serde_json::to_string(&doc).unwrap_or_default()))
}

/// Until when ossweep's freeze in `policy` holds (Unix seconds), if it has one.
pub fn frozen_until(policy: &str) -> Option<i64> {
    statements(policy)
        .ok()?
        .iter()
        .find(|s| is_ours(s))
        .and_then(|s| {
            let t = &s["Condition"]["DateLessThan"]["acs:CurrentTime"];
            t.as_str()
                .or_else(|| t.get(0).and_then(Value::as_str))
                .and_then(crate::oss::time::parse_iso8601)
        })
}

/// Whether two policy documents say the same, compared as JSON (OSS may
/// change spacing and order of fields).
pub fn same(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a == b
                || matches!(
                    (serde_json::from_str::<Value>(a), serde_json::from_str::<Value>(b)),
                    (Ok(x), Ok(y)) if x == y
                )
        }
        _ => false,
    }
}

/// How a run's write freeze ended, for its summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum FreezeOutcome {
    /// Lifted after the run: the policy is back.
    Lifted { restored: Restored },
    /// The bucket was deleted, and its policy with it.
    GoneWithBucket,
    /// It could not be put on, so the run did not start: nothing was deleted.
    NotApplied { why: String },
    /// Lifting it failed: it stays on until `until`, when it ends by itself.
    LeftOn {
        until: i64,
        why: String,
        /// The policy from before the run, saved (none: there was none).
        saved: Option<std::path::PathBuf>,
        /// The one command that puts it back.
        command: String,
    },
}

impl FreezeOutcome {
    /// One sentence (`LeftOn` says it loudly, with the way back).
    pub fn sentence(&self) -> String {
        match self {
            FreezeOutcome::Lifted { restored } => match restored {
                Restored::AsItWas => "writes unfrozen: the bucket policy is back as it was".into(),
                Restored::Removed => {
                    "writes unfrozen: no bucket policy before, none now".into()
                }
                Restored::TheirChangesKept => "writes unfrozen: the bucket policy changed during the run, so only ossweep's statement was taken out and the change stays".into(),
            },
            FreezeOutcome::GoneWithBucket => {
                "the write freeze went with the bucket".into()
            }
            FreezeOutcome::NotApplied { why } => {
                format!("writes could not be frozen, so nothing was deleted: {why}")
            }
            FreezeOutcome::LeftOn {
                until,
                why,
                saved,
                command,
            } => format!(
                "WRITES ARE STILL FROZEN until {} (ossweep could not lift the freeze: {why}). {} Put it back with: {command}",
                crate::oss::time::iso8601_seconds(*until),
                match saved {
                    Some(p) => format!("The policy from before the run is saved in {}.", p.display()),
                    None => "The bucket had no policy before the run.".into(),
                }
            ),
        }
    }
}

/// What lifting a freeze sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lift {
    /// PutBucketPolicy with this document.
    Put(String),
    /// DeleteBucketPolicy: there was none before.
    Delete,
    /// Nothing: the policy is already as it was.
    Nothing,
}

/// How the policy came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Restored {
    /// The policy from before the run, exactly as GetBucketPolicy returned it.
    AsItWas,
    /// There was no policy before: it was deleted.
    Removed,
    /// The policy was changed by someone else during the run: only ossweep's
    /// statement was taken out, their change stays.
    TheirChangesKept,
}

/// What to send to lift the freeze, given the policy before the run
/// (`previous`, as GetBucketPolicy returned it) and now (`current`), and what
/// the policy then is.
pub fn lift(
    previous: Option<&str>,
    current: Option<&str>,
) -> Result<(Lift, Restored, Option<String>), PolicyError> {
    let restored = if previous.is_some() {
        Restored::AsItWas
    } else {
        Restored::Removed
    };
    let Some(current) = current else {
        // Nothing on the bucket now: what was there goes back.
        return Ok(match previous {
            Some(p) => (Lift::Put(p.to_string()), restored, Some(p.to_string())),
            None => (Lift::Nothing, restored, None),
        });
    };
    if same(previous, Some(current)) {
        return Ok((Lift::Nothing, restored, previous.map(str::to_string)));
    }
    let as_before = match previous {
        Some(p) => normal(p)? == normal(current)?,
        None => statements(current)?.iter().all(is_ours),
    };
    if as_before {
        return Ok(match previous {
            Some(p) => (Lift::Put(p.to_string()), restored, Some(p.to_string())),
            None => (Lift::Delete, restored, None),
        });
    }
    Ok(match without_freeze(current)? {
        Some(r) => (Lift::Put(r.clone()), Restored::TheirChangesKept, Some(r)),
        None => (Lift::Delete, Restored::TheirChangesKept, None),
    })
}

/// `policy` as a value without ossweep's freeze, its statements as a list:
/// two documents that differ only by the freeze (and by a lone statement
/// written as a list) are equal so.
fn normal(policy: &str) -> Result<Value, PolicyError> {
    let mut doc: Value =
        serde_json::from_str(policy).map_err(|e| PolicyError(format!("not JSON ({e})")))?;
    let rest: Vec<Value> = statements(policy)?
        .into_iter()
        .filter(|s| !is_ours(s))
        .collect();
    if let Some(fields) = doc.as_object_mut() {
        fields.insert("Statement".into(), Value::Array(rest));
    }
    Ok(doc)
}

#[cfg(test)]
mod tests;
