#!/usr/bin/env bash
# Runs every test of the repository. Installs what the tests need on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need jq || ! need curl; then
  echo "installing jq and curl (needed by the README walkthrough test)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq jq curl >/dev/null
fi

if [ -z "${HALLPASS_TEST_DATABASE_URL:-}" ]; then
  echo "NOTE: HALLPASS_TEST_DATABASE_URL is not set: PostgreSQL tests will be skipped" >&2
fi

cargo test --workspace --locked
# Interop with the real npm packages (pinned by each folder's lockfile), against the built binaries.
cargo build --locked -q -p hallpass-cli
cargo build --locked -q -p hallpass-sealed-session --example h3_session_app
export HALLPASS_BIN="$PWD/target/debug/hallpass"
export H3_SESSION_APP_BIN="$PWD/target/debug/examples/h3_session_app"
for suite in jose iron h3; do
  (cd "interop/$suite" && npm ci --no-audit --no-fund --silent && node --test test.mjs)
done
scripts/walkthrough-test.sh
