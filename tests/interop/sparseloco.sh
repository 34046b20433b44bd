#!/usr/bin/env bash
# SparseLoCo compression, wire format and outer step: covenant's
# sparseloco_tool vs the PyTorch reference tests/reference/sparseloco_ref.py.
# usage: sparseloco.sh [SPARSELOCO_TOOL]   (ctest passes $<TARGET_FILE:sparseloco_tool>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -x $VENV_PY ]] || interop_skip "no $REPO_ROOT/.venv (run scripts/setup-oracles.sh)"
"$VENV_PY" -c 'import torch' 2>/dev/null ||
  interop_skip "torch missing from .venv (run scripts/setup-oracles.sh)"
tool=${1:-${SPARSELOCO_TOOL:-}}
[[ -n $tool && -x $tool ]] || interop_skip "sparseloco_tool not found: '${tool}'"
[[ $tool == /* ]] || tool="$PWD/$tool"
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} interop_exec_python sparseloco.py "$tool"
