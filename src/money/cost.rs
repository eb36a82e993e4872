//! What storage, requests and early deletion cost, from a bucket's prices:
//! pure functions, and the sums they make. A sum keeps what it could not
//! price: it says so, and never counts it as 0.

use serde::Serialize;

use super::prices::BucketPrices;

/// Bytes in the GB OSS bills by.
pub const GB: f64 = 1024.0 * 1024.0 * 1024.0;
/// Hours in the month OSS's prices are per (30 days).
pub const HOURS_PER_MONTH: f64 = 720.0;

/// A sum of money at list prices, what it leaves out for want of a price,
/// and the prices' date and sources.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Estimate {
    pub amount: f64,
    pub currency: String,
    /// What has no price in the table (`Archive storage`): not in `amount`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unpriced: Vec<String>,
    /// The oldest date of the prices it could use.
    pub prices_as_of: String,
    pub price_sources: Vec<String>,
}

impl Estimate {
    /// Nothing yet, at the prices `p`.
    pub fn of(p: &BucketPrices) -> Self {
        Estimate {
            amount: 0.0,
            currency: p.currency.clone(),
            unpriced: Vec::new(),
            prices_as_of: p.as_of.clone(),
            price_sources: p.sources.clone(),
        }
    }

    /// Adds `amount`, or notes `what` as unpriced when there is no price.
    pub fn add(&mut self, amount: Option<f64>, what: impl Into<String>) {
        match amount {
            Some(a) => self.amount += a,
            None => {
                let what = what.into();
                if !self.unpriced.contains(&what) {
                    self.unpriced.push(what);
                }
            }
        }
    }

    /// Another estimate in the same currency, added.
    pub fn plus(mut self, other: &Estimate) -> Estimate {
        self.amount += other.amount;
        for u in &other.unpriced {
            if !self.unpriced.contains(u) {
                self.unpriced.push(u.clone());
            }
        }
        for s in &other.price_sources {
            if !self.price_sources.contains(s) {
                self.price_sources.push(s.clone());
            }
        }
        // The oldest known date; `-` is no date.
        let known = |d: &str| d != "-";
        if known(&other.prices_as_of)
            && (!known(&self.prices_as_of) || other.prices_as_of < self.prices_as_of)
        {
            self.prices_as_of = other.prices_as_of.clone();
        }
        self
    }

    /// Whether nothing at all could be priced.
    pub fn unknown(&self) -> bool {
        self.amount == 0.0 && !self.unpriced.is_empty()
    }

    /// For a sentence: `about 12.34 CNY`, `about 12.34 CNY + Archive storage
    /// (no price)`, or `an unknown amount (no price for Archive storage)`.
    pub fn about(&self) -> String {
        if self.unknown() {
            format!(
                "an unknown amount (no price for {})",
                self.unpriced.join(", ")
            )
        } else {
            format!("about {}", self.text())
        }
    }

    /// A table cell: `12.34 CNY`, `?` when nothing could be priced, `12.34+?`
    /// when a part could not.
    pub fn cell(&self) -> String {
        if self.unknown() {
            "?".into()
        } else if self.unpriced.is_empty() {
            amount_text(self.amount, &self.currency)
        } else {
            format!("{}+? {}", number(self.amount), self.currency)
        }
    }

    /// `12.34 CNY`, `< 0.01 CNY`, `0 CNY`; `unknown (no price for Archive
    /// storage)`; `12.34 CNY + Archive storage (no price)`.
    pub fn text(&self) -> String {
        if self.unknown() {
            return format!("unknown (no price for {})", self.unpriced.join(", "));
        }
        let amount = amount_text(self.amount, &self.currency);
        if self.unpriced.is_empty() {
            amount
        } else {
            format!("{amount} + {} (no price)", self.unpriced.join(", "))
        }
    }
}

/// `12.34 CNY`; `0.0042 USD` stays readable as `< 0.01 USD`; `0 CNY`.
pub fn amount_text(amount: f64, currency: &str) -> String {
    format!("{} {currency}", number(amount))
}

/// `12.34`, `< 0.01`, `0`, `1,234`: an amount without its currency.
pub fn number(amount: f64) -> String {
    if amount == 0.0 {
        "0".into()
    } else if amount < 0.01 {
        "< 0.01".into()
    } else if amount >= 1000.0 {
        crate::units::count(amount.round() as u64)
    } else {
        format!("{amount:.2}")
    }
}

