#!/usr/bin/env bash
# Metadata and events decoding speed of covenant next to polkadot-js, both
# on one thread, on the same bytes.
#
#   scripts/bench-chain.sh [--seconds S] [--build-dir DIR] [--events N]
#
# bench/events_fixture.mjs picks the largest V14/V15 metadata blob shipped in
# @polkadot/types-support and builds N (default 10,000) EventRecords for it
# with polkadot-js, as the System.Events storage value; then
# DIR/bench/bench_chain_decode (default build/; an optimised build, or the
# numbers mean little) and bench/polkadot_decode.mjs decode both files for
# about S seconds per row (default 2). The table gives MB/s (10^6 input
# bytes per second) and the ratio covenant/polkadot-js for the metadata and
# for the events. Needs scripts/setup-oracles.sh for the fixture; either
# decoder may be missing, and its column is then left empty.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
seconds=2
events=10000
build="$root/build"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=${2:?}; shift 2 ;;
    --build-dir) build=$(cd "${2:?}" && pwd); shift 2 ;;
    --events) events=${2:?}; shift 2 ;;
    *) echo "usage: scripts/bench-chain.sh [--seconds S] [--build-dir DIR] [--events N]" >&2; exit 2 ;;
  esac
done

if ! command -v node >/dev/null || [[ ! -d $root/tests/interop/node_modules/@polkadot/types ]]; then
  echo "bench-chain: node or @polkadot/types missing; run scripts/setup-oracles.sh" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "bench-chain: building the fixture (bench/events_fixture.mjs, $events events)..." >&2
node "$root/bench/events_fixture.mjs" "$tmp" --events "$events" >"$tmp/fixture.out" ||
  { echo "bench-chain: events_fixture.mjs failed" >&2; exit 1; }

bench="$build/bench/bench_chain_decode"
if [[ -x $bench ]]; then
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
  case "$build_type" in
    Release | RelWithDebInfo | MinSizeRel) ;;
    *) echo "bench-chain: warning: $build is a '${build_type:-unset}' build; use scripts/build.sh for real numbers" >&2 ;;
  esac
  echo "bench-chain: running $bench --seconds $seconds..." >&2
  "$bench" "$tmp/metadata.scale" "$tmp/events.scale" --seconds "$seconds" --json >"$tmp/covenant.jsonl" ||
    { echo "bench-chain: bench_chain_decode failed" >&2; exit 1; }
else
  echo "bench-chain: $bench not built; covenant column left empty" >&2
fi

echo "bench-chain: running bench/polkadot_decode.mjs --seconds $seconds..." >&2
node "$root/bench/polkadot_decode.mjs" "$tmp/metadata.scale" "$tmp/events.scale" \
  --seconds "$seconds" >"$tmp/polkadot.jsonl" ||
  { echo "bench-chain: polkadot_decode.mjs failed" >&2; exit 1; }

# The programs print one JSON object per line; join them into the table.
python3 - "$tmp" "$(nproc)" "$(uname -m)" <<'EOF'
import json, os, sys

tmp, ncpu, arch = sys.argv[1:4]

def lines(name):
    path = os.path.join(tmp, name)
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.strip()]

fixture = json.loads(open(os.path.join(tmp, "fixture.json")).read())
cov = {r["work"]: r for r in lines("covenant.jsonl")}
pjs = {(r["work"], r["what"]): r for r in lines("polkadot.jsonl")}
pjs_version = next(iter(pjs.values()), {}).get("version", "?")
node_version = next(iter(pjs.values()), {}).get("node", "?")

print(f"metadata: {fixture['blob']} (V{fixture['metadata_version']}), "
      f"{fixture['metadata_bytes']:,} bytes")
print(f"events:   {fixture['events']:,} EventRecords ({fixture['events_type_name']}, "
      f"type {fixture['events_type']}), {fixture['events_bytes']:,} bytes")
print(f"one thread each ({arch}, {ncpu} CPUs); polkadot-js {pjs_version} on node {node_version}")
print()

def cell(r, key, fmt):
    return fmt.format(r[key]) if r and key in r else "-"

rows = [
    ("metadata  covenant cov_metadata_decode", cov.get("metadata")),
    ("metadata  polkadot-js decode (new Metadata + .asLatest)", pjs.get(("metadata", "decode"))),
    ("metadata  polkadot-js decode + setMetadata", pjs.get(("metadata", "decode+setMetadata"))),
    ("events    covenant cov_codec_decode_all -> JSON", cov.get("events")),
    ("events    polkadot-js createType + toJSON", pjs.get(("events", "createType+toJSON"))),
    ("events    polkadot-js createType (no toJSON)", pjs.get(("events", "createType"))),
]
print(f"{'':58} {'MB/s':>9} {'decodes/s':>10} {'events/s':>10}")
for label, r in rows:
    print(f"{label:58} {cell(r, 'mb_per_s', '{:,.2f}'):>9} {cell(r, 'decodes_per_s', '{:,.2f}'):>10} "
          f"{cell(r, 'events_per_s', '{:,.0f}'):>10}")

def ratio(c, p):
    return f"{c['mb_per_s'] / p['mb_per_s']:.1f}x" if c and p and p.get("mb_per_s") else "-"

print()
print(f"ratio covenant / polkadot-js, metadata (vs decode):         "
      f"{ratio(cov.get('metadata'), pjs.get(('metadata', 'decode')))}")
print(f"ratio covenant / polkadot-js, metadata (vs decode+setMeta): "
      f"{ratio(cov.get('metadata'), pjs.get(('metadata', 'decode+setMetadata')))}")
print(f"ratio covenant / polkadot-js, events   (vs createType+toJSON): "
      f"{ratio(cov.get('events'), pjs.get(('events', 'createType+toJSON')))}")
EOF
