//! The confirm pane: the engine's preflight of every bucket (what goes, what
//! stays, every risk most severe first, the verdict) and a field where the
//! bucket's name (or `delete N buckets` for a batch) must be typed exactly.
//! Every destructive action of the wizard passes through it.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use crate::engine::expiry::ExpiryPlan;
use crate::engine::resume::{left_line, CheckState};
use crate::engine::{refusals, Preflight, Refusal, ResumeView, Verdict};
use crate::vocab::BucketKind;

use super::super::theme::Theme;

/// What Enter starts once the name is typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    /// Run these preflights. `instead` holds why the bucket could not be deleted
    /// when the user asked to delete it and is offered emptying instead.
    Run {
        preflights: Vec<Preflight>,
        instead: Option<Refusal>,
    },
    /// Install lifecycle expiry rules.
    Expiry(ExpiryPlan),
    /// Continue interrupted run `run`: the engine's check of it (`None`
    /// while it runs), what was confirmed and what changed since.
    Resume {
        run: String,
        check: Option<ResumeView>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub intent: Intent,
    /// The account a batch stops the billing of (its id goes into the
    /// typed confirmation).
    pub account: Option<String>,
    pub input: crate::tui::line_edit::LineEdit,
    /// Lines scrolled off the top of the preflight.
    pub scroll: u16,
    /// The furthest the preflight can scroll at the last rendered size, so
    /// scrolling stops at its last line (the renderer records it).
    pub max_scroll: Cell<u16>,
}

impl Confirm {
    pub fn run(preflights: Vec<Preflight>, instead: Option<Refusal>) -> Self {
        Confirm {
            intent: Intent::Run {
                preflights,
                instead,
            },
            account: None,
            input: Default::default(),
            scroll: 0,
            max_scroll: Cell::new(u16::MAX),
        }
    }

    /// The batch stops the billing of `account` (when its id is known): the
    /// typed confirmation names it.
    pub fn of_account(mut self, account: Option<String>) -> Self {
        self.account = account;
        self
    }

    /// The resume of run `run`, while its check runs.
    pub fn resume(run: &str) -> Self {
        Confirm {
            intent: Intent::Resume {
                run: run.to_string(),
                check: None,
            },
            account: None,
            input: Default::default(),
            scroll: 0,
            max_scroll: Cell::new(u16::MAX),
        }
    }

    pub fn expiry(plan: ExpiryPlan) -> Self {
        Confirm {
            intent: Intent::Expiry(plan),
            account: None,
            input: Default::default(),
            scroll: 0,
            max_scroll: Cell::new(u16::MAX),
        }
    }

    /// Freezes writes during the run, or no longer (`^F`): every object
    /// bucket of the run alike. The freeze's end is shown from the scan's
    /// time; the run sets it when it starts.
    pub fn toggle_freeze(&mut self) {
        if let Intent::Run { preflights, .. } = &mut self.intent {
            let on = preflights.iter().all(|p| p.freeze.is_none());
            for p in preflights
                .iter_mut()
                .filter(|p| p.kind == BucketKind::Object)
            {
                let at = p.scanned_at;
                let _ = p.freeze_writes(on, at);
            }
        }
    }

    /// Whether `^F` applies: a run of object buckets.
    pub fn can_freeze(&self) -> bool {
        matches!(&self.intent, Intent::Run { preflights, .. }
            if preflights.iter().any(|p| p.kind == BucketKind::Object))
    }

    /// What must be typed.
    /// Scrolls the preflight one line, within what there is to see.
    pub fn scroll_by_one(&mut self, up: bool) {
        self.scroll = if up {
            self.scroll.saturating_sub(1)
        } else {
            self.scroll.saturating_add(1).min(self.max_scroll.get())
        };
    }

    pub fn expected(&self) -> String {
        match &self.intent {
            Intent::Run { preflights, .. } => match (preflights.as_slice(), &self.account) {
                ([one], _) => one.bucket.clone(),
                (many, None) => format!("delete {} buckets", many.len()),
                (many, Some(account)) => format!("delete {} buckets of {account}", many.len()),
            },
            Intent::Expiry(plan) => plan.bucket.clone(),
            Intent::Resume { check: Some(v), .. } => v.expected(),
            Intent::Resume { run, .. } => run.clone(),
        }
    }

