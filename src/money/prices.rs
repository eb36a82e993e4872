//! The price table (`assets/prices.toml`, or the user's own file of its
//! shape): parsed, checked, and resolved to the prices that apply to one
//! bucket (its site, region group and redundancy). A price the table lacks
//! stays `None`: shown as unknown, never as 0.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The table ossweep ships.
pub const BUILTIN: &str = include_str!("../../assets/prices.toml");

/// The storage classes OSS bills, in the names its API uses.
pub const CLASSES: [&str; 5] = [
    "Standard",
    "IA",
    "Archive",
    "ColdArchive",
    "DeepColdArchive",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    sites: BTreeMap<String, SiteFile>,
    minimums: Minimums,
    vector_buckets: Option<VectorPrices>,
    #[serde(default)]
    price: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    currency: String,
}

/// Minimum storage durations and the minimum billable size.
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Minimums {
    pub source: String,
    pub as_of: String,
    pub billable_bytes: u64,
    pub days: BTreeMap<String, u64>,
}

/// What OSS documents a vector bucket costs a month.
#[derive(Clone, Debug, Deserialize, PartialEq, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VectorPrices {
    pub monthly: f64,
    pub note: String,
    pub source: String,
    pub as_of: String,
}

/// One row of the table.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Entry {
    site: String,
    region_group: String,
    class: String,
    redundancy: String,
    storage: Option<f64>,
    put: Option<f64>,
    get: Option<f64>,
    source: String,
    as_of: String,
    confirmed: bool,
}

/// A checked price table.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceTable {
    currencies: BTreeMap<String, String>,
    minimums: Minimums,
    vector_buckets: Option<VectorPrices>,
    entries: Vec<Entry>,
}

/// The prices of one class, per GB-month and per 10,000 requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ClassPrices {
    pub storage: Option<f64>,
    pub put: Option<f64>,
    pub get: Option<f64>,
    /// Every figure comes from an official page (not a third-party summary).
    pub confirmed: bool,
}

/// The prices that apply to one bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BucketPrices {
    /// `china` or `international`.
    pub site: String,
    /// The site is the default, no profile named it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub site_assumed: bool,
    pub currency: String,
    /// `mainland` or `outside`.
    pub region_group: String,
    /// `LRS` or `ZRS`.
    pub redundancy: String,
    /// The oldest date among the prices used (`-` when none is known).
    pub as_of: String,
    /// Per class that has any price.
    pub classes: BTreeMap<String, ClassPrices>,
    pub sources: Vec<String>,
    pub minimums: Minimums,
}

/// `mainland` for the Chinese mainland's regions (`cn-*`, but Hong Kong),
/// `outside` for the others: OSS prices the two groups apart.
pub fn region_group(region: &str) -> &'static str {
    if region.starts_with("cn-") && region != "cn-hongkong" {
        "mainland"
    } else {
        "outside"
    }
}

impl PriceTable {
    /// The table ossweep ships (checked by a test).
    pub fn builtin() -> PriceTable {
        PriceTable::parse(BUILTIN).expect("the built-in price table is valid")
    }

    /// A table from its TOML text, checked: known sites, groups, classes and
    /// redundancies; prices finite and not negative.
    pub fn parse(text: &str) -> Result<PriceTable, String> {
        let file: TableFile = toml::from_str(text).map_err(|e| {
            let mut lines = e
                .to_string()
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>();
            lines.retain(|l| !l.trim().is_empty());
            lines.join("; ")
        })?;
        let currencies: BTreeMap<String, String> = file
            .sites
            .into_iter()
            .map(|(site, s)| (site, s.currency))
            .collect();
        for (i, e) in file.price.iter().enumerate() {
            let at = format!("price entry {}", i + 1);
            if !currencies.contains_key(&e.site) {
                return Err(format!("{at}: site {:?} is not one of [sites]", e.site));
            }
            if !["mainland", "outside"].contains(&e.region_group.as_str()) {
                return Err(format!(
                    "{at}: region_group must be mainland or outside, not {:?}",
                    e.region_group
                ));
            }
            if !CLASSES.contains(&e.class.as_str()) {
                return Err(format!(
                    "{at}: class must be one of {}, not {:?}",
                    CLASSES.join(", "),
                    e.class
                ));
            }
            if !["LRS", "ZRS"].contains(&e.redundancy.as_str()) {
                return Err(format!(
                    "{at}: redundancy must be LRS or ZRS, not {:?}",
                    e.redundancy
                ));
            }
            for (name, v) in [("storage", e.storage), ("put", e.put), ("get", e.get)] {
                if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
                    return Err(format!("{at}: {name} must be a price of 0 or more"));
                }
            }
        }
        if file
            .minimums
            .days
            .keys()
            .any(|c| !CLASSES.contains(&c.as_str()))
        {
            return Err("[minimums] days: a key is not a storage class".into());
        }
        if file
            .vector_buckets
            .as_ref()
            .is_some_and(|v| !v.monthly.is_finite() || v.monthly < 0.0)
        {
            return Err("[vector_buckets] monthly must be a price of 0 or more".into());
        }
        Ok(PriceTable {
            currencies,
            minimums: file.minimums,
            vector_buckets: file.vector_buckets,
            entries: file.price,
        })
    }

    /// What a vector bucket costs a month, when the table says.
    pub fn vector_buckets(&self) -> Option<&VectorPrices> {
        self.vector_buckets.as_ref()
    }

    /// The sites the table knows.
    pub fn sites(&self) -> impl Iterator<Item = &str> {
        self.currencies.keys().map(String::as_str)
    }

    /// The prices of a bucket in `region` with `redundancy` (`LRS` when not
    /// known), on `site`. Several rows of one class add up, the first price
    /// of each kind winning.
    pub fn for_bucket(&self, site: &str, region: &str, redundancy: Option<&str>) -> BucketPrices {
        let group = region_group(region);
        let redundancy = redundancy.unwrap_or("LRS");
        let mut classes: BTreeMap<String, ClassPrices> = BTreeMap::new();
        let mut sources: Vec<String> = Vec::new();
        let mut dates: Vec<&str> = Vec::new();
        for e in self
            .entries
            .iter()
            .filter(|e| e.site == site && e.region_group == group && e.redundancy == redundancy)
        {
            let first = !classes.contains_key(&e.class);
            let c = classes.entry(e.class.clone()).or_default();
            c.confirmed = (first || c.confirmed) && e.confirmed;
            c.storage = c.storage.or(e.storage);
            c.put = c.put.or(e.put);
            c.get = c.get.or(e.get);
            if !sources.contains(&e.source) {
                sources.push(e.source.clone());
            }
            dates.push(&e.as_of);
        }
        BucketPrices {
            site: site.to_string(),
            site_assumed: false,
            currency: self
                .currencies
                .get(site)
                .cloned()
                .unwrap_or_else(|| "?".into()),
            region_group: group.to_string(),
            redundancy: redundancy.to_string(),
            as_of: dates.into_iter().min().unwrap_or("-").to_string(),
            classes,
            sources,
            minimums: self.minimums.clone(),
        }
    }
}

