#!/usr/bin/env bash
# Runs every test of the repository. Installs what the tests need on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
have_nginx() { need nginx || test -x /usr/sbin/nginx; }
have_chromium() { test -x "${CHROMIUM_BIN:-/usr/bin/chromium}"; }
if ! need jq || ! need curl || ! have_nginx || ! have_chromium; then
  echo "installing what tests need: jq and curl (README walkthrough), nginx (auth_request test), chromium (browser test)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo DEBIAN_FRONTEND=noninteractive"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  if ! need jq || ! need curl; then $SUDO apt-get install -y -qq jq curl >/dev/null; fi
  if ! have_nginx; then
    # nginx-light has auth_request and is smaller; older releases only have nginx.
    if apt-cache show nginx-light >/dev/null 2>&1; then
      $SUDO apt-get install -y -qq nginx-light >/dev/null
    else
      $SUDO apt-get install -y -qq nginx >/dev/null
    fi
  fi
  if ! have_chromium; then $SUDO apt-get install -y -qq chromium >/dev/null; fi
fi

if [ -z "${HALLPASS_TEST_DATABASE_URL:-}" ]; then
  echo "NOTE: HALLPASS_TEST_DATABASE_URL is not set: PostgreSQL tests will be skipped" >&2
fi

# After a build: fails unless the built files under the given paths are what is committed (a
# build that changed or added one means the committed build is stale); $1 says what to run.
built_is_committed() {
  local fix=$1
  shift
  git rev-parse --git-dir >/dev/null 2>&1 || return 0
  if ! git diff --quiet -- "$@" || [ -n "$(git ls-files --others --exclude-standard -- "$@")" ]; then
    echo "$* differs from a fresh build: $fix, and commit the result" >&2
    git status --short -- "$@" >&2
    return 1
  fi
}

# The console page (console/, Vue 3 built with Vite): the binary embeds the committed build in
# crates/hallpass-http/console, which must be what the sources build to.
(
  set -e
  cd console
  npm ci --no-audit --no-fund --silent
  npm run build --silent >/dev/null
  built_is_committed "run 'npm run build' in console/" ../crates/hallpass-http/console
)
cargo test --workspace --locked
# Interop with the real npm packages (pinned by each folder's lockfile), against the built binaries.
cargo build --locked -q -p hallpass-cli
cargo build --locked -q -p hallpass-sealed-session --example h3_session_app
export HALLPASS_BIN="$PWD/target/debug/hallpass"
export H3_SESSION_APP_BIN="$PWD/target/debug/examples/h3_session_app"
for suite in jose iron h3 webhooks browser console; do
  (cd "interop/$suite" && npm ci --no-audit --no-fund --silent && node --test test.mjs)
done
# The OpenAPI document against the server: schemathesis with an access and an admin key.
scripts/api-fuzz.sh
# The JavaScript clients (an npm workspace with its lockfile): build (the committed dist/ must be
# what the sources build to), the check that the types match docs/openapi.json, strict
# typechecks, and vitest against the binary.
(
  set -e
  cd clients/js
  npm ci --no-audit --no-fund --silent
  npm run build --silent
  built_is_committed "run 'npm run build' in clients/js" client/dist vue/dist
  npm run check:types
  npm run typecheck
  npm test
)
# Seed 004's frontend examples (React and Vue) in Chromium, over the clients' built packages.
(cd interop/frontend && npm ci --no-audit --no-fund --silent && node --test test.mjs)
scripts/walkthrough-test.sh