    /// Why Enter cannot start anything, whatever is typed.
    pub fn refused(&self) -> Vec<Refusal> {
        match &self.intent {
            Intent::Run { preflights, .. } => refusals(preflights),
            Intent::Expiry(_) => Vec::new(),
            Intent::Resume { check, .. } => check
                .iter()
                .flat_map(|v| &v.buckets)
                .filter_map(|b| match &b.state {
                    CheckState::Refused(why) => Some(Refusal {
                        bucket: b.bucket.clone(),
                        reasons: vec![why.clone()],
                        manual_steps: Vec::new(),
                        can_empty: false,
                    }),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Enter starts: the check (for a resume) is in, nothing refuses, and
    /// the name is typed exactly.
    pub fn matches(&self) -> bool {
        let checked = !matches!(self.intent, Intent::Resume { check: None, .. });
        checked && self.input.as_str() == self.expected() && self.refused().is_empty()
    }

    fn title(&self) -> String {
        match &self.intent {
            Intent::Run {
                instead: Some(_), ..
            } => " Empty instead of delete ".into(),
            Intent::Run { preflights, .. } => {
                if !preflights.iter().any(|p| p.action.deletes_bucket()) {
                    " Clear (the bucket stays) ".into()
                } else if preflights.len() > 1 {
                    format!(" Delete {} buckets ", preflights.len())
                } else {
                    " Delete bucket ".into()
                }
            }
            Intent::Expiry(_) => " Lifecycle expiry rules ".into(),
            Intent::Resume { .. } => " Resume an interrupted run ".into(),
        }
    }
}

/// A resume's check: each bucket, what was confirmed, what changed since.
fn resume_lines<'a>(
    run: &str,
    check: Option<&'a ResumeView>,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'a>> {
    let Some(v) = check else {
        return vec![
            Line::from(format!(
                " Checking run {run}: is each bucket the one confirmed, and what changed since?"
            )),
            Line::from(Span::styled(
                " Only reads are sent; nothing is deleted before the name is typed.",
                theme.muted,
            )),
        ];
    };
    let mut lines = vec![Line::from(Span::styled(
        format!(
            " This resumes run {run} ({}) and deletes, permanently, what is left of what was confirmed:",
            v.status
        ),
        theme.danger,
    ))];
    for b in &v.buckets {
        lines.push(Line::from(""));
        let scope = b
            .prefix
            .as_deref()
            .map(|p| format!(" under {p:?}"))
            .unwrap_or_default();
        let (state, style) = match &b.state {
            CheckState::Done => ("finished earlier".to_string(), theme.muted),
            CheckState::Gone => ("already deleted".to_string(), theme.muted),
            CheckState::Resumable if b.differences.is_empty() => (
                "the bucket confirmed; nothing new since".to_string(),
                theme.ok,
            ),
            CheckState::Resumable => (
                "the bucket confirmed; it changed since:".to_string(),
                theme.warn,
            ),
            CheckState::Refused(why) => (format!("never touched: {why}"), theme.danger),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("   {}{scope} ", b.bucket), theme.title),
            Span::raw(format!("({})  ", b.region)),
            Span::styled(state, style),
        ]));
        if b.state != CheckState::Resumable {
            continue;
        }
        lines.push(Line::from(format!("     confirmed: {}", b.confirmed)));
        if let Some(line) = crate::engine::resume::freeze_line(b) {
            lines.push(Line::from(Span::styled(format!("     {line}"), theme.warn)));
        }
        lines.push(Line::from(Span::styled(
            format!("     {}", left_line(b)),
            theme.muted,
        )));
        for d in &b.differences {
            lines.push(Line::from(Span::styled(
                format!("     !! {d}"),
                theme.danger,
            )));
        }
        if !b.differences.is_empty() {
            lines.push(Line::from(Span::styled(
                "     Typing the name takes these in: they are deleted too.",
                theme.warn,
            )));
        }
        lines.extend(
            b.risks
                .iter()
                .filter(|r| r.kind != "irreversible")
                .flat_map(|r| super::risk_lines(r, theme, "     ", width)),
        );
    }
    lines
}

fn preflight_lines<'a>(p: &'a Preflight, theme: &Theme, batch: bool, width: u16) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    let what = p.what_goes();
    lines.push(Line::from(vec![
        Span::styled(format!("   {} ", p.bucket), theme.title),
        Span::raw(format!("({})  {what}", p.region)),
    ]));
    for i in &p.stays {
        lines.push(Line::from(Span::styled(
            format!(
                "     stays: {} ({})",
                i.phrase(),
                i.note.as_deref().unwrap_or_default()
            ),
            theme.muted,
        )));
    }
    match &p.verdict {
        Verdict::Deletable { settled_by_oss } if p.action.deletes_bucket() => {
            for s in settled_by_oss {
                lines.push(Line::from(Span::styled(
                    format!("     unknown: {s}"),
                    theme.warn,
                )));
            }
        }
        Verdict::Deletable { .. } => {}
        Verdict::EmptyOnly { reasons, .. } | Verdict::Blocked { reasons }
            if p.action.deletes_bucket() || batch =>
        {
            for r in reasons {
                lines.push(Line::from(Span::styled(
                    format!("     cannot be deleted: {r}"),
                    theme.danger,
                )));
            }
        }
        _ => {}
    }
    lines.extend(
        p.risks
            .iter()
            .flat_map(|r| super::risk_lines(r, theme, "     ", width)),
    );
    if let Some(f) = &p.freeze {
        let mut said = f.lines().into_iter();
        if let Some(first) = said.next() {
            lines.push(Line::from(Span::styled(
                format!("     {first}"),
                theme.warn,
            )));
        }
        for l in said {
            lines.push(Line::from(Span::styled(format!("     {l}"), theme.muted)));
        }
        lines.push(Line::from(Span::styled("     the statement:", theme.muted)));
        for l in f.statement.lines() {
            lines.push(Line::from(Span::styled(format!("       {l}"), theme.muted)));
        }
    }
    lines
}

