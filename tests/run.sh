#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, the Rust tests, and the
# conformance suite (Alibaba's official OSS SDKs against the built-in emulator).
# Every stage runs, whatever failed before it (and every test of a stage:
# --no-fail-fast); the script fails at the end, naming what failed.
#
# The suite runs in a sandbox: HOME, the XDG directories and tmux's socket
# directory point into a temporary directory removed at the end, so no test
# reads or writes the real home (credentials, journals, reports).
set -uo pipefail
cd "$(dirname "$0")/.."

export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
sandbox=$(mktemp -d "${TMPDIR:-/tmp}/ossweep-tests.XXXXXX")
cleanup() {
  # tmux servers a test left behind, then the sandbox.
  for socket in "$sandbox"/tmux/tmux-*/*; do
    [ -S "$socket" ] && tmux -S "$socket" kill-server >/dev/null 2>&1
  done
  rm -rf "$sandbox"
}
trap cleanup EXIT
mkdir -p "$sandbox/home" "$sandbox/tmux"
chmod 700 "$sandbox/tmux"
export HOME="$sandbox/home"
export XDG_CONFIG_HOME="$sandbox/home/.config" XDG_STATE_HOME="$sandbox/home/.local/state"
export XDG_CACHE_HOME="$sandbox/home/.cache" XDG_DATA_HOME="$sandbox/home/.local/share"
export TMUX_TMPDIR="$sandbox/tmux"
unset OSS_ACCESS_KEY_ID OSS_ACCESS_KEY_SECRET OSS_SESSION_TOKEN OSSWEEP_CONFIG
# Nor Alibaba Cloud's credential chain; and nothing may leave loopback (ECS metadata).
unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN \
  ALIBABA_CLOUD_PROFILE ALIBABA_CLOUD_CREDENTIALS_FILE ALIBABA_CLOUD_CLI_PROFILE_DISABLED \
  ALIBABA_CLOUD_ROLE_ARN ALIBABA_CLOUD_OIDC_PROVIDER_ARN ALIBABA_CLOUD_OIDC_TOKEN_FILE \
  ALIBABA_CLOUD_CREDENTIALS_URI
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true

failed=()
stage() {
  local name=$1
  shift
  echo "== $name"
  if ! "$@"; then
    failed+=("$name")
  fi
}

conformance() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || return 1
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/conformance/requirements.txt || return 1
  OSSWEEP_BIN="$PWD/target/debug/ossweep" .venv/bin/python -m pytest -q -p no:cacheprovider tests/conformance
}

stage "cargo fmt --check" cargo fmt --check
stage "cargo clippy" cargo clippy --locked --all-targets -- -D warnings
stage "cargo build" cargo build --locked
stage "cargo test" cargo test --locked --no-fail-fast
stage "conformance: official SDKs against ossweep emulator" conformance

if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "FAILED stages:"
  printf '  - %s\n' "${failed[@]}"
  exit 1
fi
echo
echo "every stage passed"
