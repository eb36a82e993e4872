//! Lifecycle rules that empty a bucket server-side (oss-api.md §12.6), for buckets
//! too big to delete by API. Rule building and recognition are pure.
//!
//! Two phases, because `ExpiredObjectDeleteMarker` cannot share an `Expiration`
//! with `Days` (EC 0014-00000059): A expires current objects, previous versions
//! and parts; B (versioned buckets, after A has run) removes the delete markers
//! left behind.
//!
//! OSS-HDFS data under `.dlsdata/` must never be expired. The only way to keep
//! it out of a whole-bucket rule is `Filter/Not/Prefix`, and OSS refuses `Not`
//! in a rule with `AbortMultipartUpload` or `ExpiredObjectDeleteMarker` (EC
//! 0014-00000034), while a second rule over the whole bucket is refused too
//! (same prefix, EC 0014-00000085). So on a bucket with OSS-HDFS data phase A
//! expires objects and previous versions only, and incomplete uploads are left
//! to the API; phase B's marker rule needs no `Not`, since it can only remove
//! markers that no longer hide any data.
//!
//! `ossweep expire`, in detail:
//!
//! # `ossweep expire BUCKET [--days N] [--remove] [--restore FILE] [--backup FILE] [--yes]`
//!
//! For buckets too big to delete by API: installs lifecycle rules that empty the bucket
//! server-side, in two phases (`ExpiredObjectDeleteMarker` cannot share an `Expiration`
//! with `Days`, EC 0014-00000059). Phase A expires current objects, previous versions
//! and incomplete uploads after N days (default 1, the least OSS accepts); once only
//! delete markers remain in a versioned bucket, running `expire` again installs phase B,
//! which removes them. An existing configuration is shown and saved first (`--backup
//! FILE`, default `./<bucket>-lifecycle-<time>.xml`) and can be put back with `--restore
//! FILE`; `--remove` takes ossweep's rules off again. `expire` prints the exact XML it
//! sends, and installing asks for the bucket name like `empty` (or `--yes`).
//!
//! The rule ID carries the phase and the day it was installed, so a later scan (and the
//! wizard) says "ossweep expiry rules installed on 2026-11-22, phase A" instead of
//! offering to replace them. Phase A on a bucket without OSS-HDFS data (`--days 1`):
//!
//! ```text
//! <LifecycleConfiguration><Rule><ID>ossweep-expire-phase-a-2026-11-22</ID><Prefix></Prefix><Status>Enabled</Status>
//!   <Expiration><Days>1</Days></Expiration>
//!   <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>
//!   <AbortMultipartUpload><Days>1</Days></AbortMultipartUpload>
//! </Rule></LifecycleConfiguration>
//! ```
//!
//! Phase B replaces `<Expiration><Days>` with
//! `<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`.
//!
//! On a bucket with OSS-HDFS data, `.dlsdata/` must never expire. The only way to keep
//! it out of a whole-bucket rule is `Filter/Not`, and OSS refuses `Not` in a rule that
//! also aborts uploads or removes delete markers (400, EC 0014-00000034), while a second
//! rule over the whole bucket is refused as well (same prefix, EC 0014-00000085). So
//! phase A there is one rule without the upload action, and `expire` says that
//! incomplete uploads are left to `ossweep empty BUCKET --only parts`:
//!
//! ```text
//! <LifecycleConfiguration><Rule><ID>ossweep-expire-phase-a-2026-11-22</ID><Prefix></Prefix><Status>Enabled</Status>
//!   <Filter><Not><Prefix>.dlsdata/</Prefix></Not></Filter>
//!   <Expiration><Days>1</Days></Expiration>
//!   <NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration>
//! </Rule></LifecycleConfiguration>
//! ```
//!
//! and its phase B is the delete-marker rule alone, with no `Not`: a delete marker hides
//! no data, so removing expired ones cannot reach OSS-HDFS files. When ossweep cannot
//! tell whether `.dlsdata/` holds anything (the listing is refused), it uses the OSS-HDFS
//! rule set.

use serde::Serialize;

use crate::oss::xml::Writer;
use crate::vocab::HDFS_PREFIX;

/// Every rule ossweep installs has an ID with this prefix.
pub const RULE_PREFIX: &str = "ossweep-expire";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Phase {
    A,
    B,
}

impl Phase {
    fn id_stem(self) -> &'static str {
        match self {
            Phase::A => "ossweep-expire-phase-a",
            Phase::B => "ossweep-expire-phase-b",
        }
    }

    /// The rule ID: the phase and the day it was installed (`YYYY-MM-DD`), so
    /// a later scan can say what is installed since when.
    pub fn rule_id(self, day: &str) -> String {
        format!("{}-{day}", self.id_stem())
    }

    pub fn letter(self) -> char {
        match self {
            Phase::A => 'A',
            Phase::B => 'B',
        }
    }
}

