//! The one expiry installer: lifecycle rules that empty a bucket server-side,
//! for buckets too big to delete by API. `prepare` reads what is there and
//! decides the phase, `describe` says what will happen (pure), `install` saves
//! the configuration it replaces and then writes the rules.

use std::path::{Path, PathBuf};

use crate::lifecycle::{self, Hdfs, InstalledRules, Phase};
use crate::oss::model::{LifecycleRule, Versioning};
use crate::oss::{time, Client, OssError};

/// What installing expiry rules on a bucket will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiryPlan {
    pub bucket: String,
    pub phase: Phase,
    pub days: u32,
    pub versioning: Versioning,
    /// Whether `.dlsdata/` (OSS-HDFS) must be kept out of the rules.
    pub hdfs: Hdfs,
    /// ossweep's rules already on the bucket, if any.
    pub installed: Option<InstalledRules>,
    /// The configuration that will be replaced (rules ossweep did not write), as XML.
    pub replaces: Option<String>,
    /// Its rules, as read: shown before anything is confirmed.
    pub replaced: Vec<LifecycleRule>,
    /// Why phase A is used again although phase B may be due.
    pub note: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExpiryError {
    #[error("{0}")]
    Oss(#[from] OssError),
    #[error("OSS requires at least 1 day for lifecycle expiration (got {0})")]
    Days(u32),
    #[error("cannot save the configuration being replaced to {path}: {error}")]
    Backup { path: PathBuf, error: String },
}

/// The fewest days OSS accepts for `Days` in a lifecycle rule.
pub const MIN_DAYS: u32 = 1;

/// Reads the bucket's lifecycle rules, versioning and statistics and decides the
/// phase: B once phase A has expired the data and only delete markers remain.
pub async fn prepare(client: &Client, bucket: &str, days: u32) -> Result<ExpiryPlan, ExpiryError> {
    if days < MIN_DAYS {
        return Err(ExpiryError::Days(days));
    }
    let current = client.get_bucket_lifecycle(bucket).await?;
    let info = client.get_bucket_info(bucket).await?;
    let ids: Vec<String> = current
        .as_ref()
        .map(|c| c.rules.iter().map(|r| r.id.clone()).collect())
        .unwrap_or_default();
    let mut note = None;
    // One key under .dlsdata/ is enough to know the rules must keep it out; if
    // that cannot be read, keep it out anyway (the safer rule set).
    let hdfs = match client
        .list_objects_v2_page(bucket, Some(crate::vocab::HDFS_PREFIX), None, 1)
        .await
    {
        Ok(page) if page.objects.is_empty() => Hdfs::Absent,
        Ok(_) => Hdfs::Present,
        Err(e) => {
            note = Some(format!(
                "Whether the bucket holds OSS-HDFS data could not be read ({}), so .dlsdata/ is kept out of the rules",
                e.to_string().lines().next().unwrap_or_default()
            ));
            Hdfs::Present
        }
    };
    let installed = lifecycle::installed(&ids);
    let phase = match &installed {
        Some(_) if info.versioning.is_versioned() => match client.get_bucket_stat(bucket).await {
            Ok(stat) if stat.object_count == 0 && stat.delete_marker_count > 0 => Phase::B,
            Ok(_) => Phase::A,
            Err(e) => {
                note = Some(format!(
                    "OSS statistics are unavailable ({}), so phase A is installed again",
                    e.to_string().lines().next().unwrap_or_default()
                ));
                Phase::A
            }
        },
        _ => Phase::A,
    };
    let replaced = current.filter(|_| lifecycle::has_foreign_rules(&ids));
    Ok(ExpiryPlan {
        bucket: bucket.to_string(),
        phase,
        days,
        versioning: info.versioning,
        hdfs,
        installed,
        replaced: replaced
            .as_ref()
            .map(|c| c.rules.clone())
            .unwrap_or_default(),
        replaces: replaced.map(|c| c.raw_xml),
        note,
    })
}

impl ExpiryPlan {
    /// Changes the number of days (at least one).
    pub fn with_days(mut self, days: u32) -> Self {
        self.days = days.max(MIN_DAYS);
        self
    }

    /// What the rules do, as sentences (the same in every front end).
    pub fn describe(&self) -> Vec<String> {
        let d = self.days;
        let hdfs = self.hdfs == Hdfs::Present;
        let mut out = vec![match (self.phase, hdfs) {
            (Phase::A, false) => format!(
                "Phase A: expire current objects after {d} day(s), previous versions {d} day(s) after they become previous, and incomplete multipart uploads after {d} day(s)."
            ),
            (Phase::A, true) => format!(
                "Phase A: expire current objects after {d} day(s) and previous versions {d} day(s) after they become previous, except under .dlsdata/ (OSS-HDFS), which is left alone."
            ),
            (Phase::B, false) => format!(
                "Phase B: remove the delete markers phase A left behind, and any remaining previous versions and uploads after {d} day(s)."
            ),
            (Phase::B, true) => "Phase B: remove the delete markers phase A left behind (a marker hides no data, so .dlsdata/ is safe).".to_string(),
        }];
        if hdfs {
            let b = &self.bucket;
            let parts = crate::blockers::Category::Parts.slug();
            out.push(format!("Incomplete multipart uploads are not expired: OSS refuses a rule that both excludes .dlsdata/ and aborts uploads (EC 0014-00000034). `ossweep empty {b} --only {parts}` aborts them by API."));
        }
        if let Some(i) = &self.installed {
            out.push(format!(
                "Already on the bucket: {}; it is replaced.",
                i.describe()
            ));
        }
        out.push(format!(
            "{}. This deletes data for good.",
            crate::scan::risk::LIFECYCLE_TIMING
        ));
        if self.replaces.is_some() {
            out.push(format!(
                "The bucket's {} lifecycle rule(s) are replaced; the configuration is saved to a file first and can be put back:",
                self.replaced.len()
            ));
            const SHOWN: usize = 20;
            for r in self.replaced.iter().take(SHOWN) {
                out.push(format!("  - {}", lifecycle::rule_summary(r)));
            }
            if self.replaced.len() > SHOWN {
                out.push(format!(
                    "  - and {} more (all of them in the backup file)",
                    self.replaced.len() - SHOWN
                ));
            }
        }
        if let Some(n) = &self.note {
            out.push(format!("{n}."));
        }
        out
    }

    /// The exact configuration `install` writes on `day` (`YYYY-MM-DD`).
    pub fn configuration(&self, day: &str) -> String {
        lifecycle::configuration(self.phase, self.days, self.hdfs, day)
    }

    /// What to do once OSS has run the rules.
    pub fn next_step(&self) -> String {
        let b = &self.bucket;
        if self.phase == Phase::A && self.versioning.is_versioned() {
            format!("Next: once OSS has expired the data, run `ossweep expire {b}` again to install phase B for the delete markers, then `ossweep delete {b} --confirm {b}`.")
        } else {
            format!("Next: once OSS has run the rules, `ossweep delete {b} --confirm {b}` removes whatever is left and the bucket.")
        }
    }

    /// A file name for the backup of the replaced configuration.
    pub fn backup_name(&self, now: i64) -> String {
        format!("{}-lifecycle-{}.xml", self.bucket, time::iso8601_basic(now))
    }
}

/// What `install` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed {
    pub rule_id: String,
    /// Where the replaced configuration was saved.
    pub backup: Option<PathBuf>,
}

