//! Paging helpers: plain pagination, one page of lookahead, and listings split
//! across the key space.

use super::*;

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
    M: Clone + PartialEq + Send + Sync + 'static,
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
    let first = spawn(&client, &build, initial);
    stream::unfold(Some(first), move |pending| {
        let (client, build) = (client.clone(), build.clone());
        async move {
            let pending = pending?;
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
            let next = match peek(&body) {
                Ok(n) => n,
                Err(e) => return Some((Err(malformed(e.0)), None)),
            };
            let following = next.clone().map(|m| spawn(&client, &build, Some(m)));
            match parse(&body) {
                Ok((items, parsed_next)) if parsed_next == next => Some((Ok(items), following)),
                Ok(_) => {
                    if let Some(f) = following {
                        f.abort();
                    }
                    Some((
                        Err(malformed("the next-page marker is inconsistent".into())),
                        None,
                    ))
                }
                Err(e) => {
                    if let Some(f) = following {
                        f.abort();
                    }
                    Some((Err(malformed(e.0)), None))
                }
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

/// Where a range listing of current objects resumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectsMarker {
    StartAfter(String),
    Token(String),
}

/// How to list, probe and resume one kind of listing.
pub struct Splitter<M, T> {
    pub build: PageRequest<M>,
    /// A one-entry listing after a key.
    pub probe: Arc<dyn Fn(&str) -> OssRequest + Send + Sync>,
    /// The marker that starts a listing right after a key (and all its versions).
    pub start_after: fn(String) -> M,
    pub key_of: fn(&T) -> &str,
    pub peek: MarkerPeek<M>,
    pub parse: PageParser<M, T>,
}

/// Lists the first page, then splits the rest of the key space (`split`) and
/// lists the ranges at the same time, each stopping at its upper bound. Every key
/// is listed by exactly one range.
pub fn split_pages<M, T>(
    client: Client,
    s: Splitter<M, T>,
    prefix: String,
    streams: usize,
) -> BoxStream<'static, Result<Vec<T>, OssError>>
where
    M: Clone + PartialEq + Send + Sync + 'static,
    T: Send + 'static,
{
    use futures::TryStreamExt;
    let setup = async move {
        let req = (s.build)(None);
        let reply = client.send(&req).await?;
        let malformed = |e: XmlError| OssError::Malformed {
            op: req.op,
            status: reply.status,
            detail: e.0,
            snippet: snippet(&reply.body),
        };
        let (items, next) = (s.parse)(&reply.text()).map_err(malformed)?;
        let keys = items
            .first()
            .map(|f| (s.key_of)(f).to_string())
            .zip(items.last().map(|l| (s.key_of)(l).to_string()));
        let head = stream::iter(vec![Ok(items)]);
        let (Some(next), Some((first_key, last_key))) = (next, keys) else {
            return Ok::<_, OssError>(head.boxed());
        };
        let build = s.build.clone();
        let resume = move |client: &Client, from: M| {
            prefetched_pages(
                client.clone(),
                Some(from),
                {
                    let b = build.clone();
                    move |m: Option<&M>| b(m)
                },
                s.peek,
                s.parse,
            )
        };
        if streams <= 1 {
            return Ok(head.chain(resume(&client, next)).boxed());
        }
        // Probe the candidates at once: which of them have keys behind them?
        let candidates = crate::oss::split::candidates(&first_key, &last_key, &prefix, 8, 4);
        let probes = futures::future::join_all(candidates.into_iter().map(|c| {
            let (client, probe, parse, key_of) =
                (client.clone(), s.probe.clone(), s.parse, s.key_of);
            async move {
                let after = match client.send(&probe(&c)).await {
                    Ok(reply) => parse(&reply.text())
                        .ok()
                        .and_then(|(items, _)| items.first().map(|i| key_of(i).to_string())),
                    Err(_) => None,
                };
                (c, after)
            }
        }))
        .await;
        let splits = crate::oss::split::choose(&last_key, &probes, streams - 1);
        let key_of = s.key_of;
        let ranges: Vec<BoxStream<'static, Result<Vec<T>, OssError>>> =
            crate::oss::split::ranges(&splits)
                .into_iter()
                .map(|(lo, hi)| {
                    let from = match lo {
                        None => next.clone(),
                        Some(k) => (s.start_after)(k),
                    };
                    bounded(resume(&client, from), hi, key_of)
                })
                .collect();
        Ok(head.chain(stream::select_all(ranges)).boxed())
    };
    stream::once(setup).try_flatten().boxed()
}

/// Ends a range listing at its upper bound (inclusive): entries past it belong to
/// the next range.
fn bounded<T: Send + 'static>(
    pages: BoxStream<'static, Result<Vec<T>, OssError>>,
    hi: Option<String>,
    key_of: fn(&T) -> &str,
) -> BoxStream<'static, Result<Vec<T>, OssError>> {
    stream::unfold((pages, false), move |(mut pages, done)| {
        let hi = hi.clone();
        async move {
            if done {
                return None;
            }
            match pages.next().await? {
                Err(e) => Some((Err(e), (pages, true))),
                Ok(mut page) => {
                    let over = hi
                        .as_deref()
                        .is_some_and(|h| page.iter().any(|t| key_of(t) > h));
                    if let Some(h) = hi.as_deref().filter(|_| over) {
                        page.retain(|t| key_of(t) <= h);
                    }
                    Some((Ok(page), (pages, over)))
                }
            }
        }
    })
    .boxed()
}

/// Pages as a stream: `fetch(marker)` returns one page's items and the next marker.
/// One page is held at a time; after an error the stream ends.
pub fn paginate_pages<M, T, F, Fut>(fetch: F) -> BoxStream<'static, Result<Vec<T>, OssError>>
where
    M: Send + 'static,
    T: Send + 'static,
    F: Fn(Option<M>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<M>), OssError>> + Send + 'static,
{
    enum State<M> {
        Start,
        Next(M),
        Done,
    }
    stream::unfold((State::Start, fetch), |(state, fetch)| async move {
        let marker = match state {
            State::Start => None,
            State::Next(m) => Some(m),
            State::Done => return None,
        };
        match fetch(marker).await {
            Ok((items, Some(next))) => Some((Ok(items), (State::Next(next), fetch))),
            Ok((items, None)) => Some((Ok(items), (State::Done, fetch))),
            Err(e) => Some((Err(e), (State::Done, fetch))),
        }
    })
    .boxed()
}

/// Item stream over [`paginate_pages`].
pub fn paginate<M, T, F, Fut>(fetch: F) -> BoxStream<'static, Result<T, OssError>>
where
    M: Send + 'static,
    T: Send + 'static,
    F: Fn(Option<M>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<M>), OssError>> + Send + 'static,
{
    flatten(paginate_pages(fetch))
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
        let pages = paginate(|marker: Option<u32>| async move {
            let n = marker.unwrap_or(0);
            let items: Vec<u32> = (n * 3..n * 3 + 3).collect();
            Ok((items, (n < 3).then_some(n + 1)))
        });
        let all: Vec<u32> = pages.try_collect().await.unwrap();
        assert_eq!(all, (0..12).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn pagination_ends_after_an_error() {
        let pages = paginate_pages(|marker: Option<u32>| async move {
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
