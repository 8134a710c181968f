#!/usr/bin/env bash
# One node on a fresh SQLite file, one endpoint (start or revoke) under wrk for 6 s: its rate and p99,
# and the bytes the node wrote (wchar) and the CPU it used per request; with "perf" as the third
# argument, a perf profile of the node during the run (docs/BENCHMARKS.md, "The profile").
#   bash bench/sqlite-write-probe.sh target/release/hallpass start [perf]
# Needs a release build of hallpass-bench (in $CARGO_TARGET_DIR or target/) and wrk.
set -euo pipefail
BIN=$(realpath "$1"); EP=${2:-start}; PERF=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd); TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
D=$(mktemp -d); cd $D
export HALLPASS_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
export HALLPASS_BOOTSTRAP_ADMIN_KEY=hp_admin_$(head -c 33 /dev/urandom | base64 | tr "+/" "-_")
"$BIN" serve --dev --database-url "sqlite://$D/h.db" --listen 127.0.0.1:0 > node.log 2>node.err &
NODE=$!
for i in $(seq 50); do grep -q "^listening on " node.log 2>/dev/null && break; sleep 0.2; done
URL=$(sed -n "s/^listening on //p" node.log)
DEVKEY=$(sed -n "s/^access key (demo\/dev): //p" node.log)
$TARGET/release/hallpass-bench warm-up --url "$URL" --key "$DEVKEY" --seconds 2 --concurrency 16 >/dev/null
ARGS=()
if [ "$EP" = revoke ]; then
  $TARGET/release/hallpass-bench pool --url "$URL" --key "$DEVKEY" --count 30000 --session-ids --out ids.txt >/dev/null
  ARGS=(-- $D/ids.txt 1)
fi
w0=$(awk '/^wchar/{print $2}' /proc/$NODE/io); t0=$(awk '{print $14+$15}' /proc/$NODE/stat)
if [ -n "$PERF" ]; then perf record -F 999 -g -p $NODE -o $D/perf.data -- sleep 6 >/dev/null 2>&1 & PERF_PID=$!; fi
HALLPASS_KEY=$DEVKEY wrk -t1 -c16 -d6s --latency -s $ROOT/bench/wrk/$EP.lua "$URL/v1/sessions/$EP" "${ARGS[@]}" > wrk.txt
w1=$(awk '/^wchar/{print $2}' /proc/$NODE/io); t1=$(awk '{print $14+$15}' /proc/$NODE/stat)
n=$(awk '/requests in/{print $1}' wrk.txt)
echo "$EP: $(grep Requests/sec wrk.txt) p99 $(awk '/ 99%/{print $2}' wrk.txt); bytes written per request $(( (w1-w0)/n )); CPU us per request $(( (t1-t0)*10000/n ))"
[ -n "$PERF" ] && wait $PERF_PID 2>/dev/null || true
kill $NODE; wait $NODE 2>/dev/null || true
[ -n "$PERF" ] && echo "perf: $D/perf.data"
true
