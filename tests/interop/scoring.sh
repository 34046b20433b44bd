#!/usr/bin/env bash
# OpenSkill Plackett-Luce updates: covenant's scoring_tool vs the openskill package.
# usage: scoring.sh [SCORING_TOOL]   (ctest passes $<TARGET_FILE:scoring_tool>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -x $VENV_PY ]] || interop_skip "no $REPO_ROOT/.venv (run scripts/setup-oracles.sh)"
"$VENV_PY" -c 'import openskill' 2>/dev/null ||
  interop_skip "openskill missing from .venv (run scripts/setup-oracles.sh)"
tool=${1:-${SCORING_TOOL:-}}
[[ -n $tool && -x $tool ]] || interop_skip "scoring_tool not found: '${tool}'"
[[ $tool == /* ]] || tool="$PWD/$tool"
interop_exec_python scoring.py "$tool"
