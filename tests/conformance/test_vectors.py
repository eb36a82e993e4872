"""OSS Vectors through Alibaba's official vectors client (alibabacloud_oss_v2.vectors).

The client builds vector buckets, indexes and vectors in the emulator and reads
them back; ossweep then deletes them; the client confirms they are gone. The
official client always addresses `<bucket>-<accountId>.<endpoint host>` and signs
with the Vectors V4 variant, so the endpoint here is OSS's own Vectors host name,
`cn-hangzhou.oss-vectors.aliyuncs.com`, resolved to the emulator's loopback
address inside this process; the emulator routes by the Host header as OSS does.
"""

import json
import socket
import uuid

import alibabacloud_oss_v2 as oss
import alibabacloud_oss_v2.vectors as ossv
import pytest

from conftest import AK, REGION, SK, run_ossweep

ACCOUNT_ID = "1234567890123456"  # the emulator's account (ListBuckets Owner/ID)
VM = ossv.models

_real_getaddrinfo = socket.getaddrinfo


def _loopback_for_aliyun(host, *args, **kwargs):
    """OSS host names resolve to the emulator; everything else as usual."""
    if isinstance(host, str) and host.endswith(".aliyuncs.com"):
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def oss_hosts_on_loopback(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_for_aliyun)


def port_of(url):
    return url.rsplit(":", 1)[1]


def vectors_client(emulator, region=REGION, account_id=ACCOUNT_ID, secret=SK):
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, secret)
    cfg.region = region
    cfg.endpoint = f"http://{region}.oss-vectors.aliyuncs.com:{port_of(emulator.url)}"
    cfg.account_id = account_id
    cfg.retry_max_attempts = 1
    return ossv.Client(cfg)


def name():
    return "cv-" + uuid.uuid4().hex[:12]


def fill(client, bucket, indexes):
    client.put_vector_bucket(VM.PutVectorBucketRequest(bucket=bucket))
    for index, (dimension, count) in indexes.items():
        client.put_vector_index(VM.PutVectorIndexRequest(
            bucket=bucket, index_name=index, dimension=dimension, data_type="float32",
            distance_metric="cosine", metadata={"nonFilterableMetadataKeys": ["note"]}))
        for start in range(0, count, 500):
            vectors = [{"key": f"k{i:05}", "data": {"float32": [float(i % 7)] * dimension},
                        "metadata": {"note": "n"}} for i in range(start, min(count, start + 500))]
            client.put_vectors(VM.PutVectorsRequest(bucket=bucket, index_name=index, vectors=vectors))


def ossweep(emulator, *args, check=False):
    return run_ossweep(emulator.url, *args, check=check)


def test_the_official_client_reads_back_what_it_wrote(emulator):
    c = vectors_client(emulator)
    b = name()
    fill(c, b, {"docs": (4, 1200), "faq": (3, 2)})
    info = c.get_vector_bucket(VM.GetVectorBucketRequest(bucket=b)).bucket_info
    assert info.name == b and info.location == "oss-cn-hangzhou"
    listed = c.list_vector_buckets(VM.ListVectorBucketsRequest(prefix=b))
    assert [x.name for x in listed.buckets] == [b]
    indexes = c.list_vector_indexes(VM.ListVectorIndexesRequest(bucket=b)).indexes
    assert sorted(i["indexName"] for i in indexes) == ["docs", "faq"]
    assert {i["status"] for i in indexes} == {"running"}
    got = c.get_vector_index(VM.GetVectorIndexRequest(bucket=b, index_name="docs")).index
    assert got["dimension"] == 4 and got["dataType"] == "float32"
    keys, token = [], None
    while True:
        page = c.list_vectors(VM.ListVectorsRequest(bucket=b, index_name="docs", max_results=500,
                                                   next_token=token, return_data=True))
        keys += [v["key"] for v in page.vectors]
        token = page.next_token
        if not token:
            break
    assert len(keys) == 1200 and keys == sorted(keys)
    with pytest.raises(oss.exceptions.OperationError) as e:
        c.delete_vector_bucket(VM.DeleteVectorBucketRequest(bucket=b))
    assert e.value.unwrap().code == "VectorBucketNotEmpty"


def test_paging_vector_buckets_by_marker(emulator):
    c = vectors_client(emulator)
    prefix = "cp-" + uuid.uuid4().hex[:8]
    names = [f"{prefix}-{i}" for i in range(5)]
    for n in names:
        c.put_vector_bucket(VM.PutVectorBucketRequest(bucket=n))
    seen, marker = [], None
    while True:
        page = c.list_vector_buckets(VM.ListVectorBucketsRequest(prefix=prefix, marker=marker, max_keys=2))
        seen += [b.name for b in page.buckets]
        if not page.is_truncated:
            break
        marker = page.next_marker
    assert seen == names
    out = ossweep(emulator, "delete", "--vector", *names, "--confirm", *names)
    assert out.returncode == 0, out.stderr


def test_ossweep_clears_one_index_then_deletes_the_bucket(emulator):
    c = vectors_client(emulator)
    b = name()
    fill(c, b, {"docs": (4, 30), "faq": (3, 5), "old": (2, 0)})

    scan = json.loads(ossweep(emulator, "scan", "--vector", b, "--json", check=True).stdout)
    assert scan["kind"] == "vector"
    assert {i["name"]: i["vectors"] for i in scan["indexes"]} == {"docs": 30, "faq": 5, "old": 0}

    out = ossweep(emulator, "empty", "--vector", b, "--only-index", "faq", "--yes")
    assert out.returncode == 0, out.stderr
    indexes = c.list_vector_indexes(VM.ListVectorIndexesRequest(bucket=b)).indexes
    assert sorted(i["indexName"] for i in indexes) == ["docs", "old"]

    out = ossweep(emulator, "delete", "--vector", b, "--confirm", b)
    assert out.returncode == 0, out.stderr
    with pytest.raises(oss.exceptions.OperationError) as e:
        c.get_vector_bucket(VM.GetVectorBucketRequest(bucket=b))
    assert e.value.unwrap().code == "NoSuchBucket"


def test_a_vector_bucket_in_another_region(emulator):
    c = vectors_client(emulator, region="cn-shanghai")
    b = name()
    fill(c, b, {"only": (2, 3)})
    listed = json.loads(ossweep(emulator, "buckets", "--vector", "--json", check=True).stdout)
    assert {"name": b, "region": "cn-shanghai"}.items() <= next(r for r in listed if r["name"] == b).items()
    out = ossweep(emulator, "delete", "--vector", b, "--confirm", b)
    assert out.returncode == 0, out.stderr
    with pytest.raises(oss.exceptions.OperationError) as e:
        c.get_vector_bucket(VM.GetVectorBucketRequest(bucket=b))
    assert e.value.unwrap().code == "NoSuchBucket"


def test_errors_are_json_and_signatures_are_checked(emulator):
    bad = vectors_client(emulator, secret="not-the-secret")
    with pytest.raises(oss.exceptions.OperationError) as e:
        bad.list_vector_buckets(VM.ListVectorBucketsRequest())
    assert e.value.unwrap().code == "SignatureDoesNotMatch"
    other = vectors_client(emulator, account_id="999")
    with pytest.raises(oss.exceptions.OperationError) as e:
        other.get_vector_bucket(VM.GetVectorBucketRequest(bucket="cv-nothing-here"))
    assert e.value.unwrap().code == "NoSuchBucket"
