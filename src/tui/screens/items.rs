//! The drill-down: what is behind one category's count (access points,
//! LiveChannels and their status, uploads, accelerators, the biggest prefixes,
//! objects a retention policy keeps), filterable, with marks for a per-item
//! delete where OSS deletes items one at a time.

use std::collections::BTreeSet;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::columns::{ellipsize, fit};
use super::table::{draw_list, measure};
use crate::blockers::Role;
use crate::oss::time;
use crate::scan::found::{Found, Listed, KEPT};
use crate::scan::{Category, ScanReport};
use crate::text::visible;
use crate::tui::line_edit::LineEdit;
use crate::tui::theme::Theme;
use crate::units::{bytes, count};
use crate::vocab::Target;

/// One list of the drill-down (an object category has two: its biggest
/// prefixes, and the objects a retention policy keeps).
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub title: &'static str,
    pub rows: Vec<Found>,
    /// Found by the scan but not kept (beyond `KEPT`).
    pub more: u64,
}

impl View {
    fn of(title: &'static str, listed: Option<&Listed>) -> View {
        let listed = listed.cloned().unwrap_or_default();
        View {
            title,
            rows: listed.items,
            more: listed.more,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Items {
    pub category: Category,
    pub views: Vec<View>,
    pub view: usize,
    /// Index into the rows the filter shows.
    pub selected: usize,
    pub filter: LineEdit,
    pub filtering: bool,
    pub marked: BTreeSet<Target>,
    /// Bytes of the category, for each prefix's share.
    pub total_bytes: u64,
    /// Why the category shows no items, when the scan says why.
    pub note: Option<String>,
    /// Uploads' sizes (ListParts), as they arrive; asked for a page at a time.
    pub sizes: std::collections::BTreeMap<Target, Result<(u64, u64), String>>,
    /// Uploads whose sizes were asked for: the first `asked` rows.
    pub asked: usize,
}

/// Uploads sized at a time, ahead of the selection.
pub const SIZES_AHEAD: usize = 50;

impl Items {
    /// What is behind `category`'s count in `report`.
    pub fn open(report: &ScanReport, category: Category) -> Items {
        let c = report.category(category);
        let mut views = vec![View::of(
            match category.role() {
                Role::Listed | Role::Manual => "biggest prefixes",
                Role::Data | Role::Attachment | Role::Indexes => category.noun(),
            },
            report.found.get(&category),
        )];
        if category.is_object_kind() && !report.locked.is_empty() {
            views.push(View::of("under retention (WORM)", Some(&report.locked)));
        }
        Items {
            category,
            views,
            view: 0,
            selected: 0,
            filter: LineEdit::default(),
            filtering: false,
            marked: BTreeSet::new(),
            total_bytes: c.bytes,
            note: c.note.clone(),
            sizes: Default::default(),
            asked: 0,
        }
    }

    /// The uploads whose sizes to ask for next: once the selection comes
    /// within half a page of the last asked, the next `SIZES_AHEAD` (in the
    /// unfiltered order). Pure: marks them asked.
    pub fn sizes_wanted(&mut self) -> Vec<Target> {
        if !self.category.facts().sized_by_item || self.selected + SIZES_AHEAD / 2 < self.asked {
            return Vec::new();
        }
        let rows = &self.views[0].rows;
        let next: Vec<Target> = rows
            .iter()
            .skip(self.asked)
            .take(SIZES_AHEAD)
            .filter_map(Found::target)
            .collect();
        self.asked = (self.asked + SIZES_AHEAD).min(rows.len());
        next
    }

    /// OSS deletes these items one at a time, so each can go alone.
    pub fn deletable(&self) -> bool {
        self.category.facts().named_items
    }

    pub fn current(&self) -> &View {
        &self.views[self.view.min(self.views.len() - 1)]
    }

    /// The rows the filter shows (a case-insensitive substring of the name).
    pub fn visible(&self) -> Vec<&Found> {
        let needle = self.filter.as_str().to_lowercase();
        self.current()
            .rows
            .iter()
            .filter(|f| needle.is_empty() || f.name().to_lowercase().contains(&needle))
            .collect()
    }

    pub fn selected_item(&self) -> Option<&Found> {
        self.visible().get(self.selected).copied()
    }

    pub fn move_by(&mut self, delta: i64) {
        let last = self.visible().len().saturating_sub(1) as i64;
        self.selected = (self.selected as i64 + delta).clamp(0, last.max(0)) as usize;
    }

    pub fn clamp(&mut self) {
        self.move_by(0);
    }

    pub fn next_view(&mut self) {
        self.view = (self.view + 1) % self.views.len();
        self.selected = 0;
    }

    /// Marks or unmarks the selected item (only items that can go alone).
    pub fn toggle_mark(&mut self) {
        if let Some(t) = self.selected_item().and_then(Found::target) {
            if !self.marked.remove(&t) {
                self.marked.insert(t);
            }
            self.move_by(1);
        }
    }

    /// What a delete names: the marked items, else the selected one.
    pub fn targets(&self) -> Vec<Target> {
        if !self.marked.is_empty() {
            return self.marked.iter().cloned().collect();
        }
        self.selected_item()
            .and_then(Found::target)
            .into_iter()
            .collect()
    }
}

fn date(t: Option<i64>) -> String {
    // `2024-03-01 09:15` (UTC).
    t.map(|t| {
        time::iso8601(t)
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " ")
    })
    .unwrap_or_else(|| "-".into())
}

/// The headers of a row of this kind, and which columns give way first.
fn headers(f: &Found) -> (&'static [&'static str], &'static [usize]) {
    match f {
        Found::AccessPoint { .. } => (&["", "NAME", "STATUS", "NETWORK", "ALIAS"], &[4, 1]),
        Found::LiveChannel { .. } => (&["", "NAME", "STATUS", "NOW", "MODIFIED"], &[3, 1]),
        Found::Upload { .. } => (
            &["", "KEY", "UPLOAD ID", "INITIATED", "PARTS", "SIZE"],
            &[2, 1],
        ),
        Found::Accelerator { .. } => (&["", "ZONE"], &[1]),
        Found::Prefix { .. } => (&["", "PREFIX", "KEYS", "SIZE", "SHARE"], &[1]),
        Found::Locked { .. } => (&["", "KEY", "SIZE", "RELEASED ON"], &[1]),
    }
}

fn cells(f: &Found, marked: bool, s: &Items) -> Vec<String> {
    let total_bytes = s.total_bytes;
    let mark = if marked { "●" } else { " " }.to_string();
    let v = |s: &str| visible(s).into_owned();
    let mut out = vec![mark];
    out.extend(match f {
        Found::AccessPoint {
            name,
            status,
            network,
            alias,
        } => vec![v(name), v(status), v(network), v(alias)],
        Found::LiveChannel {
            name,
            status,
            now,
            modified,
        } => vec![
            v(name),
            v(status),
            now.as_deref().map_or("?".into(), |n| match n {
                "Live" => "LIVE: receiving a stream".to_string(),
                other => v(other),
            }),
            date(*modified),
        ],
        Found::Upload {
            key,
            upload_id,
            initiated,
        } => {
            let (parts, size) = match f.target().and_then(|t| s.sizes.get(&t)) {
                None => ("…".to_string(), "…".to_string()),
                Some(Ok((n, b))) => (count(*n), bytes(*b)),
                Some(Err(e)) => ("?".into(), visible(e).into_owned()),
            };
            vec![v(key), v(upload_id), date(*initiated), parts, size]
        }
        Found::Accelerator { zone } => vec![v(zone)],
        Found::Prefix {
            prefix,
            count: n,
            bytes: b,
        } => vec![
            if prefix.is_empty() {
                "(keys with no /)".into()
            } else {
                v(prefix)
            },
            count(*n),
            bytes(*b),
            if total_bytes > 0 {
                format!("{:.0}%", *b as f64 * 100.0 / total_bytes as f64)
            } else {
                "-".into()
            },
        ],
        Found::Locked {
            key,
            bytes: b,
            release,
            ..
        } => vec![v(key), bytes(*b), time::date_only(*release)],
    });
    out
}

pub fn render(bucket: &str, s: &Items, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let [head, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(area);
    let view = s.current();
    let shown = s.visible();
    let listed = view.rows.len() as u64 + view.more;
    let total = if s.filter.is_empty() {
        count(listed)
    } else {
        format!("{} of {}", count(shown.len() as u64), count(listed))
    };
    let which = if s.views.len() > 1 {
        format!(" · {}", view.title)
    } else {
        String::new()
    };
    let mut title = vec![
        Span::styled(format!(" {} ", visible(bucket)), theme.title),
        Span::styled(format!("› {}{which} ", s.category.label()), theme.title),
        Span::styled(format!(" ({total})"), theme.muted),
    ];
    if !s.marked.is_empty() {
        title.push(Span::styled(
            format!("  {} marked", s.marked.len()),
            theme.warn,
        ));
    }
    let tabs: Vec<Span> = if s.views.len() > 1 {
        let mut spans = vec![Span::raw(" ")];
        for (i, v) in s.views.iter().enumerate() {
            let style = if i == s.view {
                theme.selected
            } else {
                theme.muted
            };
            spans.push(Span::styled(format!(" {} ", v.title), style));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(" Tab switches", theme.muted));
        spans
    } else if view.more > 0 {
        vec![Span::styled(
            format!(
                " The scan kept the first {}; {} more are cleared with the whole category.",
                count(KEPT as u64),
                count(view.more)
            ),
            theme.warn,
        )]
    } else if let Some(note) = &s.note {
        vec![Span::styled(format!(" {}", visible(note)), theme.muted)]
    } else {
        vec![]
    };
    let tabs = super::cut(Line::from(tabs), head.width);
    let idle = if s.deletable() {
        " / to filter  Space marks  d deletes the marked (or the selected) one"
    } else {
        " / to filter"
    };
    let filter = super::filter_line(&s.filter, s.filtering, idle, theme);
    let title = super::cut(Line::from(title), head.width);
    Paragraph::new(vec![title, tabs, filter]).render(head, buf);

    let block = Block::default().borders(Borders::TOP);
    let Some(first) = view.rows.first() else {
        let text = match &s.note {
            Some(n) => format!(" Nothing listed: {n}"),
            None => " Nothing here.".into(),
        };
        Paragraph::new(ellipsize(&text, body.width))
            .block(block)
            .render(body, buf);
        return;
    };
    if shown.is_empty() {
        Paragraph::new(format!(" Nothing matches {:?}.", s.filter.as_str()))
            .block(block)
            .render(body, buf);
        return;
    }
    let (names, order) = headers(first);
    // Columns fit every row of the view (so filtering does not move them).
    let all: Vec<Vec<String>> = view.rows.iter().map(|f| cells(f, false, s)).collect();
    let min: Vec<u16> = (0..names.len())
        .map(|i| if i == 0 { 1 } else { 6 })
        .collect();
    let widths = fit(&measure(&all, names, &min), body.width, 1, order);
    draw_list(
        body,
        buf,
        theme,
        block,
        names,
        &widths,
        (shown.len(), s.selected),
        |i| {
            let f = shown[i];
            cells(f, f.target().is_some_and(|t| s.marked.contains(&t)), s)
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::found::Prefixes;

    fn report() -> ScanReport {
        let mut r = ScanReport::new("b");
        let mut l = Listed::default();
        for (name, status) in [("ap-a", "enable"), ("ap-b", "creating"), ("web", "enable")] {
            l.push(Found::AccessPoint {
                name: name.into(),
                status: status.into(),
                network: "internet".into(),
                alias: format!("{name}-x-ossalias"),
            });
        }
        r.found.insert(Category::AccessPoints, l);
        let mut p = Prefixes::default();
        p.add("logs/a", 10);
        r.found.insert(Category::Objects, p.biggest());
        r.locked.push(Found::Locked {
            key: "logs/a".into(),
            version_id: "null".into(),
            bytes: 10,
            release: 0,
        });
        r
    }

    #[test]
    fn the_filter_marks_and_targets_follow_the_rows_shown() {
        let mut s = Items::open(&report(), Category::AccessPoints);
        assert!(s.deletable());
        assert_eq!(s.targets(), [Target::named("ap-a")]);
        for c in "AP-".chars() {
            s.filter.apply(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Char(c),
            ));
        }
        assert_eq!(s.visible().len(), 2);
        s.move_by(5);
        assert_eq!(s.selected_item().unwrap().name(), "ap-b");
        s.toggle_mark();
        s.move_by(-1);
        s.toggle_mark();
        assert_eq!(
            s.targets(),
            [Target::named("ap-a"), Target::named("ap-b")],
            "marked items, not the selection"
        );
    }

    #[test]
    fn a_live_channel_says_it_is_receiving_a_stream() {
        let mut r = ScanReport::new("b");
        let mut l = Listed::default();
        for (name, now) in [
            ("cam-a", Some("Live")),
            ("cam-b", Some("Idle")),
            ("cam-c", None),
        ] {
            l.push(Found::LiveChannel {
                name: name.into(),
                status: "enabled".into(),
                now: now.map(str::to_string),
                modified: None,
            });
        }
        r.found.insert(Category::LiveChannels, l);
        let s = Items::open(&r, Category::LiveChannels);
        let now: Vec<String> = s
            .current()
            .rows
            .iter()
            .map(|f| cells(f, false, &s)[3].clone())
            .collect();
        assert_eq!(now, ["LIVE: receiving a stream", "Idle", "?"]);
        assert!(s.deletable());
    }

    #[test]
    fn an_object_category_shows_prefixes_and_what_retention_keeps() {
        let mut s = Items::open(&report(), Category::Objects);
        assert!(!s.deletable());
        assert_eq!(s.views.len(), 2);
        assert_eq!(s.current().title, "biggest prefixes");
        s.toggle_mark();
        assert!(
            s.marked.is_empty() && s.targets().is_empty(),
            "prefixes are not items to delete"
        );
        s.next_view();
        assert_eq!(s.current().title, "under retention (WORM)");
        assert_eq!(s.visible().len(), 1);
    }
}
