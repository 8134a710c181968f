#!/usr/bin/env bash
# Runs schemathesis (pinned in interop/schemathesis/requirements.txt, in a virtualenv of its own
# under target/) against the real binary's /v1/openapi.json, with every check on: once with the
# dev access key and once with the admin key, a bounded number of examples per operation, a
# fixed seed. Fails on any "schema-valid request rejected", "schema-violating request
# accepted", undeclared status, response that differs from its schema, or server error: where
# the OpenAPI document and the server disagree. interop/schemathesis/hooks.py gives the
# generator the few rules that join fields or depend on what is stored (docs/API.md states
# them); it names each one. The revocation feed (`GET /v1/revocations/{product}/{env}`) is left
# out: its answer is a stream that does not end, which no generated call can wait for; its
# tests are crates/hallpass-http/tests/it/revocation_feed.rs. Part of scripts/test.sh.
#
#   scripts/api-fuzz.sh [examples per operation, default 10]    # HALLPASS_FUZZ_SEED=n for another seed
#
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
examples=${1:-10}
venv=target/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    echo "installing python3-venv (apt)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q -r interop/schemathesis/requirements.txt
fi
cargo build --locked -q -p hallpass-cli
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The run sends thousands of requests without a key or with a wrong one, all from 127.0.0.1: with
# the default burst (100 failures) some would be answered 429 where the check wants 401.
target/debug/hallpass serve --dev --listen "127.0.0.1:$port" --database-url "sqlite://$work/h.db" \
  --auth-failure-burst 1000000 >"$work/out.txt" 2>"$work/err.txt" &
for _ in $(seq 1 100); do grep -q '^listening on' "$work/out.txt" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening on' "$work/out.txt" || { echo "hallpass did not start:" >&2; cat "$work/err.txt" >&2; exit 1; }
admin=$(sed -n 's/^admin key: //p' "$work/out.txt")
access=$(sed -n 's/^access key (demo\/dev): //p' "$work/out.txt")
status=0
for kind in access admin; do
  if [ $kind = admin ]; then key=$admin; else key=$access; fi
  # From the temporary directory: schemathesis keeps a cache of past failures in ./.schemathesis,
  # and each run here starts from none.
  if ! (cd "$work" && HALLPASS_FUZZ_KEY=$kind PYTHONPATH="$root/interop/schemathesis" SCHEMATHESIS_HOOKS=hooks \
    "$root/$venv/bin/schemathesis" run "http://127.0.0.1:$port/v1/openapi.json" --checks all \
    --exclude-path '/v1/revocations/{product}/{env}' \
    --max-examples "$examples" --seed "${HALLPASS_FUZZ_SEED:-1}" --no-color -H "Authorization: Bearer $key"); then
    status=1
  fi
done
exit $status
