#!/usr/bin/env bash
# covenant train on the CPU, small: the "demo" model on `covenant data synth`
# output for a few steps. The loss falls, the --json summary has every
# documented field, a checkpoint is saved with its metadata, the same seed
# gives the same checkpoint bytes, a resumed run continues the step count
# and the data order, and bad flags are refused with a message (exit 2).
#   train.sh /path/to/covenant
set -uo pipefail
covenant=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$covenant" data synth --out "$work/data" --tokens 200000 --seq-len 64 --seed 1 \
  > /dev/null 2> "$work/err" || { echo "FAIL: data synth: $(cat "$work/err")"; exit 1; }

train() { # OUT SAVE [more flags]: 8 steps of batch 4, seed 5, JSON
  local out=$1 save=$2
  shift 2
  "$covenant" train --model demo --data "$work/data" --steps 8 --batch 4 --seed 5 \
    --save "$save" --json "$@" > "$out" 2> "$work/err" || fail "train $*: $(cat "$work/err")"
}
train "$work/a.json" "$work/ckpt-a" --eval-every 4
train "$work/b.json" "$work/ckpt-b" --eval-every 4

python3 - "$work/a.json" <<'EOF' || fail "train --json result"
import json, math, sys
d = json.load(open(sys.argv[1]))
want = {"model", "parameters", "device", "world", "first_step", "last_step", "final_loss",
        "seed", "tokens", "seconds", "saved", "steps", "evals"}
assert want <= set(d), want - set(d)
assert d["model"] == "demo" and d["device"] == "cpu" and d["world"] == 1
assert d["first_step"] == 1 and d["last_step"] == 8 and d["seed"] == 5
assert d["tokens"] == 8 * 4 * 64, d["tokens"]
steps = d["steps"]
assert [s["step"] for s in steps] == list(range(1, 9))
for s in steps:
    assert {"loss", "lr", "grad_norm", "ms", "tokens_per_s", "flops_per_s"} <= set(s)
    assert math.isfinite(s["loss"]) and s["tokens_per_s"] > 0 and s["flops_per_s"] > 0
    assert "mfu" not in s  # no peak on the CPU
# The loss falls: from about ln(256) = 5.55 to well below.
assert steps[0]["loss"] > 5.0, steps[0]
assert steps[-1]["loss"] < steps[0]["loss"] - 1.0, (steps[0]["loss"], steps[-1]["loss"])
assert [e["step"] for e in d["evals"]] == [4, 8]
assert d["evals"][1]["loss"] < d["evals"][0]["loss"]
# The learning rate: 3e-3 at step 1 (no warmup), cosine down to 0.1x at the end.
assert abs(steps[0]["lr"] - 3e-3) < 1e-9 and steps[-1]["lr"] < steps[0]["lr"]
EOF

for f in model.safetensors config.json; do
  [[ -s "$work/ckpt-a/$f" ]] || fail "no $f saved"
done
cmp -s "$work/ckpt-a/model.safetensors" "$work/ckpt-b/model.safetensors" ||
  fail "the same seed gave different checkpoints"
python3 - "$work/ckpt-a/model.safetensors" <<'EOF' || fail "checkpoint metadata"
import json, struct, sys
b = open(sys.argv[1], "rb").read()
meta = json.loads(b[8:8 + struct.unpack("<Q", b[:8])[0]])["__metadata__"]
assert meta["step"] == "8" and meta["seed"] == "5" and meta["tokens"] == "2048", meta
assert meta["data_order"] == "templar-uid0", meta
EOF

# Another seed, other weights.
train "$work/c.json" "$work/ckpt-c" --seed 6
cmp -s "$work/ckpt-a/model.safetensors" "$work/ckpt-c/model.safetensors" &&
  fail "seeds 5 and 6 gave the same checkpoint"

