//! Key-space splitting for parallel listing (pure). After the first page of a
//! listing, candidate split keys are derived from the page's keys; a probe (a
//! one-key listing after each candidate) shows which ones have keys behind them;
//! the chosen markers cut the rest of the key space into disjoint ranges
//! `(m_i, m_i+1]` that can be listed at the same time.

/// Characters keys are commonly made of, in byte order.
const ALPHABET: &str = "-./0123456789:=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";

/// Candidate markers after `last` (the last key of the first page). At each of the
/// `levels` character positions ending where `first` and `last` diverge, the next
/// few characters after `last`'s own (and a few spread over the rest of the
/// alphabet) replace the tail. Candidates never shorten the listing's `prefix`.
pub fn candidates(
    first: &str,
    last: &str,
    prefix: &str,
    per_level: usize,
    levels: usize,
) -> Vec<String> {
    let chars: Vec<char> = last.chars().collect();
    let lcp = first
        .chars()
        .zip(last.chars())
        .take_while(|(a, b)| a == b)
        .count()
        .min(chars.len().saturating_sub(1));
    let min_pos = prefix.chars().count();
    let lowest = lcp.saturating_sub(levels.saturating_sub(1)).max(min_pos);
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    let mut out = Vec::new();
    for pos in lowest..=lcp {
        let Some(&here) = chars.get(pos) else {
            continue;
        };
        let higher: Vec<char> = alphabet.iter().copied().filter(|c| *c > here).collect();
        if higher.is_empty() {
            continue;
        }
        let near = per_level / 2 + 1;
        let mut picked: Vec<char> = higher.iter().copied().take(near).collect();
        let rest = &higher[near.min(higher.len())..];
        let spread = per_level.saturating_sub(picked.len());
        for i in 0..spread.min(rest.len()) {
            picked.push(rest[i * rest.len() / spread.min(rest.len())]);
        }
        let stem: String = chars[..pos].iter().collect();
        for c in picked {
            out.push(format!("{stem}{c}"));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Picks at most `max` split markers from probe results `(candidate, first key
/// after it)`: only candidates with keys behind them, one per distinct first key,
/// in order.
pub fn choose(last: &str, probes: &[(String, Option<String>)], max: usize) -> Vec<String> {
    let mut usable: Vec<(&str, &str)> = probes
        .iter()
        .filter_map(|(c, first)| first.as_deref().map(|f| (c.as_str(), f)))
        .filter(|(c, _)| *c > last)
        .collect();
    usable.sort();
    let mut out: Vec<String> = Vec::new();
    let mut last_first: Option<&str> = None;
    for (c, f) in usable {
        if last_first == Some(f) {
            continue;
        }
        last_first = Some(f);
        out.push(c.to_string());
    }
    // Keep an even spread when there are more than `max`.
    if out.len() > max && max > 0 {
        let n = out.len();
        out = (0..max).map(|i| out[i * n / max].clone()).collect();
    }
    out
}

/// The ranges to list: `(start, end]` with `None` as no bound.
pub fn ranges(splits: &[String]) -> Vec<(Option<String>, Option<String>)> {
    let mut out = Vec::with_capacity(splits.len() + 1);
    let mut lo: Option<String> = None;
    for s in splits {
        out.push((lo.clone(), Some(s.clone())));
        lo = Some(s.clone());
    }
    out.push((lo, None));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_keys_split_on_their_leading_digits() {
        let c = candidates("data/obj-000000.bin", "data/obj-000999.bin", "", 8, 4);
        for want in ["data/obj-1", "data/obj-4", "data/obj-01", "data/obj-001"] {
            assert!(c.contains(&want.to_string()), "{want} in {c:?}");
        }
        assert!(
            c.iter()
                .all(|k| k.as_str() > "data/obj-000999.bin" || k.starts_with("data/obj-000")),
            "{c:?}"
        );
    }

    #[test]
    fn candidates_stay_inside_the_prefix() {
        let c = candidates("logs/a", "logs/b", "logs/", 8, 8);
        assert!(c.iter().all(|k| k.starts_with("logs/")), "{c:?}");
        assert!(
            candidates("k", "k", "", 8, 4).is_empty()
                || candidates("k", "k", "", 8, 4)
                    .iter()
                    .all(|k| k.as_str() > "k")
        );
    }

    #[test]
    fn choose_keeps_distinct_non_empty_ranges_in_order() {
        let probes = vec![
            ("obj-3".to_string(), Some("obj-300000".to_string())),
            ("obj-1".to_string(), Some("obj-100000".to_string())),
            ("obj-5".to_string(), None),
            ("obj-000:".to_string(), Some("obj-001000".to_string())),
            ("obj-0001".to_string(), Some("obj-001000".to_string())),
        ];
        assert_eq!(
            choose("obj-000999", &probes, 8),
            ["obj-000:", "obj-1", "obj-3"],
            "obj-0001 sorts before the last key"
        );
        assert_eq!(choose("obj-000999", &probes, 2).len(), 2);
    }

    #[test]
    fn ranges_partition_the_key_space() {
        assert_eq!(ranges(&[]), [(None, None)]);
        let r = ranges(&["b".into(), "d".into()]);
        assert_eq!(
            r,
            [
                (None, Some("b".into())),
                (Some("b".into()), Some("d".into())),
                (Some("d".into()), None)
            ]
        );
    }
}
