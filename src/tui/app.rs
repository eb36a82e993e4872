//! The wizard's state machine: `update(msg) -> effects`, no I/O; `render` reads
//! state and nothing else.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::keymap::{self, Action, Binding};
pub use super::msg::Effect;
use super::msg::{ErrorInfo, Msg};
use super::screens::batch::Batch;
use super::screens::bucket_list::{BucketList, BucketRow, Details};
use super::screens::confirm::{Confirm, Intent};
use super::screens::progress::Progress;
use super::screens::report::Report;
use super::screens::scan::Scan;
use super::screens::vector_list::VectorList;
use super::screens::{self, hint_line};
use super::theme::Theme;
use crate::engine::{self, expiry::MIN_DAYS};

pub mod interrupted;
mod vectors;
pub use vectors::Tab;

/// Where the wizard is pointed: shown in the header of every screen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    pub profile: String,
    /// The region, or the endpoint every request goes to.
    pub target: String,
    /// `ossweep demo`: the built-in emulator, nothing real.
    pub demo: bool,
}

/// Smallest terminal the wizard draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 20;

#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    List,
    Scan(Box<Scan>),
    /// Marked buckets being scanned before the batch's confirm pane.
    Batch(Box<Batch>),
    /// The confirm pane, and the scan pane to go back to (none for a batch).
    Confirm(Box<Confirm>, Option<Box<Scan>>),
    Progress(Box<Progress>),
    Report(Box<Report>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct App {
    pub screen: Screen,
    /// Kept while other screens are open, so going back restores it.
    pub list: BucketList,
    /// The list shown: buckets or vector buckets.
    pub tab: Tab,
    pub vectors: VectorList,
    pub help: bool,
    pub quit_prompt: bool,
    pub banner: Option<ErrorInfo>,
    /// A one-line message in the status bar.
    pub notice: Option<String>,
    pub now: Duration,
    pub running: bool,
    pub report_file: Option<PathBuf>,
    pub context: Context,
    /// Interrupted runs the bucket list offers to resume (empty: none, or later).
    pub interrupted: Vec<interrupted::Interrupted>,
    /// The running run's journal id, when it keeps one.
    pub run_id: Option<String>,
    /// `q` was confirmed mid-run: the wizard quits once the run has stopped
    /// after its batches in flight, and its summary is printed after.
    pub quitting: bool,
    /// The journal id of the last run started.
    pub last_run_id: Option<String>,
}

/// What a wizard quit mid-run leaves to print on the normal screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Quitted {
    pub summaries: Vec<crate::delete::Summary>,
    pub report_file: Option<PathBuf>,
    pub error: Option<String>,
    /// The run's id when it can be resumed (it kept a journal; not the demo's).
    pub resume: Option<String>,
}

impl App {
    pub fn new(context: Context) -> (App, Vec<Effect>) {
        let app = App {
            context,
            screen: Screen::List,
            list: BucketList::loading(),
            tab: Tab::Buckets,
            vectors: VectorList::default(),
            help: false,
            quit_prompt: false,
            banner: None,
            notice: None,
            now: Duration::ZERO,
            running: false,
            report_file: None,
            interrupted: Vec::new(),
            run_id: None,
            quitting: false,
            last_run_id: None,
        };
        (app, vec![Effect::LoadBuckets, Effect::LoadInterrupted])
    }

    /// Whether a tick is needed (spinners, progress).
    pub fn animating(&self) -> bool {
        self.list.loading
            || self.list.rows.iter().any(|r| r.details == Details::Loading)
            || self.vectors.loading
            || self.vectors.rows.iter().any(|r| r.indexes.is_none())
            || matches!(&self.screen, Screen::Scan(s) if s.scanning)
            || matches!(&self.screen, Screen::Batch(b) if !b.done())
            || matches!(self.screen, Screen::Progress(_))
    }

