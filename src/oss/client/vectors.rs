//! OSS Vectors: where its requests go (account id, hosts), and the vector
//! bucket and index operations a cleanup needs.

use super::*;
use crate::oss::vectors::{self as v, VectorBucketSummary, VectorIndex};

/// Where the account id came from, for messages.
fn account_source(cfg: &ClientConfig) -> &'static str {
    if cfg.account_id.is_some() {
        "from account_id / OSS_ACCOUNT_ID"
    } else {
        "learned from ListBuckets"
    }
}

impl Client {
    /// The account id (UID) Vectors hosts and signatures need: configured
    /// (`account_id` in the profile, `OSS_ACCOUNT_ID`), else learned once from
    /// ListBuckets' `Owner/ID`.
    /// Boxed: learning it sends a request, and requests need it.
    pub fn account_id(&self) -> BoxFuture<'_, Result<String, OssError>> {
        Box::pin(self.resolve_account_id())
    }

    async fn resolve_account_id(&self) -> Result<String, OssError> {
        if let Some(id) = self.inner.account.lock().unwrap().clone() {
            return Ok(id);
        }
        let id = match &self.inner.cfg.account_id {
            Some(id) if v::valid_account_id(id) => id.clone(),
            Some(id) => {
                return Err(OssError::InvalidInput(format!(
                    "the account id {:?} (account_id / OSS_ACCOUNT_ID) is not an Alibaba Cloud account id, which is all digits (up to 32 of them)",
                    crate::text::visible(id)
                )))
            }
            None => {
                let why = match self.list_buckets_page(None, None, 1).await {
                    Ok(page) => match page.owner_id {
                        Some(id) if v::valid_account_id(&id) => {
                            *self.inner.account.lock().unwrap() = Some(id.clone());
                            return Ok(id);
                        }
                        Some(_) => "its Owner/ID is not an account id".to_string(),
                        None => "the reply names no Owner/ID".to_string(),
                    },
                    Err(e) => e.to_string().lines().next().unwrap_or_default().to_string(),
                };
                return Err(OssError::InvalidInput(format!(
                    "vector buckets need the Alibaba Cloud account id (UID): set account_id in the profile or the OSS_ACCOUNT_ID environment variable; ossweep could not learn it from ListBuckets ({why})"
                )));
            }
        };
        *self.inner.account.lock().unwrap() = Some(id.clone());
        Ok(id)
    }

    pub fn learn_vector_region(&self, bucket: &str, region: &str) {
        if endpoint::valid_region(region) {
            self.inner
                .vector_regions
                .lock()
                .unwrap()
                .insert(bucket.to_string(), region.to_string());
        }
    }

    pub fn vector_region_of(&self, bucket: &str) -> String {
        self.inner
            .vector_regions
            .lock()
            .unwrap()
            .get(bucket)
            .cloned()
            .unwrap_or_else(|| self.inner.cfg.region.clone())
    }

    /// URL and authority of a Vectors request: `<bucket>-<account>.<region>.oss-vectors...`
    /// on OSS; with `--endpoint` and path style, the ARN as the path.
    pub(super) fn vectors_url(
        &self,
        region: &str,
        account: &str,
        req: &OssRequest,
    ) -> (String, String) {
        let cfg = &self.inner.cfg;
        let bucket = req.bucket.as_deref();
        let query = encode::query_string(&req.query);
        let with_query = |base: String| {
            if query.is_empty() {
                base
            } else {
                format!("{base}?{query}")
            }
        };
        let key_path = format!(
            "/{}",
            req.key.as_deref().map(encode::path).unwrap_or_default()
        );
        let (scheme, port, service) = match &cfg.endpoint {
            Some(ep) if cfg.addressing == Addressing::Path => {
                let authority = ep.authority(&ep.host);
                let path = encode::path(&v::path_style_path(region, account, bucket));
                return (
                    with_query(format!("{}://{authority}{path}", ep.scheme)),
                    authority,
                );
            }
            // An OSS endpoint names the region; its Vectors host is another.
            Some(ep) => match endpoint::region_of_host(&ep.host) {
                Some(r) => (
                    ep.scheme.clone(),
                    ep.port,
                    v::service_host(&r, ep.host.contains("-internal.")),
                ),
                None => (ep.scheme.clone(), ep.port, ep.host.clone()),
            },
            None => (
                cfg.scheme.clone(),
                cfg.port,
                v::service_host(region, cfg.internal),
            ),
        };
        let host = match bucket {
            Some(b) => v::bucket_host(b, account, &service),
            None => service,
        };
        let authority = match port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        };
        (
            with_query(format!("{scheme}://{authority}{key_path}")),
            authority,
        )
    }

    /// Every vector bucket of the account (every region), page by page.
    pub fn list_vector_buckets(&self) -> BoxStream<'static, Result<VectorBucketSummary, OssError>> {
        self.list_vector_buckets_named(None)
    }

    fn list_vector_buckets_named(
        &self,
        prefix: Option<String>,
    ) -> BoxStream<'static, Result<VectorBucketSummary, OssError>> {
        let c = self.clone();
        paginate("ListVectorBuckets", move |marker: Option<String>| {
            let (c, prefix) = (c.clone(), prefix.clone());
            async move {
                let page = c
                    .parsed(
                        v::list_vector_buckets(prefix.as_deref(), marker.as_deref(), 1000),
                        v::parse_vector_buckets,
                    )
                    .await?;
                for b in &page.buckets {
                    c.learn_vector_region(&b.name, &b.region);
                }
                Ok((page.buckets, page.next_marker))
            }
        })
    }

    /// Finds a vector bucket by name (its region is learned), and checks that
    /// its own host answers: a bucket the listing shows but its host does not
    /// know means the account id is wrong.
    pub async fn locate_vector_bucket(&self, name: &str) -> Result<VectorBucketSummary, OssError> {
        use futures::TryStreamExt;
        v::validate_bucket_name(name)?;
        let found: Vec<VectorBucketSummary> = self
            .list_vector_buckets_named(Some(name.to_string()))
            .try_filter(|b| futures::future::ready(b.name == name))
            .try_collect()
            .await?;
        let chosen = match found.as_slice() {
            [] => {
                return Err(OssError::InvalidInput(format!(
                    "there is no vector bucket named {name} in this account (ListVectorBuckets)"
                )))
            }
            [one] => one.clone(),
            several => match several.iter().find(|b| b.region == self.inner.cfg.region) {
                Some(b) => b.clone(),
                None => {
                    let regions: Vec<&str> = several.iter().map(|b| b.region.as_str()).collect();
                    return Err(OssError::InvalidInput(format!(
                        "vector buckets named {name} exist in {}; choose one with --region",
                        regions.join(" and ")
                    )));
                }
            },
        };
        self.learn_vector_region(&chosen.name, &chosen.region);
        match self.get_vector_bucket(name).await {
            Ok(b) => Ok(b),
            Err(e) if e.is_code("NoSuchBucket") => {
                let account = self.account_id().await.unwrap_or_default();
                Err(OssError::InvalidInput(format!(
                    "ListVectorBuckets shows {name} in {}, but its host {name}-{account}.{}.oss-vectors... answers NoSuchBucket: the account id {account} ({}) is probably not this account's; fix account_id / OSS_ACCOUNT_ID (on OSS a wrong account id gives a host that does not resolve)",
                    chosen.region,
                    chosen.region,
                    account_source(&self.inner.cfg)
                )))
            }
            Err(e) => Err(e),
        }
    }

    pub async fn get_vector_bucket(&self, bucket: &str) -> Result<VectorBucketSummary, OssError> {
        let b = self
            .parsed(v::get_vector_bucket(bucket), v::parse_vector_bucket)
            .await?;
        Ok(VectorBucketSummary {
            name: bucket.to_string(),
            region: if b.region.is_empty() {
                self.vector_region_of(bucket)
            } else {
                b.region
            },
            creation_date: b.creation_date,
        })
    }

    /// Every index of a vector bucket, `deleting` ones included.
    pub fn list_vector_indexes(
        &self,
        bucket: &str,
    ) -> BoxStream<'static, Result<VectorIndex, OssError>> {
        let (c, bucket) = (self.clone(), bucket.to_string());
        paginate("ListVectorIndexes", move |token: Option<String>| {
            let (c, bucket) = (c.clone(), bucket.clone());
            async move {
                let page = c
                    .parsed(
                        v::list_vector_indexes(
                            &bucket,
                            None,
                            token.as_deref(),
                            Some(v::MAX_INDEX_PAGE),
                        ),
                        v::parse_vector_indexes,
                    )
                    .await?;
                Ok((page.indexes, page.next_token))
            }
        })
    }

    /// `Ok(None)` once the index is gone.
    pub async fn get_vector_index(
        &self,
        bucket: &str,
        index: &str,
    ) -> Result<Option<VectorIndex>, OssError> {
        v::validate_index_name(index)?;
        match self
            .parsed(v::get_vector_index(bucket, index), v::parse_vector_index)
            .await
        {
            Ok(i) => Ok(Some(i)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes an index and all its vectors (OSS may finish asynchronously). An
    /// index already gone counts as deleted.
    pub async fn delete_vector_index(&self, bucket: &str, index: &str) -> Result<(), OssError> {
        v::validate_index_name(index)?;
        match self.no_content(v::delete_vector_index(bucket, index)).await {
            Err(e) if e.is_not_found() && !e.is_code("NoSuchBucket") => Ok(()),
            other => other,
        }
    }

    pub async fn delete_vector_bucket(&self, bucket: &str) -> Result<(), OssError> {
        self.no_content(v::delete_vector_bucket(bucket)).await
    }

    /// Counts an index's vectors, listing keys only, at most `max_pages` pages:
    /// `(count, exact)`; not exact when the index holds more than that.
    pub async fn count_vectors(
        &self,
        bucket: &str,
        index: &str,
        max_pages: u32,
    ) -> Result<(u64, bool), OssError> {
        let mut advance = pages::Advance::<String>::default();
        let (mut n, mut token): (u64, Option<String>) = (0, None);
        for _ in 0..max_pages {
            let (count, next) = self
                .parsed(
                    v::list_vector_keys(bucket, index, token.as_deref()),
                    v::parse_vector_keys,
                )
                .await?;
            n += count;
            match next {
                None => return Ok((n, true)),
                Some(next) => {
                    advance.marker("ListVectors", token.as_ref(), &next)?;
                    advance.items("ListVectors", &next, count as usize)?;
                    token = Some(next);
                }
            }
        }
        Ok((n, false))
    }
}
