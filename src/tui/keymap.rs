//! The keys of each screen: one table feeds both key handling and the hint bar
//! (and the help overlay), so they cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Open,
    Back,
    Filter,
    Mark,
    Sort,
    ClearCategory,
    ClearAll,
    DeleteBucket,
    Expire,
    Refresh,
    /// Between the buckets tab and the vector buckets tab (or a drill-down's lists).
    SwitchTab,
    /// The drill-down's marked (or selected) items.
    DeleteItems,
    /// To the first or last row, a page up or down (wherever ↑/↓ move).
    Top,
    Bottom,
    PageUp,
    PageDown,
    Help,
    Quit,
    /// The interrupted-run banner: check the run and ask to resume it,
    /// discard it, leave it for later.
    ResumeRun,
    DiscardRun,
    LeaveRun,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Binding {
    pub keys: &'static str,
    pub action: Action,
    pub hint: &'static str,
}

const fn b(keys: &'static str, action: Action, hint: &'static str) -> Binding {
    Binding { keys, action, hint }
}

/// A list of buckets (either tab): the same keys as while the banner shows,
/// without its three.
pub const LIST: &[Binding] = LIST_INTERRUPTED.split_at(3).1;

/// A list of buckets while the interrupted-run banner shows: its keys first.
pub const LIST_INTERRUPTED: &[Binding] = &[
    b("R", Action::ResumeRun, "resume the run (asks first)"),
    b("X", Action::DiscardRun, "discard the run"),
    b("L", Action::LeaveRun, "later"),
    b("↑/↓ j/k", Action::Down, "move"),
    b("Enter", Action::Open, "scan"),
    b("/", Action::Filter, "filter"),
    b("Space", Action::Mark, "mark"),
    b("s", Action::Sort, "sort"),
    b("D", Action::DeleteBucket, "delete marked"),
    b("r", Action::Refresh, "refresh"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
    b("Tab", Action::SwitchTab, "the other list"),
    b("Esc", Action::Back, "clear the filter"),
    b("g/G PgUp/PgDn", Action::Down, "first/last, a page"),
];

/// A vector bucket's scan pane: its indexes, one at a time or all.
pub const VECTOR_SCAN: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "move"),
    b("c", Action::ClearCategory, "delete index"),
    b("a", Action::ClearAll, "delete all indexes"),
    b("D", Action::DeleteBucket, "delete bucket"),
    b("r", Action::Refresh, "rescan"),
    b("Esc", Action::Back, "back"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
];

pub const VECTOR_SCAN_WAITING: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "move"),
    b("c a D", Action::ClearCategory, "wait for the scan"),
    b("r", Action::Refresh, "rescan"),
    b("Esc", Action::Back, "back"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
];

pub const SCAN: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "move"),
    b("c", Action::ClearCategory, "clear category"),
    b("a", Action::ClearAll, "clear all"),
    b("D", Action::DeleteBucket, "delete bucket"),
    b("Enter", Action::Open, "items"),
    b("e", Action::Expire, "expiry rules"),
    b("PgUp/PgDn", Action::PageDown, "scroll the risks"),
    b("r", Action::Refresh, "rescan"),
    b("Esc", Action::Back, "back"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
];

/// The drill-down into a category whose items OSS deletes one at a time.
pub const ITEMS: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "move"),
    b("/", Action::Filter, "filter"),
    b("Space", Action::Mark, "mark"),
    b("d", Action::DeleteItems, "delete"),
    b("Esc", Action::Back, "back"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
    b("g/G PgUp/PgDn", Action::Down, "first/last, a page"),
];

/// The drill-down into a category listed for information (prefixes).
pub const ITEMS_VIEW: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "move"),
    b("/", Action::Filter, "filter"),
    b("Esc", Action::Back, "back"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
    b("g/G PgUp/PgDn", Action::Down, "first/last, a page"),
];

/// The same with a second list (what a retention policy keeps).
pub const ITEMS_LISTS: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "move"),
    b("/", Action::Filter, "filter"),
    b("Tab", Action::SwitchTab, "next list"),
    b("Esc", Action::Back, "back"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
    b("g/G PgUp/PgDn", Action::Down, "first/last, a page"),
];

/// The scan pane while the scan runs: nothing destructive until it completes.
pub const SCAN_WAITING: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "move"),
    b("c a D e", Action::ClearCategory, "wait for the scan"),
    b("r", Action::Refresh, "rescan"),
    b("Esc", Action::Back, "back"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
];

/// Actions that destroy data or configuration: each needs a complete scan.
pub const DESTRUCTIVE: [Action; 5] = [
    Action::DeleteItems,
    Action::ClearCategory,
    Action::ClearAll,
    Action::DeleteBucket,
    Action::Expire,
];

pub const BATCH: &[Binding] = &[
    b("Esc", Action::Back, "cancel"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
];

pub const CONFIRM: &[Binding] = &[
    b("type", Action::Open, "the name"),
    b("Enter", Action::Open, "confirm"),
    b("↑/↓", Action::Down, "scroll (days for expiry)"),
    b("Esc", Action::Back, "cancel"),
    // No name that can be typed here holds a `?`.
    b("?", Action::Help, "help"),
];

pub const PROGRESS: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "scroll failures"),
    b("Esc", Action::Back, "stop"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
];

pub const REPORT: &[Binding] = &[
    b("↑/↓ j/k", Action::Down, "scroll"),
    b("Enter", Action::Open, "back to buckets"),
    b("?", Action::Help, "help"),
    b("q", Action::Quit, "quit"),
];

/// The action a key means on a screen (text input is handled before this).
pub fn action(key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return (key.code == KeyCode::Char('c')).then_some(Action::Quit);
    }
    Some(match key.code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Enter => Action::Open,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('/') => Action::Filter,
        KeyCode::Char(' ') => Action::Mark,
        KeyCode::Char('s') => Action::Sort,
        KeyCode::Char('c') => Action::ClearCategory,
        KeyCode::Char('a') => Action::ClearAll,
        KeyCode::Char('D') => Action::DeleteBucket,
        KeyCode::Char('e') => Action::Expire,
        KeyCode::Char('d') => Action::DeleteItems,
        KeyCode::Char('r') => Action::Refresh,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Tab => Action::SwitchTab,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Char('R') => Action::ResumeRun,
        KeyCode::Char('X') => Action::DiscardRun,
        KeyCode::Char('L') => Action::LeaveRun,
        _ => return None,
    })
}

/// Whether a screen's table offers an action (so a key not in the table does nothing).
pub fn offers(table: &[Binding], a: Action) -> bool {
    let moves = matches!(
        a,
        Action::Up | Action::Top | Action::Bottom | Action::PageUp | Action::PageDown
    );
    table
        .iter()
        .any(|b| b.action == a || (moves && b.action == Action::Down))
}

/// Rows a page moves.
pub const PAGE_ROWS: usize = 10;

/// A move as a number of single steps (`Top`: as many as it takes).
pub fn steps(a: Action) -> Option<(Action, usize)> {
    match a {
        Action::Top => Some((Action::Up, usize::MAX)),
        Action::Bottom => Some((Action::Down, usize::MAX)),
        Action::PageUp => Some((Action::Up, PAGE_ROWS)),
        Action::PageDown => Some((Action::Down, PAGE_ROWS)),
        _ => None,
    }
}
