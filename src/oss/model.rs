//! What OSS operations return, in ossweep's own types. Times are Unix seconds.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Versioning {
    /// Never enabled: plain listings show everything.
    #[default]
    Off,
    Enabled,
    /// Old versions and delete markers remain and must be deleted by version id.
    Suspended,
}

impl Versioning {
    pub fn from_status(s: Option<&str>) -> Self {
        match s {
            Some("Enabled") => Versioning::Enabled,
            Some("Suspended") => Versioning::Suspended,
            _ => Versioning::Off,
        }
    }

    /// True when deletes must name version ids.
    pub fn is_versioned(self) -> bool {
        self != Versioning::Off
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Versioning::Off => "Off",
            Versioning::Enabled => "Enabled",
            Versioning::Suspended => "Suspended",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketSummary {
    pub name: String,
    /// Bare region id (`cn-hangzhou`), the V4 signing region.
    pub region: String,
    pub creation_date: Option<i64>,
    pub storage_class: String,
    pub extranet_endpoint: Option<String>,
    pub intranet_endpoint: Option<String>,
    pub resource_group_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListBucketsPage {
    pub buckets: Vec<BucketSummary>,
    pub owner_id: Option<String>,
    pub next_marker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketInfo {
    pub name: String,
    pub region: String,
    pub creation_date: Option<i64>,
    pub storage_class: String,
    pub versioning: Versioning,
    pub cross_region_replication: bool,
    pub transfer_acceleration: bool,
    pub extranet_endpoint: Option<String>,
    pub intranet_endpoint: Option<String>,
    pub owner_id: Option<String>,
    pub acl: Option<String>,
    pub data_redundancy_type: Option<String>,
    /// The server's clock when it answered (the reply's `Date`, Unix seconds).
    #[serde(skip)]
    pub served_at: Option<i64>,
}

/// What tells one bucket from another of the same name: bucket names are
/// released 4-8 hours after a deletion and anyone may then register them, so a
/// run is bound to the bucket it was confirmed for, not to its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BucketIdentity {
    /// CreationDate (Unix seconds): a bucket created again gets another.
    pub created: Option<i64>,
    pub region: String,
    /// The owning account's UID (`Owner/ID`), when OSS says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl BucketIdentity {
    pub fn of(info: &BucketInfo) -> Self {
        BucketIdentity {
            created: info.creation_date,
            region: info.region.clone(),
            owner: info.owner_id.clone(),
        }
    }

    /// Why `now` is not the bucket this identity names (`None`: it is). A
    /// bucket whose creation date OSS does not say cannot be told apart, so
    /// it is never taken for the one confirmed.
    pub fn differs(&self, now: &BucketIdentity) -> Option<String> {
        let date = |t: Option<i64>| t.map_or("an unknown date".into(), super::time::iso8601);
        match (self.created, now.created) {
            (Some(a), Some(b)) if a == b => {}
            (Some(_), Some(_)) => {
                return Some(format!(
                    "it was created {}, not {} like the bucket confirmed: it was deleted and created again",
                    date(now.created),
                    date(self.created)
                ))
            }
            _ => {
                return Some(
                    "OSS did not say when it was created, so it cannot be told apart from another bucket of the same name".into(),
                )
            }
        }
        if self.region != now.region {
            return Some(format!(
                "it is in {}, not in {} like the bucket confirmed",
                now.region, self.region
            ));
        }
        match (&self.owner, &now.owner) {
            (Some(a), Some(b)) if a != b => {
                Some("it belongs to another account than the bucket confirmed".into())
            }
            _ => None,
        }
    }
}

/// Storage held by one storage class, from GetBucketStat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct ClassStat {
    pub storage: u64,
    pub object_count: u64,
}

/// GetBucketStat: an estimate (OSS updates it with a lag of up to an hour).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct BucketStat {
    pub storage: u64,
    pub object_count: u64,
    pub multipart_upload_count: u64,
    pub multipart_part_count: u64,
    pub multipart_part_storage: u64,
    pub live_channel_count: u64,
    pub delete_marker_count: u64,
    pub last_modified_time: Option<i64>,
    pub standard: ClassStat,
    pub infrequent_access: ClassStat,
    pub archive: ClassStat,
    pub cold_archive: ClassStat,
    pub deep_cold_archive: ClassStat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectSummary {
    pub key: String,
    pub size: u64,
    pub storage_class: String,
    pub last_modified: Option<i64>,
    pub etag: String,
    /// `Normal`, `Multipart`, `Appendable` or `Symlink`.
    pub object_type: String,
    /// When a lifecycle rule moved it to its class (Cold Archive fees count from here).
    pub transition_time: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListObjectsPage {
    pub objects: Vec<ObjectSummary>,
    pub common_prefixes: Vec<String>,
    pub next_continuation_token: Option<String>,
}

/// One entry of ListObjectVersions: a data version or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectVersion {
    pub key: String,
    /// `null` for objects written while versioning was off or suspended.
    pub version_id: String,
    pub is_latest: bool,
    pub is_delete_marker: bool,
    pub size: u64,
    pub storage_class: String,
    pub last_modified: Option<i64>,
    pub transition_time: Option<i64>,
}

impl From<ObjectSummary> for ObjectVersion {
    /// A current object of an unversioned bucket, as the `null` version.
    fn from(o: ObjectSummary) -> Self {
        ObjectVersion {
            key: o.key,
            version_id: "null".into(),
            is_latest: true,
            is_delete_marker: false,
            size: o.size,
            storage_class: o.storage_class,
            last_modified: o.last_modified,
            transition_time: o.transition_time,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListVersionsPage {
    /// In document order: keys ascending, newest version first within a key.
    pub entries: Vec<ObjectVersion>,
    pub next_key_marker: Option<String>,
    pub next_version_id_marker: Option<String>,
}

/// A key to delete, with the version to remove in a versioned bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct ObjectIdentifier {
    pub key: String,
    pub version_id: Option<String>,
}

impl ObjectIdentifier {
    pub fn key(key: impl Into<String>) -> Self {
        ObjectIdentifier {
            key: key.into(),
            version_id: None,
        }
    }

    pub fn version(key: impl Into<String>, version_id: impl Into<String>) -> Self {
        let v: String = version_id.into();
        // An empty version id is the null version (oss-api.md §5).
        ObjectIdentifier {
            key: key.into(),
            version_id: Some(if v.is_empty() { "null".into() } else { v }),
        }
    }
}

/// One `<Deleted>` entry of a DeleteMultipleObjects reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletedEntry {
    pub key: String,
    pub version_id: Option<String>,
    pub delete_marker: bool,
    pub delete_marker_version_id: Option<String>,
}

/// Per-key outcome of a batch delete, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum KeyOutcome {
    Deleted(DeletedEntry),
    /// Asked for but absent from `Deleted`: counts as not deleted (oss-api.md §6.2).
    NotDeleted {
        key: String,
        version_id: Option<String>,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MultipartUpload {
    pub key: String,
    pub upload_id: String,
    pub initiated: Option<i64>,
    pub storage_class: Option<String>,
}

/// One page of ListParts: the parts' numbers and sizes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPartsPage {
    pub parts: Vec<(u32, u64)>,
    /// The part number to list after, while the page is truncated.
    pub next_marker: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListUploadsPage {
    pub uploads: Vec<MultipartUpload>,
    pub next_key_marker: Option<String>,
    pub next_upload_id_marker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveChannel {
    pub name: String,
    pub description: String,
    pub status: String,
    pub last_modified: Option<i64>,
    pub publish_urls: Vec<String>,
    pub play_urls: Vec<String>,
}

/// GetLiveChannelStat: whether a client is pushing a stream to the channel.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LiveChannelStat {
    /// `Live`, `Idle` or `Disabled`.
    pub status: String,
    /// Since when the pushing client is connected (while `Live`).
    pub connected: Option<i64>,
    pub remote_addr: Option<String>,
}

impl LiveChannelStat {
    pub fn is_live(&self) -> bool {
        self.status == "Live"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListLiveChannelsPage {
    pub channels: Vec<LiveChannel>,
    pub next_marker: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessPoint {
    pub name: String,
    pub bucket: String,
    pub alias: String,
    pub network_origin: String,
    pub vpc_id: Option<String>,
    /// `creating`, `enable` or `deleting`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListAccessPointsPage {
    pub access_points: Vec<AccessPoint>,
    pub account_id: Option<String>,
    pub next_continuation_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessPointDetail {
    pub access_point: AccessPoint,
    pub account_id: Option<String>,
    pub arn: Option<String>,
    /// As OSS sends it (Unix seconds as text today).
    pub creation_date: Option<String>,
    pub public_endpoint: Option<String>,
    pub internal_endpoint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplicationRule {
    pub id: String,
    pub prefixes: Vec<String>,
    /// `ALL` carries deletes to the destination; `PUT` only writes.
    pub action: String,
    pub destination_bucket: String,
    pub destination_location: String,
    pub status: String,
    pub historical_object_replication: bool,
}

impl ReplicationRule {
    pub fn replicates_deletes(&self) -> bool {
        self.action
            .split(',')
            .any(|a| matches!(a.trim(), "ALL" | "DELETE"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WormConfiguration {
    pub worm_id: String,
    /// `InProgress` or `Locked`.
    pub state: String,
    pub retention_period_days: u64,
    pub creation_date: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebsiteConfiguration {
    pub index_document: Option<String>,
    pub error_document: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CnameBinding {
    pub domain: String,
    pub status: String,
    pub last_modified: Option<i64>,
    pub has_certificate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct LifecycleRule {
    pub id: String,
    pub prefix: String,
    pub enabled: bool,
    pub excluded_prefixes: Vec<String>,
    pub expiration_days: Option<u64>,
    pub expiration_date: Option<String>,
    pub expired_object_delete_marker: bool,
    pub noncurrent_days: Option<u64>,
    pub abort_multipart_days: Option<u64>,
    pub transitions: Vec<String>,
}

/// GetBucketLifecycle keeps the raw body so a replaced configuration can be backed up exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LifecycleConfiguration {
    pub rules: Vec<LifecycleRule>,
    pub raw_xml: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataAccelerator {
    pub available_zone: String,
    pub quota_gb: Option<u64>,
    pub creation_date: Option<String>,
}
