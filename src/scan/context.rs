//! What the scans of one bucket's blockers share: [`Scanning`], the bucket
//! and the report being counted, with the ways a scan books what it found.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{found, ScanEvent, ScanReport, State};
use crate::blockers::Category;
use crate::oss::model::{Versioning, WormConfiguration};
use crate::oss::{Client, OssError};

/// What the blockers' scans of one bucket share: what they need to know of
/// the bucket, and the report they count into.
pub struct Scanning {
    pub client: Client,
    pub bucket: String,
    /// Objects, versions, markers and uploads are listed only under it.
    pub prefix: Option<String>,
    pub region: String,
    pub versioning: Versioning,
    pub worm: Option<WormConfiguration>,
    pub cancel: CancellationToken,
    /// The Unix time retention and fee ages are measured against.
    pub now: i64,
    pub report: Mutex<ScanReport>,
    pub events: Option<mpsc::Sender<ScanEvent>>,
}

/// Adds what a listing sent to the report, however the listing ends.
pub struct Tally<'a>(pub &'a Scanning, pub Arc<crate::oss::listing::ListingStats>);

impl Drop for Tally<'_> {
    fn drop(&mut self) {
        let t = self.1.tally();
        self.0.report.lock().unwrap().listing.add(&t);
    }
}

impl Scanning {
    /// The report's prefix, as the listings take it.
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    pub async fn counted(&self, category: Category) {
        let (count, bytes) = {
            let r = self.report.lock().unwrap();
            let c = r.category(category);
            (c.count, c.bytes)
        };
        if let Some(tx) = &self.events {
            let _ = tx
                .send(ScanEvent::Counted {
                    category,
                    count,
                    bytes,
                })
                .await;
        }
    }

    pub fn set(&self, category: Category, state: State, note: Option<String>) {
        let mut r = self.report.lock().unwrap();
        let c = r.category_mut(category);
        c.state = state;
        c.note = note;
    }

    pub fn unreadable(&self, what: &str, e: &OssError) {
        let mut r = self.report.lock().unwrap();
        r.unreadable
            .push(format!("Could not read the {what}: {}", first_line(e)));
        r.public_endpoint_forbidden |= e.is_code("PublicEndpointForbidden");
    }

    /// A listing failed: nothing is known about the category.
    pub fn listing_failed(&self, category: Category, what: &str, e: &OssError) {
        self.unreadable(what, e);
        let unsupported = e.is_code("NotImplemented");
        let note = match e.api() {
            Some(api) if unsupported => format!("not supported by this endpoint ({})", api.op),
            _ => format!("listing failed: {}", first_line(e)),
        };
        self.set(category, State::Unknown, Some(note));
        self.report
            .lock()
            .unwrap()
            .category_mut(category)
            .unsupported = unsupported;
    }

    /// Keeps what is behind a category's count, when it holds anything.
    pub fn found(&self, category: Category, listed: found::Listed) {
        if !listed.is_empty() {
            self.report.lock().unwrap().found.insert(category, listed);
        }
    }

    /// Stores a category's final count and announces it.
    pub async fn count(&self, category: Category, n: u64) {
        self.report.lock().unwrap().category_mut(category).count = n;
        self.counted(category).await;
    }
}

pub fn first_line(e: &OssError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// A category holding `count` blocks the deletion; none is clear.
pub fn blocks_if(count: u64) -> State {
    if count > 0 {
        State::Blocks
    } else {
        State::Clear
    }
}