impl Installed {
    pub fn describe(&self, plan: &ExpiryPlan) -> String {
        let mut text = format!("Installed {} on {}", self.rule_id, plan.bucket);
        if let Some(p) = &self.backup {
            text.push_str(&format!(
                "; the previous configuration is saved in {} (put it back with `ossweep expire {} --restore {}`)",
                p.display(),
                plan.bucket,
                p.display()
            ));
        }
        text.push('.');
        text
    }
}

/// Saves the configuration being replaced to `backup` (when there is one), then
/// installs the rules, dated `now` (unix seconds). Nothing is written to OSS if
/// the backup cannot be saved.
pub async fn install(
    client: &Client,
    plan: &ExpiryPlan,
    backup: &Path,
    now: i64,
) -> Result<Installed, ExpiryError> {
    if plan.days < MIN_DAYS {
        return Err(ExpiryError::Days(plan.days));
    }
    let mut saved = None;
    if let Some(xml) = &plan.replaces {
        if let Some(dir) = backup.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| ExpiryError::Backup {
                path: backup.to_path_buf(),
                error: e.to_string(),
            })?;
        }
        crate::private::write_atomically(backup, xml.as_bytes()).map_err(|e| {
            ExpiryError::Backup {
                path: backup.to_path_buf(),
                error: e.to_string(),
            }
        })?;
        saved = Some(backup.to_path_buf());
    }
    let day = time::date_only(now);
    client
        .put_bucket_lifecycle(&plan.bucket, &plan.configuration(&day))
        .await?;
    Ok(Installed {
        rule_id: plan.phase.rule_id(&day),
        backup: saved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(phase: Phase, versioning: Versioning, replaces: Option<&str>) -> ExpiryPlan {
        ExpiryPlan {
            bucket: "b".into(),
            phase,
            days: 3,
            versioning,
            hdfs: Hdfs::Absent,
            installed: None,
            replaces: replaces.map(str::to_string),
            replaced: replaces
                .map(|_| {
                    vec![LifecycleRule {
                        id: "archive".into(),
                        prefix: "logs/".into(),
                        enabled: true,
                        expiration_days: Some(30),
                        ..Default::default()
                    }]
                })
                .unwrap_or_default(),
            note: None,
        }
    }

    #[test]
    fn descriptions_name_the_phase_days_and_what_is_replaced() {
        let p = plan(Phase::A, Versioning::Enabled, Some("<x/>"));
        let text = p.describe().join(" ");
        assert!(
            text.contains("Phase A") && text.contains("after 3 day(s)"),
            "{text}"
        );
        assert!(text.contains("1 lifecycle rule(s) are replaced"), "{text}");
        assert!(
            text.contains("- \"archive\" on logs/ (enabled): current objects expire after 30 days"),
            "the rule itself: {text}"
        );
        assert!(p.next_step().contains("phase B"));
        let b = plan(Phase::B, Versioning::Enabled, None);
        assert!(b.describe()[0].starts_with("Phase B"));
        assert!(b.next_step().contains("ossweep delete b --confirm b"));
        assert_eq!(b.with_days(0).days, 1, "never below OSS's minimum");
    }
}
