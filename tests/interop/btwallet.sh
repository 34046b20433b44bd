#!/usr/bin/env bash
# Wallet directories: covenant vs bittensor-wallet (btcli's wallet), both directions.
# usage: btwallet.sh [COVENANT_BINARY]   (ctest passes $<TARGET_FILE:covenant>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_need_venv
interop_need_covenant "${1:-}"
interop_exec_python btwallet.py "$COVENANT"
