//! Listings of a bucket's entries. One abstraction (`Source`) over the three
//! listings that decide whether a bucket is empty: current objects
//! (ListObjectsV2), versions and delete markers (ListObjectVersions) and
//! incomplete multipart uploads (ListMultipartUploads). `parallel` lists any of
//! them by ranges of the key space at the same time, re-cutting long ranges
//! while it runs; `split` (pure) says where to cut.

mod layout;
mod parallel;
pub mod split;

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::FutureExt;

use super::client::{ObjectsFrom, PageMarker};
use super::model::{MultipartUpload, ObjectSummary, ObjectVersion};
use super::{parse, request, Client, OssError};

pub use layout::KeyLayout;
pub use parallel::{list_ranges, merge_spans, ListingStats, ListingTally, Span, Start};

/// Where a range's next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum From<M> {
    /// The start of the scope.
    Start,
    /// Right after this key (and all of its versions or uploads).
    After(String),
    /// Where the previous page said the next one starts.
    Resume(M),
}

/// A listing's pages (in no particular order) and what it sent, by kind.
pub type Listed<T> = (
    futures::stream::BoxStream<'static, Result<Vec<T>, OssError>>,
    Arc<ListingStats>,
);

/// One page request on its way.
pub type PageFuture<T, M> = BoxFuture<'static, Result<Page<T, M>, OssError>>;

/// One page of a listing.
#[derive(Debug)]
pub struct Page<T, M> {
    pub items: Vec<T>,
    pub next: Option<M>,
}

/// One kind of listing, in one bucket and scope.
pub trait Source: Send + Sync + 'static {
    type Item: Send + 'static;
    type Marker: PageMarker;
    /// The operation's name, for errors.
    const OP: &'static str;
    fn key_of(item: &Self::Item) -> &str;
    /// The listing's prefix (its scope); every request carries it.
    fn prefix(&self) -> &str;
    /// Up to `max` entries from `from`.
    fn page(&self, from: &From<Self::Marker>, max: u32) -> PageFuture<Self::Item, Self::Marker>;
    /// The "folders" right under `under` (one delimiter listing of current
    /// objects): boundaries that cut the key space along its hierarchy.
    fn folders(&self, under: &str) -> BoxFuture<'static, Result<Vec<String>, OssError>>;
}

/// What every source holds.
#[derive(Clone)]
struct Scope {
    client: Client,
    bucket: String,
    prefix: String,
}

impl Scope {
    fn prefix(&self) -> Option<&str> {
        (!self.prefix.is_empty()).then_some(self.prefix.as_str())
    }

    fn folders(&self, under: &str) -> BoxFuture<'static, Result<Vec<String>, OssError>> {
        let (s, under) = (self.clone(), under.to_string());
        async move {
            let page = s
                .client
                .objects_page(
                    &s.bucket,
                    Some(&under),
                    Some("/"),
                    ObjectsFrom::Start,
                    1000,
                    &|_| Ok(()),
                )
                .await?;
            Ok(page.common_prefixes)
        }
        .boxed()
    }
}

/// Current objects (ListObjectsV2): resumes by continuation token.
#[derive(Clone)]
pub struct Objects(Scope);

/// Versions and delete markers (ListObjectVersions): resumes by key and
/// version id, so a key's versions split over two pages stay in one range.
#[derive(Clone)]
pub struct Versions(Scope);

/// Incomplete multipart uploads (ListMultipartUploads): resumes by key and
/// upload id.
#[derive(Clone)]
pub struct Uploads(Scope);

impl Client {
    pub fn objects_source(&self, bucket: &str, prefix: Option<&str>) -> Objects {
        Objects(self.scope(bucket, prefix))
    }

    pub fn versions_source(&self, bucket: &str, prefix: Option<&str>) -> Versions {
        Versions(self.scope(bucket, prefix))
    }

    pub fn uploads_source(&self, bucket: &str, prefix: Option<&str>) -> Uploads {
        Uploads(self.scope(bucket, prefix))
    }

    fn scope(&self, bucket: &str, prefix: Option<&str>) -> Scope {
        Scope {
            client: self.clone(),
            bucket: bucket.to_string(),
            prefix: prefix.unwrap_or_default().to_string(),
        }
    }
}

impl Source for Objects {
    type Item = ObjectSummary;
    type Marker = String;
    const OP: &'static str = "ListObjectsV2";

    fn key_of(item: &ObjectSummary) -> &str {
        &item.key
    }

    fn prefix(&self) -> &str {
        &self.0.prefix
    }

