//! Buckets, objects, versions and multipart uploads: the listings that decide
//! whether a bucket is empty, and the deletes that empty it.

use super::*;

/// Where a page of current objects starts.
#[derive(Clone, Copy, Debug)]
pub enum ObjectsFrom<'a> {
    Start,
    /// After this key (a range of a split listing).
    After(&'a str),
    /// At a token the previous page gave (under V1, its next marker: a key).
    Resume(&'a str),
}

impl Client {
    // ------------------------------------------------------------ buckets

    pub async fn list_buckets_page(
        &self,
        prefix: Option<&str>,
        marker: Option<&str>,
        max_keys: u32,
    ) -> Result<ListBucketsPage, OssError> {
        let page = self
            .parsed(
                request::list_buckets(prefix, marker, max_keys),
                parse::list_buckets,
            )
            .await?;
        for b in &page.buckets {
            self.learn_region(&b.name, &b.region);
        }
        Ok(page)
    }

    /// Every bucket of the account, all regions, page by page.
    pub fn list_buckets(&self) -> BoxStream<'static, Result<BucketSummary, OssError>> {
        let c = self.clone();
        paginate("ListBuckets", move |marker: Option<String>| {
            let c = c.clone();
            async move {
                let page = c.list_buckets_page(None, marker.as_deref(), 1000).await?;
                Ok((page.buckets, page.next_marker))
            }
        })
    }

    pub async fn get_bucket_info(&self, bucket: &str) -> Result<BucketInfo, OssError> {
        let (mut info, date) = self
            .parsed_dated(request::get_bucket_info(bucket), parse::bucket_info)
            .await?;
        info.served_at = date;
        self.learn_region(bucket, &info.region);
        Ok(info)
    }

    pub async fn get_bucket_location(&self, bucket: &str) -> Result<String, OssError> {
        self.parsed(request::get_bucket_location(bucket), parse::bucket_location)
            .await
    }

    pub async fn get_bucket_stat(&self, bucket: &str) -> Result<BucketStat, OssError> {
        self.parsed(request::get_bucket_stat(bucket), parse::bucket_stat)
            .await
    }

    pub async fn get_bucket_versioning(&self, bucket: &str) -> Result<Versioning, OssError> {
        self.parsed(
            request::get_bucket_versioning(bucket),
            parse::bucket_versioning,
        )
        .await
    }

    pub async fn delete_bucket(&self, bucket: &str) -> Result<(), OssError> {
        self.no_content(request::delete_bucket(bucket)).await
    }

    // ------------------------------------------------------------ objects

    pub async fn list_objects_v2_page(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        token: Option<&str>,
        max_keys: u32,
    ) -> Result<ListObjectsPage, OssError> {
        let from = match token {
            Some(t) => ObjectsFrom::Resume(t),
            None => ObjectsFrom::Start,
        };
        self.objects_page(bucket, prefix, None, from, max_keys, &|_| Ok(()))
            .await
    }

    /// Whether this client's endpoint answered ListObjectsV2 with V1 pages.
    pub fn lists_v1(&self) -> bool {
        self.inner.lists_v1.load(Ordering::Relaxed)
    }

    /// One page of current objects (`delimiter`: folders too), `vet` checking
    /// it. An endpoint that answers ListObjectsV2 with a V1 page (truncated,
    /// paged by marker, no continuation token: it ignored `list-type=2`) is
    /// listed with ListObjects V1 from then on, and this page is asked for
    /// again that way: a V1 marker is a key, as `start-after` and the tokens
    /// this client resumes at are.
    pub async fn objects_page(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        delimiter: Option<&str>,
        from: ObjectsFrom<'_>,
        max_keys: u32,
        vet: &(dyn Fn(&ListObjectsPage) -> Result<(), XmlError> + Sync),
    ) -> Result<ListObjectsPage, OssError> {
        if !self.lists_v1() {
            let req = match from {
                ObjectsFrom::Start => request::list_objects_v2(bucket, prefix, None, max_keys),
                ObjectsFrom::After(k) => {
                    request::list_objects_v2_after(bucket, prefix, k, max_keys)
                }
                ObjectsFrom::Resume(t) => {
                    request::list_objects_v2(bucket, prefix, Some(t), max_keys)
                }
            }
            .opt_param("delimiter", delimiter);
            let reply = self
                .parsed(req, |body| {
                    let reply = parse::list_objects_v2_reply(body)?;
                    if let parse::V2Reply::Page(p) = &reply {
                        vet(p)?;
                    }
                    Ok(reply)
                })
                .await?;
            match reply {
                parse::V2Reply::Page(p) => return Ok(p),
                parse::V2Reply::V1 => self.inner.lists_v1.store(true, Ordering::Relaxed),
            }
        }
        let marker = match from {
            ObjectsFrom::Start => None,
            ObjectsFrom::After(k) | ObjectsFrom::Resume(k) => Some(k),
        };
        let req = request::list_objects_v1(bucket, prefix, marker, max_keys)
            .opt_param("delimiter", delimiter);
        self.parsed(req, |body| {
            let p = parse::list_objects_v1(body)?;
            vet(&p)?;
            Ok(p)
        })
        .await
    }

    /// Current objects, one page (up to `max_keys`) at a time. The next page is
    /// requested before this one is parsed.
    pub fn list_objects_pages(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        max_keys: u32,
    ) -> BoxStream<'static, Result<Vec<ObjectSummary>, OssError>> {
        let (bucket, prefix) = (bucket.to_string(), prefix.map(str::to_string));
        prefetched_pages(
            self.clone(),
            None,
            move |token: Option<&String>| {
                request::list_objects_v2(
                    &bucket,
                    prefix.as_deref(),
                    token.map(String::as_str),
                    max_keys,
                )
            },
            parse::peek_objects_token,
            |body| parse::list_objects_v2(body).map(|p| (p.objects, p.next_continuation_token)),
        )
    }

    /// Every entry of a bucket as versions, listed by up to `streams` ranges at
    /// once (see `oss::listing`): versions and delete markers when `versioned`,
    /// else current objects (as `null` versions). Pages arrive in no particular
    /// order; all versions of one key come in one range. Also returns what the
    /// listing sent, by kind, and where its keys lie; it starts as `start`
    /// says (spread over a map of the scope, only some spans of it).
    pub fn list_entries_split(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        versioned: bool,
        streams: usize,
        start: crate::oss::listing::Start,
    ) -> crate::oss::listing::Listed<ObjectVersion> {
        use crate::oss::listing;
        if versioned {
            return listing::parallel(self.versions_source(bucket, prefix), streams, start);
        }
        let (pages, stats) = listing::parallel(self.objects_source(bucket, prefix), streams, start);
        let pages = pages
            .map(|page| page.map(|objects| objects.into_iter().map(ObjectVersion::from).collect()))
            .boxed();
        (pages, stats)
    }

    /// One page of entries after (`key`, `version`), exclusive, as versions:
    /// versions and delete markers when `versioned`, else current objects. Also
    /// returns where the next page starts (`None` at the end).
    pub async fn entries_after(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        after: &(String, Option<String>),
        versioned: bool,
    ) -> Result<(Vec<ObjectVersion>, Option<(String, Option<String>)>), OssError> {
        if versioned {
            let page = self
                .list_object_versions_page(bucket, prefix, Some(&after.0), after.1.as_deref(), 1000)
                .await?;
            let next = page
                .next_key_marker
                .map(|k| (k, page.next_version_id_marker));
            return Ok((page.entries, next));
        }
        let page = self
            .objects_page(
                bucket,
                prefix,
                None,
                ObjectsFrom::After(&after.0),
                1000,
                &|_| Ok(()),
            )
            .await?;
        let next = page
            .next_continuation_token
            .as_ref()
            .and(page.objects.last())
            .map(|o| (o.key.clone(), None));
        Ok((
            page.objects.into_iter().map(ObjectVersion::from).collect(),
            next,
        ))
    }

    pub fn list_objects(
        &self,
        bucket: &str,
        prefix: Option<&str>,
    ) -> BoxStream<'static, Result<ObjectSummary, OssError>> {
        flatten(self.list_objects_pages(bucket, prefix, 1000))
    }

    pub async fn list_object_versions_page(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        key_marker: Option<&str>,
        version_id_marker: Option<&str>,
        max_keys: u32,
    ) -> Result<ListVersionsPage, OssError> {
        self.parsed(
            request::list_object_versions(bucket, prefix, key_marker, version_id_marker, max_keys),
            parse::list_object_versions,
        )
        .await
    }

    /// Every version and delete marker, one page at a time. The next page is
    /// requested before this one is parsed.
    pub fn list_object_versions_pages(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        max_keys: u32,
    ) -> BoxStream<'static, Result<Vec<ObjectVersion>, OssError>> {
        let (bucket, prefix) = (bucket.to_string(), prefix.map(str::to_string));
        prefetched_pages(
            self.clone(),
            None,
            move |marker: Option<&(String, Option<String>)>| {
                let (km, vm) = match marker {
                    Some((k, v)) => (Some(k.as_str()), v.as_deref()),
                    None => (None, None),
                };
                request::list_object_versions(&bucket, prefix.as_deref(), km, vm, max_keys)
            },
            parse::peek_versions_marker,
            |body| {
                parse::list_object_versions(body).map(|p| {
                    (
                        p.entries,
                        p.next_key_marker.map(|k| (k, p.next_version_id_marker)),
                    )
                })
            },
        )
    }

    pub fn list_object_versions(
        &self,
        bucket: &str,
        prefix: Option<&str>,
    ) -> BoxStream<'static, Result<ObjectVersion, OssError>> {
        flatten(self.list_object_versions_pages(bucket, prefix, 1000))
    }

    /// DeleteObject. Without `version_id` on a versioned bucket this only adds a delete marker.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<(), OssError> {
        self.no_content(request::delete_object(bucket, key, version_id))
            .await
    }

    /// DeleteMultipleObjects (verbose): one outcome per requested key, in order.
    pub async fn delete_multiple_objects(
        &self,
        bucket: &str,
        objects: &[ObjectIdentifier],
    ) -> Result<Vec<KeyOutcome>, OssError> {
        let req = request::delete_multiple_objects(bucket, objects)?;
        let deleted = self.parsed(req, parse::delete_result).await?;
        Ok(parse::match_deleted(objects, &deleted))
    }

    // ------------------------------------------------------------ multipart uploads

    pub async fn list_multipart_uploads_page(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        key_marker: Option<&str>,
        upload_id_marker: Option<&str>,
        max: u32,
    ) -> Result<ListUploadsPage, OssError> {
        self.parsed(
            request::list_multipart_uploads(bucket, prefix, key_marker, upload_id_marker, max),
            parse::list_multipart_uploads,
        )
        .await
    }

    /// An upload's parts and their bytes (ListParts, page by page; a marker
    /// that does not advance, runs past the last part number, or follows an
    /// empty truncated page stops the listing: ten pages of 1,000 at most
    /// when OSS answers as documented).
    pub async fn upload_size(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(u64, u64), OssError> {
        let (mut parts, mut size, mut marker) = (0u64, 0u64, 0u32);
        loop {
            let page = self
                .parsed(
                    request::list_parts(bucket, key, upload_id, marker),
                    parse::list_parts,
                )
                .await?;
            parts += page.parts.len() as u64;
            size += page.parts.iter().map(|(_, s)| s).sum::<u64>();
            match page.next_marker {
                None => return Ok((parts, size)),
                // Part numbers end at 10,000, and a truncated page without a
                // part cannot be followed: the listing is not advancing.
                Some(next) if next > marker && next < MAX_PART_NUMBER && !page.parts.is_empty() => {
                    marker = next
                }
                Some(next) => {
                    return Err(OssError::Stalled {
                        op: "ListParts",
                        marker: next.to_string(),
                        detail: format!("after part {marker}"),
                    })
                }
            }
        }
    }

    pub fn list_multipart_uploads_pages(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        max: u32,
    ) -> BoxStream<'static, Result<Vec<MultipartUpload>, OssError>> {
        let (c, bucket, prefix) = (self.clone(), bucket.to_string(), prefix.map(str::to_string));
        paginate_pages(
            "ListMultipartUploads",
            move |marker: Option<(String, Option<String>)>| {
                let (c, bucket, prefix) = (c.clone(), bucket.clone(), prefix.clone());
                async move {
                    let (km, um) = match &marker {
                        Some((k, u)) => (Some(k.as_str()), u.as_deref()),
                        None => (None, None),
                    };
                    let page = c
                        .list_multipart_uploads_page(&bucket, prefix.as_deref(), km, um, max)
                        .await?;
                    Ok((
                        page.uploads,
                        page.next_key_marker
                            .map(|k| (k, page.next_upload_id_marker)),
                    ))
                }
            },
        )
    }

    pub fn list_multipart_uploads(
        &self,
        bucket: &str,
        prefix: Option<&str>,
    ) -> BoxStream<'static, Result<MultipartUpload, OssError>> {
        flatten(self.list_multipart_uploads_pages(bucket, prefix, 1000))
    }

    /// Aborts an upload; an upload already gone (`NoSuchUpload`) counts as done.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(), OssError> {
        match self
            .no_content(request::abort_multipart_upload(bucket, key, upload_id))
            .await
        {
            Err(e) if e.is_code("NoSuchUpload") => Ok(()),
            other => other,
        }
    }
}

/// Part numbers run from 1 to 10,000 (oss-api.md, UploadPart).
const MAX_PART_NUMBER: u32 = 10_000;
