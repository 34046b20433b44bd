#!/usr/bin/env bash
# The chain client and CLI end to end against fake_node.mjs (@polkadot/types).
# usage: chain_cli.sh [COVENANT]   (ctest passes $<TARGET_FILE:covenant>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_need_node
[[ -d $INTEROP_DIR/node_modules/@polkadot/types && -d $INTEROP_DIR/node_modules/@polkadot/types-support ]] ||
  interop_skip "no @polkadot/types(-support) in tests/interop/node_modules (run scripts/setup-oracles.sh)"
interop_need_covenant "${1:-}"
# Only the standard library is needed: the venv's python if there is one.
python=$VENV_PY
[[ -x $python ]] || python=$(command -v python3) || interop_skip "python3 is not installed"
cd "$INTEROP_DIR" || exit 1
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ left in the source tree
exec "$python" -u "$INTEROP_DIR/chain_cli.py" "$COVENANT"
