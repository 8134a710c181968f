#!/usr/bin/env bash
# The HTTP benchmarks of hallpass, with its peers side by side; the numbers are in
# docs/BENCHMARKS.md.
#
#   bash bench/run.sh                      # everything (about 8 minutes on 2 cores, once built)
#   bash bench/run.sh propagation list     # some parts: propagation, http, list, verify, memory,
#                                          # seal, feed, webhooks
#   BENCH_HALLPASS_BIN=/elsewhere/target/release/hallpass bash bench/run.sh http
#                                          # this script and its tools against another build
#
# propagation  two nodes on one PostgreSQL database: delay from a revoke's answer on node A to
#              the first 401 session_revoked of verify on node B, then from an update's answer
#              on A (the session's data changed) to the first 401 token_superseded of verify of
#              the session's earlier token on B
# http         start, refresh and revoke throughput with wrk, on SQLite and on PostgreSQL
#              (BENCH_HTTP_BACKENDS); each refresh uses a refresh token never used before, each
#              revoke ends a session still active (`hallpass-bench pool` makes them)
#              and, after each wrk run, the CPU time per request of the node (and, on
#              PostgreSQL, of the server processes on its database)
# list         list latency for one identifier among 10,000 holding 1,000,000 sessions, on
#              PostgreSQL and on SQLite
# verify       verify over HTTP with one token (the verification cache) and with tokens never
#              seen before, and forward-auth with one token (a proxy's check), next to the
#              HTTP ceiling: a minimal axum echo of a 500-byte JSON
#              body (`hallpass-bench echo`), the in-process EdDSA rate, and better-auth's
#              get-session on its default SQLite setup (npm, bench/peers/better-auth), with the
#              same wrk settings. Needs Node.js 18+ and npm.
# memory       resident size of a node holding 100,000 revocations, and of its verification
#              cache filled by 50,000 unique tokens; then of a node holding 100,000
#              supersessions (sessions started and updated once over HTTP); bytes per entry of
#              each
# feed         the revocation feed: 1,000 subscribers on node B of two on PostgreSQL, 100
#              sessions revoked one after another on node A; the delay from each revoke's
#              answer to each subscriber's event (p99, goal <= 50 ms), and node B's resident
#              size before and with the subscribers
# seal         iron "Fe26.2" seal and unseal per second on one core, hallpass against the npm
#              package iron-webcrypto in Node (bench/peers/iron-webcrypto), at 1 and 8192
#              PBKDF2 iterations, as ratios
# webhooks     webhook delivery to a receiver in hallpass-bench (answers 204, notes each
#              receipt), from a node with --dev --allow-private-webhooks and one endpoint taking
#              session.started: latency from the answer of a start to the receipt of its
#              delivery, BENCH_WEBHOOK_SESSIONS sessions one at a time; then the delivery rate
#              and latencies of a burst of BENCH_WEBHOOK_BURST starts (BENCH_CONNECTIONS at
#              once); on SQLite and on PostgreSQL (BENCH_HTTP_BACKENDS)
#
# Needs PostgreSQL (13 or later) reachable at BENCH_PG_URL (default
# postgres://postgres@127.0.0.1:5432/postgres: a URL naming an existing database, of a role
# that may create databases). The script creates its own databases hallpass_bench_<pid>_* and
# drops them when it ends; SQLite files live in a temporary directory. wrk is installed
# through apt when missing. Every process the script starts is stopped when it ends.
#
# Settings (environment): BENCH_DURATION (s per wrk run, 10), BENCH_WARMUP (s, 3),
# BENCH_THREADS (wrk threads, 1), BENCH_CONNECTIONS (wrk connections, 16),
# BENCH_PROPAGATION_SESSIONS (1000), BENCH_LIST_SESSIONS (1000000),
# BENCH_LIST_IDENTIFIERS (10000), BENCH_LIST_REQUESTS (5000), BENCH_VERIFY_TOKENS (150000),
# BENCH_VERIFY_UNIQUE_DURATION (s, 4), BENCH_MEMORY_REVOCATIONS (100000),
# BENCH_MEMORY_CACHE_TOKENS (50000), BENCH_MEMORY_SUPERSESSIONS (100000), BENCH_SEAL_SECONDS (3),
# BENCH_FEED_SUBSCRIBERS (1000), BENCH_FEED_REVOCATIONS (100),
# BENCH_HTTP_BACKENDS (the backends of http and webhooks, "sqlite postgres"),
# BENCH_WEBHOOK_SESSIONS (200), BENCH_WEBHOOK_BURST (2000), BENCH_KEEP=1 keeps the logs.
# BENCH_HALLPASS_BIN runs the nodes from that hallpass binary instead of this tree's build
# (hallpass-bench and the wrk scripts stay this tree's; the API they call must be the same):
# before and after runs of a change, each build measured by the same script.
# CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