impl BucketPrices {
    /// The class's prices (`Standard` for an unknown class name, as OSS
    /// treats an object without one).
    pub fn class(&self, class: &str) -> Option<&ClassPrices> {
        let class = if class.is_empty() { "Standard" } else { class };
        self.classes.get(class)
    }

    /// `estimates at list prices as of 2024-11-20, china site (CNY), mainland
    /// region group, LRS`: said once on every screen with money.
    pub fn basis(&self) -> String {
        let assumed = if self.site_assumed {
            ", assumed: set `site` in the profile"
        } else {
            ""
        };
        if self.classes.is_empty() {
            return format!(
                "the price table has no prices for {} regions on the {} site ({}{assumed})",
                self.region_group, self.site, self.currency
            );
        }
        format!(
            "estimates at list prices as of {}, {} site ({}{assumed}), {} regions, {}",
            self.as_of, self.site, self.currency, self.region_group, self.redundancy
        )
    }

    /// The minimum storage duration of `class`, in days, if it has one.
    pub fn minimum_days(&self, class: &str) -> Option<u64> {
        self.minimums.days.get(class).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_is_valid_and_dated() {
        let t = PriceTable::builtin();
        assert_eq!(t.sites().collect::<Vec<_>>(), ["china", "international"]);
        let p = t.for_bucket("china", "cn-hangzhou", None);
        assert_eq!(
            (p.currency.as_str(), p.region_group.as_str()),
            ("CNY", "mainland")
        );
        let standard = p.class("Standard").unwrap();
        assert_eq!(
            (standard.storage, standard.put, standard.get),
            (Some(0.12), Some(0.01), Some(0.01))
        );
        assert!(!standard.confirmed, "its PUT price is a third party's");
        assert_eq!(p.as_of, "2024-11-20");
        assert_eq!(p.minimum_days("IA"), Some(30));
        assert_eq!(p.minimums.billable_bytes, 64 * 1024);
        // Deep Cold Archive has no price: unknown, not 0.
        assert!(p.class("DeepColdArchive").is_none());
        // Outside the mainland the table knows nothing.
        assert!(t
            .for_bucket("china", "ap-southeast-1", None)
            .classes
            .is_empty());
        assert_eq!(region_group("cn-hongkong"), "outside");
        // ZRS has its own prices.
        let zrs = t.for_bucket("china", "cn-shanghai", Some("ZRS"));
        assert_eq!(zrs.class("Standard").unwrap().storage, Some(0.15));
        let usd = t.for_bucket("international", "cn-beijing", None);
        assert_eq!(
            (
                usd.currency.as_str(),
                usd.class("Standard").unwrap().storage,
                usd.class("Standard").unwrap().put
            ),
            ("USD", Some(0.0173), None)
        );
    }

    #[test]
    fn a_table_with_a_mistake_is_refused_with_where_it_is() {
        let bad = BUILTIN.replacen("class = \"IA\"", "class = \"Infrequent\"", 1);
        let e = PriceTable::parse(&bad).unwrap_err();
        assert!(e.contains("price entry") && e.contains("Infrequent"), "{e}");
        let negative = BUILTIN.replacen("storage = 0.12", "storage = -1", 1);
        assert!(PriceTable::parse(&negative)
            .unwrap_err()
            .contains("storage"));
        let unknown = BUILTIN.replacen("[sites.china]", "[sites.china]\nvat = 1", 1);
        assert!(PriceTable::parse(&unknown).is_err());
    }
}
