"""A version-id-marker marks a position in a key's version order: listing
resumes after it even when that version was deleted in between (what a
deleting client does). Written and paged with the official SDK; then ossweep
empties a versioned bucket with delete markers and the SDK finds nothing."""

import alibabacloud_oss_v2 as oss

from conftest import fill_versioned, run_ossweep

M = oss.models


def versions(v2, bucket, **kw):
    r = v2.list_object_versions(M.ListObjectVersionsRequest(bucket=bucket, **kw))
    entries = [(v.key, v.version_id) for v in (r.version or [])]
    entries += [(m.key, m.version_id) for m in (r.delete_marker or [])]
    return r, entries


def test_listing_resumes_after_a_deleted_marker_version(emulator, v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    v2.put_bucket_versioning(M.PutBucketVersioningRequest(
        bucket=bucket_name, versioning_configuration=M.VersioningConfiguration(status="Enabled")))
    ids = [v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="k", body=b"x")).version_id for _ in range(3)]
    v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="z", body=b"x"))
    page1, got = versions(v2, bucket_name, max_keys=2)
    assert got == [("k", ids[2]), ("k", ids[1])]
    assert page1.is_truncated and page1.next_version_id_marker == ids[1]
    # The version the marker names is deleted before the next page is asked for.
    v2.delete_object(M.DeleteObjectRequest(bucket=bucket_name, key="k", version_id=ids[1]))
    _, got = versions(v2, bucket_name, key_marker=page1.next_key_marker,
                      version_id_marker=page1.next_version_id_marker)
    assert [k for k, _ in got] == ["k", "z"] and got[0][1] == ids[0], got


def test_ossweep_empties_a_versioned_bucket_with_markers_for_real(emulator, v2, bucket_name):
    fill_versioned(v2, bucket_name, [f"a/{i:05}" for i in range(1500)], marker_every=5)
    out = run_ossweep(emulator.url, "empty", bucket_name, "--yes", check=False)
    assert out.returncode == 0, out.stderr
    assert "verified empty by a fresh listing" in out.stderr
    r, got = versions(v2, bucket_name)
    assert got == [] and not r.is_truncated
