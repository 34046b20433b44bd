#!/usr/bin/env bash
# covenant demo, shortened (2 windows of 3 inner steps): the JSON has every
# documented field, the lazy miner earns least, the shares add up, the same
# seed gives a bit-identical checkpoint, and bad flags are refused.
#   demo.sh /path/to/covenant
set -uo pipefail
covenant=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

run() { # OUT SAVE_DIR: a short demo with seed 7
  "$covenant" demo --json --windows 2 --inner-steps 3 --seed 7 --save "$2" > "$1" 2> "$work/err" ||
    fail "demo --json: $(cat "$work/err")"
}
run "$work/a.json" "$work/ckpt-a"
run "$work/b.json" "$work/ckpt-b"

python3 - "$work/a.json" <<'EOF' || fail "demo --json result"
import json, math, sys
d = json.load(open(sys.argv[1]))
miners = d["miners"]
assert len(miners) == 4, miners
fields = {"uid", "hotkey", "lazy", "loss_improvement", "score", "weight", "emission_share"}
for m in miners:
    assert fields <= set(m), set(m)
    assert m["hotkey"].startswith("5") and len(m["hotkey"]) == 48, m["hotkey"]
lazy = [m for m in miners if m["lazy"]]
honest = [m for m in miners if not m["lazy"]]
assert len(lazy) == 1 and lazy[0]["uid"] == 4
# The lazy miner earns least, and its update helps least.
assert lazy[0]["emission_share"] == min(m["emission_share"] for m in miners)
assert any(m["emission_share"] > lazy[0]["emission_share"] for m in honest)
assert all(lazy[0]["loss_improvement"] < m["loss_improvement"] for m in honest)
assert math.isclose(sum(m["emission_share"] for m in miners), 1.0, abs_tol=1e-9)
assert math.isclose(sum(m["weight"] for m in miners), 1.0, abs_tol=1e-6)
curve = d["held_out_loss"]
assert len(curve) == 3 and curve[-1] < curve[0], curve
assert d["saved"].endswith("ckpt-a")
EOF

cmp -s "$work/ckpt-a/model.safetensors" "$work/ckpt-b/model.safetensors" ||
  fail "the same seed gave different checkpoints"
cmp -s "$work/ckpt-a/config.json" "$work/ckpt-b/config.json" || fail "config.json differs"
python3 - "$work/a.json" "$work/b.json" <<'EOF' || fail "the same seed gave different results"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for d in (a, b):
    d.pop("seconds"); d.pop("saved"); d.pop("validator_hotkey")
    for m in d["miners"]:
        m.pop("hotkey")
assert a == b
EOF

# Bad flags: refused with a message, exit 2, nothing run.
for args in "--windows 0" "--windows x" "--miners 1" "--inner-steps" "--bogus"; do
  # shellcheck disable=SC2086
  "$covenant" demo $args > "$work/out" 2> "$work/err"
  rc=$?
  [[ $rc -eq 2 ]] || fail "demo $args: exit $rc, want 2"
  grep -q "demo: bad argument" "$work/err" || fail "demo $args: no message ($(cat "$work/err"))"
done
"$covenant" demo --help | grep -q "usage: covenant demo" || fail "demo --help"

if [[ $failures -gt 0 ]]; then
  echo "demo.sh: $failures failure(s)"
  exit 1
fi
echo "demo.sh: all checks passed"