    fn page(&self, from: &From<String>, max: u32) -> PageFuture<ObjectSummary, String> {
        let s = self.0.clone();
        let check = PageCheck::new(max, &s.prefix, from_key(from), Order::Increasing);
        let from = from.clone();
        async move {
            let at = match &from {
                From::Start => ObjectsFrom::Start,
                From::After(k) => ObjectsFrom::After(k),
                From::Resume(t) => ObjectsFrom::Resume(t),
            };
            let vet = |p: &crate::oss::model::ListObjectsPage| {
                check.check(p.objects.iter().map(|o| o.key.as_str()))
            };
            let p = s
                .client
                .objects_page(&s.bucket, s.prefix(), None, at, max, &vet)
                .await?;
            Ok(Page {
                items: p.objects,
                next: p.next_continuation_token,
            })
        }
        .boxed()
    }

    fn folders(&self, under: &str) -> BoxFuture<'static, Result<Vec<String>, OssError>> {
        self.0.folders(under)
    }
}

/// The key marker and the version-id or upload-id marker a listing resumes at:
/// after a key alone, every version (or upload) of that key is behind.
fn key_and_id(from: &From<(String, Option<String>)>) -> (Option<&str>, Option<&str>) {
    match from {
        From::Start => (None, None),
        From::After(k) => (Some(k.as_str()), None),
        From::Resume((k, id)) => (Some(k.as_str()), id.as_deref()),
    }
}

impl Source for Versions {
    type Item = ObjectVersion;
    type Marker = (String, Option<String>);
    const OP: &'static str = "ListObjectVersions";

    fn key_of(item: &ObjectVersion) -> &str {
        &item.key
    }

    fn prefix(&self) -> &str {
        &self.0.prefix
    }

    fn page(&self, from: &From<Self::Marker>, max: u32) -> PageFuture<ObjectVersion, Self::Marker> {
        let s = &self.0;
        let (km, vm) = key_and_id(from);
        let req = request::list_object_versions(&s.bucket, s.prefix(), km, vm, max);
        let client = s.client.clone();
        let check = PageCheck::new(max, &s.prefix, from_key(from), Order::KeyOrder);
        async move {
            let p = client
                .parsed(req, |body| {
                    let p = parse::list_object_versions(body)?;
                    check.check(p.entries.iter().map(|e| e.key.as_str()))?;
                    Ok(p)
                })
                .await?;
            Ok(Page {
                items: p.entries,
                next: p.next_key_marker.map(|k| (k, p.next_version_id_marker)),
            })
        }
        .boxed()
    }

    fn folders(&self, under: &str) -> BoxFuture<'static, Result<Vec<String>, OssError>> {
        self.0.folders(under)
    }
}

impl Source for Uploads {
    type Item = MultipartUpload;
    type Marker = (String, Option<String>);
    const OP: &'static str = "ListMultipartUploads";

    fn key_of(item: &MultipartUpload) -> &str {
        &item.key
    }

    fn prefix(&self) -> &str {
        &self.0.prefix
    }

    fn page(
        &self,
        from: &From<Self::Marker>,
        max: u32,
    ) -> PageFuture<MultipartUpload, Self::Marker> {
        let s = &self.0;
        let (km, um) = key_and_id(from);
        let req = request::list_multipart_uploads(&s.bucket, s.prefix(), km, um, max);
        let client = s.client.clone();
        let check = PageCheck::new(max, &s.prefix, from_key(from), Order::KeyOrder);
        async move {
            let p = client
                .parsed(req, |body| {
                    let p = parse::list_multipart_uploads(body)?;
                    check.check(p.uploads.iter().map(|u| u.key.as_str()))?;
                    Ok(p)
                })
                .await?;
            Ok(Page {
                items: p.uploads,
                next: p.next_key_marker.map(|k| (k, p.next_upload_id_marker)),
            })
        }
        .boxed()
    }

    fn folders(&self, under: &str) -> BoxFuture<'static, Result<Vec<String>, OssError>> {
        self.0.folders(under)
    }
}

/// How a listing's keys follow one another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    /// Each key after the one before (current objects).
    Increasing,
    /// Keys in order, a key repeated for its versions or uploads.
    KeyOrder,
}

/// What a page may hold, given what was asked: at most `max` entries, all
/// under the prefix, in key order, and past where it was asked to start. A
/// page that is not is a malformed reply (asked again, then an error), never
/// data: a server cannot make ossweep book keys it never asked for.
#[derive(Clone, Debug)]
struct PageCheck {
    max: usize,
    prefix: String,
    /// The key the page starts after (`true`: strictly after), when it does.
    after: Option<(String, bool)>,
    order: Order,
}

/// Where a page starts, as a key and whether strictly after it: after a key
/// alone, past all of it; at a key and a version (or upload) id, at that key
/// still (its remaining versions or uploads).
fn from_key<M: MarkerKey>(from: &From<M>) -> Option<(String, bool)> {
    match from {
        From::Start => None,
        From::After(k) => Some((k.clone(), true)),
        From::Resume(m) => m.key().map(|(k, strict)| (k.to_string(), strict)),
    }
}

/// The key part of a marker, when it has one (a continuation token has
/// none), and whether the page starts strictly after it.
trait MarkerKey {
    fn key(&self) -> Option<(&str, bool)>;
}

