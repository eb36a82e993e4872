//! The vector buckets tab: listing, lazy index counts, and the scan pane's keys
//! for a vector bucket (delete one index, all of them, or the bucket).

use super::*;
use crate::oss::vectors::VectorBucketSummary;
use crate::vocab::BucketKind;

/// Which list the wizard shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Buckets,
    /// OSS Vectors buckets: not in ListBuckets, so a tab of their own.
    Vectors,
}

/// The scan pane of a bucket, and the effect that starts its scan.
pub fn start_scan(kind: BucketKind, bucket: &str) -> (Screen, Effect) {
    let effect = match kind {
        BucketKind::Object => Effect::StartScan(bucket.to_string()),
        BucketKind::Vector => Effect::StartVectorScan(bucket.to_string()),
    };
    (Screen::Scan(Box::new(Scan::of(kind, bucket))), effect)
}

impl App {
    pub(super) fn switch_tab(&mut self) -> Vec<Effect> {
        self.tab = match self.tab {
            Tab::Buckets => Tab::Vectors,
            Tab::Vectors => Tab::Buckets,
        };
        if self.tab == Tab::Vectors && !self.vectors.loaded && !self.vectors.loading {
            self.vectors.loading = true;
            return vec![Effect::LoadVectorBuckets];
        }
        Vec::new()
    }

    pub(super) fn vector_buckets_loaded(
        &mut self,
        result: Result<Vec<VectorBucketSummary>, ErrorInfo>,
    ) -> Vec<Effect> {
        match result {
            Ok(buckets) => {
                self.vectors.listed(buckets);
                self.banner = None;
                self.vectors
                    .rows
                    .iter()
                    .map(|r| Effect::LoadVectorDetails(r.summary.name.clone()))
                    .collect()
            }
            Err(e) => {
                self.vectors.loading = false;
                self.vectors.error = Some(e.clone());
                // Loaded in the background with the bucket list: its error
                // shows on the vector tab, not over the buckets.
                if self.tab == Tab::Vectors {
                    self.banner = Some(e);
                }
                Vec::new()
            }
        }
    }

    pub(super) fn vector_details_loaded(&mut self, bucket: &str, result: Result<u64, String>) {
        for row in self
            .vectors
            .rows
            .iter_mut()
            .filter(|r| r.summary.name == bucket)
        {
            row.indexes = Some(result.clone());
        }
    }

    /// What a key on a vector bucket's scan pane asks the engine for: delete
    /// the selected index, every index, or the bucket.
    pub(super) fn vector_scan_action(
        &mut self,
        s: &Scan,
        action: KeyAction,
    ) -> Option<engine::Action> {
        match action {
            KeyAction::ClearCategory => match s.selected_index() {
                Some(name) => Some(engine::Action::clear_indexes([name])),
                None => {
                    self.notice = Some("This vector bucket has no index to delete".into());
                    None
                }
            },
            KeyAction::ClearAll => Some(engine::Action::clear_all(BucketKind::Vector)),
            KeyAction::DeleteBucket => Some(engine::Action::DeleteBucket),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
