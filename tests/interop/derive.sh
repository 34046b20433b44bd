#!/usr/bin/env bash
# covenant wallet derive vs polkadot-js and bittensor-wallet on ~150 random SURIs.
# usage: derive.sh [COVENANT_BINARY]   (ctest passes $<TARGET_FILE:covenant>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_need_venv
interop_need_node
interop_need_covenant "${1:-}"
interop_exec_python derive.py "$COVENANT"
