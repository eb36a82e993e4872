//! Where to cut a key space (pure). Keys are read as numbers in a mixed radix:
//! the digits at each position are the characters seen there (`Alphabet`), so
//! the arithmetic follows how the bucket's keys are really spelled (digits where
//! dates are, hex where hashes are) rather than all of Unicode. With that,
//! `cut` puts a marker part-way between where a range is and where it ends, and
//! `ladder` names the markers that close each level of a key's hierarchy.
//! Any marker is correct (ranges `(lo, hi]` partition the key space whatever
//! the cuts); these only decide how even the work is.

use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Positions with an alphabet of their own; deeper ones share the last.
const POSITIONS: usize = 96;
/// A cut keeps at most this many pages (at the donor's last page's density)
/// on the donor's side: the rest of a long range is cut again later.
pub const MAX_AHEAD_PAGES: u64 = 64;

/// The characters seen at each position of the keys listed so far, and the
/// positions where some key ends.
#[derive(Clone, Debug, Default)]
pub struct Alphabet {
    at: Vec<BTreeSet<char>>,
    ends: Vec<bool>,
}

impl Alphabet {
    pub fn learn(&mut self, key: &str) {
        let mut n = 0;
        for (i, c) in key.chars().enumerate() {
            let i = i.min(POSITIONS - 1);
            if self.at.len() <= i {
                self.at.resize_with(i + 1, BTreeSet::new);
            }
            self.at[i].insert(c);
            n += 1;
        }
        let n = n.min(POSITIONS - 1);
        if self.ends.len() <= n {
            self.ends.resize(n + 1, false);
        }
        self.ends[n] = true;
    }

    fn set(&self, i: usize) -> Option<&BTreeSet<char>> {
        self.at.get(i.min(POSITIONS - 1)).filter(|s| !s.is_empty())
    }

    /// Whether digit 0 at position `i` means "the key ends here" (some key
    /// ended there, or nothing was seen there). Elsewhere a key that ends
    /// counts as the smallest character: no digit is spent on what never occurs.
    fn has_end(&self, i: usize) -> bool {
        self.set(i).is_none()
            || self
                .ends
                .get(i.min(POSITIONS - 1))
                .copied()
                .unwrap_or(false)
    }

    fn radix(&self, i: usize) -> u64 {
        self.set(i).map_or(0, |s| s.len() as u64) + u64::from(self.has_end(i))
    }

    fn digit(&self, i: usize, c: Option<char>) -> u64 {
        let end = u64::from(self.has_end(i));
        match (c, self.set(i)) {
            (None, _) | (Some(_), None) => 0,
            (Some(c), Some(s)) => (s.range(..c).count() as u64 + end).min(s.len() as u64 + end - 1),
        }
    }

    fn char_of(&self, i: usize, d: u64) -> Option<char> {
        let end = u64::from(self.has_end(i));
        if d < end {
            return None;
        }
        self.set(i)
            .and_then(|s| s.iter().nth((d - end) as usize).copied())
    }

    /// The smallest character seen at position `i` after `c`.
    fn after(&self, i: usize, c: char) -> Option<char> {
        self.set(i).and_then(|s| {
            s.range((std::ops::Bound::Excluded(c), std::ops::Bound::Unbounded))
                .next()
                .copied()
        })
    }
}

/// A key (or marker) as digits from position `from`, `len` of them.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Digits {
    from: usize,
    d: Vec<u64>,
}

impl Digits {
    fn of(a: &Alphabet, key: &[char], from: usize, len: usize) -> Self {
        let d = (from..from + len)
            .map(|i| a.digit(i, key.get(i).copied()))
            .collect();
        Digits { from, d }
    }

    fn radix(&self, a: &Alphabet, j: usize) -> u64 {
        a.radix(self.from + j)
    }

    fn cmp(&self, other: &Digits) -> Ordering {
        self.d.cmp(&other.d)
    }

    fn is_zero(&self) -> bool {
        self.d.iter().all(|&x| x == 0)
    }

    /// `self - other` (self >= other).
    fn sub(&self, a: &Alphabet, other: &Digits) -> Digits {
        let mut out = self.d.clone();
        let mut borrow = 0u64;
        for j in (0..out.len()).rev() {
            let r = self.radix(a, j);
            let take = other.d[j] + borrow;
            if out[j] >= take {
                out[j] -= take;
                borrow = 0;
            } else {
                out[j] = out[j] + r - take;
                borrow = 1;
            }
        }
        Digits {
            from: self.from,
            d: out,
        }
    }

