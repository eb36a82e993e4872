//! What a scanned bucket costs, in money, at its prices (`ScanReport::prices`):
//! a month of storage, the early-deletion fees of deleting now, and what the
//! two ways of emptying it bill in requests. Pure.
//!
//! Requests: OSS bills listing, deletes, aborts and DeleteBucket as PUT-type
//! requests, each at its object's class price. Whether one DeleteMultipleObjects
//! of 1000 keys is billed as one request or as 1000 is not documented, so the
//! API route is a range: from one per batch to one per key. A lifecycle rule
//! bills one PUT-type request per object it expires, at the object's class.

use serde::Serialize;

use super::report::ScanReport;
use crate::money::cost::{self, RequestKind};
use crate::money::{BucketPrices, Estimate};

/// Keys one DeleteMultipleObjects names at most.
const BATCH: u64 = 1000;

/// The bucket's storage a month: OSS's statistics per class (multipart parts
/// at Standard's price, their class not being known) when it gave them, else
/// what the scan listed.
pub fn monthly(r: &ScanReport) -> Option<Estimate> {
    let p = r.prices.as_ref()?;
    let by_class: Vec<(String, u64)> = match &r.estimate {
        Some(s) => cost::stat_classes(s),
        None => {
            let mut listed: Vec<(String, u64)> = r
                .storage_classes
                .iter()
                .map(|(c, (_, b))| (c.clone(), *b))
                .collect();
            // Versions and parts whose class the scan did not keep: Standard.
            let current: u64 = listed.iter().map(|(_, b)| b).sum();
            let all: u64 = r.categories.iter().map(|c| c.bytes).sum();
            listed.push(("Standard".into(), all.saturating_sub(current)));
            listed
        }
    };
    Some(cost::monthly(p, &by_class))
}

/// The early-deletion fees deleting everything now bills at once, and when
/// the last of them falls to 0 (`None`: no object is inside its minimum).
pub fn early_deletion(r: &ScanReport) -> Option<(Estimate, Option<i64>)> {
    let p = r.prices.as_ref()?;
    let mut fee = Estimate::of(p);
    let mut free_from = None;
    for (class, e) in &r.early_deletion {
        fee.add(
            cost::early_deletion_fee(p, class, e.billable_byte_hours),
            format!("{} storage", cost::class_name(class)),
        );
        free_from = free_from.max(e.fee_free_from);
    }
    Some((fee, free_from))
}

/// What emptying bills in requests, both ways.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteCosts {
    /// By API, each DeleteMultipleObjects billed as one request.
    pub api_low: Estimate,
    /// By API, each key of a DeleteMultipleObjects billed as a request.
    pub api_high: Estimate,
    /// By a lifecycle rule: one request per object expired.
    pub lifecycle: Estimate,
}

impl RouteCosts {
    /// `0.02 to 1.90 CNY`, or one figure when both ends agree.
    pub fn api_text(&self) -> String {
        let (low, high) = (self.api_low.text(), self.api_high.text());
        if low == high {
            low
        } else if self.api_low.unpriced.is_empty() && self.api_high.unpriced.is_empty() {
            format!("{} to {high}", cost::number(self.api_low.amount))
        } else {
            format!("{low} to {high}")
        }
    }
}

/// What deleting `entries` listed entries with `requests` requests bills:
/// the current objects at their class's price (the scan knows their
/// classes), every other entry and request at Standard's.
pub fn routes(r: &ScanReport, entries: u64, requests: u64) -> Option<RouteCosts> {
    let p = r.prices.as_ref()?;
    let batches = entries.div_ceil(BATCH);
    let mut classed: Vec<(String, u64)> = Vec::new();
    let mut left = entries;
    for (class, (n, _)) in &r.storage_classes {
        let n = (*n).min(left);
        left -= n;
        classed.push((class.clone(), n));
    }
    classed.push(("Standard".into(), left));
    let put = |class: &str, n: u64| cost::requests_fee(p, class, RequestKind::Put, n);
    let per_key = |mut e: Estimate| {
        for (class, n) in &classed {
            e.add(
                put(class, *n),
                format!("{} requests", cost::class_name(class)),
            );
        }
        e
    };
    let mut api_low = Estimate::of(p);
    api_low.add(put("Standard", requests), "Standard requests");
    let mut rest = Estimate::of(p);
    rest.add(
        put("Standard", requests.saturating_sub(batches)),
        "Standard requests",
    );
    Some(RouteCosts {
        api_low,
        api_high: per_key(rest),
        lifecycle: per_key(Estimate::of(p)),
    })
}

/// What an action costs in money: once (its requests, by either route, and
/// the early-deletion fees) and what it stops a month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionCost {
    pub requests: RouteCosts,
    /// The early-deletion fees, when the action deletes objects or versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub early_deletion: Option<Estimate>,
    /// When the last fee falls to 0 (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees_free_from: Option<i64>,
    /// The storage it stops a month, when it empties the whole bucket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stops_monthly: Option<Estimate>,
    /// `estimates at list prices as of ...`.
    pub basis: String,
}

