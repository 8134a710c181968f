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
(cargo build --locked -q -p hallpass-cli && cd interop/jose && npm ci --no-audit --no-fund --silent && HALLPASS_BIN="$PWD/../../target/debug/hallpass" node --test test.mjs)
(cd interop/iron && npm ci --no-audit --no-fund --silent && HALLPASS_BIN="$PWD/../../target/debug/hallpass" node --test test.mjs)
scripts/walkthrough-test.sh
