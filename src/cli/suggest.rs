//! What the user may have meant when a bucket does not exist: a vector bucket
//! of that name (then `--vector` is missing), or the account's bucket whose
//! name is closest. Reads only (ListBuckets or ListVectorBuckets).

use futures::StreamExt;

use crate::oss::Client;
use crate::vocab::BucketKind;

/// The most bucket names read to find a suggestion.
const MAX_NAMES: usize = 10_000;

/// A hint for `bucket`, which OSS says does not exist as a bucket of `kind`.
pub async fn missing_bucket(client: &Client, kind: BucketKind, bucket: &str) -> Option<String> {
    let (same_names, other_names) = tokio::join!(names(client, kind), names(client, other(kind)));
    if other_names.iter().any(|n| n == bucket) {
        return Some(match kind {
            BucketKind::Object => {
                format!("{bucket} is a vector bucket: add --vector")
            }
            BucketKind::Vector => {
                format!("{bucket} is an object bucket, not a vector bucket: leave out --vector")
            }
        });
    }
    let options: Vec<&str> = same_names.iter().map(String::as_str).collect();
    crate::text::did_you_mean(bucket, &options).map(|near| format!("did you mean {near}?"))
}

fn other(kind: BucketKind) -> BucketKind {
    match kind {
        BucketKind::Object => BucketKind::Vector,
        BucketKind::Vector => BucketKind::Object,
    }
}

/// The account's bucket names of `kind` (none when they cannot be listed:
/// a suggestion is a courtesy, never a second error).
async fn names(client: &Client, kind: BucketKind) -> Vec<String> {
    match kind {
        BucketKind::Object => {
            client
                .list_buckets()
                .take(MAX_NAMES)
                .filter_map(|b| async move { b.ok().map(|b| b.name) })
                .collect()
                .await
        }
        BucketKind::Vector => {
            client
                .list_vector_buckets()
                .take(MAX_NAMES)
                .filter_map(|b| async move { b.ok().map(|b| b.name) })
                .collect()
                .await
        }
    }
}