PG_ADMIN_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
THREADS=${BENCH_THREADS:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
PROPAGATION_SESSIONS=${BENCH_PROPAGATION_SESSIONS:-1000}
LIST_SESSIONS=${BENCH_LIST_SESSIONS:-1000000}
LIST_IDENTIFIERS=${BENCH_LIST_IDENTIFIERS:-10000}
LIST_REQUESTS=${BENCH_LIST_REQUESTS:-5000}
VERIFY_TOKENS=${BENCH_VERIFY_TOKENS:-150000}
VERIFY_UNIQUE_DURATION=${BENCH_VERIFY_UNIQUE_DURATION:-4}
MEMORY_REVOCATIONS=${BENCH_MEMORY_REVOCATIONS:-100000}
MEMORY_CACHE_TOKENS=${BENCH_MEMORY_CACHE_TOKENS:-50000}
MEMORY_SUPERSESSIONS=${BENCH_MEMORY_SUPERSESSIONS:-100000}
SEAL_SECONDS=${BENCH_SEAL_SECONDS:-3}
FEED_SUBSCRIBERS=${BENCH_FEED_SUBSCRIBERS:-1000}
FEED_REVOCATIONS=${BENCH_FEED_REVOCATIONS:-100}
read -r -a HTTP_BACKENDS <<<"${BENCH_HTTP_BACKENDS:-sqlite postgres}"
WEBHOOK_SESSIONS=${BENCH_WEBHOOK_SESSIONS:-200}
WEBHOOK_BURST=${BENCH_WEBHOOK_BURST:-2000}
PARTS=("$@")
[ ${#PARTS[@]} -gt 0 ] || PARTS=(propagation http list verify memory seal feed webhooks)
for part in "${PARTS[@]}"; do
  case $part in
    propagation | http | list | verify | memory | seal | feed | webhooks) ;;
    *) echo "unknown part '$part': choose among propagation, http, list, verify, memory, seal, feed, webhooks" >&2; exit 2 ;;
  esac
done
for backend in "${HTTP_BACKENDS[@]}"; do
  case $backend in
    sqlite | postgres) ;;
    *) echo "unknown backend '$backend' in BENCH_HTTP_BACKENDS: sqlite, postgres" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (apt)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y -qq wrk >/dev/null 2>&1 ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq wrk >/dev/null; }
fi

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision="$revision with uncommitted changes"
fi
echo "building (release)"
if [ -n "${BENCH_HALLPASS_BIN:-}" ]; then
  [ -x "$BENCH_HALLPASS_BIN" ] || { echo "BENCH_HALLPASS_BIN: no executable at $BENCH_HALLPASS_BIN" >&2; exit 2; }
  # (Both packages, as below: building hallpass-bench alone unifies other features and
  # rebuilds much of the workspace.)
  cargo build --release -q -p hallpass-cli -p hallpass-bench
  HALLPASS=$(cd "$(dirname "$BENCH_HALLPASS_BIN")" && pwd)/$(basename "$BENCH_HALLPASS_BIN")
  revision="$HALLPASS ($("$HALLPASS" --version 2>/dev/null || echo 'no --version')), measured by bench/ of $revision"
