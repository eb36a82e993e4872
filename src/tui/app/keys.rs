//! Keys: what each key does on the screen shown (pure state changes and the
//! effects they ask for).

use super::super::screens::account::AccountScreen;
use super::*;
use crate::tui::screens::items::Items;
use crate::tui::screens::listing::Asked;
use crate::vocab::BucketKind;

impl App {
    /// The interrupted-run banner's keys: resume, discard, later.
    fn on_interrupted(&mut self, k: KeyEvent) -> Option<Vec<Effect>> {
        let first = self.interrupted.first()?.clone();
        match keymap::action(k)? {
            // Never a deletion from one key: the engine's check opens in the
            // confirm pane, and the name must be typed there.
            KeyAction::ResumeRun if self.list.loading => {
                self.notice = Some("Wait for the bucket list: then R checks the run".into());
                Some(Vec::new())
            }
            KeyAction::ResumeRun => {
                self.interrupted.clear();
                self.screen = Screen::Confirm(Box::new(Confirm::resume(&first.id)), None);
                Some(vec![Effect::CheckResume(first.id)])
            }
            KeyAction::DiscardRun => {
                self.interrupted.remove(0);
                self.notice = Some(match first.frozen {
                    Some(_) => format!(
                        "Lifting the write freeze of run {}, then discarding it...",
                        first.id
                    ),
                    None => format!("Discarding run {}...", first.id),
                });
                Some(vec![Effect::DiscardRun(first.id)])
            }
            KeyAction::LeaveRun => {
                self.interrupted.clear();
                self.notice =
                    Some("Later: ossweep resume lists interrupted runs, and continues one".into());
                Some(Vec::new())
            }
            _ => None,
        }
    }

