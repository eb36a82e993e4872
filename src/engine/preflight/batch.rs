//! A batch of preflights (several buckets confirmed at once) in one line.

use super::Preflight;
use crate::units::{bytes, count, counted};

/// `2 buckets: 1 item, 0 B in total`: what a batch deletes, as the scans counted it.
pub fn totals(preflights: &[Preflight]) -> String {
    let entries: u64 = preflights.iter().map(Preflight::entries).sum();
    let size: u64 = preflights.iter().map(Preflight::bytes).sum();
    format!(
        "{} buckets: {}, {} in total",
        count(preflights.len() as u64),
        counted(entries, "item", "items"),
        bytes(size)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Action;
    use crate::vocab::BucketKind;

    #[test]
    fn one_item_is_an_item() {
        let p = |b: &str| Preflight::unavailable(BucketKind::Object, b, Action::DeleteBucket, "x");
        assert_eq!(
            totals(&[p("a"), p("b")]),
            "2 buckets: 0 items, 0 B in total"
        );
    }
}
