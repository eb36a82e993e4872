//! The risk panel: plain sentences derived from a scan report. Pure.

use serde::Serialize;

use super::report::{ScanReport, State};
use crate::oss::time;
use crate::units::{bytes, count, duration};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Danger,
    Warning,
    Info,
}

impl Severity {
    /// What the mark means, for the help.
    pub fn meaning(self) -> &'static str {
        match self {
            Severity::Danger => "data lost for good, or something that breaks",
            Severity::Warning => "worth knowing before going ahead",
            Severity::Info => "for information",
        }
    }

    /// The mark every front end puts before a risk: `!!`, `!`, `i`.
    pub fn mark(self) -> &'static str {
        match self {
            Severity::Danger => "!!",
            Severity::Warning => "!",
            Severity::Info => "i",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Risk {
    pub severity: Severity,
    /// A stable identifier (`irreversible`, `replication`...), for scripts.
    pub kind: &'static str,
    pub text: String,
}

/// OSS's account-wide request ceiling: 10,000/s, about 2,000/s for sequential key
/// names (oss-api.md §1.5). Emptying by API runs somewhere in this range.
pub const KEYS_PER_SEC_FAST: u64 = 10_000;
pub const KEYS_PER_SEC_SLOW: u64 = 2_000;
/// How long lifecycle rules take, said the same way everywhere.
pub const LIFECYCLE_TIMING: &str =
    "OSS loads lifecycle rules within 24 hours and runs them daily; a large bucket takes several days";

/// Beyond this the API route is slower than a lifecycle rule (loaded within a day).
pub const LIFECYCLE_RECOMMENDED_AFTER_SECS: u64 = 24 * 3600;

/// Requests needed to empty the bucket by API and delete it.
pub fn api_requests(r: &ScanReport) -> u64 {
    crate::blockers::requests_to_clear(
        |c| {
            r.categories
                .iter()
                .find(|x| x.category == c)
                .map_or(0, |x| x.count)
        },
        true,
    )
}

/// (fastest, slowest) seconds to delete `entries` by API.
pub fn api_seconds(entries: u64) -> (u64, u64) {
    (
        entries.div_ceil(KEYS_PER_SEC_FAST),
        entries.div_ceil(KEYS_PER_SEC_SLOW),
    )
}

/// What emptying by API costs in requests and time, against a lifecycle rule.
fn add_cost(out: &mut Vec<Risk>, r: &ScanReport, deletable: u64) {
    out.push(cost_risk(r, deletable, api_requests(r)));
}

/// The cost of a run that deletes `deletable` entries with `requests`
/// requests (the preflight passes its own scope's).
pub fn cost_risk(r: &ScanReport, deletable: u64, requests: u64) -> Risk {
    let (fast, slow) = api_seconds(deletable);
    let span = if duration(fast) == duration(slow) {
        format!("about {}", duration(slow))
    } else {
        format!("{} to {}", duration(fast), duration(slow))
    };
    let routes = super::costs::routes(r, deletable, requests);
    // Unknown request prices are said by the money line, not here.
    let billed = routes
        .as_ref()
        .filter(|c| !c.api_low.unknown())
        .map(|c| format!(" ({})", c.api_text()))
        .unwrap_or_default();
    let requests = crate::units::counted(requests, "request", "requests");
    let mut cost = if let Some(prefix) = &r.prefix {
        format!(
            "Emptying prefix {:?} by API takes about {requests}{billed} and {span}.",
            crate::text::visible(prefix),
        )
    } else if deletable == 0 {
        format!("Deleting it takes about {requests}{billed} (its attachments and the bucket).")
    } else {
        let lifecycle = routes
            .as_ref()
            .filter(|c| !c.lifecycle.unknown())
            .map(|c| format!(", {}", c.lifecycle.about()))
            .unwrap_or_default();
        format!(
            "Emptying by API takes about {requests}{billed} and {span} at {}-{} keys/s; OSS does not say whether a 1000-key delete is billed as 1 request or 1000. A lifecycle rule bills a request per object at its class's price{lifecycle}: it saves the listing and the time, not request fees ({}).",
            count(KEYS_PER_SEC_SLOW),
            count(KEYS_PER_SEC_FAST),
            LIFECYCLE_TIMING
        )
    };
    let slow_route = slow > LIFECYCLE_RECOMMENDED_AFTER_SECS;
    if slow_route {
        cost.push_str(&format!(
            " That is more than a day by API: install lifecycle rules instead (ossweep expire {}).",
            r.bucket
        ));
    }
    let severity = if slow_route {
        Severity::Warning
    } else {
        Severity::Info
    };
    Risk {
        severity,
        kind: "cost-and-time",
        text: cost,
    }
}

/// What an action costs besides its requests (which the cost line prices):
/// the storage it stops a month and the early-deletion fees, with the
/// prices' basis.
pub fn money_risk(c: &super::costs::ActionCost) -> Risk {
    let mut said = Vec::new();
    if let Some(month) = &c.stops_monthly {
        said.push(format!("this stops {} a month of storage", month.about()));
    }
    if let Some(fee) = &c.early_deletion {
        said.push(format!(
            "it bills {} in early-deletion fees at once",
            fee.about()
        ));
    }
    said.push(c.basis.clone());
    Risk {
        severity: Severity::Info,
        kind: "money",
        text: format!("Money: {}.", said.join("; ")),
    }
}

/// `3 IA objects (3.0 MiB) are inside the 30-day minimum storage duration:
/// deleting them now bills an early-deletion fee of about 0.01 CNY at once...`
fn early_deletion_text(r: &ScanReport, class: &str, e: &super::report::EarlyDeletion) -> String {
    use crate::money::cost;
    let name = cost::class_name(class);
    let days = r
        .prices
        .as_ref()
        .and_then(|p| p.minimum_days(class))
        .map(|d| format!("{d}-day "))
        .unwrap_or_default();
    let fee = r
        .prices
        .as_ref()
        .map(|p| {
            let mut fee = crate::money::Estimate::of(p);
            fee.add(
                cost::early_deletion_fee(p, class, e.billable_byte_hours),
                format!("{name} storage"),
            );
            fee.about()
        })
        .unwrap_or_else(|| "an unknown amount (no prices)".into());
    let gb_hours = e.billable_byte_hours as f64 / cost::GB;
    let until = e
        .fee_free_from
        .map(|t| {
            format!(
                ", the storage they would be billed until {}; from then on it is 0, so waiting saves nothing, it only spreads the cost",
                time::date_only(t)
            )
        })
        .unwrap_or_default();
    format!(
        "{} {name} objects ({}) are inside the {days}minimum storage duration: deleting them now bills an early-deletion fee of {fee} at once ({:.1} GB-hours){until}.",
        count(e.objects),
        bytes(e.bytes),
        gb_hours
    )
}

fn add(out: &mut Vec<Risk>, severity: Severity, kind: &'static str, text: String) {
    out.push(Risk {
        severity,
        kind,
        text,
    });
}

pub fn risks(r: &ScanReport) -> Vec<Risk> {
    let mut out = Vec::new();
    let entries = r.object_entries();
    if r.kind.is_vector() {
        return crate::blockers::risks(r);
    }
    if r.public_endpoint_forbidden {
        add(
            &mut out,
            Severity::Danger,
            "public-endpoint-forbidden",
            format!(
                "OSS refused the listings (PublicEndpointForbidden): {}.",
                crate::oss::error::PUBLIC_ENDPOINT_FORBIDDEN
            ),
        );
    }
    // What a run can actually delete now: a retention policy keeps the rest.
    let deletable = entries.saturating_sub(r.worm_protected);
    let total_bytes: u64 = r
        .categories
        .iter()
        .filter(|c| c.category.is_object_kind())
        .map(|c| c.bytes)
        .sum();
    // A scan under a prefix speaks of what is under it; the rest of the
    // bucket was not listed and is not at stake.
    let (under, scope) = match &r.prefix {
        Some(p) => (
            format!(" under prefix {:?}", crate::text::visible(p)),
            "the files under the prefix",
        ),
        None => (String::new(), "its files"),
    };
    let unknown = r
        .categories
        .iter()
        .any(|c| c.category.is_object_kind() && c.state == State::Unknown);
    if unknown {
        add(
            &mut out,
            Severity::Danger,
            "irreversible",
            format!("The objects{under} could not be listed: what would be lost is not known."),
        );
    } else if entries == 0 {
        let text = match &r.prefix {
            Some(_) => format!("No object or version lies{under}: nothing there to lose."),
            None => "The bucket stores no objects or versions: no data is lost.".into(),
        };
        add(&mut out, Severity::Info, "irreversible", text);
    } else if deletable == 0 {
        // Everything is under retention: nothing can be lost now, and the
        // retention risk says until when.
        add(
            &mut out,
            Severity::Info,
            "irreversible",
            format!(
                "Nothing{under} can be deleted now: all {} are under the retention policy.",
                crate::units::counted(entries, "object or version", "objects and versions")
            ),
        );
    } else {
        let protected_bytes: u64 = r
            .categories
            .iter()
            .filter(|c| c.category.is_object_kind())
            .map(|c| c.protected_bytes)
            .sum();
        let stay = if r.worm_protected > 0 {
            format!(
                " (the {} under the retention policy stay)",
                crate::units::count(r.worm_protected)
            )
        } else {
            String::new()
        };
        add(
            &mut out,
            Severity::Danger,
            "irreversible",
            format!(
                "Deletion is permanent: {}{under} ({}) cannot be recovered; OSS has no recycle bin{stay}.",
                crate::units::counted(deletable, "object or version", "objects and versions"),
                bytes(total_bytes.saturating_sub(protected_bytes))
            ),
        );
    }
    if r.website {
        let text = match &r.prefix {
            Some(_) => format!(
                "{} hosts a static website: {scope} stop being served as soon as they are gone.",
                r.bucket
            ),
            None => format!(
                "{} hosts a static website: it stops serving as soon as its files are gone.",
                r.bucket
            ),
        };
        add(&mut out, Severity::Danger, "website", text);
    }
    if !r.cnames.is_empty() {
        let domains: Vec<&str> = r.cnames.iter().map(|c| c.domain.as_str()).collect();
        let text = match &r.prefix {
            Some(_) => format!(
                "Custom domains are bound to this bucket ({}): links to {scope} will find nothing.",
                domains.join(", ")
            ),
            None => format!(
                "Custom domains are bound to this bucket ({}): their DNS records will point at nothing.",
                domains.join(", ")
            ),
        };
        add(&mut out, Severity::Danger, "custom-domains", text);
    }
    let mut cooldown = format!(
        "After the bucket is deleted its name \"{}\" is released; after a 4-8 hour cool-down anyone can register it.",
        r.bucket
    );
    if r.website || !r.cnames.is_empty() {
        cooldown.push_str(" Domains and links point here: consider emptying the bucket instead (ossweep empty) so nobody can take the name over.");
    }
    // A bucket under retention keeps its name until the retention ends.
    if r.worm_protected == 0 {
        add(
            &mut out,
            if r.website || !r.cnames.is_empty() {
                Severity::Danger
            } else {
                Severity::Warning
            },
            "name-cooldown",
            cooldown,
        );
    }
    for rule in &r.replication {
        let dest = format!(
            "{} ({})",
            rule.destination_bucket,
            rule.destination_location.trim_start_matches("oss-")
        );
        if rule.replicates_deletes() {
            add(
                &mut out,
                Severity::Danger,
                "replication",
                format!(
                    "Replication rule \"{}\" (Action {}) carries deletes to {dest}: emptying this bucket deletes the same objects there too. Remove the rule first if the copy must survive.",
                    rule.id, rule.action
                ),
            );
        } else {
            add(&mut out, Severity::Info, "replication", format!("Replication rule \"{}\" copies only writes to {dest}; deletes here do not reach it.", rule.id));
        }
    }
    if let Some(w) = &r.worm {
        let text = if w.state == "Locked" {
            match (r.worm_protected, r.worm_latest_release) {
                (0, _) => format!("A locked retention policy ({} days) applies, but no object is still inside its retention period.", w.retention_period_days),
                (n, Some(last)) => format!(
                    "A locked retention policy ({} days) protects {} objects: the first can be deleted on {}, the last on {}. The bucket cannot be deleted before then.",
                    w.retention_period_days,
                    count(n),
                    r.worm_earliest_release.map(time::date_only).unwrap_or_default(),
                    time::date_only(last)
                ),
                (n, None) => format!("A locked retention policy protects {} objects.", count(n)),
            }
        } else {
            format!(
                "An unlocked retention policy ({} days, {}) protects objects for now; it expires 24 hours after creation unless locked.",
                w.retention_period_days, w.state
            )
        };
        add(&mut out, Severity::Danger, "worm", text);
    }
    if let Some(installed) = &r.expiry_rules {
        let others = r.lifecycle_rules.saturating_sub(1);
        let also = if others > 0 {
            format!(" ({others} other rule(s) as well)")
        } else {
            String::new()
        };
        add(
            &mut out,
            Severity::Info,
            "expiry-installed",
            format!("{}{also}: OSS expires the data server-side, daily; what it has not reached yet is listed here.", installed.describe()),
        );
    } else if r.lifecycle_rules > 0 {
        add(
            &mut out,
            Severity::Info,
            "lifecycle",
            format!("{} lifecycle rule(s) are configured; `ossweep expire` would replace them (after saving a backup).", r.lifecycle_rules),
        );
    }
    // A freeze of ossweep's still in the policy (a run killed, or one whose
    // journal was lost): writes are refused until it ends.
    if let Some(until) = r.frozen_until.filter(|t| *t > r.scanned_at) {
        add(
            &mut out,
            Severity::Warning,
            "write-freeze",
            format!(
                "ossweep's write freeze ({}) is in the bucket policy until {}: every write to the bucket is refused until then. The run that froze it lifts it when resumed or discarded (`ossweep resume` lists it); or take that statement out of the policy.",
                crate::freeze::SID,
                crate::oss::time::iso8601_seconds(until)
            ),
        );
    }
    for (class, e) in &r.early_deletion {
        if e.objects > 0 {
            add(
                &mut out,
                Severity::Warning,
                "early-deletion",
                early_deletion_text(r, class, e),
            );
        }
    }
    if let (Some(basis), Some(month)) = (super::costs::basis(r), super::costs::monthly(r)) {
        add(
            &mut out,
            Severity::Info,
            "money",
            format!(
                "Money: its storage costs {} a month; {basis}.",
                month.about()
            ),
        );
    }
    out.extend(crate::blockers::risks(r));
    // Everything stored under retention: nothing to estimate by API (the
    // retention risk says when it frees up).
    if deletable > 0 || entries == 0 {
        add_cost(&mut out, r, deletable);
    }
    for u in &r.unreadable {
        add(&mut out, Severity::Warning, "unreadable", u.clone());
    }
    out.sort_by_key(|r| r.severity);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blockers::Category;
    use crate::oss::model::{CnameBinding, ReplicationRule, WormConfiguration};
    use crate::scan::report::EarlyDeletion;

    fn report() -> ScanReport {
        let mut r = ScanReport::new("shop-assets");
        r.category_mut(Category::Objects).count = 1_000;
        r.category_mut(Category::Objects).bytes = 1 << 30;
        r
    }

    fn kinds(r: &ScanReport) -> Vec<&'static str> {
        risks(r).iter().map(|r| r.kind).collect()
    }

    #[test]
    fn a_write_freeze_in_the_policy_is_said_until_it_ends() {
        let mut r = report();
        r.scanned_at = 1_000;
        r.frozen_until = Some(4_600);
        let said = risks(&r);
        let freeze = said.iter().find(|x| x.kind == "write-freeze").unwrap();
        assert!(
            freeze.text.contains("ossweepFreezeWrites") && freeze.text.contains("every write"),
            "{}",
            freeze.text
        );
        // Ended: the statement denies nothing any more.
        r.frozen_until = Some(999);
        assert!(!kinds(&r).contains(&"write-freeze"));
    }

    #[test]
    fn every_bucket_gets_irreversibility_cooldown_and_cost() {
        let k = kinds(&report());
        assert!(
            k.contains(&"irreversible")
                && k.contains(&"name-cooldown")
                && k.contains(&"cost-and-time")
        );
        assert!(!k.contains(&"website") && !k.contains(&"replication"));
    }

    #[test]
    fn domains_suggest_emptying_instead() {
        let mut r = report();
        r.website = true;
        r.cnames.push(CnameBinding {
            domain: "static.example.com".into(),
            status: "Enabled".into(),
            last_modified: None,
            has_certificate: false,
        });
        let all = risks(&r);
        let cooldown = all.iter().find(|x| x.kind == "name-cooldown").unwrap();
        assert!(cooldown.text.contains("4-8 hour") && cooldown.text.contains("ossweep empty"));
        assert!(all
            .iter()
            .any(|x| x.kind == "custom-domains" && x.text.contains("static.example.com")));
    }

    #[test]
    fn replication_with_deletes_is_a_danger() {
        let mut r = report();
        let rule = |action: &str| ReplicationRule {
            id: "r1".into(),
            prefixes: vec![],
            action: action.into(),
            destination_bucket: "dr".into(),
            destination_location: "oss-cn-beijing".into(),
            status: "doing".into(),
            historical_object_replication: true,
        };
        r.replication = vec![rule("ALL")];
        let all = risks(&r);
        let x = all.iter().find(|x| x.kind == "replication").unwrap();
        assert_eq!(x.severity, Severity::Danger);
        assert!(
            x.text.contains("dr (cn-beijing)")
                && x.text.contains("deletes the same objects there too")
        );
        r.replication = vec![rule("PUT")];
        assert_eq!(
            risks(&r)
                .iter()
                .find(|x| x.kind == "replication")
                .unwrap()
                .severity,
            Severity::Info
        );
    }

    #[test]
    fn worm_names_the_release_dates() {
        let mut r = report();
        r.worm = Some(WormConfiguration {
            worm_id: "w".into(),
            state: "Locked".into(),
            retention_period_days: 365,
            creation_date: None,
        });
        r.worm_protected = 12;
        r.worm_earliest_release = Some(1_767_225_600);
        r.worm_latest_release = Some(1_798_761_600);
        let text = risks(&r)
            .into_iter()
            .find(|x| x.kind == "worm")
            .unwrap()
            .text;
        assert!(
            text.contains("12 objects")
                && text.contains("2026-01-01")
                && text.contains("2027-01-01"),
            "{text}"
        );
    }

    #[test]
    fn huge_buckets_are_pointed_at_lifecycle_rules() {
        let mut r = report();
        r.category_mut(Category::Objects).count = 500_000_000;
        let text = risks(&r)
            .into_iter()
            .find(|x| x.kind == "cost-and-time")
            .unwrap()
            .text;
        assert!(
            text.contains("more than a day") && text.contains("ossweep expire shop-assets"),
            "{text}"
        );
        let small = risks(&report())
            .into_iter()
            .find(|x| x.kind == "cost-and-time")
            .unwrap()
            .text;
        assert!(!small.contains("more than a day"));
        assert_eq!(api_requests(&report()), 2 + 1);
        assert_eq!(api_seconds(1_000_000), (100, 500));
    }

    #[test]
    fn early_deletion_fees_per_class_in_gb_and_money() {
        let mut r = report();
        r.prices =
            Some(crate::money::PriceTable::builtin().for_bucket("china", "cn-hangzhou", None));
        r.early_deletion.insert(
            "ColdArchive".into(),
            EarlyDeletion {
                objects: 3,
                bytes: 3 << 30,
                // 3 GiB with 100 hours left each.
                billable_byte_hours: (3u128 << 30) * 100,
                fee_free_from: Some(1_767_225_600),
            },
        );
        let text = risks(&r)
            .into_iter()
            .find(|x| x.kind == "early-deletion")
            .unwrap()
            .text;
        // 3 GB × 0.015 CNY ÷ 720 × 100 hours = 0.00625 CNY.
        assert!(
            text.starts_with("3 Cold Archive objects (3.0 GiB) are inside the 180-day minimum storage duration: deleting them now bills an early-deletion fee of about < 0.01 CNY at once (300.0 GB-hours)")
                && text.contains("until 2026-01-01; from then on it is 0"),
            "{text}"
        );
        // No prices: the exposure in GB-hours, the money unknown.
        r.prices = None;
        let text = risks(&r)
            .into_iter()
            .find(|x| x.kind == "early-deletion")
            .unwrap()
            .text;
        assert!(
            text.contains("fee of an unknown amount (no prices) at once"),
            "{text}"
        );
    }

    #[test]
    fn risks_scale_to_the_case() {
        // An empty bucket: no "permanent loss", no lifecycle suggestion.
        let empty = ScanReport::new("empty-one");
        let r = risks(&empty);
        let loss = r.iter().find(|x| x.kind == "irreversible").unwrap();
        assert_eq!(loss.severity, Severity::Info);
        assert!(loss.text.contains("no data is lost"), "{}", loss.text);
        let cost = r.iter().find(|x| x.kind == "cost-and-time").unwrap();
        assert!(
            cost.text.starts_with("Deleting it takes about "),
            "{}",
            cost.text
        );
        assert!(!cost.text.contains("lifecycle"), "{}", cost.text);
        // One object: singular.
        let mut one = ScanReport::new("one");
        one.category_mut(Category::Objects).count = 1;
        let loss = risks(&one)
            .into_iter()
            .find(|x| x.kind == "irreversible")
            .unwrap();
        assert!(loss.text.contains("1 object or version ("), "{}", loss.text);
        // Everything under a locked retention policy: no API estimate at all.
        let mut worm = report();
        worm.worm = Some(WormConfiguration {
            worm_id: "w".into(),
            state: "Locked".into(),
            retention_period_days: 3650,
            creation_date: None,
        });
        worm.worm_protected = 1_000;
        worm.worm_latest_release = Some(2_051_222_400);
        let k = kinds(&worm);
        assert!(
            k.contains(&"worm") && !k.contains(&"cost-and-time"),
            "{k:?}"
        );
        // Nothing can be lost now, and the name is kept until the retention
        // ends: the retention risk leads, no "Deletion is permanent".
        let all = risks(&worm);
        assert_eq!(all[0].kind, "worm");
        let loss = all.iter().find(|x| x.kind == "irreversible").unwrap();
        assert_eq!(loss.severity, Severity::Info);
        assert!(
            loss.text.starts_with("Nothing can be deleted now"),
            "{}",
            loss.text
        );
        assert!(!k.contains(&"name-cooldown"), "{k:?}");
        // The lifecycle timing is the one sentence used everywhere.
        let text = risks(&report())
            .into_iter()
            .find(|x| x.kind == "cost-and-time")
            .unwrap()
            .text;
        assert!(text.contains(LIFECYCLE_TIMING), "{text}");
    }
}
