"""Read-only calls Alibaba's own tools make while listing, stat-ing and
downloading, through the official SDKs: GetObjectMeta, GetBucketAcl,
GetObjectAcl, HeadObject and GetObject."""

import alibabacloud_oss_v2 as oss
import pytest

from conftest import oss2_bucket

M = oss.models


def test_object_meta_and_acls_through_sdk_v2(v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="docs/a.txt", body=b"hello"))
    meta = v2.get_object_meta(M.GetObjectMetaRequest(bucket=bucket_name, key="docs/a.txt"))
    assert meta.content_length == 5 and meta.etag and meta.last_modified
    assert v2.get_bucket_acl(M.GetBucketAclRequest(bucket=bucket_name)).acl == "private"
    assert v2.get_object_acl(M.GetObjectAclRequest(bucket=bucket_name, key="docs/a.txt")).acl == "default"
    head = v2.head_object(M.HeadObjectRequest(bucket=bucket_name, key="docs/a.txt"))
    assert head.content_length == 5
    got = v2.get_object(M.GetObjectRequest(bucket=bucket_name, key="docs/a.txt"))
    assert got.body.read() == b"hello"
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2.get_object_acl(M.GetObjectAclRequest(bucket=bucket_name, key="missing"))
    assert e.value.unwrap().code == "NoSuchKey"


def test_object_meta_and_acls_through_oss2_with_versions(emulator, v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    v2.put_bucket_versioning(M.PutBucketVersioningRequest(
        bucket=bucket_name, versioning_configuration=M.VersioningConfiguration(status="Enabled")))
    first = v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="k", body=b"one"))
    v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="k", body=b"three"))
    b = oss2_bucket(emulator.url, bucket_name)
    assert b.get_object_meta("k").content_length == 5
    assert b.get_object_meta("k", params={"versionId": first.version_id}).content_length == 3
    assert b.get_bucket_acl().acl == "private"
    assert b.get_object_acl("k").acl == "default"
