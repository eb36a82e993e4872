"""Keys with `.`/`..` path segments, written exactly as named. The SDKs' HTTP
stacks normalise such paths themselves, so these requests are sent with
http.client over the exact path and signed by the official V4 signer; then
ossweep empties and deletes, and the SDK confirms what is left."""

import http.client
import json
from urllib.parse import quote, urlsplit

import alibabacloud_oss_v2 as oss
from alibabacloud_oss_v2.credentials import Credentials
from alibabacloud_oss_v2.signer.v4 import SignerV4
from alibabacloud_oss_v2.types import HttpRequest, SigningContext

from conftest import AK, REGION, SK, run_ossweep

M = oss.models

DOTTED = ["a/./b", "a/../b", "./x", "../y", "dir/.", "dir/..", ".", "..", "a/%2e%2e/b", "a/.", "a/c."]


def raw(url, method, bucket, key, query="", body=b""):
    """One request over the exact path, signed by the official SDK's V4 signer."""
    path = "/" + bucket + "/" + quote(key, safe="/")
    full = url + path + (("?" + query) if query else "")
    req = HttpRequest(method, full, headers={"Content-Length": str(len(body))}, body=body)
    ctx = SigningContext(product="oss", region=REGION, bucket=bucket, key=key, request=req,
                         credentials=Credentials(AK, SK))
    SignerV4().sign(ctx)
    host = urlsplit(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    conn.putrequest(method, path + (("?" + query) if query else ""), skip_accept_encoding=True)
    for k, v in req.headers.items():
        conn.putheader(k, v)
    conn.endheaders(body)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    assert 200 <= resp.status < 300, (method, path, resp.status, data)
    return data


def fill(emulator, v2, bucket):
    v2.put_bucket(M.PutBucketRequest(bucket=bucket))
    v2.put_bucket_versioning(M.PutBucketVersioningRequest(
        bucket=bucket, versioning_configuration=M.VersioningConfiguration(status="Enabled")))
    for key in DOTTED:
        raw(emulator.url, "PUT", bucket, key, body=b"one")
        raw(emulator.url, "PUT", bucket, key, body=b"two")
        raw(emulator.url, "POST", bucket, key, query="uploads")
    for key in ["b", "x", "y"]:
        v2.put_object(M.PutObjectRequest(bucket=bucket, key=key, body=b"victim"))


def listing(v2, bucket):
    got = v2.list_object_versions(M.ListObjectVersionsRequest(bucket=bucket))
    return sorted((v.key for v in got.version)), v2.list_multipart_uploads(
        M.ListMultipartUploadsRequest(bucket=bucket)).uploads or []


def test_the_keys_are_stored_as_named(emulator, v2, bucket_name):
    fill(emulator, v2, bucket_name)
    keys, uploads = listing(v2, bucket_name)
    assert set(keys) == set(DOTTED) | {"b", "x", "y"}
    assert keys.count("a/../b") == 2 and keys.count("b") == 1
    assert sorted(u.key for u in uploads) == sorted(DOTTED)


def test_a_prefix_clear_takes_the_dotted_keys_and_nothing_they_would_normalise_to(emulator, v2, bucket_name):
    fill(emulator, v2, bucket_name)
    out = run_ossweep(emulator.url, "empty", bucket_name, "--prefix", "a/",
                      "--yes", "--json", check=False)
    assert out.returncode == 0, out.stderr
    keys, uploads = listing(v2, bucket_name)
    assert not [k for k in keys if k.startswith("a/")]
    assert keys.count("b") == 1 and keys.count("x") == 1 and keys.count("../y") == 2
    assert sorted(u.key for u in uploads) == sorted(k for k in DOTTED if not k.startswith("a/"))


def test_ossweep_deletes_the_bucket(emulator, v2, bucket_name):
    fill(emulator, v2, bucket_name)
    scan = json.loads(run_ossweep(emulator.url, "scan", bucket_name, "--json").stdout)
    counts = {c["category"]: c["count"] for c in scan["categories"]}
    assert counts["objects"] == len(DOTTED) + 3 and counts["previous-versions"] == len(DOTTED)
    assert counts["parts"] == len(DOTTED)
    out = run_ossweep(emulator.url, "delete", bucket_name, "--confirm", bucket_name, check=False)
    assert out.returncode == 0, out.stderr
    names = [b.name for b in v2.list_buckets(M.ListBucketsRequest()).buckets or []]
    assert bucket_name not in names
