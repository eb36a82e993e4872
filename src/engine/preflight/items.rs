//! The items an action names one by one (access points, LiveChannels,
//! uploads, vector indexes), checked against what the scan found. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::Action;
use crate::blockers::{Category, Role};
use crate::scan::{ScanReport, State};
use crate::vocab::Target;

/// Uploads named by their id alone get their key from the scan (when it
/// found exactly one upload with that id); the others stay as named.
pub(super) fn resolve_uploads(report: &ScanReport, action: Action) -> Action {
    let Action::ClearItems {
        category: Category::Parts,
        items,
    } = &action
    else {
        return action;
    };
    let found = report.found.get(&Category::Parts);
    let resolved = items.iter().map(|t| {
        if !t.name.is_empty() {
            return t.clone();
        }
        let matches: Vec<Target> = found
            .into_iter()
            .flat_map(|l| &l.items)
            .filter_map(crate::scan::found::Found::target)
            .filter(|f| f.upload_id == t.upload_id)
            .collect();
        match &matches[..] {
            [one] => one.clone(),
            _ => t.clone(),
        }
    });
    Action::clear_items(Category::Parts, resolved)
}

/// The items an action names, split into those the scan found (described)
/// and those it did not.
#[derive(Default)]
pub(super) struct Named {
    pub found: Vec<String>,
    pub unknown: Vec<String>,
}

pub(super) fn named_items(report: &ScanReport, action: &Action) -> Named {
    let (Action::ClearItems { category, items }, mut named) = (action, Named::default()) else {
        return Named::default();
    };
    let kept = report.found.get(category);
    for t in items {
        let seen = match category.role() {
            Role::Indexes => {
                report.indexes.iter().any(|i| i.index.name == t.name) && t.upload_id.is_none()
            }
            Role::Listed | Role::Data | Role::Attachment | Role::Manual => {
                kept.is_some_and(|l| l.items.iter().any(|f| f.is(t)))
            }
        };
        if seen {
            named.found.push(t.describe());
        } else {
            named.unknown.push(format!(
                "{} has no {} named {}",
                report.bucket,
                category.noun_one(),
                t.describe()
            ));
        }
    }
    named
}

/// The names a run may delete in each category bound by name that the action
/// clears: those the scan found (or, for items named one by one, those named).
/// A category the scan could not list has no entry.
pub(super) fn confirmed_names(
    report: &ScanReport,
    action: &Action,
) -> BTreeMap<Category, BTreeSet<String>> {
    action
        .scope(report.kind)
        .into_iter()
        .filter(|c| c.bound_by_name() && report.category(*c).state != State::Unknown)
        .map(|c| {
            let names: BTreeSet<String> = match action.items() {
                Some(items) => items.iter().map(|t| t.name.clone()).collect(),
                None => report.names_found(c),
            };
            (c, names)
        })
        .collect()
}
