"""Lifecycle rules as OSS validates them: the SDK's own rule sets, the ones OSS
refuses (with their ECs), and `ossweep expire`'s rules read back by the SDK."""

import alibabacloud_oss_v2 as oss
import pytest

from conftest import run_ossweep

M = oss.models


def put_rules(v2, bucket, rules):
    v2.put_bucket_lifecycle(M.PutBucketLifecycleRequest(
        bucket=bucket, lifecycle_configuration=M.LifecycleConfiguration(rules=rules)))


def refused(v2, bucket, rules):
    with pytest.raises(oss.exceptions.OperationError) as e:
        put_rules(v2, bucket, rules)
    err = e.value.unwrap()
    return err.status_code, err.ec


NOT_DLSDATA = M.LifecycleRuleFilter(nots=[M.LifecycleRuleNot(prefix=".dlsdata/")])


def test_not_cannot_share_a_rule_with_parts_or_marker_actions(v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    with_parts = M.LifecycleRule(id="r", prefix="", status="Enabled", filter=NOT_DLSDATA,
                                 expiration=M.LifecycleRuleExpiration(days=1),
                                 abort_multipart_upload=M.LifecycleRuleAbortMultipartUpload(days=1))
    assert refused(v2, bucket_name, [with_parts]) == (400, "0014-00000034")
    with_marker = M.LifecycleRule(id="r", prefix="", status="Enabled", filter=NOT_DLSDATA,
                                  expiration=M.LifecycleRuleExpiration(expired_object_delete_marker=True))
    assert refused(v2, bucket_name, [with_marker]) == (400, "0014-00000034")
    zero_days = M.LifecycleRule(id="r", prefix="", status="Enabled", expiration=M.LifecycleRuleExpiration(days=0))
    assert refused(v2, bucket_name, [zero_days])[0] == 400
    same_prefix = [M.LifecycleRule(id=f"r{i}", prefix="logs/", status="Enabled",
                                   expiration=M.LifecycleRuleExpiration(days=1 + i)) for i in range(2)]
    assert refused(v2, bucket_name, same_prefix) == (400, "0014-00000085")
    # Not beside expiration of current and previous versions is fine.
    ok = M.LifecycleRule(id="r", prefix="", status="Enabled", filter=NOT_DLSDATA,
                         expiration=M.LifecycleRuleExpiration(days=1),
                         noncurrent_version_expiration=M.NoncurrentVersionExpiration(noncurrent_days=1))
    put_rules(v2, bucket_name, [ok])


@pytest.mark.parametrize("hdfs", [False, True])
def test_ossweep_expire_rules_are_accepted_and_read_back(emulator, v2, bucket_name, hdfs):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    v2.put_bucket_versioning(M.PutBucketVersioningRequest(
        bucket=bucket_name, versioning_configuration=M.VersioningConfiguration(status="Enabled")))
    v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="data/a.txt", body=b"a"))
    if hdfs:
        v2.put_object(M.PutObjectRequest(bucket=bucket_name, key=".dlsdata/block-1", body=b"h"))

    out = run_ossweep(emulator.url, "expire", bucket_name, "--days", "2", "--yes", check=False)
    assert out.returncode == 0, out.stderr
    rule = v2.get_bucket_lifecycle(M.GetBucketLifecycleRequest(bucket=bucket_name)).lifecycle_configuration.rules[0]
    assert rule.id.startswith("ossweep-expire-phase-a-") and rule.prefix in ("", None)
    assert rule.expiration.days == 2 and rule.noncurrent_version_expiration.noncurrent_days == 2
    if hdfs:
        assert [n.prefix for n in rule.filter.nots] == [".dlsdata/"]
        assert rule.abort_multipart_upload is None
        return
    assert rule.filter is None or not rule.filter.nots
    assert rule.abort_multipart_upload.days == 2

    # Phase B once the data has expired and only delete markers are left.
    got = v2.list_object_versions(M.ListObjectVersionsRequest(bucket=bucket_name))
    for v in got.version:
        v2.delete_object(M.DeleteObjectRequest(bucket=bucket_name, key=v.key, version_id=v.version_id))
    v2.delete_object(M.DeleteObjectRequest(bucket=bucket_name, key="data/a.txt"))
    out = run_ossweep(emulator.url, "expire", bucket_name, "--yes", check=False)
    assert out.returncode == 0, out.stderr
    rule = v2.get_bucket_lifecycle(M.GetBucketLifecycleRequest(bucket=bucket_name)).lifecycle_configuration.rules[0]
    assert rule.id.startswith("ossweep-expire-phase-b-")
    assert rule.expiration.expired_object_delete_marker is True
    assert rule.expiration.days is None