    /// `self + other`, or `None` past the largest number these digits hold.
    fn add(&self, a: &Alphabet, other: &Digits) -> Option<Digits> {
        let mut out = self.d.clone();
        let mut carry = 0u64;
        for j in (0..out.len()).rev() {
            let r = self.radix(a, j);
            let s = out[j] + other.d[j] + carry;
            out[j] = s % r;
            carry = s / r;
        }
        (carry == 0).then_some(Digits {
            from: self.from,
            d: out,
        })
    }

    /// `self * k`, or `None` on overflow.
    fn times(&self, a: &Alphabet, k: u64) -> Option<Digits> {
        let mut out = self.d.clone();
        let mut carry = 0u128;
        for j in (0..out.len()).rev() {
            let r = self.radix(a, j) as u128;
            let s = out[j] as u128 * k as u128 + carry;
            out[j] = (s % r) as u64;
            carry = s / r;
        }
        (carry == 0).then_some(Digits {
            from: self.from,
            d: out,
        })
    }

    /// `self / 2`, rounded down.
    fn half(&self, a: &Alphabet) -> Digits {
        let mut out = self.d.clone();
        let mut rem = 0u64;
        for (j, x) in out.iter_mut().enumerate() {
            let r = self.radix(a, j);
            let v = rem * r + *x;
            *x = v / 2;
            rem = v % 2;
        }
        Digits {
            from: self.from,
            d: out,
        }
    }

    /// The value as a fraction of the first position's unit (for ratios only).
    fn value(&self, a: &Alphabet) -> f64 {
        let mut weight = 1.0f64;
        let mut v = 0.0;
        for (j, x) in self.d.iter().enumerate() {
            weight /= self.radix(a, j) as f64;
            v += *x as f64 * weight;
        }
        v
    }

    /// The marker these digits spell after `stem`, ending at the first 0 digit.
    fn spell(&self, a: &Alphabet, stem: &[char]) -> String {
        let mut s: String = stem.iter().collect();
        for (j, x) in self.d.iter().enumerate() {
            match a.char_of(self.from + j, *x) {
                Some(c) => s.push(c),
                None => break,
            }
        }
        s
    }
}

