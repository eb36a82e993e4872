//! The journal as the deletion engine's [`RunJournal`]: a bucket's booked
//! state is its `BucketRun`'s batches in flight, deleted counts and open spans.

use std::path::PathBuf;

use futures::future::BoxFuture;

use super::{BatchEntry, Journaler};
use crate::delete::book::{Booked, RunJournal};

impl RunJournal for Journaler {
    fn booked(&self, bucket: usize) -> Booked {
        let state = self.state.lock().unwrap();
        let b = &state.0.buckets[bucket];
        Booked {
            in_flight: b.in_flight.clone(),
            deleted: b.deleted.clone(),
            open_spans: b.open_spans.clone(),
        }
    }

    fn rebook(&self, bucket: usize, change: &mut dyn FnMut(&mut Booked)) {
        self.bucket(bucket, |b| {
            let mut booked = Booked {
                in_flight: std::mem::take(&mut b.in_flight),
                deleted: std::mem::take(&mut b.deleted),
                open_spans: b.open_spans.take(),
            };
            change(&mut booked);
            b.in_flight = booked.in_flight;
            b.deleted = booked.deleted;
            b.open_spans = booked.open_spans;
        })
    }

    fn commit(&self) -> BoxFuture<'_, ()> {
        Box::pin(Journaler::commit(self))
    }

    fn report(&self) -> Option<PathBuf> {
        self.state.lock().unwrap().0.report.clone()
    }

    fn write_batch(&self, seq: u64, attempt: u32, entries: &[BatchEntry]) -> std::io::Result<()> {
        Journaler::write_batch(self, seq, attempt, entries)
    }

    fn read_batch(&self, seq: u64, attempt: u32) -> std::io::Result<Vec<BatchEntry>> {
        Journaler::read_batch(self, seq, attempt)
    }

    fn remove_batch(&self, seq: u64, attempt: u32) {
        Journaler::remove_batch(self, seq, attempt)
    }
}