/// What storing `bytes` of `class` costs a month.
pub fn storage_per_month(p: &BucketPrices, class: &str, bytes: u64) -> Option<f64> {
    if bytes == 0 {
        return Some(0.0);
    }
    p.class(class)?
        .storage
        .map(|price| bytes as f64 / GB * price)
}

/// The storage of each class OSS's statistics give, multipart parts at
/// Standard's price (their class is not known), and what the total has
/// beyond the classes (an endpoint that gives only the total) too.
pub fn stat_classes(s: &crate::oss::model::BucketStat) -> Vec<(String, u64)> {
    let colder = s.infrequent_access.storage
        + s.archive.storage
        + s.cold_archive.storage
        + s.deep_cold_archive.storage;
    let unclassed = s
        .storage
        .saturating_sub(colder + s.standard.storage + s.multipart_part_storage);
    vec![
        (
            "Standard".into(),
            s.standard.storage + s.multipart_part_storage + unclassed,
        ),
        ("IA".into(), s.infrequent_access.storage),
        ("Archive".into(), s.archive.storage),
        ("ColdArchive".into(), s.cold_archive.storage),
        ("DeepColdArchive".into(), s.deep_cold_archive.storage),
    ]
}

/// What a month of storage costs, over `(class, bytes)` pairs.
pub fn monthly(p: &BucketPrices, by_class: &[(String, u64)]) -> Estimate {
    let mut e = Estimate::of(p);
    for (class, bytes) in by_class {
        e.add(storage_per_month(p, class, *bytes), storage_item(p, class));
    }
    e
}

/// The size OSS bills an object of `size` in `class` for: at least the
/// class's minimum (64 KB for IA, Archive and the Cold classes).
pub fn billable_bytes(p: &BucketPrices, class: &str, size: u64) -> u64 {
    match p.minimum_days(class) {
        Some(_) => size.max(p.minimums.billable_bytes),
        None => size,
    }
}

/// Hours of `class`'s minimum storage duration still to run for an object
/// stored since `since`, at `now` (0 once it has passed, or for a class
/// without one). OSS bills whole hours.
pub fn remaining_hours(p: &BucketPrices, class: &str, since: i64, now: i64) -> u64 {
    let Some(days) = p.minimum_days(class) else {
        return 0;
    };
    let stored_hours = ((now - since).max(0) / 3600) as u64;
    (days * 24).saturating_sub(stored_hours)
}

/// The early-deletion fee of `byte_hours` (billable bytes times remaining
/// hours, summed over objects) of `class`: GB × monthly price ÷ 720 × hours.
pub fn early_deletion_fee(p: &BucketPrices, class: &str, byte_hours: u128) -> Option<f64> {
    if byte_hours == 0 {
        return Some(0.0);
    }
    p.class(class)?
        .storage
        .map(|price| byte_hours as f64 / GB * price / HOURS_PER_MONTH)
}

/// The kind a request is billed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestKind {
    Put,
    Get,
}

/// What `n` requests of `kind` cost at `class`'s price.
pub fn requests_fee(p: &BucketPrices, class: &str, kind: RequestKind, n: u64) -> Option<f64> {
    if n == 0 {
        return Some(0.0);
    }
    let c = p.class(class)?;
    let per_10k = match kind {
        RequestKind::Put => c.put,
        RequestKind::Get => c.get,
    }?;
    Some(n as f64 / 10_000.0 * per_10k)
}

/// `Archive storage`, `Standard storage outside the mainland`: what a
/// missing price is named by.
pub fn storage_item(p: &BucketPrices, class: &str) -> String {
    let outside = if p.region_group == "outside" {
        " outside the mainland"
    } else {
        ""
    };
    format!("{} storage{outside}", class_name(class))
}

