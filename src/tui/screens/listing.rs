//! What the bucket list and the vector bucket list share (pure state): a
//! filter on name and region, a sort, marks for a batch, and a selection that
//! follows its bucket across sorts and filters. Each list draws its own rows.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::text::{Line, Span};

use super::super::keymap::{self, KeyAction};
use super::super::line_edit::LineEdit;
use super::super::msg::ErrorInfo;
use super::super::theme::Theme;

/// A row of a list of buckets: what the filter and the sort read.
pub trait Listed {
    /// What the size sort orders by, in the sort's label.
    const SIZE: &'static str;
    fn name(&self) -> &str;
    fn region(&self) -> &str;
    fn created(&self) -> Option<i64>;
    /// What the size sort orders by (largest first); 0 while unknown.
    fn size(&self) -> u64;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Name,
    Size,
    Date,
}

impl SortBy {
    pub fn next(self) -> Self {
        match self {
            SortBy::Name => SortBy::Size,
            SortBy::Size => SortBy::Date,
            SortBy::Date => SortBy::Name,
        }
    }

    pub fn label(self, size: &'static str) -> &'static str {
        match self {
            SortBy::Name => "name",
            SortBy::Size => size,
            SortBy::Date => "date",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Listing<R> {
    pub rows: Vec<R>,
    /// Listed at least once.
    pub loaded: bool,
    pub loading: bool,
    pub error: Option<ErrorInfo>,
    pub filter: LineEdit,
    pub filtering: bool,
    pub sort: SortBy,
    /// Index into the visible rows.
    pub selected: usize,
    pub marked: BTreeSet<String>,
}

impl<R> Default for Listing<R> {
    fn default() -> Self {
        Listing {
            rows: Vec::new(),
            loaded: false,
            loading: false,
            error: None,
            filter: LineEdit::default(),
            filtering: false,
            sort: SortBy::default(),
            selected: 0,
            marked: BTreeSet::new(),
        }
    }
}

/// The cells every list starts its rows with: the mark, the name, the
/// region and the creation date (server text made printable).
pub fn lead_cells<R: Listed>(r: &R, marked: bool) -> [String; 4] {
    [
        if marked { "●" } else { " " }.to_string(),
        crate::text::visible(r.name()).into_owned(),
        crate::text::visible(r.region()).into_owned(),
        r.created()
            .map(crate::oss::time::date_only)
            .unwrap_or_default(),
    ]
}

/// What a key on a list asks of the wizard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asked {
    Nothing,
    /// Scan this bucket.
    Open(String),
    /// Scan the marked buckets for one confirm pane; `hidden` are the marked
    /// ones the filter hides now (said, never silently included).
    Batch {
        buckets: Vec<String>,
        hidden: Vec<String>,
    },
    /// List again (`loading` is set).
    Refresh,
    SwitchTab,
    Notice(&'static str),
}

impl<R: Listed> Listing<R> {
    pub fn loading() -> Self {
        Listing {
            loading: true,
            ..Default::default()
        }
    }

    /// The rows listed (`loaded`), the selection kept on its bucket.
    pub fn set(&mut self, rows: Vec<R>) {
        self.keeping_selection(|l| {
            l.rows = rows;
            l.loaded = true;
            l.loading = false;
            l.error = None;
            let names: BTreeSet<&str> = l.rows.iter().map(Listed::name).collect();
            l.marked.retain(|m| names.contains(m.as_str()));
        });
    }

    /// Rows after the filter, in the chosen order.
    pub fn visible(&self) -> Vec<&R> {
        let needle = self.filter.to_lowercase();
        let mut rows: Vec<&R> = self
            .rows
            .iter()
            .filter(|r| {
                needle.is_empty()
                    || r.name().to_lowercase().contains(&needle)
                    || r.region().contains(&needle)
            })
            .collect();
        match self.sort {
            SortBy::Name => {
                rows.sort_by(|a, b| (a.name(), a.region()).cmp(&(b.name(), b.region())))
            }
            SortBy::Size => rows.sort_by_key(|r| std::cmp::Reverse(r.size())),
            SortBy::Date => rows.sort_by_key(|r| std::cmp::Reverse(r.created())),
        }
        rows
    }

    pub fn selected_row(&self) -> Option<&R> {
        self.visible().get(self.selected).copied()
    }

    pub fn move_by(&mut self, delta: i64) {
        let n = self.visible().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        self.selected = (self.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
    }

    pub fn clamp(&mut self) {
        self.move_by(0);
    }

    /// Applies `change` (a sort, a filter) and keeps the selection on the
    /// same bucket when it is still shown (else on the nearest row).
    pub fn keeping_selection(&mut self, change: impl FnOnce(&mut Self)) {
        let name = self.selected_row().map(|r| r.name().to_string());
        change(self);
        match name.and_then(|n| self.visible().iter().position(|r| r.name() == n)) {
            Some(i) => self.selected = i,
            None => self.clamp(),
        }
    }

    /// Marked buckets the filter hides now.
    pub fn marked_hidden(&self) -> Vec<&str> {
        let shown: BTreeSet<&str> = self.visible().iter().map(|r| r.name()).collect();
        self.marked
            .iter()
            .map(String::as_str)
            .filter(|m| !shown.contains(m))
            .collect()
    }

    /// To the first (`end` false) or the last visible row.
    pub fn jump(&mut self, end: bool) {
        self.selected = if end { usize::MAX / 2 } else { 0 };
        self.clamp();
    }

    /// A key typed into the filter (while `filtering`).
    pub fn type_filter(&mut self, k: KeyEvent) {
        self.keeping_selection(|l| {
            if !l.filter.apply(k) {
                match k.code {
                    KeyCode::Esc => {
                        l.filter.clear();
                        l.filtering = false;
                    }
                    KeyCode::Enter => l.filtering = false,
                    _ => {}
                }
            }
        });
        match k.code {
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            _ => {}
        }
    }

    /// What a key's action does on the list.
    pub fn act(&mut self, action: KeyAction) -> Asked {
        match action {
            // Esc clears a filter already applied.
            KeyAction::Back => self.keeping_selection(|l| l.filter.clear()),
            KeyAction::Up => self.move_by(-1),
            KeyAction::Down => self.move_by(1),
            KeyAction::Top => self.jump(false),
            KeyAction::Bottom => self.jump(true),
            KeyAction::PageUp => self.move_by(-(keymap::PAGE_ROWS as i64)),
            KeyAction::PageDown => self.move_by(keymap::PAGE_ROWS as i64),
            KeyAction::Filter => self.filtering = true,
            KeyAction::Sort => self.keeping_selection(|l| l.sort = l.sort.next()),
            KeyAction::Mark => {
                if let Some(name) = self.selected_row().map(|r| r.name().to_string()) {
                    if !self.marked.remove(&name) {
                        self.marked.insert(name);
                    }
                    self.move_by(1);
                }
            }
            KeyAction::Refresh => {
                self.loading = true;
                return Asked::Refresh;
            }
            KeyAction::SwitchTab => return Asked::SwitchTab,
            KeyAction::Open => {
                if let Some(name) = self.selected_row().map(|r| r.name().to_string()) {
                    return Asked::Open(name);
                }
            }
            KeyAction::DeleteBucket if self.marked.is_empty() => {
                return Asked::Notice(
                    "Mark buckets with Space to delete several, or open one with Enter",
                )
            }
            KeyAction::DeleteBucket => {
                return Asked::Batch {
                    // In the list's order, as the confirm pane shows them.
                    buckets: self
                        .rows
                        .iter()
                        .map(Listed::name)
                        .filter(|n| self.marked.contains(*n))
                        .map(str::to_string)
                        .collect(),
                    hidden: self
                        .marked_hidden()
                        .into_iter()
                        .map(str::to_string)
                        .collect(),
                };
            }
            _ => {}
        }
        Asked::Nothing
    }

    /// What the list's body says instead of rows when it has none to show
    /// (listing, failed, none at all, none matching the filter).
    pub fn placeholder(&self, words: &Placeholder, now: std::time::Duration) -> Option<String> {
        let noun = words.noun;
        if self.loading && self.rows.is_empty() {
            Some(format!(
                " {} Listing {noun}s in every region...",
                super::spinner(now)
            ))
        } else if self.rows.is_empty() && self.error.is_some() {
            Some(format!(
                " Could not list the {noun}s (see above); press r to retry."
            ))
        } else if self.rows.is_empty() {
            Some(words.none.to_string())
        } else if self.visible().is_empty() {
            Some(format!(" No {noun} matches {:?}.", self.filter.as_str()))
        } else {
            None
        }
    }

    /// The list's two head lines: `noun (shown of all)`, the sort, the marks;
    /// then the filter line.
    pub fn head(&self, noun: &str, theme: &Theme) -> Vec<Line<'static>> {
        let shown = self.visible().len();
        let mut title = vec![
            Span::styled(
                if self.filter.is_empty() {
                    format!(" {noun} ({}) ", self.rows.len())
                } else {
                    format!(" {noun} ({shown} of {}) ", self.rows.len())
                },
                theme.title,
            ),
            Span::styled(
                format!("  sorted by {}", self.sort.label(R::SIZE)),
                theme.muted,
            ),
        ];
        if !self.marked.is_empty() {
            title.push(Span::styled(
                format!("  {} marked", self.marked.len()),
                theme.warn,
            ));
        }
        vec![
            Line::from(title),
            super::filter_line(&self.filter, self.filtering, " / to filter", theme),
        ]
    }
}

/// The words of a list's placeholder.
pub struct Placeholder {
    /// `bucket`, `vector bucket`.
    pub noun: &'static str,
    /// What an account with none says.
    pub none: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Row(&'static str, u64);

    impl Listed for Row {
        const SIZE: &'static str = "size";
        fn name(&self) -> &str {
            self.0
        }
        fn region(&self) -> &str {
            "us-west-1"
        }
        fn created(&self) -> Option<i64> {
            Some(self.1 as i64)
        }
        fn size(&self) -> u64 {
            self.1
        }
    }

    fn listing() -> Listing<Row> {
        let mut l = Listing::loading();
        l.set(vec![Row("a", 3), Row("b", 1), Row("c", 2)]);
        l
    }

    #[test]
    fn the_selection_follows_its_bucket_across_a_sort_and_a_relisting() {
        let mut l = listing();
        l.act(KeyAction::Down);
        assert_eq!(l.selected_row().unwrap().0, "b");
        l.act(KeyAction::Sort); // by size: a c b
        assert_eq!(l.selected_row().unwrap().0, "b");
        assert_eq!(l.selected, 2);
        l.set(vec![Row("b", 1), Row("z", 9)]); // by size: z b
        assert_eq!(l.selected_row().unwrap().0, "b");
    }

    #[test]
    fn a_batch_names_the_marked_buckets_and_those_the_filter_hides() {
        let mut l = listing();
        assert_eq!(
            l.act(KeyAction::DeleteBucket),
            Asked::Notice("Mark buckets with Space to delete several, or open one with Enter")
        );
        l.act(KeyAction::Mark); // a, moves to b
        l.act(KeyAction::Down);
        l.act(KeyAction::Mark); // c
        l.act(KeyAction::Filter);
        l.type_filter(KeyEvent::from(KeyCode::Char('c')));
        l.type_filter(KeyEvent::from(KeyCode::Enter));
        assert_eq!(
            l.act(KeyAction::DeleteBucket),
            Asked::Batch {
                buckets: vec!["a".into(), "c".into()],
                hidden: vec!["a".into()],
            }
        );
        // A relisting without `a` drops its mark.
        l.set(vec![Row("c", 2)]);
        assert_eq!(l.marked.iter().collect::<Vec<_>>(), ["c"]);
    }
}
