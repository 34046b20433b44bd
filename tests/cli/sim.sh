#!/usr/bin/env bash
# covenant sim on the documented examples: every output format parses, the
# numbers add up, and --plot writes a well-formed SVG.
#   sim.sh /path/to/covenant
set -uo pipefail
covenant=$1
examples=$(cd "$(dirname "$0")/../../docs/examples" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passed=0

ok()   { passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { # NAME COMMAND...: passes when the command succeeds
  local name=$1
  shift
  if "$@"; then ok; else fail "$name"; fi
}

y2="$examples/subnet-yuma2.json"
y3="$examples/subnet-yuma3.json"

# --- one run, every format
"$covenant" sim "$y3" --json > "$work/y3.json" 2> "$work/err" || fail "sim --json: $(cat "$work/err")"
check "--json: 30 epochs of 16 uids, totals add up" python3 - "$work/y3.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scenario"]["hyperparameters"]["yuma3"] is True
assert len(d["epochs"]) == 30 and all(len(e["uids"]) == 16 for e in d["epochs"])
per_uid = [sum(e["uids"][u]["emission_rao"] for e in d["epochs"]) for u in range(16)]
assert per_uid == [t["emission_rao"] for t in d["totals"]]
assert sum(per_uid) == d["total_emission_rao"]
assert 0 < 30 * d["scenario"]["emission_per_epoch_rao"] - sum(per_uid) < 10**6
assert any(u["bonds"] for u in d["epochs"][-1]["uids"])          # validators hold bonds
assert d["totals"][11]["hotkey"] == "miner-11>miner-11b"         # the replaced miner
EOF

"$covenant" sim "$y2" --csv > "$work/y2.csv" || fail "sim --csv"
check "--csv: a header and one row per (epoch, uid)" python3 - "$work/y2.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 30 * 16
assert rows[0]["epoch"] == "1" and rows[-1]["uid"] == "15"
assert all(r["bonds"] == "" or ":" in r["bonds"] for r in rows)
EOF

"$covenant" sim "$y2" > "$work/y2.txt" 2>&1 || fail "sim (text)"
check "text: per-epoch tables and totals" grep -q "^totals over 30 epochs" "$work/y2.txt"
check "text: epoch 30 table" grep -q "^epoch 30 at block 10800 (16 uids)" "$work/y2.txt"

# --- comparison
"$covenant" sim --compare "$y2" "$y3" --json > "$work/cmp.json" || fail "sim --compare --json"
check "--compare --json: miners equal, validators differ, sorted by gain" python3 - "$work/cmp.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
u = d["uids"]
assert len(u) == 16
diffs = [x["difference_rao"] for x in u]
assert diffs == sorted(diffs, reverse=True)
assert all(x["difference_rao"] == x["emission_b_rao"] - x["emission_a_rao"] for x in u)
assert d["totals"]["a"]["miners_rao"] == d["totals"]["b"]["miners_rao"]
assert any(x["change"] != "same" for x in u)
EOF
"$covenant" sim --compare "$y2" "$y3" > "$work/cmp.txt" || fail "sim --compare (text)"
check "--compare text: gains, losses, totals" grep -q "validators (dividends)" "$work/cmp.txt"
"$covenant" sim --compare "$y2" "$y3" --csv > "$work/cmp.csv" || fail "sim --compare --csv"
check "--compare --csv: 16 rows" test "$(wc -l < "$work/cmp.csv")" -eq 17

# --- plots: start with <svg and parse as XML
svg_ok() {
  [[ "$(head -c 4 "$1")" == "<svg" ]] &&
    python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); assert d.documentElement.tagName == "svg"; assert len(d.getElementsByTagName("polyline")) >= 16' "$1"
}
"$covenant" sim "$y2" --plot "$work/one.svg" > /dev/null || fail "sim --plot"
check "--plot: well-formed SVG" svg_ok "$work/one.svg"
"$covenant" sim --compare "$y2" "$y3" --plot "$work/two.svg" --json > /dev/null || fail "sim --compare --plot"
check "--compare --plot: well-formed SVG, two panels" svg_ok "$work/two.svg"
check "--compare --plot: both scenario names" grep -q "Yuma 3 + liquid alpha" "$work/two.svg"

# --- the same scenario twice gives the same bytes
"$covenant" sim "$y3" --json > "$work/again.json" || fail "sim --json again"
check "deterministic output" cmp -s "$work/y3.json" "$work/again.json"

echo "$passed passed, $failures failed"
[[ $failures -eq 0 ]]