/// `Cold Archive` for `ColdArchive`.
pub fn class_name(class: &str) -> &str {
    match class {
        "ColdArchive" => "Cold Archive",
        "DeepColdArchive" => "Deep Cold Archive",
        "" => "Standard",
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::prices::PriceTable;
    use proptest::prelude::*;

    /// The international site's IA price, as in Alibaba's worked example.
    fn usd() -> BucketPrices {
        PriceTable::builtin().for_bucket("international", "cn-hangzhou", None)
    }

    /// Alibaba's example (storage-fees page): 100 GB of IA deleted after 480
    /// hours, at 0.015 USD per GB-month, is billed 100 × 0.015 / 720 × 240 =
    /// 0.50 USD.
    #[test]
    fn the_early_deletion_fee_of_alibabas_worked_example() {
        let p = usd();
        let since = 0;
        let now = 480 * 3600;
        let hours = remaining_hours(&p, "IA", since, now);
        assert_eq!(hours, 240);
        let bytes = 100 * GB as u64;
        let fee = early_deletion_fee(&p, "IA", bytes as u128 * hours as u128).unwrap();
        assert!((fee - 0.50).abs() < 1e-9, "{fee}");
        assert_eq!(amount_text(fee, "USD"), "0.50 USD");
    }

    #[test]
    fn small_objects_are_billed_at_64_kb_and_standard_has_no_minimum() {
        let p = usd();
        assert_eq!(billable_bytes(&p, "IA", 1), 65_536);
        assert_eq!(billable_bytes(&p, "IA", 1 << 20), 1 << 20);
        assert_eq!(billable_bytes(&p, "Standard", 1), 1);
        assert_eq!(remaining_hours(&p, "Standard", 0, 0), 0);
        assert_eq!(remaining_hours(&p, "ColdArchive", 0, 0), 180 * 24);
    }

    #[test]
    fn a_missing_price_is_unknown_never_zero() {
        let p = usd();
        // The international site has no request prices in the table.
        assert_eq!(requests_fee(&p, "Standard", RequestKind::Put, 5), None);
        let e = monthly(
            &p,
            &[
                ("Standard".into(), 10 * GB as u64),
                ("Archive".into(), GB as u64),
            ],
        );
        assert!((e.amount - 0.173).abs() < 1e-9);
        assert_eq!(e.unpriced, ["Archive storage"]);
        assert_eq!(e.text(), "0.17 USD + Archive storage (no price)");
        let none = monthly(&p, &[("Archive".into(), GB as u64)]);
        assert_eq!(none.text(), "unknown (no price for Archive storage)");
        assert_eq!(monthly(&p, &[]).text(), "0 USD");
    }

    #[test]
    fn requests_are_priced_per_10000_at_their_class() {
        let cny = PriceTable::builtin().for_bucket("china", "cn-hangzhou", None);
        let f = requests_fee(&cny, "IA", RequestKind::Put, 20_000).unwrap();
        assert!((f - 0.2).abs() < 1e-12);
        let s = requests_fee(&cny, "Standard", RequestKind::Get, 10_000).unwrap();
        assert!((s - 0.01).abs() < 1e-12);
    }

    proptest! {
        /// A fee is never negative, and is 0 once the minimum has passed.
        #[test]
        fn an_early_deletion_fee_is_never_negative_and_ends(
            class in prop::sample::select(vec!["Standard", "IA", "Archive", "ColdArchive"]),
            size in 0u64..(1 << 40),
            age in 0i64..(400 * 86_400),
        ) {
            let p = PriceTable::builtin().for_bucket("china", "cn-hangzhou", None);
            let hours = remaining_hours(&p, class, 0, age);
            let fee = early_deletion_fee(&p, class, billable_bytes(&p, class, size) as u128 * hours as u128);
            if let Some(fee) = fee {
                prop_assert!(fee >= 0.0);
            }
            let minimum = p.minimum_days(class).unwrap_or(0) as i64 * 86_400;
            if age >= minimum {
                prop_assert_eq!(hours, 0);
                prop_assert_eq!(fee, Some(0.0));
            }
        }

        /// A month's total over several classes is the sum of each class's.
        #[test]
        fn a_total_is_the_sum_of_its_parts(sizes in prop::collection::vec(0u64..(1 << 42), 4)) {
            let p = PriceTable::builtin().for_bucket("china", "cn-hangzhou", None);
            let classes = ["Standard", "IA", "Archive", "ColdArchive"];
            let pairs: Vec<(String, u64)> = classes.iter().map(|c| c.to_string()).zip(sizes.iter().copied()).collect();
            let total = monthly(&p, &pairs);
            let parts: f64 = pairs.iter().map(|(c, b)| storage_per_month(&p, c, *b).unwrap()).sum();
            prop_assert!((total.amount - parts).abs() <= 1e-9 * parts.max(1.0));
            prop_assert!(total.unpriced.is_empty());
        }
    }
}
