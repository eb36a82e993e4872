#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, the Rust tests, and the
# conformance suite (Alibaba's official OSS SDKs against the built-in emulator).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy"
cargo clippy --locked --all-targets -- -D warnings
echo "== cargo test"
cargo build --locked
cargo test --locked

echo "== conformance: official SDKs against ossweep emulator"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/conformance/requirements.txt
OSSWEEP_BIN="$PWD/target/debug/ossweep" .venv/bin/python -m pytest -q -p no:cacheprovider tests/conformance
