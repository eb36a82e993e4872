//! Money: what a bucket costs a month and what an action costs once, as
//! estimates at list prices.
//!
//! - **Prices** come from a table (`prices`; `assets/prices.toml` built in,
//!   or the file a profile's `prices` or `--prices` names), by site (the China
//!   site bills in CNY, the international site in USD: OSS's API does not say
//!   which an account is on, so it is the profile's `site`, `china` unless
//!   set), region group (the Chinese mainland or outside it), storage class
//!   and redundancy (LRS or ZRS). Each row names its source and date.
//! - **Costs** are pure functions of those prices (`cost`): storage per
//!   GB-month (a GB is 1024³ bytes, a month 720 hours), requests per 10,000 at
//!   their class's price, and early deletion: billable size (at least 64 KB
//!   for the classes with a minimum duration) × monthly price ÷ 720 × the
//!   hours of the minimum still to run, counted from Last-Modified (IA,
//!   Archive) or the transition (Cold and Deep Cold Archive).
//! - **Unknown is never 0.** A price the table lacks leaves its part out of
//!   a sum, and the sum says what it leaves out (`Estimate::unpriced`).
//!
//! The book (site and table) is chosen once per process from the
//! configuration (`install`); the scan reads it to price what it finds.

pub mod cost;
pub mod prices;

use std::sync::OnceLock;

pub use cost::{amount_text, Estimate};
pub use prices::{BucketPrices, PriceTable};

/// The site assumed when a profile names none.
pub const DEFAULT_SITE: &str = "china";

/// The prices in use: a table and the account's site.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceBook {
    pub site: String,
    /// No profile named the site: the default was taken, and money says so.
    pub site_assumed: bool,
    pub table: PriceTable,
}

impl Default for PriceBook {
    fn default() -> Self {
        PriceBook {
            site: DEFAULT_SITE.into(),
            site_assumed: true,
            table: PriceTable::builtin(),
        }
    }
}

impl PriceBook {
    /// The book for `site` with `table`, refused when the table has no such
    /// site.
    pub fn new(site: &str, table: PriceTable) -> Result<Self, String> {
        if !table.sites().any(|s| s == site) {
            return Err(format!(
                "site {site:?} is not in the price table (it has {})",
                table.sites().collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(PriceBook {
            site: site.to_string(),
            site_assumed: false,
            table,
        })
    }

    /// The prices an account-wide total states its currency and date by:
    /// the mainland's (the group the table knows best), LRS.
    pub fn reference(&self) -> BucketPrices {
        let mut p = self.table.for_bucket(&self.site, "cn-hangzhou", None);
        p.site_assumed = self.site_assumed;
        p
    }

    /// What a vector bucket costs a month, as the table says OSS documents
    /// it (`None`: the table does not say).
    pub fn vector_monthly(&self) -> Option<Estimate> {
        let v = self.table.vector_buckets()?;
        Some(Estimate {
            amount: v.monthly,
            currency: self.reference().currency,
            unpriced: Vec::new(),
            prices_as_of: v.as_of.clone(),
            price_sources: vec![v.source.clone()],
        })
    }

    /// The prices of a bucket in `region`, with `redundancy` if known.
    pub fn for_bucket(&self, region: &str, redundancy: Option<&str>) -> BucketPrices {
        let mut p = self.table.for_bucket(&self.site, region, redundancy);
        p.site_assumed = self.site_assumed;
        p
    }
}

static BOOK: OnceLock<PriceBook> = OnceLock::new();

/// Chooses the process's prices (once; later calls change nothing).
pub fn install(book: PriceBook) {
    let _ = BOOK.set(book);
}

/// The process's prices: those installed, else the built-in table on the
/// default site.
pub fn book() -> &'static PriceBook {
    BOOK.get_or_init(PriceBook::default)
}
