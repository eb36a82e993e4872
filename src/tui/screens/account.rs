//! The account view (`A` from a bucket list): every bucket and vector bucket
//! with its month's cost and standing, the totals, what can still bill, and
//! `S` to stop the billing of every bucket and vector bucket that can go and
//! is marked (the batch flow: each is scanned and shown before the one typed
//! confirmation).

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::super::msg::ErrorInfo;
use super::super::theme::Theme;
use super::columns::{fit_giving, Column, Give};
use super::table::draw_list;
use crate::engine::account::{AccountView, BucketFacts, Standing};
use crate::money::PriceBook;
use crate::vocab::BucketKind;

/// What the reads found, for the app to price.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub facts: Vec<BucketFacts>,
    /// What could not be read at all.
    pub notes: Vec<String>,
    /// The account's id (UID), when OSS said it.
    pub account_id: Option<String>,
    /// Wall-clock seconds when they were read.
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum State {
    Loading,
    Failed(ErrorInfo),
    Shown {
        view: Box<AccountView>,
        notes: Vec<String>,
        account_id: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct AccountScreen {
    pub state: State,
    pub selected: usize,
    /// Buckets that can go which the user unmarked (`Space`): `S` keeps them.
    pub kept: std::collections::BTreeSet<String>,
}

impl AccountScreen {
    pub fn loading() -> Self {
        AccountScreen {
            state: State::Loading,
            selected: 0,
            kept: Default::default(),
        }
    }

    /// The reads, priced with `book`.
    pub fn loaded(&mut self, r: Result<Loaded, ErrorInfo>, book: &PriceBook) {
        self.state = match r {
            Ok(l) => State::Shown {
                view: Box::new(AccountView::build(&l.facts, book, l.now)),
                notes: l.notes,
                account_id: l.account_id,
            },
            Err(e) => State::Failed(e),
        };
        self.selected = 0;
    }

    pub fn move_by(&mut self, up: bool) {
        let n = match &self.state {
            State::Shown { view, .. } => view.buckets.len(),
            _ => 0,
        };
        self.selected = if up {
            self.selected.saturating_sub(1)
        } else {
            (self.selected + 1).min(n.saturating_sub(1))
        };
    }

    /// The buckets and vector buckets that can go now, less those kept
    /// (`Space`): what `S` deletes. A vector bucket named like an object
    /// bucket of the set is left out (its own list deletes it), so that no
    /// name stands for two buckets in one run.
    pub fn can_go(&self) -> Vec<(BucketKind, String)> {
        let State::Shown { view, .. } = &self.state else {
            return Vec::new();
        };
        let marked: Vec<(BucketKind, String)> = view
            .buckets
            .iter()
            .filter(|b| {
                matches!(b.standing, Standing::CanGo { .. })
                    && !self.kept.contains(&key(b.kind, &b.name))
            })
            .map(|b| (b.kind, b.name.clone()))
            .collect();
        marked
            .iter()
            .filter(|(k, name)| {
                !k.is_vector() || !marked.iter().any(|(o, n)| !o.is_vector() && n == name)
            })
            .cloned()
            .collect()
    }

    /// Keeps the selected bucket out of stopping the billing, or marks it
    /// again; only a bucket that can go is marked at all.
    pub fn toggle(&mut self) {
        let State::Shown { view, .. } = &self.state else {
            return;
        };
        let Some(b) = view.buckets.get(self.selected) else {
            return;
        };
        let k = key(b.kind, &b.name);
        if matches!(b.standing, Standing::CanGo { .. }) && !self.kept.remove(&k) {
            self.kept.insert(k);
        }
        self.move_by(false);
    }

    pub fn account_id(&self) -> Option<String> {
        match &self.state {
            State::Shown { account_id, .. } => account_id.clone(),
            _ => None,
        }
    }
}

/// What tells a bucket from a vector bucket of the same name in `kept`.
fn key(kind: BucketKind, name: &str) -> String {
    format!("{}/{name}", kind.noun())
}

const HEADERS: [&str; 7] = ["", "NAME", "KIND", "REGION", "A MONTH", "STANDING", "HOLDS"];

pub fn render(s: &AccountScreen, area: Rect, buf: &mut Buffer, theme: &Theme, now: Duration) {
    let (view, notes) = match &s.state {
        State::Loading => {
            Paragraph::new(format!(
                " {} Reading every bucket's statistics and retention policy...",
                super::spinner(now)
            ))
            .block(Block::default().borders(Borders::TOP).title(" Account "))
            .render(area, buf);
            return;
        }
        State::Failed(e) => {
            Paragraph::new(vec![
                Line::from(Span::styled(
                    format!(" Could not read the account: {}", e.message),
                    theme.danger,
                )),
                Line::from(" r to try again, Esc back to the buckets."),
            ])
            .block(Block::default().borders(Borders::TOP).title(" Account "))
            .render(area, buf);
            return;
        }
        State::Shown { view, notes, .. } => (view, notes),
    };
    // The totals and what they rest on, wrapped to the width, under the table.
    let mut foot = vec![Line::from(Span::styled(
        format!(" {}", view.summary()),
        theme.title,
    ))];
    let can_go = s.can_go().len();
    foot.push(Line::from(Span::styled(
        format!(
            " S stops the billing of the {} marked x (Space keeps one): each is scanned and shown, then one typed confirmation.",
            crate::units::counted(can_go as u64, "bucket", "buckets")
        ),
        theme.warn,
    )));
    if let Some(why) = view
        .buckets
        .get(s.selected)
        .and_then(|b| b.standing.why().map(|w| format!(" {}: {w}", b.name)))
    {
        foot.push(Line::from(Span::styled(why, theme.muted)));
    }
    if let Some(v) = &view.vector_buckets {
        foot.push(Line::from(Span::styled(
            format!(" Vector buckets: {} (OSS, as of {}).", v.note, v.as_of),
            theme.muted,
        )));
    }
    foot.push(Line::from(Span::styled(
        format!(
            " From OSS's statistics (lag up to an hour); money: {}. Still billing once every bucket is gone: {}.",
            view.basis,
            view.still_billing.join("; ")
        ),
        theme.muted,
    )));
    for n in notes {
        foot.push(Line::from(Span::styled(format!(" {n}"), theme.warn)));
    }
    let foot = super::wrap_all(foot, area.width);
    // The table takes what its rows need, up to half the height; the totals
    // and what they rest on take the rest.
    let table_needs = (view.buckets.len() as u16 + 2).clamp(3, (area.height / 2).max(3));
    let foot_height = (foot.len() as u16).min(area.height.saturating_sub(table_needs));
    let [table, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(foot_height)]).areas(area);
    let marked = s.can_go();
    let cells: Vec<[String; 7]> = view
        .buckets
        .iter()
        .map(|b| {
            let mark = if marked.contains(&(b.kind, b.name.clone())) {
                "x"
            } else {
                " "
            };
            [
                mark.to_string(),
                crate::text::visible(&b.name).into_owned(),
                b.kind.noun().to_string(),
                crate::text::visible(&b.region).into_owned(),
                b.monthly.as_ref().map_or("?".into(), |m| m.cell()),
                b.standing.word(),
                b.holds.join(", "),
            ]
        })
        .collect();
    let columns: Vec<Column> = (0..HEADERS.len())
        .map(|i| Column {
            natural: cells
                .iter()
                .map(|c| c[i].chars().count() as u16)
                .chain([HEADERS[i].chars().count() as u16])
                .max()
                .unwrap_or(0),
            min: [1, 12, 6, 8, 7, 8, 0][i],
        })
        .collect();
    // Room runs out: what it holds goes, then the kind, then the region.
    let widths = fit_giving(
        &columns,
        table.width,
        1,
        &[Give::Drop(6), Give::Drop(2), Give::Drop(3)],
    );
    draw_list(
        table,
        buf,
        theme,
        Block::default().borders(Borders::TOP).title(" Account "),
        &HEADERS,
        &widths,
        (cells.len(), s.selected),
        |i| cells[i].to_vec(),
    );
    Paragraph::new(foot).render(bottom, buf);
}
