//! Lifecycle rules that empty a bucket server-side (oss-api.md §12.6), for buckets
//! too big to delete by API. Two phases, because `ExpiredObjectDeleteMarker`
//! cannot share a rule with `Days`: A expires current objects, previous versions
//! and parts; B (versioned buckets, after A has run) removes the delete markers
//! left behind. `.dlsdata/` (OSS-HDFS) is always kept out. Rule building is pure.

use crate::oss::xml::Writer;

/// Every rule ossweep installs has an ID with this prefix.
pub const RULE_PREFIX: &str = "ossweep-expire";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    A,
    B,
}

impl Phase {
    pub fn rule_id(self) -> &'static str {
        match self {
            Phase::A => "ossweep-expire-phase-a",
            Phase::B => "ossweep-expire-phase-b",
        }
    }
}

/// The lifecycle configuration for a phase, expiring after `days`.
pub fn configuration(phase: Phase, days: u32) -> String {
    let days = days.max(1).to_string();
    let mut w = Writer::new();
    w.open("LifecycleConfiguration")
        .open("Rule")
        .leaf("ID", phase.rule_id())
        .leaf("Prefix", "")
        .leaf("Status", "Enabled");
    w.open("Filter")
        .open("Not")
        .leaf("Prefix", crate::vocab::HDFS_PREFIX)
        .close("Not")
        .close("Filter");
    w.open("Expiration");
    match phase {
        Phase::A => w.leaf("Days", &days),
        Phase::B => w.leaf("ExpiredObjectDeleteMarker", "true"),
    };
    w.close("Expiration");
    w.open("NoncurrentVersionExpiration")
        .leaf("NoncurrentDays", &days)
        .close("NoncurrentVersionExpiration");
    w.open("AbortMultipartUpload")
        .leaf("Days", &days)
        .close("AbortMultipartUpload");
    w.close("Rule").close("LifecycleConfiguration");
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", w.finish())
}

/// Which of ossweep's phases a configuration holds, if any.
pub fn installed_phase(rule_ids: &[String]) -> Option<Phase> {
    if rule_ids.iter().any(|id| id == Phase::B.rule_id()) {
        Some(Phase::B)
    } else if rule_ids.iter().any(|id| id == Phase::A.rule_id()) {
        Some(Phase::A)
    } else {
        None
    }
}

/// Whether a configuration holds rules other than ossweep's.
pub fn has_foreign_rules(rule_ids: &[String]) -> bool {
    rule_ids.iter().any(|id| !id.starts_with(RULE_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::parse;

    #[test]
    fn phase_a_expires_everything_but_oss_hdfs() {
        let xml = configuration(Phase::A, 1);
        let cfg = parse::bucket_lifecycle(&xml).unwrap();
        let r = &cfg.rules[0];
        assert_eq!(
            (r.id.as_str(), r.enabled, r.prefix.as_str()),
            ("ossweep-expire-phase-a", true, "")
        );
        assert_eq!(
            (r.expiration_days, r.noncurrent_days, r.abort_multipart_days),
            (Some(1), Some(1), Some(1))
        );
        assert!(!r.expired_object_delete_marker);
        assert_eq!(r.excluded_prefixes, [".dlsdata/"]);
    }

    #[test]
    fn phase_b_removes_delete_markers_without_days() {
        let xml = configuration(Phase::B, 3);
        let r = &parse::bucket_lifecycle(&xml).unwrap().rules[0];
        assert!(r.expired_object_delete_marker);
        assert_eq!((r.expiration_days, r.noncurrent_days), (None, Some(3)));
    }

    #[test]
    fn recognises_its_own_rules() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            installed_phase(&ids(&["ossweep-expire-phase-a"])),
            Some(Phase::A)
        );
        assert_eq!(
            installed_phase(&ids(&["x", "ossweep-expire-phase-b"])),
            Some(Phase::B)
        );
        assert_eq!(installed_phase(&ids(&["logs-to-ia"])), None);
        assert!(has_foreign_rules(&ids(&[
            "logs-to-ia",
            "ossweep-expire-phase-a"
        ])));
        assert!(!has_foreign_rules(&ids(&["ossweep-expire-phase-a"])));
    }
}
