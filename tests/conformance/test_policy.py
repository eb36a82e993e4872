"""Bucket policies the emulator enforces as OSS documents them, driven by
Alibaba's official SDKs: an explicit Deny of writes for everyone spares the
bucket's owner without a Condition, and stops the owner too with one (an
`acs:CurrentTime` window, the kind that ends by itself). Deletes and listings
stay open, and the owner can always take the policy away."""

import datetime
import json

import alibabacloud_oss_v2 as oss
import oss2
import pytest

from conftest import oss2_bucket

M = oss.models


def deny_writes(bucket, condition=None):
    statement = {
        "Sid": "ossweep-freeze",
        "Effect": "Deny",
        "Action": ["oss:PutObject", "oss:AppendObject", "oss:PostObject"],
        "Principal": ["*"],
        "Resource": [f"acs:oss:*:*:{bucket}/*"],
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "1", "Statement": [statement]})


def test_a_deny_without_condition_spares_the_owner_and_with_one_stops_it(emulator, v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    b = oss2_bucket(emulator.url, bucket_name)
    b.put_object("before.txt", b"1")

    b.put_bucket_policy(deny_writes(bucket_name))
    # No Condition: the owner is not concerned.
    b.put_object("owner-writes.txt", b"2")

    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    b.put_bucket_policy(deny_writes(bucket_name, {"DateLessThan": {"acs:CurrentTime": until}}))
    with pytest.raises(oss2.exceptions.AccessDenied):
        b.put_object("refused.txt", b"3")
    with pytest.raises(oss.exceptions.OperationError) as e:
        v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="refused-v2.txt", body=b"4"))
    assert "AccessDenied" in str(e.value)
    # Deletes, listings and the policy itself stay open to the owner.
    assert sorted(o.key for o in b.list_objects().object_list) == ["before.txt", "owner-writes.txt"]
    b.delete_object("before.txt")
    assert json.loads(b.get_bucket_policy().policy)["Statement"][0]["Sid"] == "ossweep-freeze"
    b.delete_bucket_policy()
    b.put_object("after.txt", b"5")

    # A window already over denies nothing.
    past = "2020-01-01T00:00:00Z"
    b.put_bucket_policy(deny_writes(bucket_name, {"DateLessThan": {"acs:CurrentTime": past}}))
    b.put_object("after-window.txt", b"6")


ACCESS_POINT_POLICY = """{
  "Version": "1",
  "Statement": [
    {"Effect": "Allow", "Action": ["oss:GetObject"], "Principal": ["27737962156157"],
     "Resource": ["acs:oss:cn-hangzhou:1234567890123456:accesspoint/ap-reports/object/*"]}
  ]
}"""


def test_ossweep_freezes_writes_and_the_sdks_read_the_policy_back_as_it_was(emulator, v2, bucket_name):
    """`ossweep empty --freeze-writes` merges its Deny into the bucket policy
    and puts the user's policy back afterwards: both SDKs read it back byte
    for byte, and writes go through again."""
    from conftest import run_ossweep

    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    b = oss2_bucket(emulator.url, bucket_name)
    for i in range(30):
        b.put_object(f"k/{i:03}", b"x")
    b.put_bucket_policy(ACCESS_POINT_POLICY)

    out = run_ossweep(emulator.url, "empty", bucket_name, "--yes", "--freeze-writes")
    assert "writes unfrozen: the bucket policy is back as it was" in out.stderr, out.stderr

    assert b.get_bucket_policy().policy == ACCESS_POINT_POLICY
    got = v2.get_bucket_policy(M.GetBucketPolicyRequest(bucket=bucket_name))
    assert got.body == ACCESS_POINT_POLICY
    assert list(b.list_objects().object_list) == []
    b.put_object("after.txt", b"1")