/// Whether the bucket holds OSS-HDFS data that the rules must leave alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hdfs {
    Absent,
    Present,
}

/// The lifecycle configuration for a phase, expiring after `days` (at least 1),
/// installed on `day` (`YYYY-MM-DD`).
pub fn configuration(phase: Phase, days: u32, hdfs: Hdfs, day: &str) -> String {
    let days = days.max(1).to_string();
    let keep_hdfs = hdfs == Hdfs::Present;
    let mut w = Writer::new();
    w.open("LifecycleConfiguration")
        .open("Rule")
        .leaf("ID", &phase.rule_id(day))
        .leaf("Prefix", "")
        .leaf("Status", "Enabled");
    match phase {
        Phase::A => {
            if keep_hdfs {
                w.open("Filter")
                    .open("Not")
                    .leaf("Prefix", HDFS_PREFIX)
                    .close("Not")
                    .close("Filter");
            }
            w.open("Expiration").leaf("Days", &days).close("Expiration");
            w.open("NoncurrentVersionExpiration")
                .leaf("NoncurrentDays", &days)
                .close("NoncurrentVersionExpiration");
            if !keep_hdfs {
                w.open("AbortMultipartUpload")
                    .leaf("Days", &days)
                    .close("AbortMultipartUpload");
            }
        }
        Phase::B => {
            w.open("Expiration")
                .leaf("ExpiredObjectDeleteMarker", "true")
                .close("Expiration");
            if !keep_hdfs {
                w.open("NoncurrentVersionExpiration")
                    .leaf("NoncurrentDays", &days)
                    .close("NoncurrentVersionExpiration");
                w.open("AbortMultipartUpload")
                    .leaf("Days", &days)
                    .close("AbortMultipartUpload");
            }
        }
    }
    w.close("Rule").close("LifecycleConfiguration");
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", w.finish())
}

/// What a configuration says about ossweep's own rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstalledRules {
    pub phase: Phase,
    /// The day the rule was installed (`YYYY-MM-DD`), when its ID says.
    pub since: Option<String>,
}

impl InstalledRules {
    /// "ossweep expiry rules installed on 2026-11-22, phase A".
    pub fn describe(&self) -> String {
        match &self.since {
            Some(day) => format!(
                "ossweep expiry rules installed on {day}, phase {}",
                self.phase.letter()
            ),
            None => format!(
                "ossweep expiry rules installed, phase {}",
                self.phase.letter()
            ),
        }
    }
}

fn recognise(id: &str) -> Option<InstalledRules> {
    [Phase::B, Phase::A].into_iter().find_map(|phase| {
        let rest = id.strip_prefix(phase.id_stem())?;
        let since = match rest.strip_prefix('-') {
            None if rest.is_empty() => None,
            Some(day) if is_day(day) => Some(day.to_string()),
            _ => return None,
        };
        Some(InstalledRules { phase, since })
    })
}

fn is_day(s: &str) -> bool {
    s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok()
}

/// Which of ossweep's phases a configuration holds, if any (B wins over A).
pub fn installed(rule_ids: &[String]) -> Option<InstalledRules> {
    let found: Vec<InstalledRules> = rule_ids.iter().filter_map(|id| recognise(id)).collect();
    found
        .iter()
        .find(|r| r.phase == Phase::B)
        .or(found.first())
        .cloned()
}

/// Whether a configuration holds rules other than ossweep's.
pub fn has_foreign_rules(rule_ids: &[String]) -> bool {
    rule_ids.iter().any(|id| recognise(id).is_none())
}

