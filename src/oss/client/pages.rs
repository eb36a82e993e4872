//! Paging helpers: plain pagination, one page of lookahead, and the check that
//! a listing moves forward (split listings are in `oss::listing`).

use super::*;
use std::collections::VecDeque;

/// A next-page marker, and what "moving forward" means for it.
pub trait PageMarker: Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static {
    /// Whether `self` (the next page's marker) moves on from `prev` (this page's).
    /// Opaque tokens only have to differ; key markers must not go backwards.
    fn follows(&self, prev: &Self) -> bool {
        self != prev
    }
}

impl PageMarker for String {}
impl PageMarker for u32 {}

/// (key-marker, version-id-marker or upload-id-marker): keys never go backwards,
/// and within one key the second marker must change.
impl PageMarker for (String, Option<String>) {
    fn follows(&self, prev: &Self) -> bool {
        self.0 > prev.0 || (self.0 == prev.0 && self.1 != prev.1)
    }
}

/// Pages in a row with no entries that a listing may return (OSS can answer a
/// truncated empty page; not a hundred of them).
const MAX_EMPTY_PAGES: u32 = 100;
/// How many recent markers a repeat is looked for in (catches short cycles).
const RECENT_MARKERS: usize = 8;

/// Refuses a listing that stops moving forward (pure): a next marker equal to
/// this page's or one of the last few, one that goes backwards, or a long run of
/// empty pages.
#[derive(Debug)]
pub struct Advance<M> {
    recent: VecDeque<M>,
    empty_run: u32,
}

impl<M: PageMarker> Default for Advance<M> {
    fn default() -> Self {
        Advance {
            recent: VecDeque::new(),
            empty_run: 0,
        }
    }
}

impl<M: PageMarker> Advance<M> {
    /// `current` is the marker this page was requested with; `next` what it named.
    pub fn marker(
        &mut self,
        op: &'static str,
        current: Option<&M>,
        next: &M,
    ) -> Result<(), OssError> {
        let stalled = |detail: &str| OssError::Stalled {
            op,
            marker: format!("{next:?}"),
            detail: detail.to_string(),
        };
        if let Some(cur) = current {
            if next == cur || self.recent.contains(next) {
                return Err(stalled(
                    "the server named a next-page marker it had already named",
                ));
            }
            if !next.follows(cur) {
                return Err(stalled("the next-page marker goes backwards"));
            }
            if self.recent.len() == RECENT_MARKERS {
                self.recent.pop_front();
            }
            self.recent.push_back(cur.clone());
        }
        Ok(())
    }

    /// A page with `items` entries that has a next page.
    pub fn items(&mut self, op: &'static str, next: &M, items: usize) -> Result<(), OssError> {
        self.empty_run = if items == 0 { self.empty_run + 1 } else { 0 };
        if self.empty_run >= MAX_EMPTY_PAGES {
            return Err(OssError::Stalled {
                op,
                marker: format!("{next:?}"),
                detail: format!("{MAX_EMPTY_PAGES} empty pages in a row"),
            });
        }
        Ok(())
    }
}

/// How often a read whose reply does not parse is asked for, in all.
pub const MALFORMED_ATTEMPTS: u32 = 3;

