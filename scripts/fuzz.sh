#!/usr/bin/env bash
# Fuzzes hallpass_core::seal::unseal (fuzz/fuzz_targets/unseal.rs) for a bounded time:
#
#   scripts/fuzz.sh        # 60 s
#   scripts/fuzz.sh 600    # 10 minutes
#
# The corpus starts from valid seals made by `hallpass seal`, so that mutations reach the MAC
# and decryption paths, not only the format checks. A crash leaves its input in
# fuzz/artifacts/unseal/ and makes the script fail.
#
# cargo-fuzz is installed if missing. It is run with `-s none` (no sanitizer: safe Rust needs
# none) and RUSTC_BOOTSTRAP=1, because cargo-fuzz passes nightly-only flags to rustc and these
# machines have one stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_SECONDS=${1:-60}

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

cargo build -q --locked -p hallpass-cli
corpus=fuzz/corpus/unseal
mkdir -p "$corpus"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%s' 'a-password-of-at-least-32-characters!' >"$work/password"
printf '%s' '{"a": "a-password-of-at-least-32-characters!"}' >"$work/map"
value='{"id":"2f1c3a0e","createdAt":1764500000000,"data":{"user":"zoë","n":[1,2.5,null]}}'
for algorithm in aes-256-cbc aes-128-ctr; do
  echo "$value" | target/debug/hallpass seal --password-file "$work/password" \
    --algorithm "$algorithm" >"$corpus/seed-$algorithm"
done
echo "$value" | target/debug/hallpass seal --password-file "$work/map" --password-id a \
  --ttl 3600 >"$corpus/seed-map-ttl"

cd fuzz
RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O unseal "corpus/unseal" -- \
  -max_total_time="$RUN_SECONDS" -max_len=4096
