"""A custom domain bound to a bucket (CNAME), as both official SDKs address and
sign it in CNAME mode (`oss2.Bucket(..., is_cname=True)`, `use_cname` in the
v2 SDK): requests go to `<domain>/<key>`, the signed resource still names the
bucket. The emulator routes the domain to its bucket; ossweep, told the domain
in its config (`[profiles.NAME.buckets.BUCKET] cname = ...`), scans and empties
the bucket through it. The domain resolves to the emulator's loopback
address inside this process (and `connect_to` does it for ossweep)."""

import os
import socket
import subprocess

import pytest

import alibabacloud_oss_v2 as oss
import oss2

from conftest import AK, REGION, SK, ossweep_binary

M = oss.models
DOMAIN = "static.conformance.test"

_real_getaddrinfo = socket.getaddrinfo


def _loopback_for_the_domain(host, *args, **kwargs):
    if host == DOMAIN:
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def domain_on_loopback(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_for_the_domain)


def test_both_sdks_and_ossweep_reach_a_bucket_through_its_custom_domain(emulator, v2, bucket_name, tmp_path):
    port = emulator.url.rsplit(":", 1)[1]
    domain = f"http://{DOMAIN}:{port}"
    v2.put_bucket(M.PutBucketRequest(bucket=bucket_name))
    bound = oss2.Bucket(oss2.Auth(AK, SK), emulator.url, bucket_name, is_path_style=True)
    bound.put_bucket_cname(oss2.models.PutBucketCnameRequest(DOMAIN))

    via_oss2 = oss2.Bucket(oss2.AuthV4(AK, SK), domain, bucket_name, region=REGION, is_cname=True)
    via_oss2.put_object("from-oss2.txt", b"1")
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, SK)
    cfg.region = REGION
    cfg.endpoint = domain
    cfg.use_cname = True
    cfg.retry_max_attempts = 1
    via_v2 = oss.Client(cfg)
    via_v2.put_object(M.PutObjectRequest(bucket=bucket_name, key="from-v2.txt", body=b"2"))
    keys = sorted(o.key for o in via_oss2.list_objects().object_list)
    assert keys == ["from-oss2.txt", "from-v2.txt"]

    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.default]\naccess_key_id = "{AK}"\naccess_key_secret = "{SK}"\n'
        f'region = "{REGION}"\nconnect_to = "127.0.0.1"\n\n'
        f'[profiles.default.buckets.{bucket_name}]\ncname = "{domain}"\n'
    )
    config.chmod(0o600)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
    out = subprocess.run(
        [ossweep_binary(), "--config", str(config), "--endpoint", emulator.url, "--path-style",
         "empty", bucket_name, "--yes", "--json"],
        env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert via_oss2.list_objects().object_list == []
