//! The risks of an action, money included: the scan's risks that concern
//! it (the cost line priced for its own scope), the irreversibility sentence
//! built from what goes, and what it costs once and what it stops; and, after
//! the run, what it came to in money. Pure.

use super::*;

/// What `action` costs in money, when it deletes anything and the report
/// has prices.
pub(super) fn money_of(report: &ScanReport, action: &Action, goes: &[Item]) -> Option<ActionCost> {
    if goes.is_empty() && !action.deletes_bucket() {
        return None;
    }
    let scope = action.scope(report.kind);
    let deletable: u64 = goes
        .iter()
        .filter(|i| i.category.is_object_kind())
        .map(|i| i.count)
        .sum();
    let data = [
        Category::Objects,
        Category::PreviousVersions,
        Category::DeleteMarkers,
        Category::Parts,
    ];
    let empties_all = action.deletes_bucket()
        || (report.prefix.is_none() && data.iter().all(|c| scope.contains(c)));
    crate::scan::costs::action(
        report,
        deletable,
        requests(goes, action.deletes_bucket()),
        deletable > 0
            && (scope.contains(&Category::Objects) || scope.contains(&Category::PreviousVersions)),
        empties_all,
    )
}

pub(super) fn risks_of(
    report: &ScanReport,
    action: &Action,
    goes: &[Item],
    indexes: &[IndexReport],
    named: &[String],
) -> Vec<Risk> {
    let scope = action.scope(report.kind);
    let objects = scope.iter().any(|c| c.is_object_kind());
    let current = scope.contains(&Category::Objects);
    let mut out: Vec<Risk> = risk::risks(report)
        .into_iter()
        .filter(|r| match r.kind {
            "irreversible" => false,
            // Only a bucket that can be deleted gives its name up.
            "name-cooldown" => {
                action.deletes_bucket() && matches!(verdict(report), Verdict::Deletable { .. })
            }
            "website" | "custom-domains" => current,
            "replication" | "worm" | "early-deletion" => objects,
            // What emptying costs, when the action empties something (or
            // deletes the bucket, which says what that takes).
            "cost-and-time" => {
                objects
                    && (action.deletes_bucket() || goes.iter().any(|i| i.category.is_object_kind()))
            }
            "lifecycle" => action.deletes_bucket(),
            "applications" => !goes.is_empty(),
            "live-stream" => false,
            // OSS-HDFS data matters to emptying and to deleting the bucket,
            // not to deleting one access point.
            "oss-hdfs" => objects || action.deletes_bucket(),
            _ => true,
        })
        .map(|r| match r.kind {
            // The cost of this action, not of emptying the whole bucket: the
            // same number as the preflight's own estimate.
            "cost-and-time" => {
                let deletable = goes
                    .iter()
                    .filter(|i| i.category.is_object_kind())
                    .map(|i| i.count)
                    .sum();
                risk::cost_risk(report, deletable, requests(goes, action.deletes_bucket()))
            }
            _ => r,
        })
        .collect();
    // What this action costs once, and the storage it stops.
    out.retain(|r| r.kind != "money");
    if let Some(cost) = money_of(report, action, goes) {
        out.push(risk::money_risk(&cost));
    }
    if report.kind.is_vector() && !goes.is_empty() {
        let vectors: u64 = indexes.iter().filter_map(|i| i.vectors).sum();
        let more = if indexes.iter().any(|i| i.more_vectors) {
            "+"
        } else {
            ""
        };
        let names: Vec<&str> = indexes.iter().map(|i| i.index.name.as_str()).collect();
        out.push(Risk {
            severity: Severity::Danger,
            kind: "irreversible",
            text: format!(
                "Deletion is permanent: {} ({}) with {}{more} vectors cannot be recovered.",
                Category::VectorIndexes.counted(indexes.len() as u64),
                names.join(", "),
                count(vectors)
            ),
        });
    } else if let (Action::ClearItems { category, .. }, false) = (action, goes.is_empty()) {
        let one = named.len() == 1;
        let (it, them) = category.facts().consequence;
        let what = if one { it } else { them };
        out.push(Risk {
            severity: Severity::Danger,
            kind: "irreversible",
            text: format!(
                "Deletion is permanent: {} ({}); {what}.",
                category.counted(named.len() as u64),
                named.join(", ")
            ),
        });
    } else if !goes.is_empty() {
        // What clearing markers alone brings back comes first: it is the
        // opposite of what "delete" suggests.
        let (restored, restored_bytes) = restored_by(report, action);
        if restored > 0 {
            out.push(Risk {
                severity: Severity::Danger,
                kind: "markers-restore",
                text: format!(
                    "Deleting the delete markers makes {} ({}) readable again: someone deleted them, and a marker is all that hides them. To have the data gone, clear the delete markers together with the previous versions.",
                    crate::units::counted(restored, "object", "objects"),
                    bytes(restored_bytes)
                ),
            });
        }
        let (promoted, promoted_bytes) = promoted_by(report, action);
        if promoted > 0 {
            out.push(Risk {
                severity: Severity::Warning,
                kind: "versions-promote",
                text: format!(
                    "In a versioned bucket, deleting the current versions makes the previous version of {} ({}) current: they stay readable, with older content. To have the data gone, clear the previous versions too.",
                    crate::units::counted(promoted, "object", "objects"),
                    bytes(promoted_bytes)
                ),
            });
        }
        let (n, size) = goes
            .iter()
            .fold((0, 0), |(n, b), i| (n + i.count, b + i.bytes));
        let markers_only = goes.iter().all(|i| i.category == Category::DeleteMarkers);
        out.push(Risk {
            severity: Severity::Danger,
            kind: "irreversible",
            text: if markers_only {
                format!(
                    "Deleting these {} cannot be undone; they hold no data themselves.",
                    Category::DeleteMarkers.counted(n)
                )
            } else {
                format!(
                    "Deletion is permanent: these {} items ({}) cannot be recovered; OSS has no recycle bin.",
                    count(n),
                    bytes(size)
                )
            },
        });
    }
    // The live streams the action itself would cut (the named channels only).
    if action.scope(report.kind).contains(&Category::LiveChannels) {
        out.extend(crate::blockers::live_channels::live_streams(
            report,
            action.items(),
        ));
    }
    out.sort_by_key(|r| r.severity);
    out
}

