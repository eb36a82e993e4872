//! Whether a bucket can be deleted by API at all, from its scan. Pure.

use super::Verdict;
use crate::oss::time;
use crate::scan::{ScanReport, State};
use crate::units::count;

/// The bucket's verdict, from its scan.
pub fn verdict(r: &ScanReport) -> Verdict {
    let (mut reasons, mut steps, mut blocked) = (Vec::new(), Vec::new(), Vec::new());
    let mut settled_by_oss = Vec::new();
    for c in &r.categories {
        let note = c.note.clone().unwrap_or_default();
        match (c.category, c.state) {
            (k, State::Unknown) if k.holds_contents() => {
                let reason = format!("the {} could not be listed ({note})", k.noun());
                if !blocked.contains(&reason) {
                    blocked.push(reason);
                }
            }
            // OSS itself refuses to delete the bucket while any remain:
            // trying settles it, and loses nothing by them.
            (k, State::Unknown) if k.facts().refused_by_delete_bucket => {
                settled_by_oss.push(format!(
                    "the {} could not be listed ({note}); deleting the {} settles it: OSS refuses ({}) while any remain",
                    k.noun(),
                    r.kind.noun(),
                    r.kind.not_empty_code()
                ));
            }
            (k, State::Unknown) => {
                reasons.push(format!(
                    "the {} could not be listed ({note}); the bucket cannot be deleted while they are unknown",
                    k.noun()
                ));
                steps.push(if c.unsupported {
                    format!(
                        "Check the {} in the console, or scan through an endpoint that lists them",
                        k.noun()
                    )
                } else {
                    format!(
                        "Grant the permission to list {} (or check them in the console), then scan again",
                        k.noun()
                    )
                });
            }
            (k, _) => {
                if let Some(m) = (k.facts().manual_step)(r, c) {
                    reasons.push(m.reason);
                    steps.push(m.step);
                }
            }
        }
    }
    if r.worm_protected > 0 {
        let last = r
            .worm_latest_release
            .map(time::date_only)
            .unwrap_or_else(|| "an unknown date".into());
        let first = r
            .worm_earliest_release
            .map(time::date_only)
            .unwrap_or_else(|| last.clone());
        reasons.push(format!(
            "{} objects are under the retention policy (WORM): the first is released on {first}, the last on {last}",
            count(r.worm_protected)
        ));
        steps.push(format!(
            "Wait until {last}, when the last retention period ends; the bucket can be deleted then"
        ));
    }
    if !blocked.is_empty() {
        blocked.extend(reasons);
        Verdict::Blocked { reasons: blocked }
    } else if !reasons.is_empty() {
        Verdict::EmptyOnly {
            reasons,
            manual_steps: steps,
        }
    } else {
        Verdict::Deletable { settled_by_oss }
    }
}
