#!/usr/bin/env bash
# The oracles against published vectors, so a bad install fails here and not
# as a covenant mismatch. Needs no covenant binary.
# usage: oracles.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_need_venv
interop_need_node
interop_exec_python oracles.py
