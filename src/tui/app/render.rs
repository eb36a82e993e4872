//! Drawing the wizard: the header, the banners, the screen shown, the status
//! and hint lines, and the overlays (help, the quit question). Reads the
//! state, changes nothing.

use super::*;

impl App {
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text = format!("Terminal too small: ossweep needs at least {MIN_WIDTH}x{MIN_HEIGHT}, this one is {}x{}.\nEnlarge it, or press q to quit.", area.width, area.height);
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .render(area, buf);
            return;
        }
        let offer = matches!(self.screen, Screen::List) && !self.interrupted.is_empty();
        // An error banner: its message wrapped (at most 3 lines), then the
        // request id, never pushed out.
        let banner_lines = self
            .banner
            .as_ref()
            .map(|e| self.banner_lines(e, theme, area.width));
        let banner_height = match &banner_lines {
            Some(lines) => lines.len() as u16 + 1,
            None if offer => interrupted::height(&self.interrupted),
            None => 0,
        };
        let [header, banner, body, status, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(banner_height),
            Constraint::Min(5),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(header, buf, theme);
        if let Some(lines) = banner_lines {
            Paragraph::new(lines)
                .block(
                    Block::default()
                        .borders(Borders::BOTTOM)
                        .border_style(theme.danger),
                )
                .render(banner, buf);
        }
        if offer && self.banner.is_none() {
            interrupted::render(&self.interrupted, banner, buf, theme);
        }
        match &self.screen {
            Screen::List => self.render_lists(body, buf, theme),
            Screen::Scan(s) => screens::scan::render(s, body, buf, theme, self.now),
            Screen::Batch(b) => screens::batch::render(b, body, buf, theme, self.now),
            Screen::Confirm(c, _) => {
                screens::confirm::render(c, self.context.reports.as_deref(), body, buf, theme)
            }
            Screen::Progress(p) => {
                screens::progress::render(p, self.modal == Some(Modal::Stop), body, buf, theme)
            }
            Screen::Report(r) => screens::report::render(r, body, buf, theme),
            Screen::Account(a) => screens::account::render(a, body, buf, theme, self.now),
        }
        // A notice, else on a list the selected bucket's full name (its
        // column may have cut it).
        let status_line = match (&self.notice, self.selected_bucket()) {
            (Some(notice), _) => Line::from(Span::styled(format!(" {notice}"), theme.warn)),
            (None, Some((name, region))) => Line::from(vec![
                Span::styled(format!(" {}", crate::text::visible(name)), theme.title),
                Span::styled(format!("  {}", crate::text::visible(region)), theme.muted),
            ]),
            (None, None) => Line::default(),
        };
        Paragraph::new(screens::cut(status_line, status.width)).render(status, buf);
        Paragraph::new(hint_line(
            self.keys(),
            self.main_action(),
            theme,
            hints.width,
        ))
        .render(hints, buf);
        if self.modal == Some(Modal::Help) {
            self.render_help(area, buf, theme);
        }
        if self.modal == Some(Modal::Quit) {
            let detail = match &self.run_id {
                Some(id) => format!(
                    "It stops after the batches in flight; the rest is kept, and the run can be resumed: ossweep resume {id}"
                ),
                None => "It stops after the batches in flight; the rest is kept.".to_string(),
            };
            screens::prompt(
                area,
                buf,
                theme,
                &screens::Question {
                    question: "A deletion is running. Quit?",
                    detail: &detail,
                    yes: "stop and quit",
                    no_key: "any key",
                    no: "stay",
                },
            );
        }
        crate::tui::guard::neutralize(buf, area);
    }

    /// The selected row of the list shown: name and region.
    fn selected_bucket(&self) -> Option<(&str, &str)> {
        use screens::listing::Listed;
        if self.screen != Screen::List {
            return None;
        }
        match self.tab {
            Tab::Buckets => self.list.selected_row().map(|r| (r.name(), r.region())),
            Tab::Vectors => self.vectors.selected_row().map(|r| (r.name(), r.region())),
        }
    }

    /// An error banner's lines: title, code and message (wrapped, at most
    /// three lines), then the request id and the retry key.
    fn banner_lines(&self, e: &ErrorInfo, theme: &Theme, width: u16) -> Vec<Line<'static>> {
        let mut first = vec![Span::styled(format!(" {} ", e.title), theme.danger)];
        if let Some(code) = &e.code {
            first.push(Span::styled(format!("{code} "), theme.danger));
        }
        first.push(Span::raw(e.message.clone()));
        let mut lines = screens::hanging(&Line::from(first), width, 1);
        if lines.len() > 3 {
            lines.truncate(3);
            let last = lines.pop().unwrap_or_default();
            let mut spans = last.spans;
            spans.push(Span::raw(" …"));
            lines.push(screens::cut(Line::from(spans), width));
        }
        lines.push(Line::from(vec![
            Span::styled(
                format!(" request id {} ", e.request_id.as_deref().unwrap_or("-")),
                theme.muted,
            ),
            Span::styled(" r", theme.key),
            Span::styled(" retry", theme.muted),
        ]));
        lines
    }

    /// The tab bar, then the list of the tab.
    fn render_lists(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let [tabs, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        let label = |tab: Tab, text: String| {
            let style = if self.tab == tab {
                theme.selected
            } else {
                theme.muted
            };
            Span::styled(format!(" {text} "), style)
        };
        let vector_count = if self.vectors.loaded {
            self.vectors.rows.len().to_string()
        } else {
            "…".into()
        };
        Paragraph::new(Line::from(vec![
            Span::raw(" "),
            label(Tab::Buckets, format!("Buckets {}", self.list.rows.len())),
            Span::raw(" "),
            label(Tab::Vectors, format!("Vector buckets {vector_count}")),
            Span::styled("  Tab switches", theme.muted),
        ]))
        .render(tabs, buf);
        match self.tab {
            // A wide terminal: the selected bucket's details beside the list.
            Tab::Buckets if list.width >= screens::bucket_details::MIN_TERMINAL_WIDTH => {
                let [table, details] = Layout::horizontal([
                    Constraint::Min(0),
                    Constraint::Length(screens::bucket_details::WIDTH),
                ])
                .areas(list);
                screens::bucket_list::render(
                    &self.list,
                    table,
                    buf,
                    theme,
                    self.now,
                    &self.context.prices,
                );
                let row = self
                    .list
                    .selected_row()
                    .map(|r| (r, self.list.marked.contains(&r.summary.name)));
                screens::bucket_details::render(row, details, buf, theme, &self.context.prices);
            }
            Tab::Buckets => screens::bucket_list::render(
                &self.list,
                list,
                buf,
                theme,
                self.now,
                &self.context.prices,
            ),
            Tab::Vectors => screens::vector_list::render(
                &self.vectors,
                list,
                buf,
                theme,
                self.now,
                &self.context.prices,
            ),
        }
    }

    /// Where every request goes: profile and region or endpoint, and a DEMO
    /// marker when the wizard runs against the built-in emulator.
    fn render_header(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let c = &self.context;
        let mut spans = Vec::new();
        if c.demo {
            spans.push(Span::styled(" DEMO ", theme.selected));
            spans.push(Span::styled(
                " built-in emulator: nothing real is touched ",
                theme.warn,
            ));
        } else {
            spans.push(Span::styled(" ossweep ", theme.title));
        }
        spans.push(Span::styled(
            format!(" profile {}  {}", c.profile, c.target),
            theme.muted,
        ));
        if !c.credentials.is_empty() {
            let held = c.held.as_ref().map(|h| match h.expires {
                Some(t) => format!(" {} until {} UTC", h.key, clock(t)),
                None => format!(" {}", h.key),
            });
            spans.push(Span::styled(
                format!("  {}{}", c.credentials, held.unwrap_or_default()),
                theme.muted,
            ));
        }
        Paragraph::new(screens::cut(Line::from(spans), area.width)).render(area, buf);
    }

    fn render_help(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let table = self.keys();
        // Where categories and risks are shown, their states and marks too.
        let legend = match &self.screen {
            Screen::Scan(s) => s.items.is_none(),
            Screen::Confirm(..) | Screen::Batch(_) => true,
            _ => false,
        };
        // The bucket list: what its OBJECTS and VERSIONS numbers mean.
        let numbers = self.screen == Screen::List && self.tab == Tab::Buckets;
        let w = area.width.min(if legend || numbers { 76 } else { 56 });
        let keys_width = table
            .iter()
            .map(|b| b.keys.chars().count())
            .max()
            .unwrap_or(0)
            .max(9)
            + 1;
        let mut lines: Vec<Line> = table
            .iter()
            .map(|b| {
                Line::from(vec![
                    Span::styled(format!(" {:<keys_width$}", b.keys), theme.key),
                    Span::raw(b.hint),
                ])
            })
            .collect();
        if legend {
            use crate::scan::risk::Severity;
            use crate::scan::State;
            lines.push(Line::from(Span::styled(" States", theme.title)));
            for st in [
                State::Clear,
                State::Blocks,
                State::NotYet,
                State::ManualStep,
                State::Unknown,
            ] {
                lines.push(Line::from(vec![
                    Span::styled(format!(" {:<12}", st.word()), theme.key),
                    Span::raw(st.meaning()),
                ]));
            }
            lines.push(Line::from(Span::styled(" Risk marks", theme.title)));
            for sev in [Severity::Danger, Severity::Warning, Severity::Info] {
                lines.push(Line::from(vec![
                    Span::styled(format!(" {:<12}", sev.mark()), theme.severity(sev)),
                    Span::raw(sev.meaning()),
                ]));
            }
        }
        if numbers {
            lines.push(Line::from(Span::styled(" Numbers", theme.title)));
            for (mark, meaning) in [
                (
                    "≤9,870 ?",
                    "versioned: OSS's statistics count every version",
                ),
                (
                    "6,000 3,870",
                    "exact current objects and versions, once scanned",
                ),
                ("-", "no versions (versioning off) or not readable"),
            ] {
                lines.push(Line::from(vec![
                    Span::styled(format!(" {mark:<12}"), theme.key),
                    Span::raw(meaning),
                ]));
            }
        }
        // Long meanings wrap under their meaning, never cut.
        let lines: Vec<Line> = lines
            .iter()
            .flat_map(|l| screens::hanging(l, w.saturating_sub(2), 13))
            .collect();
        let h = (lines.len() as u16 + 2).min(area.height);
        let rect = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        Clear.render(rect, buf);
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(" Keys ")
                    .title_bottom(Line::from(Span::styled(
                        " any key closes this help ",
                        theme.muted,
                    ))),
            )
            .render(rect, buf);
    }
}

/// `16:42` of a Unix time, UTC.
fn clock(secs: i64) -> String {
    crate::oss::time::iso8601_seconds(secs)
        .get(11..16)
        .unwrap_or_default()
        .to_string()
}
