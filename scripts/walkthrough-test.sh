#!/usr/bin/env bash
# Runs the README's five-minute walkthrough exactly as written (only the server binary and port
# are swapped for the freshly built debug binary and a free port) and checks what it printed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked -q -p hallpass-cli
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bin="$PWD/target/debug/hallpass"
sed -n '/<!-- walkthrough:start -->/,/<!-- walkthrough:end -->/p' README.md \
  | sed '/^```/d; /^<!--/d' \
  | sed "s#cargo run --release -- #$bin #" > "$work/walkthrough.sh"
(cd "$work" && HP="http://127.0.0.1:$port" bash -euo pipefail walkthrough.sh) > "$work/out.txt" 2>&1 || {
  cat "$work/out.txt"; echo "walkthrough failed"; exit 1; }
check() { grep -q -- "$1" "$work/out.txt" || { cat "$work/out.txt"; echo "walkthrough output lacks: $1"; exit 1; }; }
check '"tag": "shop"'
check '"role": "admin"'
check '"refreshToken": "hp_rt_'
check '"count": 1'
check '"revoked": true'
check '"selector": "\$Session{userId}"'
check '"updatedCount": 1'
check '"token_superseded"'
check '"plan": "pro"'
check '"code": "session_revoked"'
check '"session.refreshed"'
echo "walkthrough: 1 passed, 0 failed"