    pub(super) fn on_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        self.notice = None;
        let ctrl_c = k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c');
        let yes = matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y'));
        match self.modal.take() {
            None => {}
            Some(Modal::Help) => return Vec::new(),
            Some(Modal::Stop) => {
                if let Screen::Progress(p) = &mut self.screen {
                    if yes {
                        p.stopping = true;
                        return vec![Effect::CancelRun];
                    }
                    return Vec::new();
                }
                // The run ended under the question: the key is the report's.
            }
            Some(Modal::Quit) => {
                return match k.code {
                    // Mid-run: stop after the batches in flight, then quit (the
                    // summary is printed once the terminal is restored).
                    KeyCode::Char('y') | KeyCode::Char('Y') if self.run.active() => {
                        self.run = RunState::Quitting;
                        if let Screen::Progress(p) = &mut self.screen {
                            p.stopping = true;
                        }
                        vec![Effect::CancelRun]
                    }
                    KeyCode::Char('y') | KeyCode::Char('Y') => {
                        vec![Effect::CancelRun, Effect::Quit]
                    }
                    _ => Vec::new(),
                };
            }
        }
        // Text input first: the filter and the confirm field take characters.
        let typing = match &self.screen {
            Screen::Confirm(..) => true,
            Screen::List => match self.tab {
                Tab::Buckets => self.list.filtering,
                Tab::Vectors => self.vectors.filtering,
            },
            Screen::Scan(s) => s.items.as_ref().is_some_and(|i| i.filtering),
            _ => false,
        };
        if !typing && matches!(self.screen, Screen::List) {
            if let Some(effects) = self.on_interrupted(k) {
                return effects;
            }
        }
        // `?` is help on the confirm pane too: no name typed there holds one.
        if typing && matches!(self.screen, Screen::Confirm(..)) && k.code == KeyCode::Char('?') {
            self.modal = Some(Modal::Help);
            return Vec::new();
        }
        if typing && !ctrl_c {
            return self.on_text(k);
        }
        let Some(action) = keymap::action(k) else {
            return Vec::new();
        };
        match action {
            KeyAction::Quit => {
                if self.run.active() {
                    self.modal = Some(Modal::Quit);
                    return Vec::new();
                }
                return vec![Effect::CancelScan, Effect::Quit];
            }
            KeyAction::Help => {
                self.modal = Some(Modal::Help);
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
        // The lists jump and page themselves (a long list is not walked a
        // row at a time).
        if self.screen == Screen::List {
            return self.on_list(action);
        }
        // On the scan pane PgUp/PgDn scroll the risks (the categories fit).
        if let Screen::Scan(s) = &mut self.screen {
            if s.items.is_none() && matches!(action, KeyAction::PageUp | KeyAction::PageDown) {
                s.scroll_risks(action == KeyAction::PageUp);
                return Vec::new();
            }
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
    fn on_action(&mut self, action: KeyAction) -> Vec<Effect> {
        if self.screen == Screen::List {
            return self.on_list(action);
        }
        let screen = std::mem::replace(&mut self.screen, Screen::List);
        let (screen, effects) = match screen {
            Screen::List => (Screen::List, Vec::new()),
            Screen::Scan(s) => self.on_scan(s, action),
            Screen::Batch(b) => match action {
                KeyAction::Back => (Screen::List, vec![Effect::CancelScan]),
                _ => (Screen::Batch(b), Vec::new()),
            },
            Screen::Progress(p) => self.on_progress(p, action),
            Screen::Report(r) => self.on_report(r, action),
            Screen::Account(a) => self.on_account(a, action),
            other => (other, Vec::new()),
        };
        self.screen = screen;
        effects
    }

    fn on_text(&mut self, k: KeyEvent) -> Vec<Effect> {
        let screen = std::mem::replace(&mut self.screen, Screen::List);
        let (screen, effects) = match screen {
            Screen::Confirm(c, back) => self.on_confirm(c, back, k),
            Screen::Scan(mut s) => {
                if let Some(items) = &mut s.items {
                    if !items.filter.apply(k) {
                        match k.code {
                            KeyCode::Esc => {
                                items.filter.clear();
                                items.filtering = false;
                            }
                            KeyCode::Enter => items.filtering = false,
                            KeyCode::Up => items.move_by(-1),
                            KeyCode::Down => items.move_by(1),
                            _ => {}
                        }
                    }
                    items.clamp();
                }
                (Screen::Scan(s), Vec::new())
            }
            Screen::List => {
                match self.tab {
                    Tab::Buckets => self.list.type_filter(k),
                    Tab::Vectors => self.vectors.type_filter(k),
                }
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
            KeyCode::Char('f') if k.modifiers.contains(KeyModifiers::CONTROL) => c.toggle_freeze(),
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
                    Intent::Run { .. } | Intent::Resume { .. } => c.scroll_by_one(up),
                }
            }
            // Leaving a resume's pane lets its locks go; the run is offered again.
            KeyCode::Esc if matches!(c.intent, Intent::Resume { .. }) => {
                return (
                    Screen::List,
                    vec![Effect::DropResume, Effect::LoadInterrupted],
                )
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
                        self.run = RunState::Running;
                        let progress = Progress::new(preflights.clone(), self.now);
                        (
                            Screen::Progress(Box::new(progress)),
                            vec![Effect::CancelScan, Effect::StartRun(preflights)],
                        )
                    }
                    Intent::Resume {
                        run,
                        check: Some(view),
                    } => {
                        self.run = RunState::Running;
                        let names = view.resumable().iter().map(|b| b.bucket.clone()).collect();
                        let progress = Progress::resumed(names, self.now);
                        (
                            Screen::Progress(Box::new(progress)),
                            vec![Effect::ResumeRun(run)],
                        )
                    }
                    // Not checked yet: `matches` is false.
                    Intent::Resume { check: None, .. } => (Screen::List, Vec::new()),
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

    /// A key on either list: the list changes itself, and says what it asks
    /// of the wizard (a scan, a batch, a relisting).
    fn on_list(&mut self, action: KeyAction) -> Vec<Effect> {
        if action == KeyAction::Account {
            self.screen = Screen::Account(Box::new(AccountScreen::loading()));
            return vec![Effect::LoadAccount];
        }
        let (kind, asked) = match self.tab {
            Tab::Buckets => (BucketKind::Object, self.list.act(action)),
            Tab::Vectors => (BucketKind::Vector, self.vectors.act(action)),
        };
        match asked {
            Asked::Nothing => Vec::new(),
            Asked::Notice(text) => {
                self.notice = Some(text.into());
                Vec::new()
            }
            Asked::SwitchTab => self.switch_tab(),
            Asked::Refresh => {
                self.banner = None;
                vec![match kind {
                    BucketKind::Object => Effect::LoadBuckets,
                    BucketKind::Vector => Effect::LoadVectorBuckets,
                }]
            }
            Asked::Open(name) => {
                let (screen, effect) = vectors::start_scan(kind, &name);
                self.screen = screen;
                vec![effect]
            }
            Asked::Batch { buckets, hidden } => {
                // Marked buckets the filter hides are part of the batch: said.
                if !hidden.is_empty() {
                    self.notice = Some(format!(
                        "{} marked and hidden by the filter also in this batch: {}",
                        hidden.len(),
                        hidden.join(", ")
                    ));
                }
                // Every marked bucket is scanned before its confirm pane opens.
                self.screen = Screen::Batch(Box::new(Batch::new(kind, &buckets)));
                vec![Effect::ScanBatch(kind, buckets)]
            }
        }
    }

    fn on_scan(&mut self, mut s: Box<Scan>, action: KeyAction) -> (Screen, Vec<Effect>) {
        if s.items.is_some() {
            return self.on_items(s, action);
        }
        let clear = match action {
            KeyAction::Up => {
                s.move_by(-1);
                None
            }
            KeyAction::Down => {
                s.move_by(1);
                None
            }
            KeyAction::Back => return (Screen::List, vec![Effect::CancelScan]),
            KeyAction::Refresh => {
                let (screen, effect) = vectors::start_scan(s.report.kind, &s.bucket);
                return (screen, vec![Effect::CancelScan, effect]);
            }
            _ if s.report.kind.is_vector() => self.vector_scan_action(&s, action),
            KeyAction::Open if !s.scanning => {
                let mut items = Items::open(&s.report, s.selected_category());
                let effects = sizes_of(&s.bucket, &mut items);
                s.items = Some(items);
                return (Screen::Scan(s), effects);
            }
            KeyAction::ClearCategory => {
                let category = s.selected_category();
                if !category.clearable() {
                    self.notice = Some(category.facts().never_cleared.into());
                    None
                } else {
                    Some(engine::Action::clear([category]))
                }
            }
            KeyAction::ClearAll => Some(engine::Action::clear_all(s.report.kind)),
            KeyAction::Expire => {
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
            KeyAction::DeleteBucket => Some(engine::Action::DeleteBucket),
            _ => None,
        };
        let Some(run) = clear else {
            return (Screen::Scan(s), Vec::new());
        };
        self.confirm_from_scan(s, run)
    }

    /// The drill-down's keys: move, filter, mark, switch lists, delete items.
    fn on_items(&mut self, mut s: Box<Scan>, action: KeyAction) -> (Screen, Vec<Effect>) {
        let Some(items) = s.items.as_mut() else {
            return (Screen::Scan(s), Vec::new());
        };
        match action {
            KeyAction::Up => items.move_by(-1),
            KeyAction::Down => items.move_by(1),
            KeyAction::Filter => items.filtering = true,
            KeyAction::Mark => items.toggle_mark(),
            KeyAction::SwitchTab => items.next_view(),
            // Esc clears an applied filter first, then goes back to the categories.
            KeyAction::Back if !items.filter.is_empty() => {
                items.filter.clear();
                items.clamp();
            }
            KeyAction::Back => {
                s.items = None;
                return (Screen::Scan(s), Vec::new());
            }
            KeyAction::DeleteItems => {
                let targets = items.targets();
                if targets.is_empty() {
                    self.notice = Some("Nothing selected to delete".into());
                } else {
                    let run = engine::Action::clear_items(items.category, targets);
                    return self.confirm_from_scan(s, run);
                }
            }
            _ => {}
        }
        // Moving on asks for the next uploads' sizes.
        let effects = match s.items.as_mut() {
            Some(items) => sizes_of(&s.bucket, items),
            None => Vec::new(),
        };
        (Screen::Scan(s), effects)
    }

    /// The confirm pane for `run` on the scanned bucket, from the engine's
    /// preflight (a bucket that cannot be deleted is offered emptying instead).
    fn confirm_from_scan(&mut self, s: Box<Scan>, run: engine::Action) -> (Screen, Vec<Effect>) {
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
        let bucket = preflight.bucket.clone();
        let mut confirm = Confirm::run(vec![preflight], instead);
        if self.freeze_next.take().is_some_and(|b| b == bucket) {
            confirm.toggle_freeze();
        }
        (
            Screen::Confirm(Box::new(confirm), Some(s)),
            vec![Effect::CancelScan],
        )
    }

    fn on_progress(&mut self, mut p: Box<Progress>, action: KeyAction) -> (Screen, Vec<Effect>) {
        match action {
            KeyAction::Up => p.scroll = p.scroll.saturating_sub(1),
            KeyAction::Down => {
                p.scroll = (p.scroll + 1).min(p.state.failures.len().saturating_sub(1))
            }
            KeyAction::Back if !p.stopping => self.modal = Some(Modal::Stop),
            _ => {}
        }
        (Screen::Progress(p), Vec::new())
    }

    /// The account view: move, read again, back, or stop billing: every
    /// object bucket that can go, scanned, then one typed confirmation that
    /// names the count and the account.
    fn on_account(
        &mut self,
        mut a: Box<AccountScreen>,
        action: KeyAction,
    ) -> (Screen, Vec<Effect>) {
        match action {
            KeyAction::Up | KeyAction::Down => a.move_by(action == KeyAction::Up),
            KeyAction::Mark => a.toggle(),
            KeyAction::Refresh => {
                return (
                    Screen::Account(Box::new(AccountScreen::loading())),
                    vec![Effect::LoadAccount],
                )
            }
            KeyAction::Back => return (Screen::List, Vec::new()),
            KeyAction::StopBilling => {
                let buckets = a.can_go();
                if buckets.is_empty() {
                    self.notice = Some("No bucket is marked to go: see each one's standing".into());
                } else {
                    self.stopping_billing = true;
                    let mut batch = Batch::mixed(&buckets);
                    batch.account = a.account_id();
                    batch.stop_billing = true;
                    return (
                        Screen::Batch(Box::new(batch)),
                        vec![Effect::ScanEach(buckets)],
                    );
                }
            }
            _ => {}
        }
        (Screen::Account(a), Vec::new())
    }

    fn on_report(&mut self, mut r: Box<Report>, action: KeyAction) -> (Screen, Vec<Effect>) {
        match action {
            KeyAction::Up => r.scroll = r.scroll.saturating_sub(1),
            KeyAction::Down => r.scroll = (r.scroll + 1).min(r.max_scroll.get()),
            KeyAction::FreezeWrites => {
                if let Some(bucket) = r.outrun() {
                    // Scanned again; the confirm pane it leads to comes
                    // with writes frozen.
                    self.freeze_next = Some(bucket.clone());
                    self.notice = Some(format!(
                        "Scanning {bucket} again: D (or a, c) opens the confirm pane with writes frozen (^F there turns it off)"
                    ));
                    let (screen, effect) = vectors::start_scan(BucketKind::Object, &bucket);
                    return (screen, vec![effect]);
                }
            }
            KeyAction::Open if self.stopping_billing => {
                // Stopping the billing ends on the account, read again: what
                // remains, and why.
                self.stopping_billing = false;
                self.list.marked.clear();
                return (
                    Screen::Account(Box::new(AccountScreen::loading())),
                    vec![Effect::LoadAccount, Effect::LoadBuckets],
                );
            }
            KeyAction::Open => {
                // After clearing categories of a bucket that stays: back to its scan
                // pane, rescanned, to work through what still blocks it.
                if let Some((kind, bucket)) = r.return_to() {
                    let (screen, effect) = vectors::start_scan(kind, &bucket);
                    return (screen, vec![effect]);
                }
                if self.tab == Tab::Vectors {
                    self.vectors.loading = true;
                    self.vectors.marked.clear();
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
}

/// The effect asking for the drill-down's next upload sizes, if any are due.
fn sizes_of(bucket: &str, items: &mut Items) -> Vec<Effect> {
    let uploads = items.sizes_wanted();
    if uploads.is_empty() {
        return Vec::new();
    }
    vec![Effect::SizeUploads {
        bucket: bucket.to_string(),
        uploads,
    }]
}