/// Pages as a stream with one request of lookahead: the next page's marker is
/// peeked from a reply (see `parse::peek_*`) and that page is requested while
/// this one is parsed. The full parse must agree with the peek, or the stream
/// ends with an error rather than skip or repeat a page.
pub fn prefetched_pages<M, T>(
    client: Client,
    initial: Option<M>,
    build: impl Fn(Option<&M>) -> OssRequest + Send + Sync + 'static,
    peek: MarkerPeek<M>,
    parse: PageParser<M, T>,
) -> BoxStream<'static, Result<Vec<T>, OssError>>
where
    M: PageMarker,
    T: Send + 'static,
{
    type Pending = tokio::task::JoinHandle<Result<(Reply, &'static str), OssError>>;
    let build = Arc::new(build);
    let spawn = move |client: &Client, build: &PageRequest<M>, marker: Option<M>| -> Pending {
        let req = build(marker.as_ref());
        let client = client.clone();
        tokio::spawn(async move { client.send(&req).await.map(|r| (r, req.op)) })
    };
    let build: PageRequest<M> = build;
    let first = spawn(&client, &build, initial.clone());
    let start = Some((first, initial, Advance::default()));
    stream::unfold(start, move |state| {
        let (client, build) = (client.clone(), build.clone());
        async move {
            let (mut pending, current, mut advance) = state?;
            // A page whose reply does not parse (cut or garbled in transit) is
            // asked for again: listings are reads.
            let mut tries = 1;
            loop {
                let (reply, op) = match pending.await {
                    Ok(Ok(r)) => r,
                    Ok(Err(e)) => return Some((Err(e), None)),
                    Err(e) => {
                        return Some((
                            Err(OssError::InvalidInput(format!("listing task failed: {e}"))),
                            None,
                        ))
                    }
                };
                let malformed = |detail: String| OssError::Malformed {
                    op,
                    status: reply.status,
                    detail,
                    snippet: snippet(&reply.body),
                };
                let body = reply.text();
                let page = peek(&body).and_then(|next| {
                    let (items, parsed_next) = parse(&body)?;
                    if parsed_next == next {
                        Ok((items, next))
                    } else {
                        Err(XmlError("the next-page marker is inconsistent".into()))
                    }
                });
                let (items, next) = match page {
                    Ok(p) => p,
                    Err(e) if tries < MALFORMED_ATTEMPTS => {
                        tracing::debug!(op, detail = %e.0, "reply did not parse; asking again");
                        tries += 1;
                        pending = spawn(&client, &build, current.clone());
                        continue;
                    }
                    Err(e) => return Some((Err(malformed(e.0)), None)),
                };
                if let Some(n) = &next {
                    let checked = advance
                        .marker(op, current.as_ref(), n)
                        .and_then(|()| advance.items(op, n, items.len()));
                    if let Err(e) = checked {
                        return Some((Err(e), None));
                    }
                }
                let following = next.clone().map(|m| spawn(&client, &build, Some(m)));
                let state = following.map(|f| (f, next, advance));
                return Some((Ok(items), state));
            }
        }
    })
    .boxed()
}

/// Builds the request for a page, given where to resume.
pub type PageRequest<M> = Arc<dyn Fn(Option<&M>) -> OssRequest + Send + Sync>;
/// Parses a page into its entries and the next page's marker.
pub type PageParser<M, T> = fn(&str) -> Result<(Vec<T>, Option<M>), XmlError>;
/// Reads the next page's marker without parsing the entries.
pub type MarkerPeek<M> = fn(&str) -> Result<Option<M>, XmlError>;

/// Pages as a stream: `fetch(marker)` returns one page's items and the next marker.
/// One page is held at a time; after an error, or a marker that does not
/// advance (see [`Advance`]), the stream ends.
pub fn paginate_pages<M, T, F, Fut>(
    op: &'static str,
    fetch: F,
) -> BoxStream<'static, Result<Vec<T>, OssError>>
where
    M: PageMarker,
    T: Send + 'static,
    F: Fn(Option<M>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<M>), OssError>> + Send + 'static,
{
    struct State<M, F> {
        marker: Option<M>,
        started: bool,
        advance: Advance<M>,
        fetch: F,
    }
    let start = State {
        marker: None,
        started: false,
        advance: Advance::default(),
        fetch,
    };
    stream::unfold(Some(start), move |state| async move {
        let mut st = state?;
        if st.started && st.marker.is_none() {
            return None;
        }
        st.started = true;
        let current = st.marker.take();
        match (st.fetch)(current.clone()).await {
            Ok((items, Some(next))) => {
                let checked = st
                    .advance
                    .marker(op, current.as_ref(), &next)
                    .and_then(|()| st.advance.items(op, &next, items.len()));
                match checked {
                    Ok(()) => {
                        st.marker = Some(next);
                        Some((Ok(items), Some(st)))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            }
            Ok((items, None)) => Some((Ok(items), None)),
            Err(e) => Some((Err(e), None)),
        }
    })
    .boxed()
}

/// Item stream over [`paginate_pages`].
pub fn paginate<M, T, F, Fut>(op: &'static str, fetch: F) -> BoxStream<'static, Result<T, OssError>>
where
    M: PageMarker,
    T: Send + 'static,
    F: Fn(Option<M>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<M>), OssError>> + Send + 'static,
{
    flatten(paginate_pages(op, fetch))
}

pub(super) fn flatten<T: Send + 'static>(
    pages: BoxStream<'static, Result<Vec<T>, OssError>>,
) -> BoxStream<'static, Result<T, OssError>> {
    pages
        .flat_map(|page| match page {
            Ok(items) => stream::iter(items.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(e) => stream::iter(vec![Err(e)]),
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    #[tokio::test]
    async fn pagination_walks_every_page_then_stops() {
        let pages = paginate("Test", |marker: Option<u32>| async move {
            let n = marker.unwrap_or(0);
            let items: Vec<u32> = (n * 3..n * 3 + 3).collect();
            Ok((items, (n < 3).then_some(n + 1)))
        });
        let all: Vec<u32> = pages.try_collect().await.unwrap();
        assert_eq!(all, (0..12).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_marker_that_does_not_advance_ends_the_stream_with_an_error() {
        // The same marker forever: one good page, then a clear error, no loop.
        let pages = paginate_pages("ListBuckets", |_m: Option<String>| async move {
            Ok((vec![1], Some("same".to_string())))
        });
        let got: Vec<_> = pages.collect().await;
        assert_eq!(got.len(), 2);
        let err = got[1].as_ref().unwrap_err().to_string();
        assert!(
            err.contains("ListBuckets") && err.contains("\"same\""),
            "{err}"
        );

        // A two-marker cycle is caught too.
        let pages = paginate_pages("ListLiveChannel", |m: Option<String>| async move {
            let next = if m.as_deref() == Some("a") { "b" } else { "a" };
            Ok((vec![1], Some(next.to_string())))
        });
        let got: Vec<_> = pages.collect().await;
        assert!(got.len() <= 4 && got.last().unwrap().is_err());

        // Empty pages with fresh tokens end after a bounded run.
        let pages = paginate_pages("ListObjectsV2", |m: Option<u32>| async move {
            Ok((Vec::<u8>::new(), Some(m.unwrap_or(0) + 1)))
        });
        let got: Vec<_> = pages.collect().await;
        assert_eq!(got.len() as u32, MAX_EMPTY_PAGES);
        assert!(got.last().unwrap().is_err());
    }

    #[test]
    fn version_markers_must_move_forward_in_key_order() {
        let mut a: Advance<(String, Option<String>)> = Advance::default();
        let m = |k: &str, v: Option<&str>| (k.to_string(), v.map(str::to_string));
        assert!(a
            .marker("ListObjectVersions", None, &m("k", Some("v2")))
            .is_ok());
        assert!(a
            .marker(
                "ListObjectVersions",
                Some(&m("k", Some("v2"))),
                &m("k", Some("v1"))
            )
            .is_ok());
        assert!(
            a.marker(
                "ListObjectVersions",
                Some(&m("k", Some("v1"))),
                &m("j", None)
            )
            .is_err(),
            "backwards"
        );
        assert!(
            a.marker(
                "ListObjectVersions",
                Some(&m("k", Some("v1"))),
                &m("k", Some("v1"))
            )
            .is_err(),
            "repeated"
        );
    }

    #[tokio::test]
    async fn pagination_ends_after_an_error() {
        let pages = paginate_pages("Test", |marker: Option<u32>| async move {
            match marker {
                None => Ok((vec![1], Some(1))),
                Some(_) => Err(OssError::InvalidInput("boom".into())),
            }
        });
        let got: Vec<_> = pages.collect().await;
        assert_eq!(got.len(), 2);
        assert!(got[0].is_ok() && got[1].is_err());
    }
}
