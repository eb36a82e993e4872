//! Whether a bucket can be deleted by API at all, from its scan. Pure.

use super::{Item, Verdict};
use crate::oss::time;
use crate::scan::{ScanReport, State};
use crate::units::count;
use crate::vocab::Category;

/// The bucket's verdict, from its scan.
pub fn verdict(r: &ScanReport) -> Verdict {
    let (mut reasons, mut steps, mut blocked) = (Vec::new(), Vec::new(), Vec::new());
    for c in &r.categories {
        let note = c.note.clone().unwrap_or_default();
        match (c.category, c.state) {
            (k, State::Unknown) if k.is_object_kind() || k == Category::VectorIndexes => {
                let reason = format!("the {} could not be listed ({note})", k.noun());
                if !blocked.contains(&reason) {
                    blocked.push(reason);
                }
            }
            (k, State::Unknown) => {
                reasons.push(format!(
                    "the {} could not be listed ({note}); the bucket cannot be deleted while they are unknown",
                    k.noun()
                ));
                steps.push(format!(
                    "Grant the permission to list {} (or check them in the console), then scan again",
                    k.noun()
                ));
            }
            (Category::Accelerators, State::ManualStep) => {
                reasons.push(format!(
                    "OSS accelerators can only be listed from inside {} (an ECS instance or VPC there)",
                    r.region
                ));
                steps.push("Check Bucket > OSS Accelerator in the console and delete any accelerator listed there, then scan again".into());
            }
            (Category::OssHdfs, _) if c.count > 0 => {
                reasons.push(format!(
                    "{} under .dlsdata/",
                    Item {
                        category: c.category,
                        count: c.count,
                        bytes: c.bytes,
                        note: None
                    }
                    .phrase()
                ));
                steps.push("Remove the OSS-HDFS data in the console (Bucket > OSS-HDFS) or with HDFS tools; ossweep never deletes it through the object API, which would corrupt the HDFS namespace".into());
            }
            _ => {}
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
        Verdict::Deletable
    }
}
