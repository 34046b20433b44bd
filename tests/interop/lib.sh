# Sourced by the tests/interop/*.sh ctest entry points.
#
# The interop tests need oracles that scripts/setup-oracles.sh installs
# (.venv with bittensor-wallet, tests/interop/node_modules with polkadot-js).
# A plain unit-test run has neither, so every missing piece is a ctest SKIP
# (exit 77), never a failure. A present but broken oracle is a failure: the
# oracles.sh test checks them against published values.

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$INTEROP_DIR/../.." && pwd)
VENV_PY="$REPO_ROOT/.venv/bin/python"
SKIP_CODE=77

interop_skip() {
  echo "SKIP: $*"
  exit "$SKIP_CODE"
}

interop_need_venv() {
  [[ -x $VENV_PY ]] || interop_skip "no $REPO_ROOT/.venv (run scripts/setup-oracles.sh)"
  "$VENV_PY" -c 'import bittensor_wallet' 2>/dev/null ||
    interop_skip "bittensor_wallet missing from .venv (run scripts/setup-oracles.sh)"
}

interop_need_node() {
  command -v node >/dev/null || interop_skip "node is not installed"
  [[ -d $INTEROP_DIR/node_modules/@polkadot/util-crypto ]] ||
    interop_skip "no tests/interop/node_modules (run scripts/setup-oracles.sh)"
}

# $1: path to the covenant binary (ctest passes $<TARGET_FILE:covenant>);
# falls back to $COVENANT so the scripts can be run by hand.
interop_need_covenant() {
  COVENANT=${1:-${COVENANT:-}}
  [[ -n $COVENANT && -x $COVENANT ]] || interop_skip "covenant binary not found: '${COVENANT}'"
  # The tests run from tests/interop, so a relative path must be made absolute first.
  [[ $COVENANT == /* ]] || COVENANT="$PWD/$COVENANT"
  export COVENANT
}

# Runs tests/interop/$1 in the venv with the covenant path as its argument.
interop_exec_python() {
  local script=$1
  shift
  cd "$INTEROP_DIR" || exit 1
  exec "$VENV_PY" -u "$INTEROP_DIR/$script" "$@"
}