/// One lifecycle rule in words, for the rules `expire` replaces:
/// `"archive" on logs/ (enabled): current objects expire after 30 days; previous versions after 7 days`.
pub fn rule_summary(r: &crate::oss::model::LifecycleRule) -> String {
    use crate::text::visible;
    let scope = match (r.prefix.as_str(), r.excluded_prefixes.as_slice()) {
        ("", []) => "the whole bucket".to_string(),
        ("", not) => format!("all but {}", visible(&not.join(", "))),
        (p, _) => visible(p).into_owned(),
    };
    let mut actions = Vec::new();
    match (&r.expiration_days, &r.expiration_date) {
        (Some(d), _) => actions.push(format!("current objects expire after {d} days")),
        (None, Some(date)) => actions.push(format!("current objects expire on {}", visible(date))),
        _ => {}
    }
    if r.expired_object_delete_marker {
        actions.push("expired delete markers removed".into());
    }
    if let Some(d) = r.noncurrent_days {
        actions.push(format!("previous versions after {d} days"));
    }
    if let Some(d) = r.abort_multipart_days {
        actions.push(format!("uploads aborted after {d} days"));
    }
    for t in &r.transitions {
        actions.push(format!("transition to {}", visible(t)));
    }
    if actions.is_empty() {
        actions.push("no action ossweep reads".into());
    }
    format!(
        "{:?} on {scope} ({}): {}",
        visible(&r.id),
        if r.enabled { "enabled" } else { "disabled" },
        actions.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::parse;

    const DAY: &str = "2026-11-22";

    #[test]
    fn a_replaced_rule_is_said_in_words() {
        let r = crate::oss::model::LifecycleRule {
            id: "archive".into(),
            prefix: "logs/".into(),
            enabled: true,
            expiration_days: Some(30),
            noncurrent_days: Some(7),
            transitions: vec!["IA".into()],
            ..Default::default()
        };
        assert_eq!(
            rule_summary(&r),
            "\"archive\" on logs/ (enabled): current objects expire after 30 days; previous versions after 7 days; transition to IA"
        );
        let whole = crate::oss::model::LifecycleRule {
            id: "x\u{1b}[2J".into(),
            ..Default::default()
        };
        assert!(!rule_summary(&whole).contains('\u{1b}'));
        assert!(rule_summary(&whole)
            .contains("on the whole bucket (disabled): no action ossweep reads"));
    }

    #[test]
    fn phase_a_without_oss_hdfs_expires_objects_versions_and_parts_in_one_rule() {
        let xml = configuration(Phase::A, 1, Hdfs::Absent, DAY);
        let cfg = parse::bucket_lifecycle(&xml).unwrap();
        let r = &cfg.rules[0];
        assert_eq!(cfg.rules.len(), 1);
        assert_eq!(
            (r.id.as_str(), r.enabled, r.prefix.as_str()),
            ("ossweep-expire-phase-a-2026-11-22", true, "")
        );
        assert_eq!(
            (r.expiration_days, r.noncurrent_days, r.abort_multipart_days),
            (Some(1), Some(1), Some(1))
        );
        assert!(!r.expired_object_delete_marker);
        assert!(
            r.excluded_prefixes.is_empty(),
            "no Not: OSS refuses it with parts"
        );
    }

    #[test]
    fn phase_a_with_oss_hdfs_keeps_dlsdata_out_and_leaves_parts_to_the_api() {
        let xml = configuration(Phase::A, 2, Hdfs::Present, DAY);
        let r = &parse::bucket_lifecycle(&xml).unwrap().rules[0];
        assert_eq!(r.excluded_prefixes, [".dlsdata/"]);
        assert_eq!(
            (r.expiration_days, r.noncurrent_days, r.abort_multipart_days),
            (Some(2), Some(2), None),
            "Not cannot share a rule with AbortMultipartUpload (EC 0014-00000034)"
        );
    }

    #[test]
    fn phase_b_removes_delete_markers_without_days_and_never_carries_not() {
        let xml = configuration(Phase::B, 3, Hdfs::Absent, DAY);
        let r = &parse::bucket_lifecycle(&xml).unwrap().rules[0];
        assert!(r.expired_object_delete_marker);
        assert_eq!(
            (r.expiration_days, r.noncurrent_days, r.abort_multipart_days),
            (None, Some(3), Some(3))
        );
        let hdfs = configuration(Phase::B, 3, Hdfs::Present, DAY);
        let r = &parse::bucket_lifecycle(&hdfs).unwrap().rules[0];
        assert!(r.expired_object_delete_marker && r.excluded_prefixes.is_empty());
        assert_eq!((r.noncurrent_days, r.abort_multipart_days), (None, None));
    }

    #[test]
    fn recognises_its_own_rules_with_and_without_a_day() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let a = installed(&ids(&["ossweep-expire-phase-a-2026-11-22"])).unwrap();
        assert_eq!(
            (a.phase, a.since.as_deref()),
            (Phase::A, Some("2026-11-22"))
        );
        assert_eq!(
            a.describe(),
            "ossweep expiry rules installed on 2026-11-22, phase A"
        );
        let b = installed(&ids(&["x", "ossweep-expire-phase-b"])).unwrap();
        assert_eq!((b.phase, b.since), (Phase::B, None));
        assert_eq!(installed(&ids(&["logs-to-ia"])), None);
        assert_eq!(installed(&ids(&["ossweep-expire-phase-a-later"])), None);
        assert!(has_foreign_rules(&ids(&[
            "logs-to-ia",
            "ossweep-expire-phase-a-2026-01-02"
        ])));
        assert!(!has_foreign_rules(&ids(&["ossweep-expire-phase-a"])));
    }
}
