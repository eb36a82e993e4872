//! What hangs off a bucket besides its data: LiveChannels, access points,
//! accelerators, and the configuration the risks are read from.

use super::*;

impl Client {
    // ------------------------------------------------------------ LiveChannels

    pub fn list_live_channels(
        &self,
        bucket: &str,
    ) -> BoxStream<'static, Result<LiveChannel, OssError>> {
        let (c, bucket) = (self.clone(), bucket.to_string());
        paginate("ListLiveChannel", move |marker: Option<String>| {
            let (c, bucket) = (c.clone(), bucket.clone());
            async move {
                let page = c
                    .parsed(
                        request::list_live_channel(&bucket, None, marker.as_deref(), 1000),
                        parse::list_live_channels,
                    )
                    .await?;
                Ok((page.channels, page.next_marker))
            }
        })
    }

    /// Whether a client is pushing a stream to the channel now.
    pub async fn get_live_channel_stat(
        &self,
        bucket: &str,
        channel: &str,
    ) -> Result<LiveChannelStat, OssError> {
        self.parsed(
            request::get_live_channel_stat(bucket, channel),
            parse::live_channel_stat,
        )
        .await
    }

    /// Deletes a LiveChannel; one that is being pushed to is disabled first.
    /// Returns the requests it took (1, or 3 for a live channel).
    pub async fn delete_live_channel(&self, bucket: &str, channel: &str) -> Result<u64, OssError> {
        let (result, sent) = match self
            .no_content(request::delete_live_channel(bucket, channel))
            .await
        {
            Err(e) if e.is_code("ChannelStillLive") => {
                self.no_content(request::put_live_channel_status(bucket, channel, false))
                    .await?;
                let r = self
                    .no_content(request::delete_live_channel(bucket, channel))
                    .await;
                (r, 3)
            }
            other => (other, 1),
        };
        match result {
            Err(e) if e.is_code("NoSuchLiveChannel") => Ok(sent),
            Err(e) => Err(e),
            Ok(()) => Ok(sent),
        }
    }

    // ------------------------------------------------------------ access points

    pub fn list_access_points(
        &self,
        bucket: &str,
    ) -> BoxStream<'static, Result<AccessPoint, OssError>> {
        let (c, bucket) = (self.clone(), bucket.to_string());
        paginate("ListAccessPoints", move |token: Option<String>| {
            let (c, bucket) = (c.clone(), bucket.clone());
            async move {
                let page = c
                    .parsed(
                        request::list_access_points(&bucket, token.as_deref(), 100),
                        parse::list_access_points,
                    )
                    .await?;
                Ok((page.access_points, page.next_continuation_token))
            }
        })
    }

    /// `Ok(None)` once the access point is gone (`NoSuchAccessPoint`).
    pub async fn get_access_point(
        &self,
        bucket: &str,
        name: &str,
    ) -> Result<Option<AccessPointDetail>, OssError> {
        self.optional(
            request::get_access_point(bucket, name),
            &["NoSuchAccessPoint"],
            parse::get_access_point,
        )
        .await
    }

    pub async fn delete_access_point(&self, bucket: &str, name: &str) -> Result<(), OssError> {
        match self
            .no_content(request::delete_access_point(bucket, name))
            .await
        {
            Err(e) if e.is_code("NoSuchAccessPoint") => Ok(()),
            other => other,
        }
    }

    /// The policy document, `None` when the access point has none. Whatever code
    /// OSS gives "no policy", it is a 404, and that is all this relies on.
    pub async fn get_access_point_policy(
        &self,
        bucket: &str,
        name: &str,
    ) -> Result<Option<String>, OssError> {
        match self
            .send(&request::get_access_point_policy(bucket, name))
            .await
        {
            Ok(reply) => Ok(Some(reply.text().into_owned())),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes an access point's policy; a 404 (no policy, no access point) is done.
    pub async fn delete_access_point_policy(
        &self,
        bucket: &str,
        name: &str,
    ) -> Result<(), OssError> {
        match self
            .no_content(request::delete_access_point_policy(bucket, name))
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    // ------------------------------------------------------------ configuration

    pub async fn get_bucket_replication(
        &self,
        bucket: &str,
    ) -> Result<Vec<ReplicationRule>, OssError> {
        Ok(self
            .optional(
                request::get_bucket_replication(bucket),
                &["NoSuchReplicationConfiguration"],
                parse::bucket_replication,
            )
            .await?
            .unwrap_or_default())
    }

    pub async fn get_bucket_worm(
        &self,
        bucket: &str,
    ) -> Result<Option<WormConfiguration>, OssError> {
        self.optional(
            request::get_bucket_worm(bucket),
            &["NoSuchWORMConfiguration"],
            parse::bucket_worm,
        )
        .await
    }

    pub async fn get_bucket_website(
        &self,
        bucket: &str,
    ) -> Result<Option<WebsiteConfiguration>, OssError> {
        self.optional(
            request::get_bucket_website(bucket),
            &["NoSuchWebsiteConfiguration"],
            parse::bucket_website,
        )
        .await
    }

    pub async fn list_cname(&self, bucket: &str) -> Result<Vec<CnameBinding>, OssError> {
        self.parsed(request::list_cname(bucket), parse::list_cname)
            .await
    }

    pub async fn get_bucket_policy(&self, bucket: &str) -> Result<Option<String>, OssError> {
        self.optional(
            request::get_bucket_policy(bucket),
            &["NoSuchBucketPolicy"],
            |s| Ok(s.to_string()),
        )
        .await
    }

    /// Replaces the bucket's whole policy (PutBucketPolicy).
    pub async fn put_bucket_policy(&self, bucket: &str, json: &str) -> Result<(), OssError> {
        self.no_content(request::put_bucket_policy(bucket, json))
            .await
    }

    pub async fn delete_bucket_policy(&self, bucket: &str) -> Result<(), OssError> {
        self.no_content(request::delete_bucket_policy(bucket)).await
    }

    pub async fn get_bucket_lifecycle(
        &self,
        bucket: &str,
    ) -> Result<Option<LifecycleConfiguration>, OssError> {
        self.optional(
            request::get_bucket_lifecycle(bucket),
            &["NoSuchLifecycle"],
            parse::bucket_lifecycle,
        )
        .await
    }

    pub async fn put_bucket_lifecycle(&self, bucket: &str, xml: &str) -> Result<(), OssError> {
        self.no_content(request::put_bucket_lifecycle(bucket, xml))
            .await
    }

    pub async fn delete_bucket_lifecycle(&self, bucket: &str) -> Result<(), OssError> {
        self.no_content(request::delete_bucket_lifecycle(bucket))
            .await
    }

    // ------------------------------------------------------------ accelerators

    /// Accelerator calls go to `<bucket>.<zone>-internal.oss-data-acc.aliyuncs.com`,
    /// reachable only inside the region: a short connect timeout and a clear error
    /// instead of a long hang.
    async fn accelerator_call<T>(
        &self,
        req: OssRequest,
        zone: &str,
        parse: impl FnOnce(&str) -> Result<T, XmlError>,
    ) -> Result<T, OssError> {
        let bucket = req.bucket.clone().unwrap_or_default();
        let host = endpoint::accelerator_host(&bucket, zone);
        let reply = match self
            .send_via(&self.inner.accelerator_http, &req, Some(&host))
            .await
        {
            Ok(r) => r,
            Err(OssError::Transport { .. }) if self.inner.cfg.endpoint.is_none() => {
                return Err(OssError::AcceleratorUnreachable {
                    op: req.op,
                    host,
                    region: self.region_of(&bucket),
                })
            }
            Err(e) => return Err(e),
        };
        parse(&reply.text()).map_err(|e| OssError::Malformed {
            op: req.op,
            status: reply.status,
            detail: e.0,
            snippet: snippet(&reply.body),
        })
    }

    /// The accelerators of a bucket in one zone (empty when there are none).
    pub async fn get_bucket_data_accelerator(
        &self,
        bucket: &str,
        zone: &str,
    ) -> Result<Vec<DataAccelerator>, OssError> {
        match self
            .accelerator_call(
                request::get_bucket_data_accelerator(bucket, zone),
                zone,
                parse::data_accelerators,
            )
            .await
        {
            Err(e) if e.is_code("DataAcceleratorNotFound") || e.is_code("NoSuchConfiguration") => {
                Ok(Vec::new())
            }
            other => other,
        }
    }

    pub async fn delete_bucket_data_accelerator(
        &self,
        bucket: &str,
        zone: &str,
    ) -> Result<(), OssError> {
        self.accelerator_call(
            request::delete_bucket_data_accelerator(bucket, zone),
            zone,
            |_| Ok(()),
        )
        .await
    }

    // ------------------------------------------------------------ writes for fixtures

    pub async fn put_bucket(
        &self,
        bucket: &str,
        storage_class: Option<&str>,
    ) -> Result<(), OssError> {
        self.no_content(request::put_bucket(bucket, storage_class))
            .await
    }

    pub async fn put_bucket_versioning(&self, bucket: &str, enabled: bool) -> Result<(), OssError> {
        self.no_content(request::put_bucket_versioning(bucket, enabled))
            .await
    }

    pub async fn put_object(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), OssError> {
        self.no_content(request::put_object(bucket, key, body))
            .await
    }
}
