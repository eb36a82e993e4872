"""The credential chain against Alibaba's own: for each environment and home
directory (files in the formats Alibaba's tools write), Alibaba's
`alibabacloud-credentials` library and ossweep must pick the same AccessKey.

The emulator accepts only the conformance AccessKey, and every other source in
a case holds a decoy: ossweep lists the buckets only if it picked the same
source as the library. Nothing leaves loopback: ECS metadata is disabled."""

import json
import os
import subprocess
import sys

import pytest

from conftest import AK, SK, ossweep_binary

DECOY = "LTAI5tDecoyKeyNeverUsed"

RESOLVE = (
    "from alibabacloud_credentials.provider.default import DefaultCredentialsProvider\n"
    "print(DefaultCredentialsProvider().get_credentials().get_access_key_id())\n"
)


def cli_config(current, profiles):
    return json.dumps({"current": current, "profiles": profiles})


def ak_profile(name, key, secret):
    return {"name": name, "mode": "AK", "access_key_id": key, "access_key_secret": secret}


def ini(sections):
    out = []
    for name, (key, secret) in sections.items():
        out.append(f"[{name}]\ntype = access_key\naccess_key_id = {key}\naccess_key_secret = {secret}\n")
    return "\n".join(out)


CASES = {
    "environment": dict(
        env={"ALIBABA_CLOUD_ACCESS_KEY_ID": AK, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SK},
        cli=cli_config("d", [ak_profile("d", DECOY, "x")]),
        credentials_ini=ini({"default": (DECOY, "x")}),
    ),
    "aliyun CLI, current profile": dict(
        env={},
        cli=cli_config("mine", [ak_profile("other", DECOY, "x"), ak_profile("mine", AK, SK)]),
        credentials_ini=ini({"default": (DECOY, "x")}),
    ),
    "aliyun CLI, StsToken profile named by ALIBABA_CLOUD_PROFILE": dict(
        env={"ALIBABA_CLOUD_PROFILE": "sts"},
        cli=cli_config("d", [
            ak_profile("d", DECOY, "x"),
            {"name": "sts", "mode": "StsToken", "access_key_id": AK,
             "access_key_secret": SK, "sts_token": "conformance-token"},
        ]),
        credentials_ini=ini({"sts": (DECOY, "x")}),
    ),
    "credentials.ini, the aliyun CLI disabled": dict(
        env={"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"},
        cli=cli_config("d", [ak_profile("d", DECOY, "x")]),
        credentials_ini=ini({"default": (AK, SK), "other": (DECOY, "x")}),
    ),
    "ALIBABA_CLOUD_PROFILE missing from the CLI, found in credentials.ini": dict(
        env={"ALIBABA_CLOUD_PROFILE": "team"},
        cli=cli_config("d", [ak_profile("d", DECOY, "x")]),
        credentials_ini=ini({"default": (DECOY, "x"), "team": (AK, SK)}),
    ),
    "ALIBABA_CLOUD_CREDENTIALS_FILE": dict(
        env={"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true", "ALIBABA_CLOUD_PROFILE": "ci"},
        cli=None,
        credentials_ini=ini({"default": (DECOY, "x")}),
        named_file=ini({"ci": (AK, SK)}),
    ),
}


def home_for(tmp_path, case):
    home = tmp_path / "home"
    (home / ".aliyun").mkdir(parents=True)
    (home / ".alibabacloud").mkdir()
    if case.get("cli") is not None:
        (home / ".aliyun" / "config.json").write_text(case["cli"])
    (home / ".alibabacloud" / "credentials.ini").write_text(case["credentials_ini"])
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
    }
    env.update(case["env"])
    if "named_file" in case:
        named = tmp_path / "team-credentials.ini"
        named.write_text(case["named_file"])
        env["ALIBABA_CLOUD_CREDENTIALS_FILE"] = str(named)
    for f in (home / ".aliyun").glob("*"):
        f.chmod(0o600)
    for f in (home / ".alibabacloud").glob("*"):
        f.chmod(0o600)
    return env


@pytest.mark.parametrize("name", list(CASES))
def test_ossweep_picks_the_access_key_alibabas_library_picks(name, emulator, tmp_path):
    env = home_for(tmp_path, CASES[name])
    theirs = subprocess.run([sys.executable, "-c", RESOLVE], env=env,
                            capture_output=True, text=True, timeout=60)
    assert theirs.returncode == 0, theirs.stderr
    assert theirs.stdout.strip() == AK, f"the library picked {theirs.stdout.strip()}"
    ours = subprocess.run(
        [ossweep_binary(), "--endpoint", emulator.url, "--path-style", "--region", "cn-hangzhou",
         "buckets", "--json"],
        env=env, capture_output=True, text=True, timeout=60)
    assert ours.returncode == 0, f"ossweep did not sign with {AK}: {ours.stderr}"
    assert SK not in ours.stderr + ours.stdout