# Resume: 4 steps, then on to 8 from the checkpoint. The step count, the
# seed, the tokens and the data order continue; AdamW restarts, so the
# weights differ from the uninterrupted run's, but training goes on from
# where it stopped (the loss stays near step 4's, far below step 1's).
train "$work/r1.json" "$work/ckpt-r" --steps 4
"$covenant" train --resume "$work/ckpt-r" --data "$work/data" --steps 8 --batch 4 \
  --save "$work/ckpt-r" --json > "$work/r2.json" 2> "$work/err" ||
  fail "resume: $(cat "$work/err")"
python3 - "$work/r1.json" "$work/r2.json" "$work/a.json" <<'EOF' || fail "resumed run"
import json, sys
r1, r2, full = (json.load(open(p)) for p in sys.argv[1:])
assert r2["first_step"] == 5 and r2["last_step"] == 8, r2
assert [s["step"] for s in r2["steps"]] == [5, 6, 7, 8]
assert r2["seed"] == 5 and r2["tokens"] == 8 * 4 * 64 and r2["resumed_from"].endswith("ckpt-r")
# The schedule continues: step 5's lr is the uninterrupted run's step 5.
assert abs(r2["steps"][0]["lr"] - full["steps"][4]["lr"]) < 1e-12
assert r2["steps"][0]["loss"] < r1["steps"][0]["loss"] - 0.8, (r1["steps"][0], r2["steps"][0])
EOF
python3 - "$work/ckpt-r/model.safetensors" <<'EOF' || fail "resumed checkpoint metadata"
import json, struct, sys
b = open(sys.argv[1], "rb").read()
meta = json.loads(b[8:8 + struct.unpack("<Q", b[:8])[0]])["__metadata__"]
assert meta["step"] == "8" and meta["tokens"] == "2048", meta
EOF

# Bad flags: refused with a message, exit 2, nothing trained.
bad=("--steps 0" "--steps x" "--batch 0" "--lr -1" "--lr nan" "--device tpu" "--bogus"
     "--steps 2 --world 2 --device cuda" "--steps 2 --world 2" "--steps 2 --rank 1"
     "--steps 2 --batch 100000" "--steps 2 --model nosuch" "--steps"
     "--steps 2 --world 2 --rank 1 --device cuda --dist-addr nohostport")
for args in "${bad[@]}"; do
  # shellcheck disable=SC2086
  "$covenant" train --model demo --data "$work/data" $args > "$work/out" 2> "$work/err"
  rc=$?
  [[ $rc -eq 2 ]] || fail "train $args: exit $rc, want 2 ($(cat "$work/err"))"
  grep -q "train: bad argument" "$work/err" || fail "train $args: no message ($(cat "$work/err"))"
done
# Nothing left to do: the checkpoint is already at step 8.
"$covenant" train --resume "$work/ckpt-r" --data "$work/data" --steps 8 > /dev/null 2> "$work/err"
[[ $? -eq 2 ]] || fail "resume at the last step: want exit 2"
# Data the model cannot take: samples longer than the tiny model's 16.
"$covenant" train --model tiny --data "$work/data" --steps 1 > /dev/null 2> "$work/err"
[[ $? -eq 2 ]] && grep -q "the model takes at most" "$work/err" || fail "tiny on 64-token samples"
"$covenant" train --help | grep -q "usage: covenant train" || fail "train --help"
"$covenant" train --model demo --data "$work/missing" --steps 1 > /dev/null 2> "$work/err"
[[ $? -eq 1 ]] && grep -q "missing" "$work/err" || fail "missing data: want exit 1 naming it"
# --device cuda: in a build without CUDA a clear error (exit 1); with CUDA
# and no GPU an error too. Either way it names the problem.
"$covenant" train --model demo --data "$work/data" --steps 1 --device cuda > /dev/null \
  2> "$work/err"
rc=$?
if [[ $rc -ne 1 ]] || ! grep -Eq "without CUDA|GPU|CUDA" "$work/err"; then
  # A machine with a GPU may just train: that is fine too.
  [[ $rc -eq 0 ]] || fail "--device cuda: exit $rc ($(cat "$work/err"))"
fi

if [[ $failures -gt 0 ]]; then
  echo "train.sh: $failures failure(s)"
  exit 1
fi
echo "train.sh: all checks passed"