/// What deleting `entries` listed entries with `requests` requests costs
/// (`deletes_data`: objects or versions among them; `stops_storage`: the
/// whole bucket is emptied); `None` without prices.
pub fn action(
    r: &ScanReport,
    entries: u64,
    requests: u64,
    deletes_data: bool,
    stops_storage: bool,
) -> Option<ActionCost> {
    let (early_deletion, fees_free_from) = match early_deletion(r) {
        Some((fee, free)) if deletes_data && (fee.amount > 0.0 || !fee.unpriced.is_empty()) => {
            (Some(fee), free)
        }
        _ => (None, None),
    };
    Some(ActionCost {
        requests: routes(r, entries, requests)?,
        early_deletion,
        fees_free_from,
        stops_monthly: if stops_storage { monthly(r) } else { None },
        basis: basis(r)?,
    })
}

/// A scan's money, for its JSON: a month of storage, and what deleting
/// everything now bills in early-deletion fees and when they end.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanMoney {
    pub monthly: Estimate,
    pub early_deletion: Estimate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fees_free_from: Option<i64>,
    pub basis: String,
}

/// The scan's money, when it has prices.
pub fn scan_money(r: &ScanReport) -> Option<ScanMoney> {
    let (early_deletion, fees_free_from) = early_deletion(r)?;
    Some(ScanMoney {
        monthly: monthly(r)?,
        early_deletion,
        fees_free_from,
        basis: basis(r)?,
    })
}

/// `estimates at list prices as of 2024-11-20, china site (CNY), mainland
/// regions, LRS`, when the report has prices.
pub fn basis(r: &ScanReport) -> Option<String> {
    r.prices.as_ref().map(BucketPrices::basis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::cost::GB;
    use crate::money::PriceTable;
    use crate::scan::report::EarlyDeletion;

    fn report() -> ScanReport {
        let mut r = ScanReport::new("b");
        r.prices = Some(PriceTable::builtin().for_bucket("china", "cn-hangzhou", None));
        r
    }

    #[test]
    fn early_deletion_is_money_by_class_and_ends_on_a_date() {
        let mut r = report();
        r.early_deletion.insert(
            "IA".into(),
            EarlyDeletion {
                objects: 1,
                bytes: 100 * GB as u64,
                billable_byte_hours: 100 * GB as u128 * 240,
                fee_free_from: Some(1_000),
            },
        );
        r.early_deletion.insert(
            "DeepColdArchive".into(),
            EarlyDeletion {
                objects: 1,
                bytes: 1,
                billable_byte_hours: 65_536 * 10,
                fee_free_from: Some(2_000),
            },
        );
        let (fee, free) = early_deletion(&r).unwrap();
        // 100 GB × 0.08 CNY ÷ 720 × 240 hours.
        assert!((fee.amount - 100.0 * 0.08 / 720.0 * 240.0).abs() < 1e-9);
        assert_eq!(fee.unpriced, ["Deep Cold Archive storage"]);
        assert_eq!(free, Some(2_000));
        assert!(early_deletion(&ScanReport::new("unpriced")).is_none());
    }

    #[test]
    fn the_api_route_is_a_range_and_the_lifecycle_route_bills_each_object() {
        let mut r = report();
        r.storage_classes.insert("IA".into(), (3_000, 0));
        // 3,000 IA objects and 2,000 other entries: 5 batches of 1000.
        let c = routes(&r, 5_000, 12).unwrap();
        // 12 requests at 0.01 CNY per 10,000.
        assert!((c.api_low.amount - 12.0 * 0.01 / 1e4).abs() < 1e-12);
        // 7 non-batch requests, then every key at its class's price.
        let per_key = 3_000.0 * 0.1 / 1e4 + 2_000.0 * 0.01 / 1e4;
        assert!((c.api_high.amount - (7.0 * 0.01 / 1e4 + per_key)).abs() < 1e-12);
        assert!((c.lifecycle.amount - per_key).abs() < 1e-12);
        assert_eq!(c.api_text(), "< 0.01 to 0.03 CNY");
    }

    #[test]
    fn a_month_of_storage_comes_from_the_statistics_per_class() {
        let mut r = report();
        let mut stat = crate::oss::model::BucketStat::default();
        stat.standard.storage = 10 * GB as u64;
        stat.multipart_part_storage = GB as u64;
        stat.archive.storage = 100 * GB as u64;
        stat.storage = 111 * GB as u64;
        r.estimate = Some(stat.clone());
        let m = monthly(&r).unwrap();
        assert!(
            (m.amount - (11.0 * 0.12 + 100.0 * 0.033)).abs() < 1e-9,
            "{m:?}"
        );
        assert_eq!(m.text(), "4.62 CNY");
        // A reply with the total alone: Standard.
        let total = crate::oss::model::BucketStat {
            storage: 10 * GB as u64,
            ..Default::default()
        };
        r.estimate = Some(total);
        assert_eq!(monthly(&r).unwrap().text(), "1.20 CNY");
    }
}
