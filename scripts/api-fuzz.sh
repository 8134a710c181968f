#!/usr/bin/env bash
# Runs schemathesis (pinned in interop/schemathesis/requirements.txt, in a virtualenv of its own
# under target/) against the real binary's /v1/openapi.json, with every check on: once with the
# dev access key and once with the admin key, a bounded number of examples per operation.
# Reports "schema-valid request rejected", "schema-violating request accepted" and server
# errors: where the OpenAPI document is looser or stricter than the server.
#
#   scripts/api-fuzz.sh [examples per operation, default 10]
#
# Not yet part of the test command: the document does not yet state every rule the server
# enforces (docs/API.md §4 has them in prose), so this run still reports failures.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-10}
venv=target/schemathesis-venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r interop/schemathesis/requirements.txt
fi
cargo build --locked -q -p hallpass-cli
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/debug/hallpass serve --dev --listen "127.0.0.1:$port" --database-url "sqlite://$work/h.db" >"$work/out.txt" 2>"$work/err.txt" &
for _ in $(seq 1 100); do grep -q '^listening on' "$work/out.txt" 2>/dev/null && break; sleep 0.1; done
admin=$(sed -n 's/^admin key: //p' "$work/out.txt")
access=$(sed -n 's/^access key (demo\/dev): //p' "$work/out.txt")
status=0
for key in "$access" "$admin"; do
  "$venv/bin/schemathesis" run "http://127.0.0.1:$port/v1/openapi.json" --checks all \
    --max-examples "$examples" --seed 1 --no-color -H "Authorization: Bearer $key" || status=1
done
exit $status
