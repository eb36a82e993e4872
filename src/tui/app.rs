//! The wizard's state machine: `update(msg) -> effects`, no I/O; `render` reads
//! state and nothing else.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::keymap::{self, Binding, KeyAction};
pub use super::msg::Effect;
use super::msg::{ErrorInfo, Msg};
use super::screens::account::{AccountScreen, State as AccountState};
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
use crate::scan::ScanEvent;

pub mod interrupted;
mod keys;
mod render;
mod vectors;
pub use vectors::Tab;

/// Where the wizard is pointed: shown in the header of every screen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    pub profile: String,
    /// The region, or the endpoint every request goes to.
    pub target: String,
    /// `ossweep demo`: the built-in emulator, nothing real.
    pub demo: bool,
    /// What requests are signed with, in a few words (`key LTAI****1234`,
    /// `role ossweep-runner`).
    pub credentials: String,
    /// The temporary credentials held now, as they are renewed: their
    /// AccessKey ID masked and when they expire.
    pub held: Option<crate::oss::credentials::Held>,
    /// Where runs write their audit reports (`None`: no report is written).
    pub reports: Option<PathBuf>,
    /// The prices money is estimated with.
    pub prices: crate::money::PriceBook,
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
    /// The account view: every bucket's cost and standing, the totals.
    Account(Box<AccountScreen>),
}

/// What is over the screen and answers the next key (then goes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modal {
    /// The help overlay: any key closes it.
    Help,
    /// "A deletion is running. Quit?" (`y` stops the run, then quits).
    Quit,
    /// On the progress pane, "Stop after the batches in flight?".
    Stop,
}

#[derive(Clone, Debug, PartialEq)]
pub struct App {
    pub screen: Screen,
    /// Kept while other screens are open, so going back restores it.
    pub list: BucketList,
    /// The list shown: buckets or vector buckets.
    pub tab: Tab,
    pub vectors: VectorList,
    /// What is over the screen and takes the next key, if anything.
    pub modal: Option<Modal>,
    pub banner: Option<ErrorInfo>,
    /// A one-line message in the status bar.
    pub notice: Option<String>,
    pub now: Duration,
    /// Where the wizard's run stands.
    pub run: RunState,
    pub report_file: Option<PathBuf>,
    pub context: Context,
    /// Interrupted runs the bucket list offers to resume (empty: none, or later).
    pub interrupted: Vec<interrupted::Interrupted>,
    /// The running run's journal id, when it keeps one.
    pub run_id: Option<String>,
    /// The journal id of the last run started.
    pub last_run_id: Option<String>,
    /// The run under way came from the account view's "stop billing": its
    /// report leads back to the account, read again.
    pub stopping_billing: bool,
    /// The report's `F`: the next confirm pane for this bucket comes with
    /// writes frozen.
    pub freeze_next: Option<String>,
}

/// What a wizard quit mid-run leaves to print on the normal screen.
/// Where the wizard's one run stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RunState {
    #[default]
    Idle,
    /// A run is under way.
    Running,
    /// `q` was confirmed mid-run: the wizard quits once the run has stopped
    /// after its batches in flight, and its summary is printed after.
    Quitting,
}

impl RunState {
    /// Whether a run is under way (stopping included).
    pub fn active(self) -> bool {
        self != RunState::Idle
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Quitted {
    pub summaries: Vec<crate::delete::Summary>,
    pub report_file: Option<PathBuf>,
    pub error: Option<crate::engine::RunFailed>,
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
            // Loaded with the bucket list: its tab says how many there are.
            vectors: VectorList::loading(),
            modal: None,
            banner: None,
            notice: None,
            now: Duration::ZERO,
            run: RunState::Idle,
            report_file: None,
            interrupted: Vec::new(),
            run_id: None,
            last_run_id: None,
            stopping_billing: false,
            freeze_next: None,
        };
        (
            app,
            vec![
                Effect::LoadBuckets,
                Effect::LoadInterrupted,
                Effect::LoadVectorBuckets,
            ],
        )
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
            || matches!(&self.screen, Screen::Account(a) if a.state == AccountState::Loading)
    }

