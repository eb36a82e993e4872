"""alibabacloud-oss-v2 (V4, path style) against the emulator."""

import json

import alibabacloud_oss_v2 as oss
import pytest

from conftest import run_ossweep, v2_client

M = oss.models


def test_buckets_objects_and_listings(v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name, create_bucket_configuration=M.CreateBucketConfiguration(storage_class="IA")))
    keys = [f"dir/sub/{i:03}.txt" for i in range(25)] + ["a b+c%.txt", "ключ", "trailing/"]
    for k in keys:
        v2.put_object(M.PutObjectRequest(bucket=bucket_name, key=k, body=b"hello"))
    seen = []
    for page in v2.list_objects_v2_paginator().iter_page(M.ListObjectsV2Request(bucket=bucket_name, max_keys=10)):
        assert len(page.contents) <= 10
        seen += [o.key for o in page.contents]
    assert sorted(seen) == sorted(keys)
    delimited = v2.list_objects_v2(M.ListObjectsV2Request(bucket=bucket_name, delimiter="/"))
    assert [p.prefix for p in delimited.common_prefixes] == ["dir/", "trailing/"]
    v1 = v2.list_objects(M.ListObjectsRequest(bucket=bucket_name, prefix="dir/sub/", max_keys=5))
    assert v1.is_truncated and v1.next_marker == "dir/sub/004.txt"
    info = v2.get_bucket_info(M.GetBucketInfoRequest(bucket=bucket_name))
    assert info.bucket_info.name == bucket_name and info.bucket_info.storage_class == "IA"
    stat = v2.get_bucket_stat(M.GetBucketStatRequest(bucket=bucket_name))
    assert stat.object_count == len(keys) and stat.storage == 5 * len(keys)
    names = []
    for page in v2.list_buckets_paginator().iter_page(M.ListBucketsRequest()):
        names += [b.name for b in page.buckets]
    assert bucket_name in names


def test_versioning_markers_and_version_deletes(v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    v2.put_bucket_versioning(M.PutBucketVersioningRequest(bucket=bucket_name, versioning_configuration=M.VersioningConfiguration(status="Enabled")))
    for i in range(3):
        v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="doc.txt", body=f"v{i}".encode()))
    deleted = v2.delete_object(M.DeleteObjectRequest(bucket=bucket_name, key="doc.txt"))
    assert deleted.delete_marker is True and deleted.version_id
    assert v2.list_objects_v2(M.ListObjectsV2Request(bucket=bucket_name)).key_count == 0
    versions, markers = [], []
    for page in v2.list_object_versions_paginator().iter_page(M.ListObjectVersionsRequest(bucket=bucket_name, max_keys=2)):
        versions += page.version or []
        markers += page.delete_marker or []
    assert len(versions) == 3 and len(markers) == 1
    assert markers[0].is_latest and not any(v.is_latest for v in versions)
    objects = [M.DeleteObject(key=v.key, version_id=v.version_id) for v in versions + markers]
    result = v2.delete_multiple_objects(M.DeleteMultipleObjectsRequest(bucket=bucket_name, objects=objects, encoding_type="url"))
    assert len(result.deleted_objects) == 4
    assert any(d.delete_marker for d in result.deleted_objects)
    after = v2.list_object_versions(M.ListObjectVersionsRequest(bucket=bucket_name))
    assert not after.version and not after.delete_marker
    v2.delete_bucket(M.DeleteBucketRequest(bucket=bucket_name))


