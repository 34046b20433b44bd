#!/usr/bin/env bash
# Checkpoints: covenant's safetensors + config.json against the safetensors
# package and transformers' LlamaForCausalLM, both directions.
# usage: checkpoint.sh [CHECKPOINT_TOOL]   (ctest passes $<TARGET_FILE:checkpoint_tool>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -x $VENV_PY ]] || interop_skip "no $REPO_ROOT/.venv (run scripts/setup-oracles.sh)"
"$VENV_PY" -c 'import safetensors, torch, transformers' 2>/dev/null ||
  interop_skip "safetensors, torch or transformers missing from .venv (run scripts/setup-oracles.sh)"
tool=${1:-${CHECKPOINT_TOOL:-}}
[[ -n $tool && -x $tool ]] || interop_skip "checkpoint_tool not found: '${tool}'"
[[ $tool == /* ]] || tool="$PWD/$tool"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} HF_HUB_DISABLE_PROGRESS_BARS=1 TQDM_DISABLE=1 HF_HUB_OFFLINE=1
interop_exec_python checkpoint.py "$tool"
