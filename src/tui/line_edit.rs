//! A one-line text field with readline's basics (pure): characters go in at
//! the cursor; `←`/`→`, `Home`/`End`, `Ctrl-A`/`Ctrl-E` move it; `Backspace`,
//! `Delete`, `Ctrl-U` (to the start), `Ctrl-K` (to the end) and `Ctrl-W` (the
//! word before) delete. A control chord is never typed as its letter.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// In characters, `0..=len`.
    cursor: usize,
}

impl std::ops::Deref for LineEdit {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl LineEdit {
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// The text before and after the cursor (for drawing it).
    pub fn split(&self) -> (&str, &str) {
        self.text.split_at(self.byte(self.cursor))
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies an editing key; `false` when the key is not an edit (the
    /// caller handles it: Enter, Esc, ↑/↓...).
    pub fn apply(&mut self, k: KeyEvent) -> bool {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char('u') if ctrl => {
                let at = self.byte(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('k') if ctrl => {
                let at = self.byte(self.cursor);
                self.text.truncate(at);
            }
            KeyCode::Char('w') if ctrl => {
                let chars: Vec<char> = self.text.chars().collect();
                let mut start = self.cursor;
                while start > 0 && chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                let (from, to) = (self.byte(start), self.byte(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor = start;
            }
            // Other chords are not text.
            KeyCode::Char(_) if ctrl || k.modifiers.contains(KeyModifiers::ALT) => return false,
            KeyCode::Char(c) => {
                let at = self.byte(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                let (from, to) = (self.byte(self.cursor - 1), self.byte(self.cursor));
                self.text.replace_range(from..to, "");
                self.cursor -= 1;
            }
            KeyCode::Backspace => {}
            KeyCode::Delete if self.cursor < self.len() => {
                let (from, to) = (self.byte(self.cursor), self.byte(self.cursor + 1));
                self.text.replace_range(from..to, "");
            }
            KeyCode::Delete => {}
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(text: &str) -> LineEdit {
        let mut e = LineEdit::default();
        for c in text.chars() {
            assert!(e.apply(key(KeyCode::Char(c))));
        }
        e
    }

    #[test]
    fn readline_basics() {
        let mut e = typed("acme logs-2024");
        assert!(e.apply(ctrl('w')));
        assert_eq!(e.as_str(), "acme ");
        e.apply(ctrl('a'));
        e.apply(key(KeyCode::Char('>')));
        assert_eq!((e.as_str(), e.split().0), (">acme ", ">"));
        e.apply(ctrl('e'));
        e.apply(key(KeyCode::Left));
        e.apply(key(KeyCode::Backspace));
        assert_eq!(e.as_str(), ">acm ");
        e.apply(key(KeyCode::Home));
        e.apply(key(KeyCode::Delete));
        assert_eq!(e.as_str(), "acm ");
        e.apply(key(KeyCode::Right));
        e.apply(ctrl('k'));
        assert_eq!(e.as_str(), "a");
        e.apply(key(KeyCode::End));
        e.apply(ctrl('u'));
        assert_eq!((e.as_str(), e.split()), ("", ("", "")));
        // A chord is never typed as its letter; Enter and Esc are not edits.
        assert!(!e.apply(ctrl('x')));
        assert!(!e.apply(key(KeyCode::Enter)));
        assert_eq!(e.as_str(), "");
    }

    #[test]
    fn multibyte_characters_move_as_one() {
        let mut e = typed("日本語");
        e.apply(key(KeyCode::Left));
        e.apply(key(KeyCode::Backspace));
        assert_eq!((e.as_str(), e.split()), ("日語", ("日", "語")));
    }
}
