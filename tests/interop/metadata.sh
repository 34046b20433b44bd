#!/usr/bin/env bash
# covenant's metadata decoder vs polkadot-js on the real V14/V15 runtime
# metadata that @polkadot/types-support ships (see metadata.mjs).
# usage: metadata.sh [METADATA_DUMP]   (ctest passes $<TARGET_FILE:metadata_dump>)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
interop_need_node
for pkg in types types-support; do
  [[ -d $INTEROP_DIR/node_modules/@polkadot/$pkg ]] ||
    interop_skip "@polkadot/$pkg missing from tests/interop/node_modules (run scripts/setup-oracles.sh)"
done
DUMP=${1:-${METADATA_DUMP:-}}
[[ -n $DUMP && -x $DUMP ]] || interop_skip "metadata_dump not found: '${DUMP}'"
[[ $DUMP == /* ]] || DUMP="$PWD/$DUMP"
cd "$INTEROP_DIR" || exit 1
exec node "$INTEROP_DIR/metadata.mjs" "$DUMP"
