#!/usr/bin/env bash
# Templar's data assignment and shards: covenant against live NumPy.
# usage: data.sh [COVENANT]   (ctest passes $<TARGET_FILE:covenant>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -x $VENV_PY ]] || interop_skip "no $REPO_ROOT/.venv (run scripts/setup-oracles.sh)"
"$VENV_PY" -c 'import numpy' 2>/dev/null ||
  interop_skip "numpy missing from .venv (run scripts/setup-oracles.sh)"
interop_need_covenant "${1:-}"
interop_exec_python data.py "$COVENANT"