impl Preflight {
    /// What the run `s` came to in money: the storage it stopped, its
    /// requests and the early-deletion fees it incurred (`None`: no prices,
    /// or a dry run).
    pub fn money_outcome(&self, s: &Summary) -> Option<String> {
        let m = self.money.as_ref().filter(|_| !s.dry_run)?;
        let currency = &m.requests.api_low.currency;
        let mut said = Vec::new();
        if let (true, Some(month)) = (s.bucket_deleted, &m.stops_monthly) {
            said.push(format!("it was costing {} a month", month.about()));
        }
        if self.requests > 0 && m.requests.api_low.unpriced.is_empty() {
            let each = m.requests.api_low.amount / self.requests as f64;
            said.push(format!(
                "its {} bill about {} (more if OSS bills each deleted key)",
                crate::units::counted(s.sent, "request", "requests"),
                crate::money::amount_text(each * s.sent as f64, currency)
            ));
        }
        if let Some(fee) = &m.early_deletion {
            let data = |c: Category| matches!(c, Category::Objects | Category::PreviousVersions);
            let confirmed: u64 = self
                .goes
                .iter()
                .filter(|i| data(i.category))
                .map(|i| i.count)
                .sum();
            let deleted: u64 = s
                .categories
                .iter()
                .filter(|(c, _)| data(**c))
                .map(|(_, t)| t.deleted)
                .sum();
            if deleted > 0 && confirmed > 0 {
                let share = (deleted as f64 / confirmed as f64).min(1.0);
                let mut incurred = fee.clone();
                incurred.amount *= share;
                said.push(format!("early-deletion fees of up to {}", incurred.about()));
            }
        }
        if said.is_empty() {
            return None;
        }
        Some(format!("Money: {}; {}.", said.join("; "), m.basis))
    }
}
