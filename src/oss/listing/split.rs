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
pub const MAX_AHEAD_PAGES: u64 = 16;

/// The characters seen at each position of the keys listed so far, and the
/// positions where some key ends. ASCII is a bit set (learning every key of
/// every page stays cheap); other characters are kept in order beside it.
#[derive(Clone, Debug, Default)]
pub struct Alphabet {
    at: Vec<Chars>,
    ends: Vec<bool>,
    /// Positions where a range's bound has a character after every one seen.
    beyond: Vec<bool>,
}

/// '0'..='9' in a [`Chars`] bit set.
const DIGITS: u128 = 0x3ff << 48;
/// Distinct digits seen at a position before it counts as any digit.
const SOME_DIGITS: u32 = 3;
/// 'a'..='f' and 'A'..='F' in a [`Chars`] bit set.
const HEX_LOWER: u128 = 0x3f << 97;
const HEX_UPPER: u128 = 0x3f << 65;

#[derive(Clone, Debug, Default)]
struct Chars {
    ascii: u128,
    other: BTreeSet<char>,
}

impl Chars {
    fn insert(&mut self, c: char) {
        if c.is_ascii() {
            self.ascii |= 1u128 << (c as u32);
        } else {
            self.other.insert(c);
        }
    }

    fn len(&self) -> usize {
        self.ascii.count_ones() as usize + self.other.len()
    }

    /// How many characters seen here sort before `c`.
    fn below(&self, c: char) -> usize {
        if c.is_ascii() {
            (self.ascii & ((1u128 << (c as u32)) - 1)).count_ones() as usize
        } else {
            self.ascii.count_ones() as usize + self.other.range(..c).count()
        }
    }

    fn nth(&self, n: usize) -> Option<char> {
        let a = self.ascii.count_ones() as usize;
        if n < a {
            let mut bits = self.ascii;
            for _ in 0..n {
                bits &= bits - 1;
            }
            return char::from_u32(bits.trailing_zeros());
        }
        self.other.iter().nth(n - a).copied()
    }

    fn after(&self, c: char) -> Option<char> {
        if c.is_ascii() {
            let above = self.ascii & !((2u128 << (c as u32)) - 1);
            if above != 0 {
                return char::from_u32(above.trailing_zeros());
            }
            return self.other.iter().next().copied();
        }
        self.other
            .range((std::ops::Bound::Excluded(c), std::ops::Bound::Unbounded))
            .next()
            .copied()
    }
}

impl Alphabet {
    pub fn learn(&mut self, key: &str) {
        let mut n = 0;
        for (i, c) in key.chars().enumerate() {
            let i = i.min(POSITIONS - 1);
            if self.at.len() <= i {
                self.at.resize_with(i + 1, Chars::default);
            }
            // Where several digits were seen, any digit may stand (numbers
            // count up); a few (a month's tens) stay as seen.
            let here = &mut self.at[i];
            here.insert(c);
            if c.is_ascii_digit() && (here.ascii & DIGITS).count_ones() >= SOME_DIGITS {
                here.ascii |= DIGITS;
            }
            // A digit beside a letter a-f is a hex digit (hashes, UUIDs):
            // all sixteen may stand, though most are not listed yet.
            if here.ascii & DIGITS != 0 {
                for hex in [HEX_LOWER, HEX_UPPER] {
                    if here.ascii & hex != 0 {
                        here.ascii |= DIGITS | hex;
                    }
                }
            }
            n += 1;
        }
        let n = n.min(POSITIONS - 1);
        if self.ends.len() <= n {
            self.ends.resize(n + 1, false);
        }
        self.ends[n] = true;
    }

    fn set(&self, i: usize) -> Option<&Chars> {
        self.at.get(i.min(POSITIONS - 1)).filter(|s| s.len() > 0)
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

    /// This alphabet with room for `bound`: where its character lies after
    /// every one seen, a digit "beyond" them (spelled as the next code point).
    fn with_bound(&self, bound: Option<&str>) -> std::borrow::Cow<'_, Alphabet> {
        let Some(bound) = bound else {
            return std::borrow::Cow::Borrowed(self);
        };
        let past: Vec<usize> = bound
            .chars()
            .enumerate()
            .filter(|(i, c)| {
                self.set(*i)
                    .is_some_and(|s| s.nth(s.len() - 1).is_some_and(|last| *c > last))
            })
            .map(|(i, _)| i.min(POSITIONS - 1))
            .collect();
        if past.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut a = self.clone();
        for i in past {
            if a.beyond.len() <= i {
                a.beyond.resize(i + 1, false);
            }
            a.beyond[i] = true;
        }
        std::borrow::Cow::Owned(a)
    }

    /// Digits at position `i`: "ends here" (where that occurs), one per
    /// character seen, and "beyond" them where a bound needs it.
    fn radix(&self, i: usize) -> u64 {
        let beyond = self
            .beyond
            .get(i.min(POSITIONS - 1))
            .copied()
            .unwrap_or(false);
        self.set(i).map_or(0, |s| s.len() as u64) + u64::from(self.has_end(i)) + u64::from(beyond)
    }

    fn digit(&self, i: usize, c: Option<char>) -> u64 {
        let end = u64::from(self.has_end(i));
        match (c, self.set(i)) {
            (None, _) => 0,
            (Some(_), None) => end,
            (Some(c), Some(s)) => s.below(c) as u64 + end,
        }
    }

