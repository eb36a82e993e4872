//! The items an action names one by one (access points, LiveChannels,
//! uploads, vector indexes), checked against what the scan found. Pure.

use super::Action;
use crate::scan::ScanReport;
use crate::vocab::{Category, Target};

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
        let seen = if *category == Category::VectorIndexes {
            report.indexes.iter().any(|i| i.index.name == t.name) && t.upload_id.is_none()
        } else {
            kept.is_some_and(|l| l.items.iter().any(|f| f.is(t)))
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
