#!/usr/bin/env bash
# SparseLoCo compression speed: covenant's bench_sparseloco beside the same
# work in PyTorch (tests/reference/sparseloco_ref.py: Templar's sequence of
# torch ops), both at the same thread count, with a side-by-side table.
#
#   scripts/bench-sparseloco.sh [--threads N] [--reps R] [--build-dir DIR]
#
# N defaults to OMP_NUM_THREADS, else 1; torch gets torch.set_num_threads(N)
# and covenant OMP_NUM_THREADS=N. DIR defaults to build/ (use an optimised
# build: scripts/build.sh). PyTorch comes from .venv (scripts/setup-oracles.sh);
# without it the torch column is left empty.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
threads=${OMP_NUM_THREADS:-1}
reps=5
build="$root/build"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads=${2:?}; shift 2 ;;
    --reps) reps=${2:?}; shift 2 ;;
    --build-dir) build=$(cd "${2:?}" && pwd); shift 2 ;;
    *) echo "usage: scripts/bench-sparseloco.sh [--threads N] [--reps R] [--build-dir DIR]" >&2; exit 2 ;;
  esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bench="$build/bench/bench_sparseloco"
[[ -x $bench ]] || { echo "bench: $bench not built (scripts/build.sh)" >&2; exit 1; }
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
case "$build_type" in
  Release | RelWithDebInfo | MinSizeRel) ;;
  *) echo "bench: warning: $build is a '${build_type:-unset}' build; numbers will be low" >&2 ;;
esac

echo "bench: covenant, $threads thread(s)..." >&2
OMP_NUM_THREADS=$threads "$bench" --threads "$threads" --reps "$reps" --json >"$tmp/covenant.jsonl"
py="$root/.venv/bin/python"
if [[ -x $py ]] && "$py" -c 'import torch' 2>/dev/null; then
  echo "bench: PyTorch $("$py" -c 'import torch; print(torch.__version__)'), $threads thread(s)..." >&2
  OMP_NUM_THREADS=$threads "$py" "$root/tests/reference/sparseloco_ref.py" --bench --json \
    --threads "$threads" --reps "$reps" >"$tmp/torch.jsonl"
else
  echo "bench: no torch in .venv (scripts/setup-oracles.sh); torch column left empty" >&2
  : >"$tmp/torch.jsonl"
fi

python3 - "$tmp/covenant.jsonl" "$tmp/torch.jsonl" "$threads" "$reps" <<'PY'
import json, sys
cov = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
torch = {r["case"]: r for r in (json.loads(l) for l in open(sys.argv[2]) if l.strip())}
print(f"SparseLoCo compression (EF update, top-k, quantize, pack, EF subtract), "
      f"{sys.argv[3]} thread(s), median of {sys.argv[4]}, ms")
print(f"| {'case':14s} | {'shape':12s} | {'covenant':>9s} | {'PyTorch':>9s} | {'speed-up':>8s} |")
print(f"|{'-' * 16}|{'-' * 14}|{'-' * 11}|{'-' * 11}|{'-' * 10}|")
for r in cov:
    t = torch.get(r["case"])
    tm = f"{t['ms']:9.2f}" if t else f"{'-':>9s}"
    up = f"{t['ms'] / r['ms']:7.1f}x" if t and r["ms"] > 0 else f"{'-':>8s}"
    print(f"| {r['case']:14s} | {r['shape']:12s} | {r['ms']:9.2f} | {tm} | {up} |")
PY
