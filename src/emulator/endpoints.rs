//! The endpoint rule for accounts that activated OSS on or after 2025-03-20:
//! data API calls (objects, versions, uploads) to buckets in the Chinese
//! mainland through the default public endpoint answer 400
//! `PublicEndpointForbidden` (EC 0048-00000401). Management calls, the internal
//! endpoints (`oss-<region>-internal.aliyuncs.com`) and other regions are not
//! affected. Which calls count as data calls is `Op::is_data`. Pure.

use super::op::Op;
use super::protocol::EmuError;

/// Whether `region` is in the Chinese mainland (Hong Kong is not).
pub fn mainland(region: &str) -> bool {
    region.starts_with("cn-") && region != "cn-hongkong"
}

/// Whether a request came through an internal endpoint, by its Host.
pub fn internal_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host.ends_with(".aliyuncs.com") && host.contains("-internal.")
}

/// The refusal a new account gets for `op` on a bucket in `region` through
/// `host`, if it gets one.
pub fn refused(op: Op, host: &str, region: &str) -> Option<EmuError> {
    (op.is_data() && mainland(region) && !internal_host(host)).then(|| {
        EmuError::new(
            400,
            "PublicEndpointForbidden",
            "Data API calls to this bucket through the default public endpoint are forbidden for this account; use a custom domain bound to the bucket, or the internal endpoint.",
        )
        .ec("0048-00000401")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_data_calls_to_mainland_buckets_through_public_hosts_are_refused() {
        let public = "b.oss-cn-hangzhou.aliyuncs.com";
        let e = refused(Op::ListObjectsV2, public, "cn-hangzhou").unwrap();
        assert_eq!(
            (e.status, e.code.as_str()),
            (400, "PublicEndpointForbidden")
        );
        assert_eq!(e.ec.as_deref(), Some("0048-00000401"));
        assert!(refused(Op::DeleteMultipleObjects, "127.0.0.1", "cn-beijing").is_some());
        // Management calls, internal hosts, other regions: served.
        for op in [
            Op::GetBucketInfo,
            Op::PutBucketLifecycle,
            Op::DeleteBucket,
            Op::ListBuckets,
        ] {
            assert!(refused(op, public, "cn-hangzhou").is_none(), "{op}");
        }
        assert!(refused(
            Op::ListObjectsV2,
            "b.oss-cn-hangzhou-internal.aliyuncs.com",
            "cn-hangzhou"
        )
        .is_none());
        assert!(refused(
            Op::ListObjectsV2,
            "b.oss-cn-hongkong.aliyuncs.com",
            "cn-hongkong"
        )
        .is_none());
        assert!(refused(
            Op::ListObjectsV2,
            "b.oss-ap-southeast-1.aliyuncs.com",
            "ap-southeast-1"
        )
        .is_none());
    }
}
