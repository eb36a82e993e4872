"""Buckets built by Alibaba's SDKs, emptied and deleted by ossweep, checked by the SDKs."""

import json

import alibabacloud_oss_v2 as oss
import oss2
import pytest

from conftest import fill_versioned, oss2_bucket, run_ossweep

M = oss.models


def fill_versioned_with_attachments(v2, name):
    fill_versioned(v2, name, [f"docs/{i:03}.txt" for i in range(40)], marker_every=4)
    v2.initiate_multipart_upload(M.InitiateMultipartUploadRequest(bucket=name, key="big/upload.bin"))
    v2.create_access_point(M.CreateAccessPointRequest(bucket=name, create_access_point_configuration=M.CreateAccessPointConfiguration(
        access_point_name="ap-clean", network_origin="internet")))


def test_ossweep_empties_and_deletes_what_the_sdks_built(emulator, v2, bucket_name):
    fill_versioned_with_attachments(v2, bucket_name)
    b = oss2_bucket(emulator.url, bucket_name)
    b.create_live_channel("cam-1", oss2.models.LiveChannelInfo(target=oss2.models.LiveChannelInfoTarget(playlist_name="p.m3u8")))

    scan = json.loads(run_ossweep(emulator.url, "scan", bucket_name, "--json").stdout)
    counts = {c["category"]: c["count"] for c in scan["categories"]}
    assert counts["objects"] == 30 and counts["previous-versions"] == 80 - 30 and counts["delete-markers"] == 10
    assert counts["parts"] == 1 and counts["live-channels"] == 1 and counts["access-points"] == 1

    out = run_ossweep(emulator.url, "delete", bucket_name, "--confirm", bucket_name, check=False)
    assert out.returncode == 0, out.stderr
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2.get_bucket_info(M.GetBucketInfoRequest(bucket=bucket_name))
    assert e.value.unwrap().code == "NoSuchBucket"


def test_ossweep_empties_a_prefix_and_the_sdk_sees_the_rest(emulator, v2, bucket_name):
    fill_versioned_with_attachments(v2, bucket_name)
    v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="keep/me.txt", body=b"x"))
    out = run_ossweep(emulator.url, "empty", bucket_name, "--prefix", "docs/", "--yes", check=False)
    assert out.returncode == 0, out.stderr
    listed = v2.list_object_versions(M.ListObjectVersionsRequest(bucket=bucket_name))
    assert [v.key for v in listed.version or []] == ["keep/me.txt"]
    assert not listed.delete_marker
    uploads = v2.list_multipart_uploads(M.ListMultipartUploadsRequest(bucket=bucket_name)).uploads
    assert [u.key for u in uploads] == ["big/upload.bin"], "uploads outside the prefix stay"


def test_dry_run_changes_nothing_the_sdk_can_see(emulator, v2, bucket_name):
    fill_versioned_with_attachments(v2, bucket_name)
    before = v2.list_object_versions(M.ListObjectVersionsRequest(bucket=bucket_name))
    out = run_ossweep(emulator.url, "delete", bucket_name, "--dry-run", check=False)
    assert out.returncode == 0, out.stderr
    would = [json.loads(line) for line in out.stdout.splitlines()]
    assert len([w for w in would if w["category"] in ("objects", "previous-versions", "delete-markers")]) == 90
    after = v2.list_object_versions(M.ListObjectVersionsRequest(bucket=bucket_name))
    assert len(after.version) == len(before.version) and len(after.delete_marker) == len(before.delete_marker)
