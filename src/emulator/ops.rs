//! OSS operations over the [`Store`]: request in, OSS-shaped reply (or error XML)
//! out. A request is routed once to its [`Op`] (by method and sub-resource, as
//! OSS does), and one exhaustive match picks its handler; anything not
//! implemented answers `NotImplemented`, never a silent success.

use crate::oss::model::Versioning;
use base64::Engine;

use crate::oss::time;
use crate::oss::xml::{self, Element, Writer};

pub use super::op::Op;
pub use super::protocol::*;
use super::store::*;
use super::{access_point, config, live, multipart, vectors};

mod buckets;
mod objects;
mod routing;
pub use routing::route;
use routing::unsupported_subresource;

pub use objects::keys_in_delete_body;

/// GetBucketAcl / GetObjectAcl: the owner and one grant (`private` for buckets,
/// `default` for objects, which then follow the bucket).
fn acl_policy(grant: &str) -> String {
    let mut w = Writer::new();
    w.open("AccessControlPolicy");
    owner(&mut w);
    w.open("AccessControlList")
        .leaf("Grant", grant)
        .close("AccessControlList");
    w.close("AccessControlPolicy");
    w.finish()
}

/// Handles one authenticated request.
pub fn handle(ctx: &mut Ctx<'_>, r: &Request) -> Result<Reply, EmuError> {
    if r.vectors.is_none() {
        if let Some(sub) = unsupported_subresource(r) {
            return Err(EmuError::not_implemented(&format!(
                "The '{sub}' sub-resource"
            )));
        }
    }
    let Some(op) = route(r) else {
        return Err(EmuError::not_implemented(&format!(
            "{} with these parameters",
            r.method
        )));
    };
    // A V1-only endpoint knows none of OSS's own bucket sub-resources (bucket
    // info aside): it answers them with the bucket's listing.
    let oss_only = matches!(
        op,
        Op::GetBucketWorm
            | Op::GetBucketReplication
            | Op::ListCname
            | Op::ListLiveChannel
            | Op::ListAccessPoints
            | Op::GetBucketDataAccelerator
            | Op::GetBucketStat
    );
    if ctx.list_v1_only && oss_only && r.bucket.is_some() {
        return objects::list_objects(ctx, r, false);
    }
    match op {
        Op::ListBuckets => buckets::list_buckets(ctx, r),
        Op::DescribeRegions => Err(EmuError::not_implemented("GET DescribeRegions")),
        Op::PutBucket => buckets::put_bucket(ctx, r),
        Op::DeleteBucket => buckets::delete_bucket(ctx, r),
        Op::GetBucketInfo => buckets::bucket_info(ctx, r),
        Op::GetBucketLocation => buckets::bucket_location(ctx, r),
        Op::GetBucketStat => buckets::bucket_stat(ctx, r),
        Op::GetBucketVersioning => buckets::get_versioning(ctx, r),
        Op::PutBucketVersioning => buckets::put_versioning(ctx, r),
        Op::GetBucketAcl => buckets::bucket_acl(ctx, r),
        Op::ListObjects => objects::list_objects(ctx, r, false),
        Op::ListObjectsV2 => objects::list_objects(ctx, r, !ctx.list_v1_only),
        Op::ListObjectVersions => objects::list_versions(ctx, r),
        Op::PutObject => objects::put_object(ctx, r),
        Op::GetObject | Op::HeadObject | Op::GetObjectMeta => objects::get_object(ctx, r, op),
        Op::GetObjectAcl => objects::object_acl(ctx, r),
        Op::DeleteObject => objects::delete_object(ctx, r),
        Op::DeleteMultipleObjects => objects::delete_multiple(ctx, r),
        Op::InitiateMultipartUpload => multipart::initiate_multipart_upload(ctx, r),
        Op::UploadPart => multipart::upload_part(ctx, r),
        Op::CompleteMultipartUpload => multipart::complete_multipart_upload(ctx, r),
        Op::AbortMultipartUpload => multipart::abort_multipart_upload(ctx, r),
        Op::ListParts => multipart::list_parts(ctx, r),
        Op::ListMultipartUploads => multipart::list_multipart_uploads(ctx, r),
        Op::PutLiveChannel => live::put_live_channel(ctx, r),
        Op::PutLiveChannelStatus => live::put_live_channel_status(ctx, r),
        Op::GetLiveChannelInfo => live::get_live_channel_info(ctx, r),
        Op::GetLiveChannelStat => live::get_live_channel_stat(ctx, r),
        Op::DeleteLiveChannel => live::delete_live_channel(ctx, r),
        Op::ListLiveChannel => live::list_live_channel(ctx, r),
        Op::CreateAccessPoint => access_point::create_access_point(ctx, r),
        Op::GetAccessPoint => access_point::get_access_point(ctx, r),
        Op::ListAccessPoints => access_point::list_access_points(ctx, r),
        Op::DeleteAccessPoint => access_point::delete_access_point(ctx, r),
        Op::PutAccessPointPolicy => access_point::put_access_point_policy(ctx, r),
        Op::GetAccessPointPolicy => access_point::get_access_point_policy(ctx, r),
        Op::DeleteAccessPointPolicy => access_point::delete_access_point_policy(ctx, r),
        Op::GetBucketReplication => config::get_bucket_replication(ctx, r),
        Op::PutBucketReplication => config::put_bucket_replication(ctx, r),
        Op::DeleteBucketReplication => config::delete_bucket_replication(ctx, r),
        Op::GetBucketWorm => config::get_bucket_worm(ctx, r),
        Op::InitiateBucketWorm => config::initiate_bucket_worm(ctx, r),
        Op::AbortBucketWorm => config::abort_bucket_worm(ctx, r),
        Op::CompleteBucketWorm | Op::ExtendBucketWorm => {
            config::complete_or_extend_worm(ctx, r, op)
        }
        Op::GetBucketWebsite => config::get_bucket_website(ctx, r),
        Op::PutBucketWebsite => config::put_bucket_website(ctx, r),
        Op::DeleteBucketWebsite => config::delete_bucket_website(ctx, r),
        Op::ListCname => config::list_cname(ctx, r),
        Op::PutCname | Op::DeleteCname => config::put_or_delete_cname(ctx, r, op),
        Op::GetBucketPolicy => config::get_bucket_policy(ctx, r),
        Op::PutBucketPolicy => config::put_bucket_policy(ctx, r),
        Op::DeleteBucketPolicy => config::delete_bucket_policy(ctx, r),
        Op::GetBucketLifecycle => config::get_bucket_lifecycle(ctx, r),
        Op::PutBucketLifecycle => config::put_bucket_lifecycle(ctx, r),
        Op::DeleteBucketLifecycle => config::delete_bucket_lifecycle(ctx, r),
        Op::GetBucketDataAccelerator => config::get_bucket_data_accelerator(ctx, r),
        Op::PutBucketDataAccelerator => config::put_bucket_data_accelerator(ctx, r),
        Op::DeleteBucketDataAccelerator => config::delete_bucket_data_accelerator(ctx, r),
        Op::ListVectorBuckets => vectors::list_vector_buckets(ctx, r),
        Op::PutVectorBucket => vectors::put_vector_bucket(ctx, r),
        Op::GetVectorBucket => vectors::get_vector_bucket(ctx, r),
        Op::DeleteVectorBucket => vectors::delete_vector_bucket(ctx, r),
        Op::PutVectorIndex => vectors::put_vector_index(ctx, r),
        Op::GetVectorIndex => vectors::get_vector_index(ctx, r),
        Op::ListVectorIndexes => vectors::list_vector_indexes(ctx, r),
        Op::DeleteVectorIndex => vectors::delete_vector_index(ctx, r),
        Op::PutVectors => vectors::put_vectors(ctx, r),
        Op::ListVectors => vectors::list_vectors(ctx, r),
        Op::GetVectors | Op::DeleteVectors | Op::QueryVectors => Err(EmuError::not_implemented(
            &format!("The Vectors operation {op}"),
        )),
    }
}

#[cfg(test)]
mod tests;
