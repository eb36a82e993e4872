"""Continuation tokens as real OSS makes them (standard base64 with `+`, `/` and
`=`, percent-encoded under encoding-type=url): the official SDK pages through
them, and so does ossweep, serially and split."""

import json

import alibabacloud_oss_v2 as oss

from conftest import run_ossweep

M = oss.models


def test_tokens_hold_base64_punctuation_and_every_pager_reaches_the_end(emulator, v2, bucket_name):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    keys = [f"k/{i:04}+/ {i}" for i in range(2500)]
    for k in keys:
        v2.put_object(M.PutObjectRequest(bucket=bucket_name, key=k, body=b""))
    page = v2.list_objects_v2(M.ListObjectsV2Request(bucket=bucket_name, max_keys=7, encoding_type="url"))
    token = page.next_continuation_token
    assert "+" in token and "/" in token, token
    seen = []
    for p in v2.list_objects_v2_paginator().iter_page(M.ListObjectsV2Request(bucket=bucket_name, max_keys=100)):
        seen.extend(o.key for o in p.contents or [])
    assert seen == sorted(keys)
    scan = json.loads(run_ossweep(emulator.url, "scan", bucket_name, "--json").stdout)
    assert {c["category"]: c["count"] for c in scan["categories"]}["objects"] == 2500
    out = run_ossweep(emulator.url, "delete", bucket_name, "--confirm", bucket_name, check=False)
    assert out.returncode == 0, out.stderr
