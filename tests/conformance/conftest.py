"""Starts `ossweep emulator` for the conformance suite and hands out SDK clients."""

import os
import pathlib
import subprocess
import uuid

import alibabacloud_oss_v2 as oss
import oss2
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
AK = "LTAI5tConformanceSuite"
SK = "conformance-secret"
REGION = "cn-hangzhou"


def ossweep_binary() -> str:
    return os.environ.get("OSSWEEP_BIN", str(ROOT / "target" / "debug" / "ossweep"))


class Emulator:
    def __init__(self, seed="empty"):
        self.proc = subprocess.Popen(
            [ossweep_binary(), "emulator", "--listen", "127.0.0.1:0", "--seed", seed,
             "--access-key-id", AK, "--access-key-secret", SK, "--region", REGION],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline()
        if "listening on " not in first:
            self.proc.kill()
            raise RuntimeError(f"emulator did not start: {first!r} {self.proc.stderr.read()}")
        self.url = first.split("listening on ")[1].strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def emulator():
    emu = Emulator()
    yield emu
    emu.stop()


def v2_client(url, secret=SK):
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider(AK, secret)
    cfg.region = REGION
    cfg.endpoint = url
    cfg.use_path_style = True
    cfg.retry_max_attempts = 1
    return oss.Client(cfg)


@pytest.fixture
def v2(emulator):
    return v2_client(emulator.url)


@pytest.fixture
def bucket_name():
    return "conf-" + uuid.uuid4().hex[:20]


def oss2_bucket(url, name, v4=False):
    if v4:
        return oss2.Bucket(oss2.AuthV4(AK, SK), url, name, region=REGION, is_path_style=True)
    return oss2.Bucket(oss2.Auth(AK, SK), url, name, is_path_style=True)


def fill_versioned(v2, name, keys, marker_every):
    """A versioning-enabled bucket built through the SDK: each key written twice,
    then a delete marker on every `marker_every`-th key."""
    m = oss.models
    v2.put_bucket(m.PutBucketRequest(bucket=name))
    v2.put_bucket_versioning(m.PutBucketVersioningRequest(
        bucket=name, versioning_configuration=m.VersioningConfiguration(status="Enabled")))
    for i, key in enumerate(keys):
        v2.put_object(m.PutObjectRequest(bucket=name, key=key, body=b"v1"))
        v2.put_object(m.PutObjectRequest(bucket=name, key=key, body=b"v2"))
        if i % marker_every == 0:
            v2.delete_object(m.DeleteObjectRequest(bucket=name, key=key))


def run_ossweep(url, *args, check=True):
    env = dict(os.environ, OSS_ACCESS_KEY_ID=AK, OSS_ACCESS_KEY_SECRET=SK, OSSWEEP_CONFIG=str(ROOT / "tests" / "conformance" / "no-config.toml"))
    return subprocess.run([ossweep_binary(), "--endpoint", url, "--path-style", *args],
                          capture_output=True, text=True, env=env, timeout=120, check=check)
