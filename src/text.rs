//! Server-provided text on a terminal (pure). Codes, messages, keys and names
//! come from the server and can hold escape sequences (`ESC]0;...BEL` retitles
//! the terminal, `ESC]52;c;...` writes the clipboard, `ESC[2J` clears it); a
//! key may hold any of them. Whatever reaches a screen goes through
//! [`visible`], which shows each such character as an escape instead.

use std::borrow::Cow;

/// Whether a character could act on a terminal or disguise text: C0 and C1
/// controls, DEL, and the bidirectional overrides and isolates.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `s` with every hostile character escaped visibly (`\x1b`, `\n`, `\u{202e}`);
/// borrowed when there is none.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_hostile(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// `s` for a line-oriented sink (standard output, the audit file): every
/// hostile character but the line break and tab becomes `\uXXXX`. Inside a
/// JSON string that is the same character, losslessly (serde_json leaves
/// DEL, C1 and bidi controls raw); in text it is visible. Text already made
/// [`visible`] is unchanged.
pub fn escaped_for_output(s: &str) -> Cow<'_, str> {
    let hostile = |c: char| is_hostile(c) && c != '\n' && c != '\t';
    if !s.chars().any(hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hostile(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`visible`], but keeps line breaks (for multi-line messages).
pub fn visible_lines(s: &str) -> String {
    s.split('\n')
        .map(|l| visible(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The option closest to `word` (edit distance at most a third of its length,
/// at least 1), for "did you mean ...?".
pub fn did_you_mean<'a>(word: &str, options: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    options
        .iter()
        .map(|o| (distance(&word, o), *o))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// Levenshtein distance (pure).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {

    #[test]
    fn output_escaping_is_lossless_in_json_and_visible_in_text() {
        let key = "bidi/\u{202e}txt.exe \u{85}\u{9b}31m \u{7f} \u{1b}[2J tab\there";
        let json = serde_json::to_string(&serde_json::json!({ "key": key })).unwrap();
        let out = escaped_for_output(&json);
        assert!(!out.chars().any(|c| is_hostile(c) && c != '\t'), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["key"], key, "the key is exact");
        // Text already visible is unchanged; a raw one becomes visible.
        assert_eq!(escaped_for_output(&visible(key)), visible(key));
        assert_eq!(escaped_for_output("a\u{202e}b\nc"), "a\\u202eb\nc");
    }

    use super::*;

    #[test]
    fn near_misses_get_a_suggestion_and_nonsense_none() {
        let opts = ["objects", "previous-versions", "delete-markers", "parts"];
        assert_eq!(did_you_mean("objcts", &opts), Some("objects"));
        assert_eq!(did_you_mean("Prts", &opts), Some("parts"));
        assert_eq!(did_you_mean("delete-marker", &opts), Some("delete-markers"));
        assert_eq!(did_you_mean("zzz", &opts), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(
            visible("AccessDenied\u{1b}]0;pwned\u{7}"),
            "AccessDenied\\x1b]0;pwned\\x07"
        );
        assert_eq!(visible("\u{1b}[2J"), "\\x1b[2J");
        assert_eq!(visible("\u{1b}]52;c;aGk=\u{7}"), "\\x1b]52;c;aGk=\\x07");
        assert_eq!(visible("a\u{9b}31m"), "a\\x9b31m", "C1 CSI");
        assert_eq!(visible("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(visible("line\nfake"), "line\\nfake");
        assert!(matches!(visible("logs/2024/a b.txt"), Cow::Borrowed(_)));
        assert_eq!(visible_lines("one\ntwo\u{1b}"), "one\ntwo\\x1b");
    }

    proptest::proptest! {
        #[test]
        fn nothing_hostile_survives(s in ".*") {
            proptest::prop_assert!(!visible(&s).chars().any(is_hostile));
        }
    }
}