else
  cargo build --release -q -p hallpass-cli -p hallpass-bench
  HALLPASS=$TARGET/release/hallpass
fi
BENCH=$TARGET/release/hallpass-bench

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hallpass-bench.XXXXXX")
SUMMARY=$TMP/summary
: >"$SUMMARY"
PIDS=()
DBS=()
STEP_PID=

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in $STEP_PID "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $STEP_PID "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for db in "${DBS[@]}"; do
    "$BENCH" drop-db --admin-url "$PG_ADMIN_URL" --name "$db" || echo "could not drop database $db" >&2
  done
  if [ "${BENCH_KEEP:-}" = 1 ]; then
    echo "logs kept in $TMP"
  else
    rm -rf "$TMP"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Every node of a run shares the master key; the admin key is fixed so that nodes agree.
HALLPASS_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
HALLPASS_BOOTSTRAP_ADMIN_KEY=hp_admin_$(head -c 33 /dev/urandom | base64 | tr '+/' '-_')
export HALLPASS_MASTER_KEY HALLPASS_BOOTSTRAP_ADMIN_KEY
unset HALLPASS_CONFIG HALLPASS_LISTEN HALLPASS_DATABASE_URL HALLPASS_ISSUER HALLPASS_BODY_LIMIT

# new_pg_db NAME: creates database hallpass_bench_<pid>_NAME and sets DB_URL to its URL.
new_pg_db() {
  local name=hallpass_bench_$$_$1 base=${PG_ADMIN_URL%%\?*}
  local query=${PG_ADMIN_URL#"$base"}
  "$BENCH" drop-db --admin-url "$PG_ADMIN_URL" --name "$name"
  "$BENCH" create-db --admin-url "$PG_ADMIN_URL" --name "$name"
  DBS+=("$name")
  DB_NAME=$name
  DB_URL=${base%/*}/$name$query
}

# start_node NAME DATABASE_URL [--dev]: starts a node on a free port, waits until it listens,
# and sets NODE_PID, NODE_URL and (with --dev) KEY, the demo access key.
start_node() {
  local name=$1 url=$2
  shift 2
  mkdir -p "$TMP/$name"
  (cd "$TMP/$name" && exec "$HALLPASS" serve --database-url "$url" --listen 127.0.0.1:0 "$@") \
    >"$TMP/$name.out" 2>"$TMP/$name.err" &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  for _ in $(seq 300); do
    if grep -q '^listening on ' "$TMP/$name.out"; then
      NODE_URL=$(sed -n 's/^listening on //p' "$TMP/$name.out")
      if [ "${1:-}" = --dev ]; then
        KEY=$(sed -n 's/^access key (demo\/dev): //p' "$TMP/$name.out")
      fi
      return
    fi
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "node $name did not start:" >&2
  cat "$TMP/$name.err" >&2
  exit 1
}

stop_node() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# fresh_db sqlite|postgres NAME: a new, empty database of that backend; its URL in DB_URL.
fresh_db() {
  if [ "$1" = sqlite ]; then
    DB_URL=sqlite://$TMP/$2.db
    DB_NAME=
  else
    new_pg_db "$2"
  fi
}

# step COMMAND...: runs COMMAND in the background and waits for it, so that a signal ends the
# script at once (bash runs traps only between foreground commands) and the trap stops it.
step() {
  "$@" &
  STEP_PID=$!
  wait "$STEP_PID"
  STEP_PID=
}

# measure NAME COMMAND...: a step whose output is shown and kept in $TMP/NAME.txt, and whose
# SUMMARY lines go to the table.
measure() {
  local out=$TMP/$1.txt
  shift
  step "$@" >"$out"
  cat "$out"
  grep '^SUMMARY|' "$out" >>"$SUMMARY" || true
}

# wrk_run NAME BACKEND PATH SCRIPT [SCRIPT ARGS...]: one measured wrk run against NODE_URL.
# cpu_ticks: user and system CPU time, in clock ticks, of the node (NODE_PID) and, on
# PostgreSQL, of the server processes connected to its database (DB_NAME).
cpu_ticks() {
  local pid total=0 pids=("$NODE_PID")
  [ -z "${DB_NAME:-}" ] || mapfile -t -O 1 pids < <(pgrep -f "^postgres: .* $DB_NAME " || true)
  for pid in "${pids[@]}"; do
    if [ -r "/proc/$pid/stat" ]; then
      # Fields 14 and 15 (utime, stime), counted after the ")" that ends the command name.
      total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
    fi
  done
  echo "$total"
}

# wrk_run NAME BACKEND PATH SCRIPT [SCRIPT ARGS...]: one measured wrk run against NODE_URL, and
# the CPU time it cost the node (and PostgreSQL) per request: a figure that contention for
# the cores moves much less than the rate.
wrk_run() {
  local name=$1 backend=$2 path=$3 script=$4
  shift 4
  local before after
  before=$(cpu_ticks)
  measure "wrk-$name-$backend" env BENCH_NAME="$name" BENCH_BACKEND="$backend" HALLPASS_KEY="$KEY" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" \
    "$NODE_URL$path" ${1+-- "$@"}
  after=$(cpu_ticks)
  awk -F'|' -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v name="$name" \
    -v backend="$backend" -v pg="${DB_NAME:+ and PostgreSQL}" '$1 == "SUMMARY" {
      split($4, r, " ")
      if (r[1] > 0) printf "SUMMARY|%s: CPU per request|%s|%d requests|-|%.0f us|-|-|the node%s, %.2f s of CPU\n", name, backend, r[1], ticks * 1e6 / hz / r[1], pg, ticks / hz
    }' "$TMP/wrk-$name-$backend.txt" | tee -a "$SUMMARY"
}

warm_up() {
  step "$BENCH" warm-up --url "$NODE_URL" --key "$KEY" --seconds "$WARMUP" --concurrency "$CONNECTIONS"
}

run_propagation() {
  echo
  echo "== revocation and supersession propagation between two nodes (PostgreSQL)"
  new_pg_db propagation
  start_node propagation-a "$DB_URL" --dev
  local a_pid=$NODE_PID a_url=$NODE_URL
  start_node propagation-b "$DB_URL"
  local b_pid=$NODE_PID b_url=$NODE_URL
  local change
  for change in revoke update; do
    measure "propagation-$change" "$BENCH" propagation --a "$a_url" --b "$b_url" --key "$KEY" \
      --backend postgres --change "$change" --sessions "$PROPAGATION_SESSIONS"
  done
  stop_node "$a_pid"
  stop_node "$b_pid"
}

run_feed() {
  echo
  echo "== revocation feed: $FEED_SUBSCRIBERS subscribers on node B, $FEED_REVOCATIONS revocations on node A (PostgreSQL)"
  new_pg_db feed
  start_node feed-a "$DB_URL" --dev
  local a_pid=$NODE_PID a_url=$NODE_URL
  start_node feed-b "$DB_URL"
  local b_pid=$NODE_PID b_url=$NODE_URL
  # One descriptor per subscriber in the measuring process too.
  (ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    measure feed "$BENCH" feed --a "$a_url" --b "$b_url" --b-pid "$b_pid" --key "$KEY" \
      --backend postgres --subscribers "$FEED_SUBSCRIBERS" --revocations "$FEED_REVOCATIONS")
  stop_node "$a_pid"
  stop_node "$b_pid"
}

run_http() {
  local backend=$1
  echo
  echo "== start, refresh and revoke throughput ($backend, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s)"
  fresh_db "$backend" http
  # The end of a wrk run drops the requests in flight, and a request dropped while the store
  # begins a transaction can leave a pooled connection inside it (docs/BENCHMARKS.md). So
  # warm-ups are done by hallpass-bench, which awaits every answer, and the node is started
  # afresh (same database) after each wrk run.
  start_node "http-$backend" "$DB_URL" --dev
  warm_up
  wrk_run start "$backend" /v1/sessions/start bench/wrk/start.lua
  stop_node "$NODE_PID"

  # Refresh tokens, each used once: half as many again as start managed in the same time
  # (the answers' new tokens take over should they run out, and the summary says so).
  start_node "http-$backend-refresh" "$DB_URL" --dev
  local rate
  rate=$(awk -F'|' '$2 == "start" && $3 == "'"$backend"'" { printf "%d", $5 }' "$SUMMARY")
  step "$BENCH" pool --url "$NODE_URL" --key "$KEY" --count $((rate * DURATION * 3 / 2 + 1000)) \
    --out "$TMP/refresh-$backend.txt"
  warm_up
  wrk_run refresh "$backend" /v1/sessions/refresh bench/wrk/refresh.lua \
    "$TMP/refresh-$backend.txt" "$THREADS"
  stop_node "$NODE_PID"

  # Sessions to revoke, each once: twice as many as start managed in the same time (should
  # they run out, the summary says how many revokes found their session already ended).
  start_node "http-$backend-revoke" "$DB_URL" --dev
  step "$BENCH" pool --url "$NODE_URL" --key "$KEY" --count $((rate * DURATION * 2 + 1000)) \
    --session-ids --out "$TMP/revoke-$backend.txt"
  warm_up
  wrk_run revoke "$backend" /v1/sessions/revoke bench/wrk/revoke.lua \
    "$TMP/revoke-$backend.txt" "$THREADS"
  stop_node "$NODE_PID"
}

run_webhooks() {
  local backend=$1
  echo
  echo "== webhook delivery: latency and rate ($backend)"
  fresh_db "$backend" webhooks
  start_node "webhooks-$backend" "$DB_URL" --dev --allow-private-webhooks
  measure "webhooks-$backend" "$BENCH" webhooks --url "$NODE_URL" --key "$KEY" \
    --admin-key "$HALLPASS_BOOTSTRAP_ADMIN_KEY" --product demo --backend "$backend" \
    --sessions "$WEBHOOK_SESSIONS" --burst "$WEBHOOK_BURST" --concurrency "$CONNECTIONS"
  stop_node "$NODE_PID"
}

run_list() {
  local backend=$1
  echo
  echo "== list: $LIST_SESSIONS sessions over $LIST_IDENTIFIERS identifiers ($backend)"
  fresh_db "$backend" list
  start_node "list-$backend" "$DB_URL" --dev
  local pid=$NODE_PID
  step "$BENCH" fill --url "$NODE_URL" --key "$KEY" --database-url "$DB_URL" \
    --sessions "$LIST_SESSIONS" --identifiers "$LIST_IDENTIFIERS"
  measure "list-$backend" "$BENCH" list --url "$NODE_URL" --key "$KEY" --database-url "$DB_URL" \
    --backend "$backend" --identifiers "$LIST_IDENTIFIERS" \
    --per-identifier $((LIST_SESSIONS / LIST_IDENTIFIERS)) --requests "$LIST_REQUESTS"
  stop_node "$pid"
}

run_verify() {
  echo
  echo "== verify next to the HTTP ceiling (wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s)"
  mkdir -p "$TMP/echo"
  "$BENCH" echo --listen 127.0.0.1:0 >"$TMP/echo.out" 2>"$TMP/echo.err" &
  local echo_pid=$!
  PIDS+=("$echo_pid")
  for _ in $(seq 100); do
    grep -q '^listening on ' "$TMP/echo.out" && break
    sleep 0.1
  done
  local echo_url
  echo_url=$(sed -n 's/^listening on //p' "$TMP/echo.out")
  [ -n "$echo_url" ] || { echo "the echo server did not start" >&2; exit 1; }
  measure wrk-echo env BENCH_NAME="axum echo (ceiling)" BENCH_BACKEND=- HALLPASS_KEY=- \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk/echo.lua "$echo_url/echo"
  stop_node "$echo_pid"

  fresh_db sqlite verify
  start_node verify "$DB_URL" --dev
  local token
  token=$(curl -fsS -X POST "$NODE_URL/v1/sessions/start" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' \
    -d '{"tag":"user-session","data":{"userId":"user-123","email":"user@example.com"}}' |
    sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || { echo "could not start a session to verify" >&2; exit 1; }
  measure wrk-verify-hot env BENCH_NAME="verify, one token" BENCH_BACKEND=sqlite \
    HALLPASS_KEY="$KEY" HALLPASS_TOKEN="$token" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk/verify-hot.lua \
    "$NODE_URL/v1/sessions/verify"
  measure wrk-forward-auth env BENCH_NAME="forward-auth, one token" BENCH_BACKEND=sqlite \
    HALLPASS_KEY=- HALLPASS_TOKEN="$token" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk/forward-auth.lua \
    "$NODE_URL/v1/forward-auth?product=demo&env=dev&tag=user-session"
  step "$BENCH" pool --url "$NODE_URL" --key "$KEY" --count "$VERIFY_TOKENS" --session-tokens \
    --out "$TMP/verify-tokens.txt"
  measure wrk-verify-unique env BENCH_NAME="verify, unique tokens" BENCH_BACKEND=sqlite \
    HALLPASS_KEY="$KEY" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${VERIFY_UNIQUE_DURATION}s" --latency \
    -s bench/wrk/verify-unique.lua "$NODE_URL/v1/sessions/verify" -- "$TMP/verify-tokens.txt" "$THREADS"
  stop_node "$NODE_PID"
  measure eddsa "$BENCH" eddsa --seconds 3
  run_better_auth
  awk -F'|' '$2 == "axum echo (ceiling)" { ceiling = $5 } $2 == "verify, one token" { hot = $5 }
    $2 == "forward-auth, one token" { forward = $5 }
    $2 == "verify, unique tokens" { unique = $5 } $2 ~ /^EdDSA verify in process/ { eddsa = $5 }
    $2 == "better-auth get-session" { peer = $5 }
    END {
      if (ceiling > 0) printf "SUMMARY|verify, one token / ceiling|-|ratio|%.0f%%|-|-|-|goal >= 85%%\n", 100 * hot / ceiling
      if (ceiling > 0) printf "SUMMARY|forward-auth, one token / ceiling|-|ratio|%.0f%%|-|-|-|-\n", 100 * forward / ceiling
      if (eddsa > 0) printf "SUMMARY|verify, unique / EdDSA in process|-|ratio|%.0f%%|-|-|-|goal >= 90%%\n", 100 * unique / eddsa
      if (peer > 0) printf "SUMMARY|verify, one token / better-auth|-|ratio|%.0fx|-|-|-|goal >= 60x\n", hot / peer
    }' "$SUMMARY" | tee -a "$SUMMARY"
}

# better-auth's get-session on its default SQLite setup, installed from its lockfile (the
# first install compiles better-sqlite3, about a minute).
run_better_auth() {
  local dir=bench/peers/better-auth
  if [ ! -d "$dir/node_modules/better-sqlite3/build" ]; then
    echo "installing better-auth (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
  (cd "$dir" && exec env BETTER_AUTH_DB="$TMP/better-auth.db" node server.mjs) \
    >"$TMP/better-auth.out" 2>"$TMP/better-auth.err" &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 100); do
    grep -q '^listening on ' "$TMP/better-auth.out" && break
    sleep 0.1
  done
  local url cookie
  url=$(sed -n 's/^listening on //p' "$TMP/better-auth.out")
  [ -n "$url" ] || { echo "better-auth did not start:" >&2; cat "$TMP/better-auth.err" >&2; exit 1; }
  cookie=$(curl -fsS -D - -o /dev/null -X POST "$url/api/auth/sign-up/email" \
    -H 'Content-Type: application/json' \
    -d '{"email":"ann@example.com","password":"a-long-password-123","name":"Ann"}' |
    sed -n 's/^[Ss]et-[Cc]ookie: \(better-auth\.session_token=[^;]*\).*/\1/p')
  [ -n "$cookie" ] || { echo "could not sign up on better-auth" >&2; exit 1; }
  measure wrk-better-auth env BENCH_NAME="better-auth get-session" BENCH_BACKEND=sqlite \
    HALLPASS_KEY=- BETTER_AUTH_COOKIE="$cookie" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/wrk/get-session.lua \
    "$url/api/auth/get-session"
  stop_node "$pid"
}

# Seal and unseal of iron "Fe26.2" values on one core: hallpass (Rust) and iron-webcrypto (Node,
# installed from the lockfile in bench/peers/iron-webcrypto), same value, password and options.
run_seal() {
  echo
  echo "== seal and unseal (iron Fe26.2), one core, ${SEAL_SECONDS}s each"
  local dir=bench/peers/iron-webcrypto iterations
  if [ ! -d "$dir/node_modules/iron-webcrypto" ]; then
    echo "installing iron-webcrypto (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
  for iterations in 1 8192; do
    measure "seal-rust-$iterations" "$BENCH" seal --seconds "$SEAL_SECONDS" --iterations "$iterations"
    measure "seal-node-$iterations" node "$dir/bench.mjs" "$SEAL_SECONDS" "$iterations"
  done
  awk -F'|' '$2 ~ /, hallpass/ { split($2, op, ","); split($4, it, " "); rust[op[1] "|" it[1]] = $5 }
    $2 ~ /, iron-webcrypto/ { split($2, op, ","); split($4, it, " "); node[op[1] "|" it[1]] = $5 }
    END {
      for (k in rust) if (node[k] > 0) {
        split(k, p, "|")
        goal = p[2] == 1 ? "goal >= 100x" : "-"
        printf "SUMMARY|%s, hallpass / iron-webcrypto|-|%s iteration(s)|%.0fx|-|-|-|%s\n", p[1], p[2], rust[k] / node[k], goal
      }
    }' "$SUMMARY" | sort | tee -a "$SUMMARY"
}

# rss_kib PID: the resident size of a process, in KiB.
rss_kib() {
  sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"
}

# metric NAME: the value of a gauge on NODE_URL's /metrics.
metric() {
  curl -fsS "$NODE_URL/metrics" | awk -v name="$1" '$1 == name { printf "%d", $2 }'
}

run_memory() {
  echo
  echo "== memory: $MEMORY_REVOCATIONS revoked sessions, then verifies of unique tokens, then $MEMORY_SUPERSESSIONS superseded sessions (SQLite)"
  fresh_db sqlite memory-empty
  start_node memory-empty "$DB_URL" --dev
  warm_up
  local empty
  empty=$(rss_kib "$NODE_PID")
  stop_node "$NODE_PID"

  fresh_db sqlite memory
  start_node memory-fill "$DB_URL" --dev
  step "$BENCH" fill --url "$NODE_URL" --key "$KEY" --database-url "$DB_URL" \
    --sessions "$MEMORY_REVOCATIONS" --identifiers 10000 --revoked
  stop_node "$NODE_PID"
  # Restarted, the node loads every revocation whose token is still valid.
  start_node memory "$DB_URL" --dev
  warm_up
  local revoked held
  revoked=$(rss_kib "$NODE_PID")
  held=$(metric hallpass_revocation_set_size)
  step "$BENCH" pool --url "$NODE_URL" --key "$KEY" --count "$MEMORY_CACHE_TOKENS" --session-tokens \
    --out "$TMP/memory-tokens.txt"
  local before_cache
  before_cache=$(rss_kib "$NODE_PID")
  step env BENCH_NAME="memory: fill the cache" BENCH_BACKEND=sqlite HALLPASS_KEY="$KEY" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/wrk/verify-unique.lua \
    "$NODE_URL/v1/sessions/verify" -- "$TMP/memory-tokens.txt" "$THREADS" >/dev/null
  local cached entries
  cached=$(rss_kib "$NODE_PID")
  entries=$(metric hallpass_verify_cache_entries)
  stop_node "$NODE_PID"

  # The same for supersessions, on a database of their own: sessions started and updated once
  # over HTTP (each update supersedes the session's first token, valid for another hour).
  echo "-- $MEMORY_SUPERSESSIONS sessions started and updated once (SQLite)"
  fresh_db sqlite memory-superseded
  start_node memory-superseded-fill "$DB_URL" --dev
  step "$BENCH" pool --url "$NODE_URL" --key "$KEY" --count "$MEMORY_SUPERSESSIONS" --update
  stop_node "$NODE_PID"
  # Restarted, the node loads every supersession whose older tokens are still valid.
  start_node memory-superseded "$DB_URL" --dev
  warm_up
  local superseded superseded_held
  superseded=$(rss_kib "$NODE_PID")
  superseded_held=$(metric hallpass_superseded_set_size)
  stop_node "$NODE_PID"
  awk -v empty="$empty" -v revoked="$revoked" -v held="$held" -v before="$before_cache" \
    -v cached="$cached" -v entries="$entries" -v superseded="$superseded" \
    -v superseded_held="$superseded_held" 'BEGIN {
      printf "SUMMARY|memory: resident size|sqlite|%d revocations held|-|%.1f MB|-|-|%.1f MB with none; goal < 64 MB\n", held, revoked / 1024, empty / 1024
      if (held > 0) printf "SUMMARY|memory: per revocation entry|sqlite|%d entries|-|%.0f bytes|-|-|resident growth / entries\n", held, (revoked - empty) * 1024 / held
      if (entries > 0) printf "SUMMARY|memory: per verification cache entry|sqlite|%d entries|-|%.0f bytes|-|-|resident growth / entries (%.1f MB with the cache full)\n", entries, (cached - before) * 1024 / entries, cached / 1024
      printf "SUMMARY|memory: resident size|sqlite|%d supersessions held|-|%.1f MB|-|-|%.1f MB with none\n", superseded_held, superseded / 1024, empty / 1024
      if (superseded_held > 0) printf "SUMMARY|memory: per superseded session|sqlite|%d entries|-|%.0f bytes|-|-|resident growth / entries\n", superseded_held, (superseded - empty) * 1024 / superseded_held
    }' | tee -a "$SUMMARY"
}

# (Not `a && b`: errors must stop the script, and set -e ignores them in such lists.)
for part in "${PARTS[@]}"; do
  case $part in
    propagation) run_propagation ;;
    http) for backend in "${HTTP_BACKENDS[@]}"; do run_http "$backend"; done ;;
    list) for backend in postgres sqlite; do run_list $backend; done ;;
    verify) run_verify ;;
    memory) run_memory ;;
    seal) run_seal ;;
    feed) run_feed ;;
    webhooks) for backend in "${HTTP_BACKENDS[@]}"; do run_webhooks "$backend"; done ;;
  esac
