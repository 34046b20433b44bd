#!/usr/bin/env bash
# sr25519 speed of covenant next to schnorrkel-in-WASM, both on one thread.
#
#   scripts/bench.sh [--seconds S] [--build-dir DIR]
#
# Runs DIR/bench/bench_sign (default build/; build it with scripts/build.sh,
# an optimised build, or the numbers mean little) and bench/wasm_sr25519.mjs
# (needs scripts/setup-oracles.sh), then prints a table with the ratio
# covenant/wasm for sr25519 sign and verify. covenant's ed25519 and ecdsa rows
# are listed too, for reference. Either side may be missing; the table then
# says so instead of failing, so the script is usable while one side is built.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=2
build="$root/build"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --build-dir) build=$(cd "${2:?}" && pwd); shift 2 ;;
    *) echo "usage: scripts/bench.sh [--seconds S] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bench_sign="$build/bench/bench_sign"
if [[ -x $bench_sign ]]; then
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
  case "$build_type" in
    Release | RelWithDebInfo | MinSizeRel) ;;
    *) echo "bench: warning: $build is a '${build_type:-unset}' build; use scripts/build.sh for real numbers" >&2 ;;
  esac
  echo "bench: running $bench_sign --seconds $seconds (sr25519, ed25519, ecdsa)..." >&2
  "$bench_sign" --seconds "$seconds" --json >"$tmp/covenant.jsonl" ||
    { echo "bench: bench_sign failed" >&2; exit 1; }
else
  echo "bench: $bench_sign not built; covenant column left empty" >&2
fi

if [[ -d $root/tests/interop/node_modules/@polkadot/wasm-crypto ]] && command -v node >/dev/null; then
  echo "bench: running bench/wasm_sr25519.mjs --seconds $seconds..." >&2
  node "$root/bench/wasm_sr25519.mjs" --seconds "$seconds" >"$tmp/wasm.jsonl" ||
    { echo "bench: wasm_sr25519.mjs failed" >&2; exit 1; }
else
  echo "bench: @polkadot/wasm-crypto not installed (scripts/setup-oracles.sh); wasm column left empty" >&2
fi

# Both programs print one JSON object per line; join them into the table.
python3 - "$tmp" "$(nproc)" "$(uname -m)" <<'EOF'
import json, os, sys

tmp, ncpu, arch = sys.argv[1:4]

def load(name):
    path = os.path.join(tmp, name)
    if not os.path.exists(path):
        return {}
    rows = [json.loads(line) for line in open(path) if line.strip()]
    return {r.get("crypto", "sr25519"): r for r in rows}

cov, wasm = load("covenant.jsonl"), load("wasm.jsonl")

def num(r, key):
    return f"{r[key]:,.0f}" if r and key in r else "-"

def ratio(key):
    c, w = cov.get("sr25519", {}).get(key), wasm.get("sr25519", {}).get(key)
    return f"{c / w:.2f}x" if c and w else "-"

print(f"one thread, 32-byte message ({arch}, {ncpu} CPUs)")
print(f"{'':34} {'sign/s':>12} {'verify/s':>12}")
print(f"{'sr25519 covenant (bench_sign)':34} {num(cov.get('sr25519'), 'sign_per_s'):>12} "
      f"{num(cov.get('sr25519'), 'verify_per_s'):>12}")
print(f"{'sr25519 schnorrkel-wasm':34} {num(wasm.get('sr25519'), 'sign_per_s'):>12} "
      f"{num(wasm.get('sr25519'), 'verify_per_s'):>12}")
print(f"{'sr25519 ratio covenant/wasm':34} {ratio('sign_per_s'):>12} {ratio('verify_per_s'):>12}")
for crypto in ("ed25519", "ecdsa"):
    if crypto in cov:
        print(f"{crypto + ' covenant (bench_sign)':34} {num(cov[crypto], 'sign_per_s'):>12} "
              f"{num(cov[crypto], 'verify_per_s'):>12}")
EOF