def test_multipart_uploads(v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    init = v2.initiate_multipart_upload(M.InitiateMultipartUploadRequest(bucket=bucket_name, key="big/file.bin"))
    part = v2.upload_part(M.UploadPartRequest(bucket=bucket_name, key="big/file.bin", upload_id=init.upload_id, part_number=1, body=b"x" * 1024))
    stale = v2.initiate_multipart_upload(M.InitiateMultipartUploadRequest(bucket=bucket_name, key="big/stale.bin"))
    uploads = v2.list_multipart_uploads(M.ListMultipartUploadsRequest(bucket=bucket_name))
    assert sorted(u.key for u in uploads.uploads) == ["big/file.bin", "big/stale.bin"]
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2.delete_bucket(M.DeleteBucketRequest(bucket=bucket_name))
    assert e.value.unwrap().code == "BucketNotEmpty"
    v2.complete_multipart_upload(M.CompleteMultipartUploadRequest(bucket=bucket_name, key="big/file.bin", upload_id=init.upload_id,
                                                                 complete_multipart_upload=M.CompleteMultipartUpload(parts=[M.UploadPart(part_number=1, etag=part.etag)])))
    v2.abort_multipart_upload(M.AbortMultipartUploadRequest(bucket=bucket_name, key="big/stale.bin", upload_id=stale.upload_id))
    assert not v2.list_multipart_uploads(M.ListMultipartUploadsRequest(bucket=bucket_name)).uploads
    head = v2.head_object(M.HeadObjectRequest(bucket=bucket_name, key="big/file.bin"))
    assert head.content_length == 1024


def test_list_parts_pages_as_the_sdk_pages_them(v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    init = v2.initiate_multipart_upload(M.InitiateMultipartUploadRequest(bucket=bucket_name, key="big/parts.bin"))
    for n in range(1, 6):
        v2.upload_part(M.UploadPartRequest(bucket=bucket_name, key="big/parts.bin", upload_id=init.upload_id, part_number=n, body=b"p" * (100 * n)))
    numbers, sizes, pages = [], [], 0
    for page in v2.list_parts_paginator().iter_page(M.ListPartsRequest(bucket=bucket_name, key="big/parts.bin", upload_id=init.upload_id, max_parts=2)):
        pages += 1
        assert len(page.parts) <= 2
        numbers += [p.part_number for p in page.parts]
        sizes += [p.size for p in page.parts]
    assert numbers == [1, 2, 3, 4, 5] and sizes == [100, 200, 300, 400, 500] and pages == 3
    first = v2.list_parts(M.ListPartsRequest(bucket=bucket_name, key="big/parts.bin", upload_id=init.upload_id, max_parts=2))
    assert first.is_truncated and first.next_part_number_marker == 2
    rest = v2.list_parts(M.ListPartsRequest(bucket=bucket_name, key="big/parts.bin", upload_id=init.upload_id, part_number_marker=4))
    assert [p.part_number for p in rest.parts] == [5] and not rest.is_truncated
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2.list_parts(M.ListPartsRequest(bucket=bucket_name, key="big/parts.bin", upload_id="no-such-upload"))
    assert e.value.unwrap().code == "NoSuchUpload"
    v2.abort_multipart_upload(M.AbortMultipartUploadRequest(bucket=bucket_name, key="big/parts.bin", upload_id=init.upload_id))


def test_access_points_and_policies(v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    v2.create_access_point(M.CreateAccessPointRequest(bucket=bucket_name, create_access_point_configuration=M.CreateAccessPointConfiguration(
        access_point_name="ap-conf", network_origin="vpc", vpc_configuration=M.AccessPointVpcConfiguration(vpc_id="vpc-123"))))
    listed = v2.list_access_points(M.ListAccessPointsRequest(bucket=bucket_name))
    assert [a.access_point_name for a in listed.access_points] == ["ap-conf"]
    got = v2.get_access_point(M.GetAccessPointRequest(bucket=bucket_name, access_point_name="ap-conf"))
    assert got.status in ("creating", "enable") and got.network_origin == "vpc"
    policy = json.dumps({"Version": "1", "Statement": [{"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["*"], "Resource": ["*"]}]})
    v2.put_access_point_policy(M.PutAccessPointPolicyRequest(bucket=bucket_name, access_point_name="ap-conf", body=policy))
    assert json.loads(v2.get_access_point_policy(M.GetAccessPointPolicyRequest(bucket=bucket_name, access_point_name="ap-conf")).body) == json.loads(policy)


def test_lifecycle_and_replication_are_stored(v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    rule = M.LifecycleRule(id="purge", prefix="", status="Enabled", expiration=M.LifecycleRuleExpiration(days=1),
                           noncurrent_version_expiration=M.NoncurrentVersionExpiration(noncurrent_days=1),
                           abort_multipart_upload=M.LifecycleRuleAbortMultipartUpload(days=1))
    v2.put_bucket_lifecycle(M.PutBucketLifecycleRequest(bucket=bucket_name, lifecycle_configuration=M.LifecycleConfiguration(rules=[rule])))
    got = v2.get_bucket_lifecycle(M.GetBucketLifecycleRequest(bucket=bucket_name))
    assert got.lifecycle_configuration.rules[0].id == "purge"
    assert got.lifecycle_configuration.rules[0].expiration.days == 1
    repl = M.ReplicationRule(id="to-dr", action="ALL", prefix_set=M.ReplicationPrefixSet(prefixs=["logs/"]),
                             destination=M.ReplicationDestination(bucket="dr-bucket", location="oss-cn-beijing", transfer_type="internal"))
    v2.put_bucket_replication(M.PutBucketReplicationRequest(bucket=bucket_name, replication_configuration=M.ReplicationConfiguration(rules=[repl])))
    got = v2.get_bucket_replication(M.GetBucketReplicationRequest(bucket=bucket_name))
    r = got.replication_configuration.rules[0]
    assert (r.id, r.action, r.destination.bucket) == ("to-dr", "ALL", "dr-bucket")


def test_error_codes(emulator, v2, bucket_name):
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2.get_bucket_info(M.GetBucketInfoRequest(bucket="no-such-bucket-conformance"))
    err = e.value.unwrap()
    assert (err.status_code, err.code) == (404, "NoSuchBucket")
    assert err.request_id
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="k", body=b"x"))
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2.delete_bucket(M.DeleteBucketRequest(bucket=bucket_name))
    assert (e.value.unwrap().status_code, e.value.unwrap().code, e.value.unwrap().ec) == (409, "BucketNotEmpty", "0015-00000301")
    bad = v2_client(emulator.url, secret="wrong-secret")
    with pytest.raises(oss.exceptions.OperationError) as e:
        bad.list_objects_v2(M.ListObjectsV2Request(bucket=bucket_name))
    assert (e.value.unwrap().status_code, e.value.unwrap().code) == (403, "SignatureDoesNotMatch")


def test_ossweep_lists_what_the_sdk_created(emulator, v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    out = run_ossweep(emulator.url, "buckets", "--json")
    listed = {b["name"]: b for b in json.loads(out.stdout)}
    assert listed[bucket_name]["region"] == "cn-hangzhou"
    sdk = {b.name for page in v2.list_buckets_paginator().iter_page(M.ListBucketsRequest()) for b in page.buckets}
    assert set(listed) == sdk