    pub fn keys(&self) -> &'static [Binding] {
        match &self.screen {
            Screen::List if !self.interrupted.is_empty() => keymap::LIST_INTERRUPTED,
            Screen::List => keymap::LIST,
            Screen::Scan(s) if s.items.as_ref().is_some_and(|i| i.deletable()) => keymap::ITEMS,
            Screen::Scan(s) if s.items.as_ref().is_some_and(|i| i.views.len() > 1) => {
                keymap::ITEMS_LISTS
            }
            Screen::Scan(s) if s.items.is_some() => keymap::ITEMS_VIEW,
            Screen::Scan(s) if s.report.kind.is_vector() && s.scanning => {
                keymap::VECTOR_SCAN_WAITING
            }
            Screen::Scan(s) if s.report.kind.is_vector() => keymap::VECTOR_SCAN,
            Screen::Scan(s) if s.scanning => keymap::SCAN_WAITING,
            Screen::Scan(_) => keymap::SCAN,
            Screen::Batch(_) => keymap::BATCH,
            Screen::Confirm(c, _) if c.can_freeze() => keymap::CONFIRM,
            Screen::Confirm(..) => keymap::CONFIRM_NO_FREEZE,
            Screen::Progress(_) => keymap::PROGRESS,
            Screen::Report(_) if self.stopping_billing => keymap::REPORT_TO_ACCOUNT,
            Screen::Report(r) if r.outrun().is_some() => keymap::REPORT_WRITING,
            Screen::Report(_) => keymap::REPORT,
            Screen::Account(_) => keymap::ACCOUNT,
        }
    }

    /// The action the hint bar leads with, when the context makes one the
    /// obvious next step: deleting what is marked.
    pub fn main_action(&self) -> Option<KeyAction> {
        let marked = match &self.screen {
            Screen::List => match self.tab {
                Tab::Buckets => !self.list.marked.is_empty(),
                Tab::Vectors => !self.vectors.marked.is_empty(),
            },
            Screen::Scan(s) => s.items.as_ref().is_some_and(|i| !i.marked.is_empty()),
            _ => false,
        };
        marked.then_some(match self.screen {
            Screen::List => KeyAction::DeleteBucket,
            _ => KeyAction::DeleteItems,
        })
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Resized => Vec::new(),
            Msg::AccountLoaded(r) => {
                if let Screen::Account(a) = &mut self.screen {
                    a.loaded(r, &self.context.prices);
                }
                Vec::new()
            }
            Msg::CredentialsHeld(held) => {
                self.context.held = Some(held);
                Vec::new()
            }
            Msg::Tick(now) => {
                self.now = now;
                if let Screen::Progress(p) = &mut self.screen {
                    p.tick(now);
                }
                Vec::new()
            }
            Msg::BucketsLoaded(Ok(buckets)) => {
                self.banner = None;
                let effects = buckets
                    .iter()
                    .map(|b| Effect::LoadDetails(b.name.clone()))
                    .collect();
                self.list.set(
                    buckets
                        .into_iter()
                        .map(|summary| BucketRow {
                            summary,
                            details: Details::Loading,
                            scanned: None,
                        })
                        .collect(),
                );
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
            Msg::UploadSized {
                bucket,
                upload,
                result,
            } => {
                // The drill-down, shown or waiting behind a confirm pane.
                let scan = match &mut self.screen {
                    Screen::Scan(s) => Some(s),
                    Screen::Confirm(_, Some(s)) => Some(s),
                    _ => None,
                };
                if let Some(items) = scan
                    .filter(|s| s.bucket == bucket)
                    .and_then(|s| s.items.as_mut())
                {
                    items.sizes.insert(upload, result);
                }
                Vec::new()
            }
            Msg::Waiting(text) => {
                self.notice = Some(text);
                Vec::new()
            }
            Msg::Discarded(Ok(said)) => {
                self.notice = Some(said.join("; "));
                Vec::new()
            }
            Msg::Discarded(Err(why)) => {
                self.notice = Some(format!("The run was not discarded: {why}"));
                vec![Effect::LoadInterrupted]
            }
            Msg::Scanned { bucket, event } => {
                if let ScanEvent::Finished(r) = &event {
                    self.list.scanned(&bucket, r);
                }
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
            // The demo's journals end with the demo: its questions do not
            // promise an `ossweep resume` that could not find the run.
            Msg::Journaled(_) if self.context.demo => Vec::new(),
            Msg::Journaled(id) => {
                if let Screen::Progress(p) = &mut self.screen {
                    p.run_id = Some(id.clone());
                }
                self.last_run_id = Some(id.clone());
                self.run_id = Some(id);
                Vec::new()
            }
            Msg::ResumeChecked { run, result } => {
                let Screen::Confirm(c, _) = &mut self.screen else {
                    return Vec::new();
                };
                let Intent::Resume { run: shown, check } = &mut c.intent else {
                    return Vec::new();
                };
                if *shown != run {
                    return Vec::new();
                }
                match result {
                    Ok(view) => {
                        *check = Some(*view);
                        Vec::new()
                    }
                    Err(e) => {
                        self.banner = Some(e);
                        self.screen = Screen::List;
                        vec![Effect::LoadInterrupted]
                    }
                }
            }
            Msg::RunEnded(result) => {
                let quitting = self.run == RunState::Quitting;
                if !quitting {
                    self.run = RunState::Idle;
                }
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
                if quitting {
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
                let confirm = Confirm::run(b.preflights(), None).of_account(b.account.clone());
                self.screen = Screen::Confirm(Box::new(confirm), None);
            }
        }
        Vec::new()
    }

    /// After the wizard quit mid-run: the run's summaries, for the normal screen.
    pub fn quitted(&self) -> Option<Quitted> {
        match (&self.screen, self.run == RunState::Quitting) {
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
}

#[cfg(test)]
mod tests;
