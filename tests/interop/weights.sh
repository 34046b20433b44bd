#!/usr/bin/env bash
# Weight processing and commit hashes: covenant's weights_tool vs the bittensor SDK.
# usage: weights.sh [WEIGHTS_TOOL]   (ctest passes $<TARGET_FILE:weights_tool>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tool=${1:-${WEIGHTS_TOOL:-}}
[[ -n $tool && -x $tool ]] || interop_skip "weights_tool not found: '${tool}'"
[[ $tool == /* ]] || tool="$PWD/$tool"
[[ -x $VENV_PY ]] || interop_skip "no $REPO_ROOT/.venv (run scripts/setup-oracles.sh)"
# weights.py itself skips (77) when the SDK's weight utilities do not load.
interop_exec_python weights.py "$tool"
