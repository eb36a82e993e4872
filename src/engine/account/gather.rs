//! The account view's reads: ListBuckets, then for each bucket, a few at a
//! time, GetBucketStat, GetBucketWorm and a one-key listing of `.dlsdata/`;
//! ListVectorBuckets and each vector bucket's indexes. Never a full listing.

use futures::{FutureExt, StreamExt, TryStreamExt};

use super::BucketFacts;
use crate::oss::client::ObjectsFrom;
use crate::oss::{Client, OssError};
use crate::vocab::HDFS_PREFIX;

/// Buckets read at once.
const AT_ONCE: usize = 8;

/// What the reads found, and what could not be read at all.
pub struct Gathered {
    pub facts: Vec<BucketFacts>,
    /// `Vector buckets could not be listed: ...`.
    pub notes: Vec<String>,
}

fn first_line(e: &OssError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// One object bucket's statistics, retention policy and OSS-HDFS probe.
async fn object_facts(client: &Client, b: &crate::oss::model::BucketSummary) -> BucketFacts {
    let mut f = BucketFacts::object(b);
    let probe = |_: &crate::oss::model::ListObjectsPage| Ok(());
    let (stat, worm, hdfs) = tokio::join!(
        client.get_bucket_stat(&b.name),
        client.get_bucket_worm(&b.name),
        client.objects_page(
            &b.name,
            Some(HDFS_PREFIX),
            None,
            ObjectsFrom::Start,
            1,
            &probe
        )
    );
    f.stat = stat.map_err(|e| first_line(&e));
    f.worm = worm.map_err(|e| first_line(&e));
    f.hdfs = hdfs
        .map(|p| !p.objects.is_empty())
        .map_err(|e| first_line(&e));
    f
}

/// Reads every bucket's and vector bucket's facts; `Err` when the buckets
/// cannot be listed at all.
pub async fn gather(client: &Client) -> Result<Gathered, OssError> {
    let buckets: Vec<_> = client.list_buckets().try_collect().await?;
    let mut facts: Vec<BucketFacts> = futures::stream::iter(buckets)
        .map(|b| {
            let client = client.clone();
            async move { object_facts(&client, &b).await }.boxed()
        })
        .buffered(AT_ONCE)
        .collect()
        .await;
    let mut notes = Vec::new();
    match client.list_vector_buckets().try_collect::<Vec<_>>().await {
        Ok(vectors) => {
            let more: Vec<BucketFacts> = futures::stream::iter(vectors)
                .map(|v| {
                    let client = client.clone();
                    async move {
                        let indexes = client
                            .list_vector_indexes(&v.name)
                            .try_collect::<Vec<_>>()
                            .await
                            .ok()
                            .map(|i| i.len() as u64);
                        BucketFacts::vector(&v.name, &v.region, indexes)
                    }
                    .boxed()
                })
                .buffered(AT_ONCE)
                .collect()
                .await;
            facts.extend(more);
        }
        Err(e) => notes.push(format!(
            "Vector buckets could not be listed: {}",
            first_line(&e)
        )),
    }
    Ok(Gathered { facts, notes })
}
