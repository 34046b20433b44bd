#!/usr/bin/env bash
# Eras, storage keys and signed extrinsics: covenant's extrinsic_tool vs @polkadot/types.
# usage: extrinsic.sh [EXTRINSIC_TOOL]   (ctest passes $<TARGET_FILE:extrinsic_tool>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_need_node
[[ -d $INTEROP_DIR/node_modules/@polkadot/types ]] ||
  interop_skip "no @polkadot/types in tests/interop/node_modules (run scripts/setup-oracles.sh)"
tool=${1:-${EXTRINSIC_TOOL:-}}
[[ -n $tool && -x $tool ]] || interop_skip "extrinsic_tool not found: '${tool}'"
[[ $tool == /* ]] || tool="$PWD/$tool"
# Only the standard library is needed: the venv's python if there is one.
python=$VENV_PY
[[ -x $python ]] || python=$(command -v python3) || interop_skip "python3 is not installed"
cd "$INTEROP_DIR" || exit 1
exec "$python" -u "$INTEROP_DIR/extrinsic.py" "$tool"
