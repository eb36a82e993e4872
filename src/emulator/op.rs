//! The OSS operations the emulator knows, as a type: a request is routed to
//! one once (`ops::route`), its handler is picked by one exhaustive match, and
//! logs, statistics and fault rules name it by [`Op::name`] (OSS's API name).

macro_rules! operations {
    ($($op:ident,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Op {
            $($op,)*
        }

        impl Op {
            /// Every operation, in the order above.
            pub const ALL: &'static [Op] = &[$(Op::$op,)*];

            /// OSS's name for it (`DeleteMultipleObjects`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Op::$op => stringify!($op),)*
                }
            }
        }
    };
}

operations! {
    ListBuckets,
    DescribeRegions,
    ListAccessPoints,
    PutBucket,
    DeleteBucket,
    GetBucketAcl,
    GetBucketInfo,
    GetBucketLocation,
    GetBucketStat,
    GetBucketVersioning,
    PutBucketVersioning,
    ListObjects,
    ListObjectsV2,
    ListObjectVersions,
    DeleteMultipleObjects,
    PutObject,
    GetObject,
    HeadObject,
    GetObjectMeta,
    GetObjectAcl,
    DeleteObject,
    InitiateMultipartUpload,
    UploadPart,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListParts,
    ListMultipartUploads,
    PutLiveChannel,
    PutLiveChannelStatus,
    GetLiveChannelInfo,
    GetLiveChannelStat,
    DeleteLiveChannel,
    ListLiveChannel,
    CreateAccessPoint,
    GetAccessPoint,
    DeleteAccessPoint,
    PutAccessPointPolicy,
    GetAccessPointPolicy,
    DeleteAccessPointPolicy,
    GetBucketReplication,
    PutBucketReplication,
    DeleteBucketReplication,
    GetBucketWorm,
    InitiateBucketWorm,
    AbortBucketWorm,
    CompleteBucketWorm,
    ExtendBucketWorm,
    GetBucketWebsite,
    PutBucketWebsite,
    DeleteBucketWebsite,
    ListCname,
    PutCname,
    DeleteCname,
    GetBucketPolicy,
    PutBucketPolicy,
    DeleteBucketPolicy,
    GetBucketLifecycle,
    PutBucketLifecycle,
    DeleteBucketLifecycle,
    GetBucketDataAccelerator,
    PutBucketDataAccelerator,
    DeleteBucketDataAccelerator,
    ListVectorBuckets,
    PutVectorBucket,
    GetVectorBucket,
    DeleteVectorBucket,
    PutVectorIndex,
    GetVectorIndex,
    ListVectorIndexes,
    DeleteVectorIndex,
    PutVectors,
    GetVectors,
    ListVectors,
    DeleteVectors,
    QueryVectors,
}

impl Op {
    /// A data API call (on objects, versions and uploads), as opposed to a
    /// management call (on buckets and their configuration). Accounts that
    /// activated OSS after 2025-03-20 may not make data calls to mainland
    /// buckets through the default public endpoint (`PublicEndpointForbidden`).
    pub fn is_data(self) -> bool {
        matches!(
            self,
            Op::ListObjects
                | Op::ListObjectsV2
                | Op::ListObjectVersions
                | Op::DeleteMultipleObjects
                | Op::PutObject
                | Op::GetObject
                | Op::HeadObject
                | Op::GetObjectMeta
                | Op::GetObjectAcl
                | Op::DeleteObject
                | Op::InitiateMultipartUpload
                | Op::UploadPart
                | Op::CompleteMultipartUpload
                | Op::AbortMultipartUpload
                | Op::ListParts
                | Op::ListMultipartUploads
        )
    }

    /// The operation OSS calls `name` (fault rules and `--deny` name them).
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|op| op.name() == name)
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_one_operation() {
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(*op));
        }
        assert_eq!(Op::ALL.len(), 75);
        assert_eq!(Op::from_name("DeleteMultipleObject"), None);
    }
}
