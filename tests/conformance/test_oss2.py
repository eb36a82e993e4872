"""oss2 (V1 and V4) against the emulator, including LiveChannels."""

import oss2
import pytest

from conftest import AK, oss2_bucket


@pytest.mark.parametrize("v4", [False, True], ids=["v1", "v4"])
def test_objects_versions_and_batch_deletes(emulator, bucket_name, v4):
    b = oss2_bucket(emulator.url, bucket_name, v4=v4)
    b.create_bucket()
    b.put_bucket_versioning(oss2.models.BucketVersioningConfig(status="Enabled"))
    for k in ["x/1", "x/2", "y z+%"]:
        b.put_object(k, b"one")
        b.put_object(k, b"two")
    b.delete_object("x/1")
    listed = b.list_object_versions(max_keys=1000)
    assert len(listed.versions) == 6 and len(listed.delete_marker) == 1
    assert listed.delete_marker[0].key == "x/1" and listed.delete_marker[0].is_latest
    assert [o.key for o in oss2.ObjectIterator(b)] == ["x/2", "y z+%"]
    batch = oss2.models.BatchDeleteObjectVersionList()
    for v in listed.versions + listed.delete_marker:
        batch.append(oss2.models.BatchDeleteObjectVersion(key=v.key, versionid=v.versionid))
    result = b.delete_object_versions(batch)
    assert len(result.delete_versions) == 7
    after = b.list_object_versions()
    assert not after.versions and not after.delete_marker
    b.delete_bucket()
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        b.get_bucket_info()


def test_unversioned_batch_delete_and_uploads(emulator, bucket_name):
    b = oss2_bucket(emulator.url, bucket_name)
    b.create_bucket()
    keys = [f"logs/{i}.txt" for i in range(12)]
    for k in keys:
        b.put_object(k, b"x")
    upload = b.init_multipart_upload("big.bin")
    b.upload_part("big.bin", upload.upload_id, 1, b"p" * 2048)
    b.upload_part("big.bin", upload.upload_id, 2, b"p" * 1024)
    b.upload_part("big.bin", upload.upload_id, 3, b"p" * 512)
    # oss2 pages ListParts itself (V1 signature: uploadId is a signed sub-resource).
    parts = list(oss2.PartIterator(b, "big.bin", upload.upload_id, max_parts=2))
    assert [(p.part_number, p.size) for p in parts] == [(1, 2048), (2, 1024), (3, 512)]
    assert [u.key for u in b.list_multipart_uploads().upload_list] == ["big.bin"]
    assert sorted(b.batch_delete_objects(keys).deleted_keys) == sorted(keys)
    with pytest.raises(oss2.exceptions.BucketNotEmpty):
        b.delete_bucket()
    b.abort_multipart_upload("big.bin", upload.upload_id)
    b.delete_bucket()


@pytest.mark.parametrize("v4", [False, True], ids=["v1", "v4"])
def test_live_channels(emulator, bucket_name, v4):
    b = oss2_bucket(emulator.url, bucket_name, v4=v4)
    b.create_bucket()
    target = oss2.models.LiveChannelInfoTarget(playlist_name="test.m3u8")
    for name in ["cam-a", "cam-b", "cam-c"]:
        created = b.create_live_channel(name, oss2.models.LiveChannelInfo(status="enabled", description="conformance", target=target))
        assert created.publish_url.endswith(f"/live/{name}")
    first = b.list_live_channel(max_keys=2)
    assert [c.name for c in first.channels] == ["cam-a", "cam-b"] and first.is_truncated
    rest = b.list_live_channel(marker=first.next_marker)
    assert [c.name for c in rest.channels] == ["cam-c"]
    info = b.get_live_channel("cam-a")
    assert info.target.playlist_name == "test.m3u8"
    # GetLiveChannelStat (`?live&comp=stat`, both sub-resources signed under V1).
    assert b.get_live_channel_stat("cam-a").status == "Idle"
    b.put_live_channel_status("cam-b", "disabled")
    assert b.get_live_channel_stat("cam-b").status == "Disabled"
    with pytest.raises(oss2.exceptions.NotFound):
        b.get_live_channel_stat("cam-none")
    with pytest.raises(oss2.exceptions.BucketNotEmpty):
        b.delete_bucket()
    for name in ["cam-a", "cam-b", "cam-c"]:
        b.delete_live_channel(name)
    b.delete_bucket()


def test_wrong_secret_is_refused(emulator, bucket_name):
    b = oss2.Bucket(oss2.Auth(AK, "wrong"), emulator.url, bucket_name, is_path_style=True)
    with pytest.raises(oss2.exceptions.SignatureDoesNotMatch):
        b.create_bucket()