impl MarkerKey for String {
    fn key(&self) -> Option<(&str, bool)> {
        None
    }
}

impl MarkerKey for (String, Option<String>) {
    fn key(&self) -> Option<(&str, bool)> {
        Some((&self.0, self.1.is_none()))
    }
}

impl PageCheck {
    fn new(max: u32, prefix: &str, after: Option<(String, bool)>, order: Order) -> Self {
        PageCheck {
            max: max as usize,
            prefix: prefix.to_string(),
            after,
            order,
        }
    }

    fn check<'a>(
        &self,
        keys: impl Iterator<Item = &'a str>,
    ) -> Result<(), crate::oss::xml::XmlError> {
        let bad = |why: String| Err(crate::oss::xml::XmlError(why));
        let mut last: Option<&str> = None;
        for (n, key) in keys.enumerate() {
            if n >= self.max {
                return bad(format!(
                    "a page of more than the {} entries asked for",
                    self.max
                ));
            }
            if !key.starts_with(&self.prefix) {
                return bad(format!(
                    "a key outside the prefix asked for ({:?})",
                    crate::text::visible(key)
                ));
            }
            if let Some((after, strict)) = &self.after {
                if key < after.as_str() || (*strict && key == after) {
                    return bad(format!(
                        "a key before where the page was asked to start ({:?})",
                        crate::text::visible(key)
                    ));
                }
            }
            if let Some(prev) = last {
                let in_order = match self.order {
                    Order::Increasing => key > prev,
                    Order::KeyOrder => key >= prev,
                };
                if !in_order {
                    return bad(format!(
                        "keys out of order ({:?} after {:?})",
                        crate::text::visible(key),
                        crate::text::visible(prev)
                    ));
                }
            }
            last = Some(key);
        }
        Ok(())
    }
}

/// A listing of `source` by up to `streams` ranges at once, as a stream of pages
/// (in no particular order), with its request tally and the map of where its
/// keys lie.
pub fn parallel<S: Source>(source: S, streams: usize, start: Start) -> Listed<S::Item> {
    list_ranges(Arc::new(source), streams, start)
}

impl Start {
    /// With the `map` of an earlier listing of the same scope (the
    /// preflight's): even ranges that each hold a few pages.
    pub fn from_map(map: &KeyLayout, streams: usize) -> Self {
        Start::seeded(&map.seeds(seed_ranges(map.entries(), streams)))
    }
}

/// Pages a seeded range starts with: each range costs one short last page,
/// so a few pages each keep that overhead small.
const PAGES_PER_SEED: u64 = 3;

/// How many ranges a seeded listing of `entries` starts with: a few pages
/// each, at most four per stream (work stealing evens out the rest).
pub fn seed_ranges(entries: u64, streams: usize) -> u64 {
    (entries / (1000 * PAGES_PER_SEED)).clamp(1, streams as u64 * 4)
}

#[cfg(test)]
mod page_check_tests {
    use super::*;

    fn check(c: &PageCheck, keys: &[&str]) -> Result<(), String> {
        c.check(keys.iter().copied()).map_err(|e| e.0)
    }

    #[test]
    fn a_page_holds_only_what_was_asked_for() {
        let c = PageCheck::new(3, "logs/", Some(("logs/b".into(), true)), Order::Increasing);
        assert!(check(&c, &["logs/c", "logs/d", "logs/e"]).is_ok());
        assert!(check(&c, &[]).is_ok());
        let too_many = check(&c, &["logs/c", "logs/d", "logs/e", "logs/f"]).unwrap_err();
        assert!(
            too_many.contains("more than the 3 entries asked for"),
            "{too_many}"
        );
        assert!(check(&c, &["logs/c", "other/x"])
            .unwrap_err()
            .contains("outside the prefix"));
        assert!(check(&c, &["logs/b"])
            .unwrap_err()
            .contains("before where the page"));
        assert!(check(&c, &["logs/a"])
            .unwrap_err()
            .contains("before where the page"));
        assert!(check(&c, &["logs/d", "logs/c"])
            .unwrap_err()
            .contains("out of order"));
        assert!(check(&c, &["logs/d", "logs/d"])
            .unwrap_err()
            .contains("out of order"));
        // Versions and uploads repeat a key; a resumed marker may start at it.
        let v = PageCheck::new(1000, "", Some(("k".into(), false)), Order::KeyOrder);
        assert!(check(&v, &["k", "k", "l"]).is_ok());
        assert!(check(&v, &["l", "k"]).is_err());
        assert_eq!(
            from_key(&From::Resume(("k".to_string(), None))),
            Some(("k".into(), true))
        );
        assert_eq!(
            from_key(&From::Resume(("k".to_string(), Some("v".to_string())))),
            Some(("k".into(), false))
        );
        assert_eq!(from_key::<String>(&From::Resume("token".into())), None);
    }
}