    /// The character digit `d` stands for at position `i`; "beyond" is
    /// spelled as the code point after the last character seen there.
    fn char_of(&self, i: usize, d: u64) -> Option<char> {
        let end = u64::from(self.has_end(i));
        if d < end {
            return None;
        }
        let s = self.set(i)?;
        s.nth((d - end) as usize).or_else(|| {
            let last = s.nth(s.len().checked_sub(1)?)?;
            char::from_u32(last as u32 + 1)
        })
    }

    /// The smallest character seen at position `i` after `c`.
    fn after(&self, i: usize, c: char) -> Option<char> {
        self.set(i).and_then(|s| s.after(c))
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

    /// `self / k`, rounded down.
    fn divided(&self, a: &Alphabet, k: u64) -> Digits {
        let k = k.max(1) as u128;
        let mut out = self.d.clone();
        let mut rem = 0u128;
        for (j, x) in out.iter_mut().enumerate() {
            let r = self.radix(a, j) as u128;
            let v = rem * r + *x as u128;
            *x = (v / k) as u64;
            rem = v % k;
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
    /// The new boundaries, ascending: the donor keeps `(pos, markers[0]]`,
    /// new ranges take the rest.
    pub markers: Vec<String>,
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
    let a = &*a.with_bound(Some(&hi.iter().collect::<String>()));
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

/// Markers strictly between `pos` and `hi` that cut the rest of a range into
/// `pieces` even parts (in the alphabet's arithmetic), none longer than
/// `max_pages` pages at its last page's density (`first`..`last`); without
/// `hi`, pieces of `max_pages` pages ahead. `None` when no marker can be
/// spelled (the range is too narrow to cut).
pub fn cut(
    a: &Alphabet,
    pos: &str,
    hi: Option<&str>,
    first: &str,
    last: &str,
    pieces: u64,
    max_pages: u64,
) -> Option<Cut> {
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    let (pos_c, first_c, last_c) = (chars(pos), chars(first), chars(last));
    let hi_c = hi.map(chars);
    let mut a = a.with_bound(hi).into_owned();
    for k in [pos, first, last] {
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
    let pieces = pieces.max(2);
    let ahead = step.times(&a, max_pages.max(1));
    let (piece, left) = match &hi_c {
        Some(h) => {
            let h = Digits::of(&a, h, from, len);
            if h.cmp(&p) != Ordering::Greater {
                return None;
            }
            let span = h.sub(&a, &p);
            let even = span.divided(&a, pieces);
            let left = span.value(&a) / step.value(&a);
            let piece = match ahead {
                Some(x) if x.cmp(&even) == Ordering::Less => x,
                _ => even,
            };
            (piece, left)
        }
        None => match ahead {
            Some(x) => (x, f64::INFINITY),
            None => return close_level(&a, &pos_c, level),
        },
    };
    if piece.is_zero() {
        return None;
    }
    let mut markers: Vec<String> = Vec::new();
    let mut at = p.clone();
    for _ in 1..pieces {
        match at.add(&a, &piece) {
            Some(next) => {
                let m = next.spell(&a, &pos_c[..from]);
                let inside = m.as_str() > markers.last().map_or(pos, String::as_str)
                    && hi.is_none_or(|h| m.as_str() < h);
                if inside {
                    markers.push(m);
                }
                at = next;
            }
            // Past everything spelled under `pos[..from]`: what is left of
            // that level stays on this side; the rest of the space goes.
            None => {
                if hi.is_none() {
                    if let Some(c) = close_level(&a, &pos_c, level) {
                        let below = markers.last().cloned().unwrap_or_else(|| pos.to_string());
                        markers.extend(c.markers.into_iter().filter(|m| *m > below));
                    }
                }
                break;
            }
        }
    }
    (!markers.is_empty()).then_some(Cut {
        markers,
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
        markers: vec![marker],
        pages_left: f64::INFINITY,
    })
}

/// Markers that close each level of `pos`'s hierarchy, from position `floor`
/// down to `deepest`: at depth d, `pos[..d]` followed by the next character
/// after `pos[d]` (the next one seen there, else the next code point). The
/// first key after each says where the keys outside that level begin; the
/// first with none after it bounds the listing. At the shallowest level,
/// `fan` more markers spread over the printable characters above `pos[floor]`
/// say how the rest of the key space is filled. Ascending; the rungs are at
/// most `max` (spread over the depths, the deepest and the shallowest kept).
pub fn ladder(
    a: &Alphabet,
    pos: &str,
    floor: usize,
    deepest: usize,
    max: usize,
    fan: usize,
) -> Vec<String> {
    let chars: Vec<char> = pos.chars().collect();
    let deepest = deepest.min(chars.len().saturating_sub(1));
    let mut rungs = Vec::new();
    for d in floor..=deepest {
        let Some(&c) = chars.get(d) else { break };
        let next = a
            .after(d, c)
            .or_else(|| char::from_u32(c as u32 + 1))
            .filter(|n| *n > c);
        if let Some(n) = next {
            let mut m: String = chars[..d].iter().collect();
            m.push(n);
            rungs.push(m);
        }
    }
    rungs.sort();
    rungs.dedup();
    let mut out = spread(rungs, max);
    if let Some(&c) = chars.get(floor) {
        let stem: String = chars[..floor].iter().collect();
        let above: Vec<char> = ('!'..='~').filter(|x| *x > c).collect();
        for i in 0..fan.min(above.len()) {
            out.push(format!(
                "{stem}{}",
                above[(i + 1) * above.len() / (fan + 1)]
            ));
        }
    }
    out.sort();
    out.dedup();
    out
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
mod tests;
