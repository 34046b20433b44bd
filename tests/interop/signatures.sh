#!/usr/bin/env bash
# sr25519/ed25519/ecdsa signatures made and checked by covenant vs polkadot-js/schnorrkel-WASM.
# usage: signatures.sh [COVENANT_BINARY]   (ctest passes $<TARGET_FILE:covenant>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_need_venv
interop_need_node
interop_need_covenant "${1:-}"
interop_exec_python signatures.py "$COVENANT"