/// `reports`: where the run's audit report goes (`None`: none is written).
pub fn render(
    s: &Confirm,
    reports: Option<&std::path::Path>,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let [what, field] = Layout::vertical([Constraint::Min(3), Constraint::Length(4)]).areas(area);
    let mut lines = Vec::new();
    match &s.intent {
        Intent::Run {
            preflights,
            instead,
        } => {
            if let Some(r) = instead {
                lines.push(Line::from(Span::styled(
                    format!(" {} cannot be deleted by API:", r.bucket),
                    theme.danger,
                )));
                for reason in &r.reasons {
                    lines.push(Line::from(format!("   - {reason}")));
                }
                for step in &r.manual_steps {
                    lines.push(Line::from(Span::styled(
                        format!("   manual step: {step}"),
                        theme.warn,
                    )));
                }
                lines.push(Line::from(""));
                lines.push(Line::from(Span::styled(
                    " Instead, this empties what can be emptied and keeps the bucket, permanently deleting:",
                    theme.danger,
                )));
            } else if s.refused().is_empty() {
                lines.push(Line::from(Span::styled(
                    " This deletes, permanently:",
                    theme.danger,
                )));
            } else {
                lines.push(Line::from(Span::styled(
                    " Nothing is deleted while something refuses. Otherwise this would delete:",
                    theme.muted,
                )));
            }
            let batch = preflights.len() > 1;
            let refused = s.refused();
            if !refused.is_empty() {
                let names: Vec<&str> = refused.iter().map(|r| r.bucket.as_str()).collect();
                let text = if batch {
                    format!(" Nothing can start: {} cannot be deleted. Unmark it (Esc, then Space) or open it alone to empty it.", names.join(", "))
                } else {
                    " Nothing can be done here by API; Esc goes back.".to_string()
                };
                lines.insert(0, Line::from(Span::styled(text, theme.danger)));
            }
            for p in preflights {
                lines.push(Line::from(""));
                lines.extend(preflight_lines(p, theme, batch, what.width));
            }
            if batch {
                lines.push(Line::from(""));
                lines.push(Line::from(format!(
                    "   {}",
                    crate::engine::preflight::batch::totals(preflights)
                )));
            }
            if let Some(p) = preflights.first().filter(|_| !batch) {
                if !p.action.deletes_bucket() && !p.stays.is_empty() {
                    lines.push(Line::from(""));
                    lines.push(Line::from(Span::styled(
                        " The bucket and everything under \"stays\" are kept.",
                        theme.muted,
                    )));
                }
            }
        }
        Intent::Expiry(plan) => {
            lines.push(Line::from(Span::styled(
                format!(
                    " Install lifecycle rules on {} that empty it server-side:",
                    plan.bucket
                ),
                theme.danger,
            )));
            lines.push(Line::from(""));
            for l in plan.describe() {
                lines.push(Line::from(format!("   {l}")));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                Span::raw("   Expire after "),
                Span::styled(format!("{} day(s)", plan.days), theme.title),
                Span::styled("  (↑/↓ to change)", theme.muted),
            ]));
        }
        Intent::Resume { run, check } => {
            if !s.refused().is_empty() {
                lines.push(Line::from(Span::styled(
                    " Nothing can start: a bucket is not the one confirmed, or cannot be done as confirmed. Esc goes back; X on the list discards the run.",
                    theme.danger,
                )));
            }
            lines.extend(resume_lines(run, check.as_ref(), theme, what.width));
        }
    }
    // Where the audit trail goes, before anything is confirmed.
    let report = match &s.intent {
        Intent::Run { .. } => reports.map(|d| format!("a new report in {}", d.display())),
        Intent::Resume { check: Some(v), .. } => v
            .report
            .as_ref()
            .map(|p| format!("the run's report, {}", p.display())),
        _ => None,
    };
    if let Some(r) = report {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!(
                " Every key deleted is recorded in {}.",
                crate::text::visible(&r)
            ),
            theme.muted,
        )));
    }
    // Every line wrapped under its own indent, so what wraps reads as one.
    let lines = super::wrap_all(lines, what.width);
    // Risks must never be cut silently: say when more lies above or below.
    let visible = what.height.saturating_sub(1);
    let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let text = Paragraph::new(lines);
    s.max_scroll.set(total.saturating_sub(visible));
    let scroll = s.scroll.min(s.max_scroll.get());
    let more = super::more_indicator(scroll, visible, total);
    text.scroll((scroll, 0))
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(s.title())
                .title(Line::from(Span::styled(more, theme.warn)).right_aligned()),
        )
        .render(what, buf);

    let expected = s.expected();
    let refused = !s.refused().is_empty();
    let checking = matches!(s.intent, Intent::Resume { check: None, .. });
    let (state, style) = if refused {
        ("  cannot start", theme.danger)
    } else if checking {
        ("  checking...", theme.muted)
    } else if s.input.is_empty() {
        ("", theme.muted)
    } else if s.matches() {
        ("  matches: Enter starts", theme.ok)
    } else if expected.starts_with(s.input.as_str()) {
        ("  ...", theme.muted)
    } else {
        ("  does not match", theme.danger)
    };
    let ask = if checking {
        Line::from(" The name to type comes with the check:")
    } else if refused && matches!(s.intent, Intent::Resume { .. }) {
        Line::from(Span::styled(
            " Nothing can start (above); Esc goes back:",
            theme.danger,
        ))
    } else {
        Line::from(vec![
            Span::raw(" Type "),
            Span::styled(expected.clone(), theme.danger),
            Span::raw(" to confirm:"),
        ])
    };
    let mut prompt = vec![
        ask,
        Line::from(vec![
            Span::raw(" > "),
            Span::styled(s.input.split().0.to_string(), theme.title),
            Span::styled("▏", theme.key),
            Span::styled(s.input.split().1.to_string(), theme.title),
            Span::styled(state, style),
        ]),
    ];
    if s.can_freeze() {
        // Always in sight, whatever the pane scrolled to.
        let on = matches!(&s.intent, Intent::Run { preflights, .. }
            if preflights.iter().any(|p| p.freeze.is_some()));
        prompt.push(Line::from(vec![
            Span::styled(" ^F", theme.key),
            if on {
                Span::styled(
                    " writes frozen during the run: ON (what is denied: above)",
                    theme.warn,
                )
            } else {
                Span::styled(" freeze writes during the run: off", theme.muted)
            },
        ]));
    }
    Paragraph::new(prompt)
        .block(Block::default().borders(Borders::TOP))
        .render(field, buf);
}
