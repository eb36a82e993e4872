"""The deletion recipe from Alibaba's Python SDK docs, as the baseline for
`cargo bench --bench engine`: the official paginator lists 1000 versions at a
time and each page goes to one DeleteMultipleObjects call, one call at a time."""

import sys
import time

import alibabacloud_oss_v2 as oss

endpoint, ak, sk, region, bucket = sys.argv[1:6]
cfg = oss.config.load_default()
cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(ak, sk)
cfg.region = region
cfg.endpoint = endpoint
cfg.use_path_style = True
client = oss.Client(cfg)

started = time.monotonic()
deleted = 0
paginator = client.list_object_versions_paginator()
for page in paginator.iter_page(oss.models.ListObjectVersionsRequest(bucket=bucket, max_keys=1000)):
    objects = [oss.models.DeleteObject(key=v.key, version_id=v.version_id) for v in (page.version or [])]
    objects += [oss.models.DeleteObject(key=m.key, version_id=m.version_id) for m in (page.delete_marker or [])]
    if objects:
        result = client.delete_multiple_objects(oss.models.DeleteMultipleObjectsRequest(bucket=bucket, objects=objects))
        deleted += len(result.deleted_objects or [])
print(f"{deleted} {time.monotonic() - started:.3f}")
