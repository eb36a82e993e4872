//! Folds engine events into what a progress display shows. Pure: the CLI's bar
//! and the TUI's progress pane both render this.

use std::collections::BTreeMap;

use super::event::{Event, Summary};
use super::failures::FailureGroup;
use crate::blockers::Category;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CategoryProgress {
    pub done: u64,
    pub bytes: u64,
    pub estimate: Option<u64>,
    pub failed: u64,
    pub skipped: u64,
    pub finished: bool,
    /// A fresh listing showed it empty.
    pub verified: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgressState {
    pub bucket: String,
    pub dry_run: bool,
    pub categories: BTreeMap<Category, CategoryProgress>,
    pub requests: u64,
    pub retries: u64,
    pub throttles: u64,
    pub concurrency: Option<usize>,
    /// Failures grouped by category and code.
    pub failures: Vec<FailureGroup>,
    pub bucket_deleted: bool,
    pub summary: Option<Summary>,
    pub cancelled: bool,
    /// The verification pass under way (2 and up), if any.
    pub verifying: Option<u32>,
    /// "waiting for OSS (...)" while a request is slow; cleared by the next progress.
    pub waiting: Option<String>,
    /// Writes to this bucket are frozen until then (Unix seconds), while the
    /// run holds its freeze: `(bucket, until)`.
    pub frozen: Option<(String, i64)>,
}

impl ProgressState {
    pub fn apply(&mut self, e: &Event) {
        match e {
            Event::Started { bucket, dry_run } => {
                // The freeze goes on just before its bucket's run starts.
                let frozen = self.frozen.take().filter(|(b, _)| b == bucket);
                *self = ProgressState {
                    bucket: bucket.clone(),
                    dry_run: *dry_run,
                    frozen,
                    ..Default::default()
                };
            }
            Event::WritesFrozen { bucket, until } => self.frozen = Some((bucket.clone(), *until)),
            Event::FreezeEnded { outcome, .. } => {
                self.frozen = None;
                // The run's summary came first; the freeze ends after it.
                if let Some(s) = self.summary.as_mut() {
                    s.freeze = Some(outcome.clone());
                }
            }
            Event::CategoryStarted {
                category, estimate, ..
            } => {
                self.categories.entry(*category).or_default().estimate = *estimate;
            }
            Event::Progress {
                category,
                keys,
                bytes,
                requests,
                ..
            } => {
                self.waiting = None;
                let c = self.categories.entry(*category).or_default();
                c.done += keys;
                c.bytes += bytes;
                self.requests += requests;
            }
            Event::Throttled { .. } => self.throttles += 1,
            Event::Retried { .. } => self.retries += 1,
            Event::Concurrency { limit } => self.concurrency = Some(*limit),
            Event::ItemsFailed {
                category,
                count,
                code,
                message,
                sample,
                ..
            } => {
                self.categories.entry(*category).or_default().failed += count;
                super::failures::add(
                    &mut self.failures,
                    *category,
                    code,
                    message,
                    sample.first().map(|s| s.key.as_str()),
                    *count,
                );
            }
            Event::ItemsSkipped {
                category, count, ..
            } => self.categories.entry(*category).or_default().skipped += count,
            Event::CategoryDone { category, .. } => {
                self.categories.entry(*category).or_default().finished = true
            }
            Event::BucketDeleted { .. } => self.bucket_deleted = true,
            Event::Sweeping { pass, .. } => self.verifying = Some(*pass),
            Event::Verified { category, .. } => {
                self.categories.entry(*category).or_default().verified = true
            }
            Event::Waiting {
                op,
                attempt,
                max_attempts,
                elapsed_secs,
            } => {
                self.waiting = Some(format!(
                    "waiting for OSS ({op}, attempt {attempt} of {max_attempts}, {elapsed_secs} s)"
                ))
            }
            Event::Finished { summary } => self.summary = Some(summary.as_ref().clone()),
            Event::Cancelled { summary } => {
                self.cancelled = true;
                self.summary = Some(summary.as_ref().clone());
            }
        }
    }

    pub fn done(&self) -> u64 {
        self.categories.values().map(|c| c.done).sum()
    }

    /// The run's summary: the engine's own once it finished, else what the
    /// events so far say (a run abandoned before its end), marked cancelled.
    pub fn summary_so_far(&self) -> Summary {
        if let Some(s) = &self.summary {
            return s.clone();
        }
        let mut s = Summary {
            bucket: self.bucket.clone(),
            dry_run: self.dry_run,
            cancelled: true,
            requests: self.requests,
            // Events count the deleting requests only: the least it sent.
            sent: self.requests,
            retries: self.retries,
            throttles: self.throttles,
            bucket_deleted: self.bucket_deleted,
            ..Default::default()
        };
        for (c, p) in &self.categories {
            s.categories.insert(
                *c,
                super::event::CategoryTotals {
                    deleted: p.done,
                    bytes: p.bytes,
                    failed: p.failed,
                    skipped: p.skipped,
                    // Events carry sizes only: an abandoned run's bytes are
                    // what its events said.
                    size_unknown: 0,
                },
            );
            if p.verified {
                s.verified.insert(*c);
            }
        }
        s.failures_total = self.categories.values().map(|p| p.failed).sum();
        s.failure_groups = self.failures.clone();
        s.error = Some(super::event::RunError::of_kind(
            super::event::StopKind::Abandoned,
            "stopped at once",
            "the batches in flight were abandoned: their keys may or may not be gone (a scan shows what is left)",
        ));
        s
    }

    pub fn bytes(&self) -> u64 {
        self.categories.values().map(|c| c.bytes).sum()
    }

    /// Sum of known estimates, when every started category has one. A
    /// category whose run went past its estimate (more was found than the
    /// scan counted) counts what it went through: done never passes total.
    pub fn total(&self) -> Option<u64> {
        self.categories
            .values()
            .map(|c| c.estimate.map(|e| e.max(c.done + c.failed + c.skipped)))
            .sum()
    }

    pub fn failed(&self) -> u64 {
        self.categories.values().map(|c| c.failed).sum()
    }
}

/// Seconds left at `rate` keys per second, when a total is known.
pub fn eta_secs(done: u64, total: Option<u64>, rate: f64) -> Option<u64> {
    let total = total?;
    if rate <= 0.0 {
        return None;
    }
    Some(((total.saturating_sub(done)) as f64 / rate).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::model::ObjectIdentifier;

    #[test]
    fn a_slow_reply_shows_until_keys_move_again() {
        let mut p = ProgressState::default();
        p.apply(&Event::Waiting {
            op: "DeleteMultipleObjects".into(),
            attempt: 2,
            max_attempts: 5,
            elapsed_secs: 40,
        });
        assert_eq!(
            p.waiting.as_deref(),
            Some("waiting for OSS (DeleteMultipleObjects, attempt 2 of 5, 40 s)")
        );
        p.apply(&Event::Progress {
            bucket: "b".into(),
            category: Category::Objects,
            keys: 1000,
            bytes: 0,
            requests: 1,
        });
        assert_eq!(p.waiting, None);
        p.apply(&Event::Verified {
            bucket: "b".into(),
            category: Category::Objects,
            passes: 2,
        });
        let s = p.summary_so_far();
        assert!(s.cancelled && s.verified.contains(&Category::Objects));
        assert_eq!(s.categories[&Category::Objects].deleted, 1000);
    }

    #[test]
    fn folds_a_run() {
        let b = || "b".to_string();
        let mut p = ProgressState::default();
        for e in [
            Event::Started {
                bucket: b(),
                dry_run: false,
            },
            Event::CategoryStarted {
                bucket: b(),
                category: Category::Objects,
                estimate: Some(3000),
            },
            Event::Progress {
                bucket: b(),
                category: Category::Objects,
                keys: 1000,
                bytes: 10,
                requests: 1,
            },
            Event::Throttled { delay_ms: 100 },
            Event::Retried {
                op: "DeleteMultipleObjects".into(),
                attempt: 1,
            },
            Event::Concurrency { limit: 4 },
            Event::Progress {
                bucket: b(),
                category: Category::Objects,
                keys: 1000,
                bytes: 10,
                requests: 1,
            },
            Event::ItemsFailed {
                bucket: b(),
                category: Category::Objects,
                count: 2,
                code: "NotDeleted".into(),
                message: "m".into(),
                sample: vec![ObjectIdentifier::key("k")],
            },
            Event::CategoryDone {
                bucket: b(),
                category: Category::Objects,
                deleted: 2000,
                failed: 2,
            },
        ] {
            p.apply(&e);
        }
        assert_eq!(
            (p.done(), p.bytes(), p.total(), p.requests),
            (2000, 20, Some(3000), 2)
        );
        assert_eq!(
            (p.retries, p.throttles, p.concurrency, p.failed()),
            (1, 1, Some(4), 2)
        );
        assert_eq!(p.failures[0].example.as_deref(), Some("k"));
        // More found than the scan counted: the total follows.
        p.apply(&Event::Progress {
            bucket: b(),
            category: Category::Objects,
            keys: 1500,
            bytes: 0,
            requests: 2,
        });
        assert_eq!((p.done(), p.total()), (3500, Some(3502)));
        // The same code again (another batch): the same line, counted.
        p.apply(&Event::ItemsFailed {
            bucket: b(),
            category: Category::Objects,
            count: 3,
            code: "NotDeleted".into(),
            message: "m".into(),
            sample: vec![ObjectIdentifier::key("k2")],
        });
        assert_eq!((p.failures.len(), p.failures[0].count), (1, 5));
        assert_eq!(p.failures[0].example.as_deref(), Some("k"));
        assert!(p.categories[&Category::Objects].finished);
        p.apply(&Event::Cancelled {
            summary: Box::default(),
        });
        assert!(p.cancelled && p.summary.is_some());
        assert_eq!(eta_secs(2000, Some(3000), 500.0), Some(2));
        assert_eq!(eta_secs(2000, None, 500.0), None);
    }
}