    pub fn keys(&self) -> &'static [Binding] {
        match &self.screen {
            Screen::List if self.tab == Tab::Vectors => keymap::VECTOR_LIST,
            Screen::List => keymap::BUCKET_LIST,
            Screen::Scan(s) if s.report.kind.is_vector() && s.scanning => {
                keymap::VECTOR_SCAN_WAITING
            }
            Screen::Scan(s) if s.report.kind.is_vector() => keymap::VECTOR_SCAN,
            Screen::Scan(s) if s.scanning => keymap::SCAN_WAITING,
            Screen::Scan(_) => keymap::SCAN,
            Screen::Batch(_) => keymap::BATCH,
            Screen::Confirm(..) => keymap::CONFIRM,
            Screen::Progress(_) => keymap::PROGRESS,
            Screen::Report(_) => keymap::REPORT,
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Resized => Vec::new(),
            Msg::Tick(now) => {
                self.now = now;
                if let Screen::Progress(p) = &mut self.screen {
                    p.tick(now);
                }
                Vec::new()
            }
            Msg::BucketsLoaded(Ok(buckets)) => {
                self.list.loading = false;
                self.list.error = None;
                self.banner = None;
                let effects = buckets
                    .iter()
                    .map(|b| Effect::LoadDetails(b.name.clone()))
                    .collect();
                self.list.rows = buckets
                    .into_iter()
                    .map(|summary| BucketRow {
                        summary,
                        details: Details::Loading,
                    })
                    .collect();
                self.list
                    .marked
                    .retain(|m| self.list.rows.iter().any(|r| r.summary.name == *m));
                self.list.clamp();
                effects
            }
            Msg::BucketsLoaded(Err(e)) => {
                self.list.loading = false;
                self.list.error = Some(e.clone());
                self.banner = Some(e);
                Vec::new()
            }
            Msg::DetailsLoaded { bucket, result } => {
                if let Some(row) = self.list.rows.iter_mut().find(|r| r.summary.name == bucket) {
                    row.details = match result {
                        Ok((stat, versioning)) => Details::Loaded { stat, versioning },
                        Err(e) => Details::Failed(e.message),
                    };
                }
                Vec::new()
            }
            Msg::VectorBucketsLoaded(result) => self.vector_buckets_loaded(result),
            Msg::VectorDetailsLoaded { bucket, result } => {
                self.vector_details_loaded(&bucket, result);
                Vec::new()
            }
            Msg::Waiting(text) => {
                self.notice = Some(text);
                Vec::new()
            }
            Msg::Scanned { bucket, event } => {
                if self
                    .notice
                    .as_deref()
                    .is_some_and(|n| n.starts_with("waiting for OSS"))
                {
                    self.notice = None;
                }
                match &mut self.screen {
                    Screen::Scan(s) if s.bucket == bucket => s.apply(event),
                    Screen::Batch(b) => b.apply(&bucket, event),
                    _ => {}
                }
                self.batch_scanned()
            }
            Msg::ScanFailed { bucket, error } => {
                match &mut self.screen {
                    Screen::Scan(s) if s.bucket == bucket => {
                        s.scanning = false;
                        s.error = Some(error.clone());
                        self.banner = Some(error);
                    }
                    Screen::Batch(b) => b.failed(&bucket, error),
                    _ => {}
                }
                self.batch_scanned()
            }
            Msg::Engine(e) => {
                if let Screen::Progress(p) = &mut self.screen {
                    p.apply(&e);
                }
                Vec::new()
            }
            Msg::Interrupted(runs) => {
                self.interrupted = runs;
                Vec::new()
            }
            Msg::Journaled(id) => {
                if let Screen::Progress(p) = &mut self.screen {
                    p.run_id = Some(id.clone());
                }
                self.last_run_id = Some(id.clone());
                self.run_id = Some(id);
                Vec::new()
            }
            Msg::RunEnded(result) => {
                self.running = false;
                let progress = match std::mem::replace(&mut self.screen, Screen::List) {
                    Screen::Progress(p) => *p,
                    _ => Progress::new(Vec::new(), self.now),
                };
                let (summaries, error) = match result {
                    Ok(s) => (s, None),
                    Err(e) => (progress.finished.clone(), Some(e)),
                };
                self.screen = Screen::Report(Box::new(Report::new(
                    progress,
                    summaries,
                    error,
                    self.report_file.clone(),
                )));
                self.run_id = None;
                if self.quitting {
                    return vec![Effect::Quit];
                }
                // A run that did not finish is offered again on the list.
                vec![Effect::LoadInterrupted]
            }
            Msg::ExpiryPrepared { bucket, result } => {
                let screen = std::mem::replace(&mut self.screen, Screen::List);
                match (screen, result) {
                    (Screen::Scan(mut s), Ok(plan)) if s.bucket == bucket => {
                        s.notice = None;
                        self.screen = Screen::Confirm(Box::new(Confirm::expiry(plan)), Some(s));
                    }
                    (Screen::Scan(mut s), Err(e)) if s.bucket == bucket => {
                        s.notice = None;
                        self.banner = Some(e);
                        self.screen = Screen::Scan(s);
                    }
                    (other, _) => self.screen = other,
                }
                Vec::new()
            }
            Msg::ExpiryInstalled { bucket, result } => {
                if let Screen::Scan(s) = &mut self.screen {
                    if s.bucket == bucket {
                        match result {
                            Ok(text) => {
                                // Rescanned, so the pane shows the rules now installed.
                                let mut fresh = Scan::new(&bucket);
                                fresh.notice = Some(text);
                                self.screen = Screen::Scan(Box::new(fresh));
                                return vec![Effect::StartScan(bucket)];
                            }
                            Err(e) => {
                                s.notice = None;
                                self.banner = Some(e);
                            }
                        }
                    }
                }
                Vec::new()
            }
        }
    }

    /// Once every marked bucket is scanned, the batch's confirm pane opens with
    /// each bucket's preflight.
    fn batch_scanned(&mut self) -> Vec<Effect> {
        if let Screen::Batch(b) = &self.screen {
            if b.done() {
                let confirm = Confirm::run(b.preflights(), None);
                self.screen = Screen::Confirm(Box::new(confirm), None);
            }
        }
        Vec::new()
    }

    /// The interrupted-run banner's keys: resume, discard, later.
    fn on_interrupted(&mut self, k: KeyEvent) -> Option<Vec<Effect>> {
        let first = self.interrupted.first()?.clone();
        match k.code {
            KeyCode::Char(interrupted::RESUME) => {
                self.interrupted.clear();
                self.running = true;
                let names = first.buckets.split(", ").map(str::to_string).collect();
                let progress = Progress::resumed(names, self.now);
                self.screen = Screen::Progress(Box::new(progress));
                Some(vec![Effect::ResumeRun(first.id)])
            }
            KeyCode::Char(interrupted::DISCARD) => {
                self.interrupted.remove(0);
                self.notice = Some(format!(
                    "Run {} discarded: its journal is gone; nothing was sent",
                    first.id
                ));
                Some(vec![Effect::DiscardRun(first.id)])
            }
            KeyCode::Char(interrupted::LATER) => {
                self.interrupted.clear();
                self.notice =
                    Some("Later: ossweep resume lists interrupted runs, and continues one".into());
                Some(Vec::new())
            }
            _ => None,
        }
    }

    /// After the wizard quit mid-run: the run's summaries, for the normal screen.
    pub fn quitted(&self) -> Option<Quitted> {
        match (&self.screen, self.quitting) {
            (Screen::Report(r), true) => Some(Quitted {
                summaries: r.summaries.clone(),
                report_file: r.report_file.clone(),
                error: r.error.clone(),
                resume: self.last_run_id.clone().filter(|_| !self.context.demo),
            }),
            _ => None,
        }
    }

    /// The run is about to start: where its audit report goes.
    pub fn run_started(&mut self, report_file: Option<PathBuf>) {
        self.report_file = report_file;
    }

    fn on_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        self.notice = None;
        if self.help {
            self.help = false;
            return Vec::new();
        }
        let ctrl_c = k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c');
        if self.quit_prompt {
            self.quit_prompt = false;
            return match k.code {
                // Mid-run: stop after the batches in flight, then quit (the
                // summary is printed once the terminal is restored).
                KeyCode::Char('y') | KeyCode::Char('Y') if self.running => {
                    self.quitting = true;
                    if let Screen::Progress(p) = &mut self.screen {
                        p.stopping = true;
                    }
                    vec![Effect::CancelRun]
                }
                KeyCode::Char('y') | KeyCode::Char('Y') => vec![Effect::CancelRun, Effect::Quit],
                _ => Vec::new(),
            };
        }
        if let Screen::Progress(p) = &mut self.screen {
            if p.stop_prompt {
                p.stop_prompt = false;
                if matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                    p.stopping = true;
                    return vec![Effect::CancelRun];
                }
                return Vec::new();
            }
        }
        // Text input first: the filter and the confirm field take characters.
        let typing = matches!(self.screen, Screen::Confirm(..))
            || (matches!(self.screen, Screen::List) && self.list.filtering);
        if !typing && matches!(self.screen, Screen::List) {
            if let Some(effects) = self.on_interrupted(k) {
                return effects;
            }
        }
        if typing && !ctrl_c {
            return self.on_text(k);
        }
        let Some(action) = keymap::action(k) else {
            return Vec::new();
        };
        match action {
            Action::Quit => {
                if self.running {
                    self.quit_prompt = true;
                    return Vec::new();
                }
                return vec![Effect::CancelScan, Effect::Quit];
            }
            Action::Help => {
                self.help = true;
                return Vec::new();
            }
            _ => {}
        }
        if let Screen::Scan(s) = &self.screen {
            if keymap::DESTRUCTIVE.contains(&action)
                && s.preflight(engine::Action::DeleteBucket).is_err()
            {
                self.notice = Some(if s.scanning {
                    "Clearing, deleting and expiry rules wait for the scan to finish: the risks are not known yet".into()
                } else {
                    "The scan did not complete: press r to rescan before clearing or deleting"
                        .into()
                });
                return Vec::new();
            }
        }
        if !keymap::offers(self.keys(), action) {
            return Vec::new();
        }
        if self.screen == Screen::List && self.tab == Tab::Buckets {
            let l = &mut self.list;
            match action {
                Action::Top => l.jump(false),
                Action::Bottom => l.jump(true),
                Action::PageUp => l.move_by(-(keymap::PAGE_ROWS as i64)),
                Action::PageDown => l.move_by(keymap::PAGE_ROWS as i64),
                _ => return self.on_action(action),
            }
            return Vec::new();
        }
        if let Some((step, n)) = keymap::steps(action) {
            // g/G/Home/End/PgUp/PgDn: single moves, as many as they stand for
            // (every move clamps; a screen stops at its ends).
            let n = n.min(10_000);
            let mut effects = Vec::new();
            for _ in 0..n {
                effects.extend(self.on_action(step));
            }
            return effects;
        }
        self.on_action(action)
    }

    /// A key's action on the screen shown.
    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        if self.screen == Screen::List {
            return match self.tab {
                Tab::Buckets => self.on_list(action),
                Tab::Vectors => self.on_vector_list(action),
            };
        }
        let screen = std::mem::replace(&mut self.screen, Screen::List);
        let (screen, effects) = match screen {
            Screen::List => (Screen::List, Vec::new()),
            Screen::Scan(s) => self.on_scan(s, action),
            Screen::Batch(b) => match action {
                Action::Back => (Screen::List, vec![Effect::CancelScan]),
                _ => (Screen::Batch(b), Vec::new()),
            },
            Screen::Progress(p) => self.on_progress(p, action),
            Screen::Report(r) => self.on_report(r, action),
            other => (other, Vec::new()),
        };
        self.screen = screen;
        effects
    }

    fn on_text(&mut self, k: KeyEvent) -> Vec<Effect> {
        let screen = std::mem::replace(&mut self.screen, Screen::List);
        let (screen, effects) = match screen {
            Screen::Confirm(c, back) => self.on_confirm(c, back, k),
            Screen::List => {
                if !self.list.filter.apply(k) {
                    match k.code {
                        KeyCode::Esc => {
                            self.list.filter.clear();
                            self.list.filtering = false;
                        }
                        KeyCode::Enter => self.list.filtering = false,
                        KeyCode::Up => self.list.move_by(-1),
                        KeyCode::Down => self.list.move_by(1),
                        _ => {}
                    }
                }
                self.list.clamp();
                (Screen::List, Vec::new())
            }
            other => (other, Vec::new()),
        };
        self.screen = screen;
        effects
    }

    fn on_confirm(
        &mut self,
        mut c: Box<Confirm>,
        back: Option<Box<Scan>>,
        k: KeyEvent,
    ) -> (Screen, Vec<Effect>) {
        if c.input.apply(k) {
            return (Screen::Confirm(c, back), Vec::new());
        }
        match k.code {
            KeyCode::Up | KeyCode::Down => {
                let up = k.code == KeyCode::Up;
                match &mut c.intent {
                    Intent::Expiry(plan) => {
                        plan.days = if up {
                            plan.days.saturating_add(1)
                        } else {
                            plan.days.saturating_sub(1).max(MIN_DAYS)
                        }
                    }
                    Intent::Run { .. } => c.scroll_by_one(up),
                }
            }
            KeyCode::Esc => {
                return match back {
                    Some(scan) => (Screen::Scan(scan), Vec::new()),
                    None => (Screen::List, Vec::new()),
                }
            }
            KeyCode::Enter if c.matches() => {
                return match c.intent {
                    Intent::Run { preflights, .. } => {
                        self.running = true;
                        let progress = Progress::new(preflights.clone(), self.now);
                        (
                            Screen::Progress(Box::new(progress)),
                            vec![Effect::CancelScan, Effect::StartRun(preflights)],
                        )
                    }
                    Intent::Expiry(plan) => {
                        let mut scan = back.unwrap_or_else(|| Box::new(Scan::new(&plan.bucket)));
                        scan.notice = Some("Installing lifecycle expiry rules...".into());
                        (Screen::Scan(scan), vec![Effect::InstallExpiry(plan)])
                    }
                };
            }
            _ => {}
        }
        (Screen::Confirm(c, back), Vec::new())
    }

    fn on_list(&mut self, action: Action) -> Vec<Effect> {
        let l = &mut self.list;
        match action {
            // Esc clears a filter already applied.
            Action::Back => {
                l.filter.clear();
                l.clamp();
            }
            Action::Up => l.move_by(-1),
            Action::Down => l.move_by(1),
            Action::Filter => l.filtering = true,
            Action::Sort => {
                l.sort = l.sort.next();
                l.clamp();
            }
            Action::Mark => {
                if let Some(name) = l.selected_row().map(|r| r.summary.name.clone()) {
                    if !l.marked.remove(&name) {
                        l.marked.insert(name);
                    }
                    l.move_by(1);
                }
            }
            Action::Refresh => {
                l.loading = true;
                self.banner = None;
                return vec![Effect::LoadBuckets];
            }
            Action::SwitchTab => return self.switch_tab(),
            Action::Open => {
                if let Some(name) = l.selected_row().map(|r| r.summary.name.clone()) {
                    self.screen = Screen::Scan(Box::new(Scan::new(&name)));
                    return vec![Effect::StartScan(name)];
                }
            }
            Action::DeleteBucket => {
                if l.marked.is_empty() {
                    self.notice = Some(
                        "Mark buckets with Space to delete several, or open one with Enter".into(),
                    );
                    return Vec::new();
                }
                // Every marked bucket is scanned before its confirm pane opens.
                let buckets: Vec<String> = l
                    .rows
                    .iter()
                    .filter(|r| l.marked.contains(&r.summary.name))
                    .map(|r| r.summary.name.clone())
                    .collect();
                self.screen = Screen::Batch(Box::new(Batch::new(&buckets)));
                return vec![Effect::ScanBatch(buckets)];
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_scan(&mut self, mut s: Box<Scan>, action: Action) -> (Screen, Vec<Effect>) {
        let clear = match action {
            Action::Up => {
                s.move_by(-1);
                None
            }
            Action::Down => {
                s.move_by(1);
                None
            }
            Action::Back => return (Screen::List, vec![Effect::CancelScan]),
            Action::Refresh => {
                let (screen, effect) = vectors::start_scan(s.report.kind, &s.bucket);
                return (screen, vec![Effect::CancelScan, effect]);
            }
            _ if s.report.kind.is_vector() => self.vector_scan_action(&s, action),
            Action::ClearCategory => {
                let category = s.selected_category();
                if !category.clearable() {
                    self.notice = Some("OSS-HDFS data is removed in the console (Bucket > OSS-HDFS), never through the object API".into());
                    None
                } else {
                    Some(engine::Action::clear([category]))
                }
            }
            Action::ClearAll => Some(engine::Action::clear_all(s.report.kind)),
            Action::Expire => {
                s.notice = Some("Reading the lifecycle configuration...".into());
                let bucket = s.bucket.clone();
                return (
                    Screen::Scan(s),
                    vec![Effect::PrepareExpiry {
                        bucket,
                        days: MIN_DAYS,
                    }],
                );
            }
            Action::DeleteBucket => Some(engine::Action::DeleteBucket),
            _ => None,
        };
        let Some(run) = clear else {
            return (Screen::Scan(s), Vec::new());
        };
        let Ok(mut preflight) = s.preflight(run) else {
            return (Screen::Scan(s), Vec::new());
        };
        let mut instead = None;
        if preflight.action.deletes_bucket() {
            // A bucket that cannot be deleted is offered emptying instead, named as such.
            if let Some(refusal) = preflight.refusal().filter(|r| r.can_empty) {
                if let Ok(alt) = s.preflight(engine::Action::empty_only()) {
                    preflight = alt;
                    instead = Some(refusal);
                }
            }
        } else if preflight.goes.is_empty() && preflight.refusal().is_none() {
            self.notice =
                Some("Nothing to clear there: the scan found nothing ossweep can remove".into());
            return (Screen::Scan(s), Vec::new());
        }
        let confirm = Confirm::run(vec![preflight], instead);
        (
            Screen::Confirm(Box::new(confirm), Some(s)),
            vec![Effect::CancelScan],
        )
    }

    fn on_progress(&mut self, mut p: Box<Progress>, action: Action) -> (Screen, Vec<Effect>) {
        match action {
            Action::Up => p.scroll = p.scroll.saturating_sub(1),
            Action::Down => p.scroll = (p.scroll + 1).min(p.state.failures.len().saturating_sub(1)),
            Action::Back if !p.stopping => p.stop_prompt = true,
            _ => {}
        }
        (Screen::Progress(p), Vec::new())
    }

    fn on_report(&mut self, mut r: Box<Report>, action: Action) -> (Screen, Vec<Effect>) {
        match action {
            Action::Up => r.scroll = r.scroll.saturating_sub(1),
            Action::Down => r.scroll = r.scroll.saturating_add(1),
            Action::Open => {
                // After clearing categories of a bucket that stays: back to its scan
                // pane, rescanned, to work through what still blocks it.
                if let Some((kind, bucket)) = r.return_to() {
                    let (screen, effect) = vectors::start_scan(kind, &bucket);
                    return (screen, vec![effect]);
                }
                if self.tab == Tab::Vectors {
                    self.vectors.loading = true;
                    return (Screen::List, vec![Effect::LoadVectorBuckets]);
                }
                self.list.loading = true;
                self.list.marked.clear();
                return (Screen::List, vec![Effect::LoadBuckets]);
            }
            _ => {}
        }
        (Screen::Report(r), Vec::new())
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text = format!("Terminal too small: ossweep needs at least {MIN_WIDTH}x{MIN_HEIGHT}, this one is {}x{}.\nEnlarge it, or press q to quit.", area.width, area.height);
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .render(area, buf);
            return;
        }
        let offer = matches!(self.screen, Screen::List) && !self.interrupted.is_empty();
        let banner_height = if self.banner.is_some() || offer { 3 } else { 0 };
        let [header, banner, body, status, hints] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(banner_height),
            Constraint::Min(5),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.render_header(header, buf, theme);
        if let Some(e) = &self.banner {
            let mut first = vec![Span::styled(format!(" {} ", e.title), theme.danger)];
            if let Some(code) = &e.code {
                first.push(Span::styled(format!("{code} "), theme.danger));
            }
            first.push(Span::raw(e.message.clone()));
            let second = Line::from(vec![
                Span::styled(
                    format!(" request id {} ", e.request_id.as_deref().unwrap_or("-")),
                    theme.muted,
                ),
                Span::styled(" r", theme.key),
                Span::styled(" retry", theme.muted),
            ]);
            Paragraph::new(vec![Line::from(first), second])
                .wrap(Wrap { trim: true })
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
            Screen::Confirm(c, _) => screens::confirm::render(c, body, buf, theme),
            Screen::Progress(p) => screens::progress::render(p, body, buf, theme),
            Screen::Report(r) => screens::report::render(r, body, buf, theme),
        }
        let status_text = self.notice.clone().unwrap_or_default();
        Paragraph::new(Span::styled(format!(" {status_text}"), theme.warn)).render(status, buf);
        Paragraph::new(hint_line(self.keys(), theme, hints.width)).render(hints, buf);
        if self.help {
            self.render_help(area, buf, theme);
        }
        if self.quit_prompt {
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
        super::guard::neutralize(buf, area);
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
            Tab::Buckets => screens::bucket_list::render(&self.list, list, buf, theme, self.now),
            Tab::Vectors => screens::vector_list::render(&self.vectors, list, buf, theme, self.now),
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
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    fn render_help(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let table = self.keys();
        // Where categories and risks are shown, their states and marks too.
        let legend = matches!(
            self.screen,
            Screen::Scan(_) | Screen::Confirm(..) | Screen::Batch(_)
        );
        let w = area.width.min(if legend { 76 } else { 56 });
        let extra = if legend { 12 } else { 0 };
        let h = (table.len() as u16 + 4 + extra).min(area.height);
        let rect = Rect {
            x: area.x + (area.width - w) / 2,
            y: area.y + (area.height - h) / 2,
            width: w,
            height: h,
        };
        Clear.render(rect, buf);
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
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            " any key closes this help",
            theme.muted,
        )));
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::ALL).title(" Keys "))
            .render(rect, buf);
    }
}

#[cfg(test)]
mod tests;
