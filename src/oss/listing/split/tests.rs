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
fn the_alphabet_ranks_and_spells_ascii_and_other_characters() {
    let mut c = Chars::default();
    for ch in ['b', '0', 'é', 'z', '日'] {
        c.insert(ch);
    }
    assert_eq!(c.len(), 5);
    assert_eq!(
        (c.below('0'), c.below('b'), c.below('c'), c.below('日')),
        (0, 1, 2, 4)
    );
    let all: Vec<char> = (0..5).filter_map(|n| c.nth(n)).collect();
    assert_eq!(all, ['0', 'b', 'z', 'é', '日']);
    assert_eq!(
        (c.after('0'), c.after('z'), c.after('é')),
        (Some('b'), Some('é'), Some('日'))
    );
    assert_eq!(c.after('日'), None);
}

/// A cut of numbered keys: the donor is at 00000999 (its last page held
/// 00000000..00000999) and ends at `hi`.
fn numeric_cut(hi: &str, pieces: u64, max_pages: u64) -> Cut {
    cut(
        &numeric(),
        "00000999",
        Some(hi),
        "00000000",
        "00000999",
        pieces,
        max_pages,
    )
    .unwrap()
}

#[test]
fn a_cut_of_numeric_keys_lands_on_numbers_between() {
    // Half-way to 00199999 is about 00100499, but the donor keeps 64 pages at most.
    let c = numeric_cut("00199999", 2, 64);
    assert_eq!(c.markers.len(), 1, "{c:?}");
    let m = c.markers[0].as_str();
    assert!(
        m > "00040000" && m < "00080000",
        "about 64 pages of 1000: {c:?}"
    );
    assert!((c.pages_left - 199.0).abs() < 10.0, "{c:?}");
    let c = numeric_cut("00019999", 2, 64);
    assert!(c.markers[0].starts_with("0001"), "half of 19 pages: {c:?}");
    // Four even pieces of what is left.
    let c = numeric_cut("00199999", 4, 1000);
    assert_eq!(c.markers.len(), 3, "{c:?}");
    for (m, want) in c.markers.iter().zip(["0005", "0010", "0015"]) {
        assert!(m.starts_with(want), "{c:?}");
    }
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
        2,
        1_000_000,
    )
    .unwrap();
    // Half-way through the year, spelled with the digits seen there.
    let m = c.markers[0].as_str();
    assert!(m > "logs/2024/03" && m < "logs/2024/13", "{c:?}");
}

#[test]
fn an_open_range_is_cut_a_bounded_number_of_pages_ahead() {
    let mut a = Alphabet::default();
    for i in (0..1000).step_by(7) {
        a.learn(&format!("k{i:06}"));
    }
    let c = cut(&a, "k000999", None, "k000000", "k000999", 2, 8).unwrap();
    // Nothing beyond k000999 was seen: the donor keeps the level k000.
    assert_eq!(c.markers, ["k001"]);
    assert!(c.pages_left.is_infinite());
    let mut a = Alphabet::default();
    for i in (0..100_000).step_by(7) {
        a.learn(&format!("k{i:06}"));
    }
    let c = cut(&a, "k000999", None, "k000000", "k000999", 3, 8).unwrap();
    assert_eq!(c.markers.len(), 2, "{c:?}");
    assert!(c.markers[0].starts_with("k008"), "{c:?}");
    assert!(c.markers[1].starts_with("k016"), "{c:?}");
}

#[test]
fn a_range_too_narrow_is_not_cut() {
    let a = alphabet(&["a", "b"]);
    assert_eq!(cut(&a, "a", Some("a"), "a", "a", 2, 64), None);
    assert_eq!(cut(&a, "b", Some("a"), "a", "b", 2, 64), None);
}

#[test]
fn cuts_are_always_strictly_inside_the_range_and_ascending() {
    let a = alphabet(&["x/é/1", "x/é/9", "x/z", "日本/1"]);
    for (pos, hi) in [
        ("x/é/1", Some("x/é/2")),
        ("x/é/1", Some("x/z")),
        ("x/", Some("日本/1")),
        ("x/é/9", None),
    ] {
        for pieces in 2..6 {
            if let Some(c) = cut(&a, pos, hi, "x/é/1", pos, pieces, 64) {
                let mut below = pos;
                for m in &c.markers {
                    assert!(m.as_str() > below, "{pos} {hi:?} {c:?}");
                    below = m;
                }
                assert!(hi.is_none_or(|h| below < h), "{c:?}");
            }
        }
    }
}

#[test]
fn the_ladder_closes_each_level_of_the_key() {
    let a = alphabet(&["00000000", "00000999"]);
    let l = ladder(&a, "00000999", 0, 4, 16, 0);
    assert_eq!(l, ["00001", "0001", "001", "01", "1"]);
    // A fan over the printable characters above the shallowest one.
    let l = ladder(&a, "00000999", 0, 4, 16, 3);
    assert_eq!(l.len(), 8, "{l:?}");
    assert!(l.iter().any(|m| m.as_str() > "A" && m.len() == 1), "{l:?}");
    // Never above the scope's prefix, and at most `max`, both ends kept.
    let l = ladder(&a, "logs/a/b/c", 5, 9, 3, 0);
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

#[test]
fn a_digit_beside_a_hex_letter_stands_for_any_hex_digit() {
    // Two hashed keys are enough: position 0 saw '0' and 'a'.
    let a = alphabet(&["0f3c", "a913"]);
    assert_eq!(a.radix(0), 16, "0-9 and a-f");
    // A cut between them lands on the digits never listed (1-9).
    let c = cut(&a, "0f3c", Some("a"), "0e00", "0f3c", 4, 1000).unwrap();
    assert_eq!(c.markers.len(), 3, "{c:?}");
    for (m, want) in c.markers.iter().zip(['3', '5', '7']) {
        assert!(m.starts_with(want), "{c:?}");
    }
    // Uppercase hex likewise; a month's tens (0 and 1) and words stay as seen.
    assert_eq!(alphabet(&["0F", "A0"]).radix(0), 16);
    assert_eq!(alphabet(&["01", "12"]).radix(0), 2);
    assert_eq!(alphabet(&["cat", "dog"]).radix(0), 2);
}