fn common_len(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// What `cut` found.
#[derive(Clone, Debug, PartialEq)]
pub struct Cut {
    /// The new boundary: the donor keeps `(pos, marker]`, the rest is a new range.
    pub marker: String,
    /// Pages the donor had left before the cut, at its last page's density
    /// (infinite for a range with no end).
    pub pages_left: f64,
}

/// Pages a range `(pos, hi]` has left at the density of its last page
/// (`first`..`last`); infinite without an end.
pub fn pages_left(a: &Alphabet, pos: &str, hi: Option<&str>, first: &str, last: &str) -> f64 {
    let Some(hi) = hi else {
        return f64::INFINITY;
    };
    let (pos, hi, first, last): (Vec<char>, Vec<char>, Vec<char>, Vec<char>) = (
        pos.chars().collect(),
        hi.chars().collect(),
        first.chars().collect(),
        last.chars().collect(),
    );
    let from = common_len(&pos, &hi)
        .min(common_len(&first, &last))
        .min(common_len(&pos, &last));
    let len = [pos.len(), hi.len(), first.len(), last.len()]
        .into_iter()
        .max()
        .unwrap_or(0)
        .saturating_sub(from)
        + 1;
    let (p, h, f, l) = (
        Digits::of(a, &pos, from, len),
        Digits::of(a, &hi, from, len),
        Digits::of(a, &first, from, len),
        Digits::of(a, &last, from, len),
    );
    if h.cmp(&p) != Ordering::Greater {
        return 0.0;
    }
    let step = if l.cmp(&f) == Ordering::Greater {
        l.sub(a, &f)
    } else {
        unit(a, from, len)
    };
    h.sub(a, &p).value(a) / step.value(a)
}

/// The smallest step: one at the last position.
fn unit(_a: &Alphabet, from: usize, len: usize) -> Digits {
    let mut d = vec![0; len];
    if let Some(x) = d.last_mut() {
        *x = 1;
    }
    Digits { from, d }
}

/// A marker strictly between `pos` and `hi` that leaves the donor at most
/// `max_pages` pages at its last page's density (`first`..`last`), and at most
/// half of what it has left; without `hi`, `max_pages` ahead. `None` when no
/// such marker can be spelled (the range is too narrow to cut).
pub fn cut(
    a: &Alphabet,
    pos: &str,
    hi: Option<&str>,
    first: &str,
    last: &str,
    max_pages: u64,
) -> Option<Cut> {
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    let (pos_c, first_c, last_c) = (chars(pos), chars(first), chars(last));
    let hi_c = hi.map(chars);
    let mut a = a.clone();
    for k in [pos, first, last].into_iter().chain(hi) {
        a.learn(k);
    }
    let mut level = common_len(&first_c, &last_c).min(common_len(&pos_c, &last_c));
    if let Some(h) = &hi_c {
        level = level.min(common_len(&pos_c, h));
    }
    // Two positions of headroom above where the keys differ, for carries.
    let from = level.saturating_sub(2);
    let longest = [pos_c.len(), first_c.len(), last_c.len()]
        .into_iter()
        .chain(hi_c.as_ref().map(Vec::len))
        .max()
        .unwrap_or(0);
    let len = longest.saturating_sub(from) + 2;
    let p = Digits::of(&a, &pos_c, from, len);
    let (f, l) = (
        Digits::of(&a, &first_c, from, len),
        Digits::of(&a, &last_c, from, len),
    );
    let step = if l.cmp(&f) == Ordering::Greater {
        l.sub(&a, &f)
    } else {
        unit(&a, from, len)
    };
    let ahead = step.times(&a, max_pages.max(1));
    let (jump, left) = match &hi_c {
        Some(h) => {
            let h = Digits::of(&a, h, from, len);
            if h.cmp(&p) != Ordering::Greater {
                return None;
            }
            let span = h.sub(&a, &p);
            let half = span.half(&a);
            let left = span.value(&a) / step.value(&a);
            let jump = match ahead {
                Some(x) if x.cmp(&half) == Ordering::Less => x,
                _ => half,
            };
            (jump, left)
        }
        None => match ahead {
            Some(x) => (x, f64::INFINITY),
            None => return close_level(&a, &pos_c, level),
        },
    };
    if jump.is_zero() {
        return None;
    }
    let marker = match p.add(&a, &jump) {
        Some(target) => target.spell(&a, &pos_c[..from]),
        // Past everything spelled under `pos[..from]`: the donor keeps that
        // level (it has fewer than `max_pages` left there), the rest goes.
        None if hi.is_none() => return close_level(&a, &pos_c, level),
        None => return None,
    };
    let inside = marker.as_str() > pos && hi.is_none_or(|h| marker.as_str() < h);
    inside.then_some(Cut {
        marker,
        pages_left: left,
    })
}

/// The marker right after the level `pos[..from]` (the ladder's rung there).
fn close_level(a: &Alphabet, pos: &[char], from: usize) -> Option<Cut> {
    let d = from.checked_sub(1)?;
    let c = *pos.get(d)?;
    let next = a
        .after(d, c)
        .or_else(|| char::from_u32(c as u32 + 1))
        .filter(|n| *n > c)?;
    let mut marker: String = pos[..d].iter().collect();
    marker.push(next);
    Some(Cut {
        marker,
        pages_left: f64::INFINITY,
    })
}

/// Markers that close each level of `pos`'s hierarchy, from position `floor`
/// down to `deepest`: at depth d, `pos[..d]` followed by the next character
/// after `pos[d]` (the next one seen there, else the next code point). The
/// first key after each says where the keys outside that level begin; the
/// first with none after it bounds the listing. Ascending, at most `max`
/// (spread over the depths, the deepest and the shallowest kept).
pub fn ladder(a: &Alphabet, pos: &str, floor: usize, deepest: usize, max: usize) -> Vec<String> {
    let chars: Vec<char> = pos.chars().collect();
    let deepest = deepest.min(chars.len().saturating_sub(1));
    let mut out = Vec::new();
    for d in floor..=deepest {
        let Some(&c) = chars.get(d) else { break };
        let next = a
            .after(d, c)
            .or_else(|| char::from_u32(c as u32 + 1))
            .filter(|n| *n > c);
        if let Some(n) = next {
            let mut m: String = chars[..d].iter().collect();
            m.push(n);
            out.push(m);
        }
    }
    out.sort();
    out.dedup();
    spread(out, max)
}

/// At most `max` of `items` (sorted), evenly spread, the first and last kept.
pub fn spread(items: Vec<String>, max: usize) -> Vec<String> {
    let n = items.len();
    if n <= max || max == 0 {
        return if max == 0 { Vec::new() } else { items };
    }
    if max == 1 {
        return vec![items[n - 1].clone()];
    }
    let mut picked: Vec<String> = (0..max)
        .map(|i| items[i * (n - 1) / (max - 1)].clone())
        .collect();
    picked.dedup();
    picked
}

/// The longest common prefix of two keys, in characters.
pub fn common_chars(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alphabet(keys: &[&str]) -> Alphabet {
        let mut a = Alphabet::default();
        for k in keys {
            a.learn(k);
        }
        a
    }

    fn numeric() -> Alphabet {
        let mut a = Alphabet::default();
        for i in (0..200_000).step_by(997) {
            a.learn(&format!("{i:08}"));
        }
        a
    }

    #[test]
    fn a_cut_of_numeric_keys_lands_on_numbers_between() {
        let a = numeric();
        // The donor is at 00000999 (a page held 00000000..00000999) and ends at
        // 00199999: half-way is about 00100499, but it keeps 64 pages at most.
        let c = cut(&a, "00000999", Some("00199999"), "00000000", "00000999", 64).unwrap();
        assert!(
            c.marker.as_str() > "00000999" && c.marker.as_str() < "00199999",
            "{c:?}"
        );
        assert!(
            c.marker.as_str() > "00040000" && c.marker.as_str() < "00080000",
            "about 64 pages of 1000: {c:?}"
        );
        assert!((c.pages_left - 199.0).abs() < 10.0, "{c:?}");
        let c = cut(&a, "00000999", Some("00019999"), "00000000", "00000999", 64).unwrap();
        assert!(c.marker.starts_with("0001"), "half of 19 pages: {c:?}");
    }

    #[test]
    fn a_cut_of_dated_keys_stays_on_dates() {
        let mut a = Alphabet::default();
        for day in 0..540 {
            let (y, m, d) = (2024 + day / 360, day % 360 / 30 + 1, day % 30 + 1);
            for part in (0..548).step_by(37) {
                a.learn(&format!("logs/{y}/{m:02}/{d:02}/part-{part:04}"));
            }
        }
        let c = cut(
            &a,
            "logs/2024/01/02/part-0451",
            Some("logs/2025/"),
            "logs/2024/01/01/part-0000",
            "logs/2024/01/02/part-0451",
            1_000_000,
        )
        .unwrap();
        // Half-way through the year, spelled with the digits seen there.
        assert!(c.marker.starts_with("logs/2024/"), "{c:?}");
        assert!(
            c.marker.as_str() > "logs/2024/03" && c.marker.as_str() < "logs/2024/13",
            "{c:?}"
        );
    }

    #[test]
    fn an_open_range_is_cut_a_bounded_number_of_pages_ahead() {
        let mut a = Alphabet::default();
        for i in (0..1000).step_by(7) {
            a.learn(&format!("k{i:06}"));
        }
        let c = cut(&a, "k000999", None, "k000000", "k000999", 8).unwrap();
        // Nothing beyond k000999 was seen: the donor keeps the level k000.
        assert_eq!(c.marker, "k001");
        assert!(c.pages_left.is_infinite());
        let mut a = Alphabet::default();
        for i in (0..100_000).step_by(7) {
            a.learn(&format!("k{i:06}"));
        }
        let c = cut(&a, "k000999", None, "k000000", "k000999", 8).unwrap();
        assert!(c.marker.starts_with("k008"), "{c:?}");
    }

    #[test]
    fn a_range_too_narrow_is_not_cut() {
        let a = alphabet(&["a", "b"]);
        assert_eq!(cut(&a, "a", Some("a"), "a", "a", 64), None);
        assert_eq!(cut(&a, "b", Some("a"), "a", "b", 64), None);
    }

    #[test]
    fn cuts_are_always_strictly_inside_the_range() {
        let a = alphabet(&["x/é/1", "x/é/9", "x/z", "日本/1"]);
        for (pos, hi) in [
            ("x/é/1", Some("x/é/2")),
            ("x/é/1", Some("x/z")),
            ("x/", Some("日本/1")),
            ("x/é/9", None),
        ] {
            if let Some(c) = cut(&a, pos, hi, "x/é/1", pos, 64) {
                assert!(c.marker.as_str() > pos, "{pos} {hi:?} {c:?}");
                assert!(hi.is_none_or(|h| c.marker.as_str() < h), "{c:?}");
            }
        }
    }

    #[test]
    fn the_ladder_closes_each_level_of_the_key() {
        let a = alphabet(&["00000000", "00000999"]);
        let l = ladder(&a, "00000999", 0, 4, 16);
        assert_eq!(l, ["00001", "0001", "001", "01", "1"]);
        // Never above the scope's prefix, and at most `max`, both ends kept.
        let l = ladder(&a, "logs/a/b/c", 5, 9, 3);
        assert!(l.iter().all(|m| m.starts_with("logs/")), "{l:?}");
        assert_eq!(l.len(), 3);
        assert_eq!(l.first().unwrap(), "logs/a/b/d");
        assert_eq!(l.last().unwrap(), "logs/b");
    }

    #[test]
    fn pages_left_reads_the_density_of_the_last_page() {
        let mut a = Alphabet::default();
        for i in 0..10_000 {
            a.learn(&format!("k{i:04}"));
        }
        let left = pages_left(&a, "k0999", Some("k9999"), "k0000", "k0999");
        assert!((left - 9.0).abs() < 0.1, "{left}");
        assert!(pages_left(&a, "k0999", None, "k0000", "k0999").is_infinite());
    }
}
