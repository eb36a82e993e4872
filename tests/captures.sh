#!/usr/bin/env bash
# Re-captures the README's wizard screens from the real binary in tmux (100x30,
# or COLS x ROWS), against the emulator with the demo seed and 100 ms per reply
# so the progress pane can be seen. Prints each screen as a ```text block, in
# README order.
#   bash tests/captures.sh > /tmp/captures.md
#   COLS=80 ROWS=24 bash tests/captures.sh > /tmp/captures-80x24.md
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --locked
bin="$PWD/target/debug/ossweep"
sock="ossweep-captures-$$"
ak=LTAI5tCaptures
sk=captures-secret
port=$((20000 + $$ % 20000))
work=$(mktemp -d)
"$bin" emulator --listen "127.0.0.1:$port" --seed demo --latency-ms 100 \
  --access-key-id "$ak" --access-key-secret "$sk" >"$work/emulator.log" 2>&1 &
emu=$!
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; kill $emu 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q listening "$work/emulator.log" && break; sleep 0.1; done

t() { tmux -L "$sock" "$@"; }
screen() { t capture-pane -p -t c | sed -e "s/[[:space:]]*$//" | cat -s; }
wait_for() {
  for _ in $(seq 600); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done
  echo "timed out waiting for: $1" >&2; screen >&2; exit 1
}
show() { echo '```text'; screen; echo '```'; echo; }

t new-session -d -s c -x "${COLS:-100}" -y "${ROWS:-30}" \
  -e "OSS_ACCESS_KEY_ID=$ak" -e "OSS_ACCESS_KEY_SECRET=$sk" \
  -e "HOME=$work" -e "XDG_CONFIG_HOME=$work/config" -e "XDG_STATE_HOME=$work/state" \
  -e NO_COLOR=1 "$bin --endpoint http://127.0.0.1:$port --path-style --region cn-hangzhou"
t set -g escape-time 0
for size in "3.4 GiB" "48.8 GiB" "960.0 MiB" "8.9 GiB" "2.2 GiB" "80.0 MiB" "115.6 MiB" "0 B"; do
  wait_for "$size"
done
# Every row's details loaded: no spinner left.
for _ in $(seq 100); do screen | grep -qP '[\x{2801}-\x{28FF}]' || break; sleep 0.1; done
show

open_bucket() {
  t send-keys -t c /
  for _ in $(seq 30); do t send-keys -t c BSpace; done
  t send-keys -t c -l "$1"
  t send-keys -t c Enter
  sleep 0.3
  t send-keys -t c Enter
  wait_for "$1  "
  wait_for "  scan complete"
}

back_to_list() {
  t send-keys -t c Escape
  wait_for "a clear all"
  t send-keys -t c Escape
  wait_for "Buckets ("
}

open_bucket acme-data-lake
show
t send-keys -t c D
wait_for "to confirm"
show
back_to_list

# The drill-down: the uploads behind a count, their sizes from ListParts.
open_bucket acme-media-ingest
for _ in 1 2 3; do t send-keys -t c j; done
t send-keys -t c Enter
wait_for "UPLOAD ID"
wait_for "350.0 MiB"
show
t send-keys -t c Escape
wait_for "What blocks deletion"
t send-keys -t c Escape
wait_for "Buckets ("

open_bucket acme-logs-replicated
t send-keys -t c D
wait_for "to confirm"
t send-keys -t c -l acme-logs-repl
wait_for "> acme-logs-repl"
show
back_to_list

open_bucket acme-clickstream-big
t send-keys -t c D
wait_for "to confirm"
t send-keys -t c -l acme-clickstream-big
wait_for "matches"
t send-keys -t c Enter
wait_for "keys/s"
sleep 3
show
wait_for "Report"
show

# The vector buckets tab, and a vector bucket's scan pane.
t send-keys -t c Enter
wait_for "Buckets ("
t send-keys -t c Tab
wait_for "acme-vectors-old"
# Every index count loaded: no spinner left.
for _ in $(seq 100); do screen | grep -qP '[\x{2801}-\x{28FF}]' || break; sleep 0.1; done
show
t send-keys -t c Enter
wait_for "  scan complete"
show
