#!/usr/bin/env bash
# One node on a fresh database, one endpoint (start or revoke) under wrk for 6 s: its rate and
# p99, and per request the CPU the node used and the bytes written: on SQLite the node's own
# (wchar: WAL, database file, sub-journals, sockets), on PostgreSQL the WAL the server wrote
# (pg_stat_wal), its WAL syncs, and the CPU of its processes serving the node; with "perf" as
# the third argument, also a perf profile of the node during the run, kept
# (docs/BENCHMARKS.md, "The profile").
#   bash bench/write-probe.sh target/release/hallpass start|revoke [perf]
#   PROBE_BACKEND=postgres bash bench/write-probe.sh target/release/hallpass start
# Needs a release build of hallpass-bench (in $CARGO_TARGET_DIR or target/), and wrk; on
# PostgreSQL (14 or later, at BENCH_PG_URL, by default postgres://postgres@127.0.0.1:5432/postgres)
# a role that may create databases and read pg_stat_wal.
set -euo pipefail
BIN=$(realpath "$1")
ENDPOINT=${2:-start}
PERF=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${CARGO_TARGET_DIR:-$ROOT/target}/release/hallpass-bench
BACKEND=${PROBE_BACKEND:-sqlite}
PG_ADMIN_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/hallpass-probe.XXXXXX")
NODE=
PG_DB=
pg() { psql "$PG_ADMIN_URL" -XAtqc "$1"; }
cleanup() {
  if [ -n "$NODE" ]; then kill "$NODE" 2>/dev/null || true; wait "$NODE" 2>/dev/null || true; fi
  if [ -n "$PG_DB" ]; then pg "DROP DATABASE IF EXISTS $PG_DB" || true; fi
  if [ -n "$PERF" ]; then echo "perf data kept in $DIR/perf.data"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

HALLPASS_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
HALLPASS_BOOTSTRAP_ADMIN_KEY=hp_admin_$(head -c 33 /dev/urandom | base64 | tr '+/' '-_')
export HALLPASS_MASTER_KEY HALLPASS_BOOTSTRAP_ADMIN_KEY
case $BACKEND in
  sqlite) DB_URL=sqlite://$DIR/h.db ;;
  postgres)
    PG_DB=hallpass_probe_$$
    pg "CREATE DATABASE $PG_DB"
    DB_URL=${PG_ADMIN_URL%/*}/$PG_DB
    ;;
  *) echo "PROBE_BACKEND must be sqlite or postgres" >&2; exit 2 ;;
esac
(cd "$DIR" && exec "$BIN" serve --dev --database-url "$DB_URL" --listen 127.0.0.1:0) \
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

# PROBE_SQL (PostgreSQL): statements run on the node's database before the run, to measure a
# schema change (an index dropped, say) without a build.
if [ -n "${PROBE_SQL:-}" ] && [ -n "$PG_DB" ]; then psql "$DB_URL" -XAtqc "$PROBE_SQL"; fi
"$BENCH" warm-up --url "$URL" --key "$KEY" --seconds 2 --concurrency 16 >/dev/null
ARGS=()
if [ "$ENDPOINT" = revoke ]; then
  "$BENCH" pool --url "$URL" --key "$KEY" --count 30000 --session-ids --out "$DIR/ids.txt" >/dev/null
  ARGS=(-- "$DIR/ids.txt" 1)
fi

written() { awk '/^wchar/ { print $2 }' "/proc/$NODE/io"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$NODE/stat"; }
# PostgreSQL: WAL bytes and syncs of the whole server (nothing else should run on it), and the
# CPU ticks of the server processes connected to the probe's database.
wal() {
  pg "SELECT wal_bytes::bigint || ' ' || wal_sync || ' ' || xact_commit FROM pg_stat_wal,
      pg_stat_database WHERE datname = '$PG_DB'"
}
pg_ticks() {
  local total=0 pid
  for pid in $(pg "SELECT pid FROM pg_stat_activity WHERE datname = '$PG_DB'"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
w0=$(written)
t0=$(ticks)
if [ -n "$PG_DB" ]; then read -r wal0 sync0 xact0 <<<"$(wal)"; p0=$(pg_ticks); fi
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
hz=$(getconf CLK_TCK)
summary="$ENDPOINT ($BACKEND): $(awk '/Requests\/sec/ { print $2 }' "$DIR/wrk.txt") req/s, p99 $(awk '/ 99%/ { print $2 }' "$DIR/wrk.txt"); per request: node $(((t1 - t0) * 1000000 / hz / n)) us of CPU"
if [ -n "$PG_DB" ]; then
  read -r wal1 sync1 xact1 <<<"$(wal)"
  p1=$(pg_ticks)
  summary+=", PostgreSQL $(((p1 - p0) * 1000000 / hz / n)) us of CPU, $(((wal1 - wal0) / n)) bytes of WAL; $((sync1 - sync0)) WAL syncs and $((xact1 - xact0)) commits in all"
else
  summary+=", $(((w1 - w0) / n)) bytes written"
fi
echo "$summary"
if [ -n "$PERF_PID" ]; then wait "$PERF_PID" || true; fi
