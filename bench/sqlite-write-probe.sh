#!/usr/bin/env bash
# One node on a fresh SQLite file, one endpoint (start or revoke) under wrk for 6 s: its rate
# and p99, and the bytes the node wrote (wchar: WAL, database file, sub-journals, sockets) and
# the CPU it used per request; with "perf" as the third argument, also a perf profile of the
# node during the run, kept (docs/BENCHMARKS.md, "The profile").
#   bash bench/sqlite-write-probe.sh target/release/hallpass start|revoke [perf]
# Needs a release build of hallpass-bench (in $CARGO_TARGET_DIR or target/), and wrk.
set -euo pipefail
BIN=$(realpath "$1")
ENDPOINT=${2:-start}
PERF=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${CARGO_TARGET_DIR:-$ROOT/target}/release/hallpass-bench
DIR=$(mktemp -d "${TMPDIR:-/tmp}/hallpass-probe.XXXXXX")
NODE=
cleanup() {
  if [ -n "$NODE" ]; then kill "$NODE" 2>/dev/null || true; wait "$NODE" 2>/dev/null || true; fi
  if [ -n "$PERF" ]; then echo "perf data kept in $DIR/perf.data"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

HALLPASS_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
HALLPASS_BOOTSTRAP_ADMIN_KEY=hp_admin_$(head -c 33 /dev/urandom | base64 | tr '+/' '-_')
export HALLPASS_MASTER_KEY HALLPASS_BOOTSTRAP_ADMIN_KEY
(cd "$DIR" && exec "$BIN" serve --dev --database-url "sqlite://$DIR/h.db" --listen 127.0.0.1:0) \
  >"$DIR/node.out" 2>"$DIR/node.err" &
NODE=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$DIR/node.out" && break
  kill -0 "$NODE" 2>/dev/null || { cat "$DIR/node.err" >&2; exit 1; }
  sleep 0.1
done
URL=$(sed -n 's/^listening on //p' "$DIR/node.out")
KEY=$(sed -n 's/^access key (demo\/dev): //p' "$DIR/node.out")
[ -n "$URL" ] || { echo "the node did not start listening" >&2; exit 1; }

"$BENCH" warm-up --url "$URL" --key "$KEY" --seconds 2 --concurrency 16 >/dev/null
ARGS=()
if [ "$ENDPOINT" = revoke ]; then
  "$BENCH" pool --url "$URL" --key "$KEY" --count 30000 --session-ids --out "$DIR/ids.txt" >/dev/null
  ARGS=(-- "$DIR/ids.txt" 1)
fi

written() { awk '/^wchar/ { print $2 }' "/proc/$NODE/io"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$NODE/stat"; }
w0=$(written)
t0=$(ticks)
PERF_PID=
if [ -n "$PERF" ]; then
  perf record -F 999 -g -p "$NODE" -o "$DIR/perf.data" -- sleep 6 >/dev/null 2>&1 &
  PERF_PID=$!
fi
HALLPASS_KEY=$KEY wrk -t1 -c16 -d6s --latency -s "$ROOT/bench/wrk/$ENDPOINT.lua" \
  "$URL/v1/sessions/$ENDPOINT" "${ARGS[@]}" >"$DIR/wrk.txt"
w1=$(written)
t1=$(ticks)
n=$(awk '/requests in/ { print $1 }' "$DIR/wrk.txt")
echo "$ENDPOINT: $(awk '/Requests\/sec/ { print $2 }' "$DIR/wrk.txt") req/s," \
  "p99 $(awk '/ 99%/ { print $2 }' "$DIR/wrk.txt"), $(((w1 - w0) / n)) bytes written and" \
  "$(((t1 - t0) * 1000000 / $(getconf CLK_TCK) / n)) us of CPU per request"
if [ -n "$PERF_PID" ]; then wait "$PERF_PID" || true; fi
