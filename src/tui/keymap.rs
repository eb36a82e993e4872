//! The keys of each screen: one table feeds both key handling and the hint bar
//! (and the help overlay), so they cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
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
    /// The account view, and from it: delete every bucket that can go.
    Account,
    StopBilling,
    /// The confirm pane: freeze writes during the run, or not.
    FreezeWrites,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Binding {
    pub keys: &'static str,
    pub action: KeyAction,
    pub hint: &'static str,
}

const fn b(keys: &'static str, action: KeyAction, hint: &'static str) -> Binding {
    Binding { keys, action, hint }
}

/// A list of buckets (either tab): the same keys as while the banner shows,
/// without its three.
pub const LIST: &[Binding] = LIST_INTERRUPTED.split_at(3).1;

/// A list of buckets while the interrupted-run banner shows: its keys first.
pub const LIST_INTERRUPTED: &[Binding] = &[
    b("R", KeyAction::ResumeRun, "resume the run (asks first)"),
    b("X", KeyAction::DiscardRun, "discard the run"),
    b("L", KeyAction::LeaveRun, "later"),
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("Enter", KeyAction::Open, "scan"),
    b("/", KeyAction::Filter, "filter"),
    b("Space", KeyAction::Mark, "mark"),
    b("s", KeyAction::Sort, "sort"),
    b("D", KeyAction::DeleteBucket, "delete marked"),
    b("r", KeyAction::Refresh, "refresh"),
    b("A", KeyAction::Account, "account: costs, stop billing"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
    b("Tab", KeyAction::SwitchTab, "the other list"),
    b("Esc", KeyAction::Back, "clear the filter"),
    b("g/G PgUp/PgDn", KeyAction::Down, "first/last, a page"),
];

/// A vector bucket's scan pane: its indexes, one at a time or all.
pub const VECTOR_SCAN: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("c", KeyAction::ClearCategory, "delete index"),
    b("a", KeyAction::ClearAll, "delete all indexes"),
    b("D", KeyAction::DeleteBucket, "delete bucket"),
    b("r", KeyAction::Refresh, "rescan"),
    b("Esc", KeyAction::Back, "back"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

pub const VECTOR_SCAN_WAITING: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("c a D", KeyAction::ClearCategory, "wait for the scan"),
    b("r", KeyAction::Refresh, "rescan"),
    b("Esc", KeyAction::Back, "back"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

pub const SCAN: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("c", KeyAction::ClearCategory, "clear category"),
    b("a", KeyAction::ClearAll, "clear all"),
    b("D", KeyAction::DeleteBucket, "delete bucket"),
    b("Enter", KeyAction::Open, "items"),
    b("e", KeyAction::Expire, "expiry rules"),
    b("PgUp/PgDn", KeyAction::PageDown, "scroll the risks"),
    b("r", KeyAction::Refresh, "rescan"),
    b("Esc", KeyAction::Back, "back"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

/// The drill-down into a category whose items OSS deletes one at a time.
pub const ITEMS: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("/", KeyAction::Filter, "filter"),
    b("Space", KeyAction::Mark, "mark"),
    b("d", KeyAction::DeleteItems, "delete"),
    b("Esc", KeyAction::Back, "back"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
    b("g/G PgUp/PgDn", KeyAction::Down, "first/last, a page"),
];

/// The drill-down into a category listed for information (prefixes).
pub const ITEMS_VIEW: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("/", KeyAction::Filter, "filter"),
    b("Esc", KeyAction::Back, "back"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
    b("g/G PgUp/PgDn", KeyAction::Down, "first/last, a page"),
];

/// The same with a second list (what a retention policy keeps).
pub const ITEMS_LISTS: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("/", KeyAction::Filter, "filter"),
    b("Tab", KeyAction::SwitchTab, "next list"),
    b("Esc", KeyAction::Back, "back"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
    b("g/G PgUp/PgDn", KeyAction::Down, "first/last, a page"),
];

/// The scan pane while the scan runs: nothing destructive until it completes.
pub const SCAN_WAITING: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("c a D e", KeyAction::ClearCategory, "wait for the scan"),
    b("r", KeyAction::Refresh, "rescan"),
    b("Esc", KeyAction::Back, "back"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

/// Actions that destroy data or configuration: each needs a complete scan.
pub const DESTRUCTIVE: [KeyAction; 5] = [
    KeyAction::DeleteItems,
    KeyAction::ClearCategory,
    KeyAction::ClearAll,
    KeyAction::DeleteBucket,
    KeyAction::Expire,
];

pub const BATCH: &[Binding] = &[
    b("Esc", KeyAction::Back, "cancel"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

pub const CONFIRM: &[Binding] = &[
    b("type", KeyAction::Open, "the name"),
    b("Enter", KeyAction::Open, "confirm"),
    b("↑/↓", KeyAction::Down, "scroll (days for expiry)"),
    b("^F", KeyAction::FreezeWrites, "freeze writes"),
    b("Esc", KeyAction::Back, "cancel"),
    // No name that can be typed here holds a `?`.
    b("?", KeyAction::Help, "help"),
];

/// The confirm pane of what has no bucket policy to freeze writes with
/// (vector buckets, expiry rules, a resume).
pub const CONFIRM_NO_FREEZE: &[Binding] = &[
    b("type", KeyAction::Open, "the name"),
    b("Enter", KeyAction::Open, "confirm"),
    b("↑/↓", KeyAction::Down, "scroll (days for expiry)"),
    b("Esc", KeyAction::Back, "cancel"),
    // No name that can be typed here holds a `?`.
    b("?", KeyAction::Help, "help"),
];

pub const PROGRESS: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "scroll failures"),
    b("Esc", KeyAction::Back, "stop"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

pub const ACCOUNT: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "move"),
    b("S", KeyAction::StopBilling, "stop billing (asks first)"),
    b("Space", KeyAction::Mark, "keep / mark"),
    b("r", KeyAction::Refresh, "read again"),
    b("Esc", KeyAction::Back, "back to buckets"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

/// The report of a run that stopped the account's billing: back to the account.
pub const REPORT_TO_ACCOUNT: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "scroll"),
    b("Enter", KeyAction::Open, "back to the account"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

pub const REPORT: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "scroll"),
    b("Enter", KeyAction::Open, "back to buckets"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

/// A report of a run that something kept writing to: it offers the run
/// again with writes frozen.
pub const REPORT_WRITING: &[Binding] = &[
    b("↑/↓ j/k", KeyAction::Down, "scroll"),
    b("F", KeyAction::FreezeWrites, "again, writes frozen"),
    b("Enter", KeyAction::Open, "back to buckets"),
    b("?", KeyAction::Help, "help"),
    b("q", KeyAction::Quit, "quit"),
];

/// The action a key means on a screen (text input is handled before this).
pub fn action(key: KeyEvent) -> Option<KeyAction> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return (key.code == KeyCode::Char('c')).then_some(KeyAction::Quit);
    }
    Some(match key.code {
        KeyCode::Up | KeyCode::Char('k') => KeyAction::Up,
        KeyCode::Down | KeyCode::Char('j') => KeyAction::Down,
        KeyCode::Enter => KeyAction::Open,
        KeyCode::Esc => KeyAction::Back,
        KeyCode::Char('/') => KeyAction::Filter,
        KeyCode::Char(' ') => KeyAction::Mark,
        KeyCode::Char('s') => KeyAction::Sort,
        KeyCode::Char('c') => KeyAction::ClearCategory,
        KeyCode::Char('a') => KeyAction::ClearAll,
        KeyCode::Char('D') => KeyAction::DeleteBucket,
        KeyCode::Char('e') => KeyAction::Expire,
        KeyCode::Char('d') => KeyAction::DeleteItems,
        KeyCode::Char('r') => KeyAction::Refresh,
        KeyCode::Char('?') => KeyAction::Help,
        KeyCode::Char('q') => KeyAction::Quit,
        KeyCode::Tab => KeyAction::SwitchTab,
        KeyCode::Char('g') | KeyCode::Home => KeyAction::Top,
        KeyCode::Char('G') | KeyCode::End => KeyAction::Bottom,
        KeyCode::PageUp => KeyAction::PageUp,
        KeyCode::PageDown => KeyAction::PageDown,
        KeyCode::Char('R') => KeyAction::ResumeRun,
        KeyCode::Char('X') => KeyAction::DiscardRun,
        KeyCode::Char('L') => KeyAction::LeaveRun,
        KeyCode::Char('A') => KeyAction::Account,
        KeyCode::Char('S') => KeyAction::StopBilling,
        KeyCode::Char('F') => KeyAction::FreezeWrites,
        _ => return None,
    })
}

/// Whether a screen's table offers an action (so a key not in the table does nothing).
pub fn offers(table: &[Binding], a: KeyAction) -> bool {
    let moves = matches!(
        a,
        KeyAction::Up
            | KeyAction::Top
            | KeyAction::Bottom
            | KeyAction::PageUp
            | KeyAction::PageDown
    );
    table
        .iter()
        .any(|b| b.action == a || (moves && b.action == KeyAction::Down))
}

/// Rows a page moves.
pub const PAGE_ROWS: usize = 10;

/// A move as a number of single steps (`Top`: as many as it takes).
pub fn steps(a: KeyAction) -> Option<(KeyAction, usize)> {
    match a {
        KeyAction::Top => Some((KeyAction::Up, usize::MAX)),
        KeyAction::Bottom => Some((KeyAction::Down, usize::MAX)),
        KeyAction::PageUp => Some((KeyAction::Up, PAGE_ROWS)),
        KeyAction::PageDown => Some((KeyAction::Down, PAGE_ROWS)),
        _ => None,
    }
}
