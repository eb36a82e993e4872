//! Where a listing's keys lie (pure): the last key of every page it sent on,
//! with how many entries that page held, in key order and thinned to a bounded
//! size. Ranges partition the key space and pages partition each range, so the
//! marks cut the scope into intervals whose counts add up to what was listed.
//! A later listing of the same scope (the run after its preflight scan) starts
//! from `seeds`: even ranges at once, instead of finding the layout again.

use std::collections::BTreeMap;

/// Marks kept; past this, neighbours are merged two by two, so the map stays
/// small (a few hundred KiB at most) whatever the bucket's size.
const MAX_MARKS: usize = 4096;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLayout {
    /// Last key of a page (or of merged pages) -> entries since the mark before.
    marks: BTreeMap<String, u64>,
}

impl KeyLayout {
    /// A page of `entries` entries ending at key `last`.
    pub fn record(&mut self, last: &str, entries: u64) {
        if entries == 0 {
            return;
        }
        *self.marks.entry(last.to_string()).or_default() += entries;
        if self.marks.len() > MAX_MARKS {
            self.thin();
        }
    }

    /// Entries recorded.
    pub fn entries(&self) -> u64 {
        self.marks.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }

    /// Merges each pair of neighbouring marks into the upper one.
    fn thin(&mut self) {
        let mut marks: Vec<(String, u64)> = std::mem::take(&mut self.marks).into_iter().collect();
        for pair in marks.chunks_mut(2) {
            let n = pair.iter().map(|(_, n)| n).sum();
            let key = std::mem::take(&mut pair[pair.len() - 1].0);
            self.marks.insert(key, n);
        }
    }

    /// Up to `pieces - 1` marks that cut what was recorded into `pieces`
    /// intervals of about the same number of entries; ascending, and never the
    /// last mark (nothing lies past it yet, the last range stays open).
    pub fn seeds(&self, pieces: u64) -> Vec<String> {
        let total = self.entries();
        if pieces < 2 || total == 0 {
            return Vec::new();
        }
        let last = self.marks.keys().next_back();
        let mut out = Vec::new();
        let mut sum = 0u64;
        let mut next = 1u64;
        for (key, n) in &self.marks {
            sum += n;
            if Some(key) == last {
                break;
            }
            // The mark where the running sum first reaches the next share.
            if sum as u128 * pieces as u128 >= next as u128 * total as u128 {
                out.push(key.clone());
                while next < pieces && sum as u128 * pieces as u128 >= next as u128 * total as u128
                {
                    next += 1;
                }
                if next >= pieces {
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_of(pages: &[(&str, u64)]) -> KeyLayout {
        let mut m = KeyLayout::default();
        for (k, n) in pages {
            m.record(k, *n);
        }
        m
    }

    #[test]
    fn seeds_cut_the_recorded_entries_evenly() {
        let pages: Vec<(String, u64)> = (0..100).map(|i| (format!("k{i:03}"), 1000)).collect();
        let m = map_of(
            &pages
                .iter()
                .map(|(k, n)| (k.as_str(), *n))
                .collect::<Vec<_>>(),
        );
        assert_eq!(m.entries(), 100_000);
        let s = m.seeds(4);
        assert_eq!(s, vec!["k024", "k049", "k074"]);
        // Never more pieces than marks, never the last mark.
        let all = m.seeds(1000);
        assert_eq!(all.len(), 99);
        assert!(!all.contains(&"k099".to_string()));
        assert!(m.seeds(1).is_empty());
        assert!(KeyLayout::default().seeds(8).is_empty());
    }

    #[test]
    fn seeds_follow_where_the_entries_are() {
        // One page of 10,000 in the middle, small pages around it.
        let m = map_of(&[("a", 10), ("b", 10), ("m", 10_000), ("y", 10), ("z", 10)]);
        assert_eq!(m.seeds(2), vec!["m"]);
        assert_eq!(m.seeds(3), vec!["m"]);
    }

    #[test]
    fn pages_of_one_key_add_up_and_empty_pages_are_ignored() {
        let m = map_of(&[("v", 1000), ("v", 500), ("w", 0)]);
        assert_eq!(m.entries(), 1500);
        assert_eq!(m.marks.len(), 1);
    }

    #[test]
    fn thinning_keeps_the_total_and_bounds_the_size() {
        let mut m = KeyLayout::default();
        for i in 0..100_000u64 {
            // Pages arrive out of order, as ranges interleave.
            let k = (i * 7919) % 100_000;
            m.record(&format!("key{k:06}"), 3);
        }
        assert!(m.marks.len() <= MAX_MARKS, "{}", m.marks.len());
        assert_eq!(m.entries(), 300_000);
        // Still about even: each of 10 pieces within 20% of a tenth.
        let seeds = m.seeds(10);
        assert_eq!(seeds.len(), 9);
        let mut bounds = vec![String::new()];
        bounds.extend(seeds);
        for w in bounds.windows(2) {
            let n: u64 = m
                .marks
                .range::<String, _>((
                    std::ops::Bound::Excluded(&w[0]),
                    std::ops::Bound::Included(&w[1]),
                ))
                .map(|(_, n)| n)
                .sum();
            assert!((24_000..=36_000).contains(&n), "{w:?}: {n}");
        }
    }
}