done

echo
echo "== summary of hallpass $revision, $(date -u +%Y-%m-%d) ($(nproc) cores: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load generator on the same machine)"
{
  echo "measurement|backend|run|req/s|p50|p99|max|notes"
  sed 's/^SUMMARY|//' "$SUMMARY"
} | awk -F'|' '{ printf "%-30s %-9s %-22s %7s %10s %10s %10s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8 }'

# Every wrk rate of this run (16 connections) against the ceiling and the peer, when the verify
# part ran.
awk -F'|' 'NR == FNR {
    if ($2 == "axum echo (ceiling)") ceiling = $5
    if ($2 == "better-auth get-session") peer = $5
    next
  }
  FNR == 1 && (ceiling > 0 || peer > 0) {
    print ""
    print "== each HTTP rate against the ceiling and better-auth"
    printf "%-30s %-9s %9s %12s %14s\n", "measurement", "backend", "req/s", "of ceiling", "x better-auth"
  }
  (ceiling > 0 || peer > 0) && $5 ~ /^[0-9]+$/ && $4 ~ /requests, [0-9]+ s/ {
    c = ceiling > 0 ? sprintf("%.0f%%", 100 * $5 / ceiling) : "-"
    p = peer > 0 ? sprintf("%.1fx", $5 / peer) : "-"
    printf "%-30s %-9s %9s %12s %14s\n", $2, $3, $5, c, p
  }' "$SUMMARY" "$SUMMARY"
