#!/usr/bin/env bash
# Installs the independent implementations that the interop tests and the
# benchmark comparison run against, at the versions pinned in the repo:
#   .venv/                      bittensor-wallet (tests/interop/requirements.txt),
#                               the bittensor SDK with --no-deps (requirements-sdk.txt),
#                               torch (CPU), safetensors, transformers (requirements-torch.txt)
#   tests/interop/node_modules  polkadot-js + schnorrkel-WASM (package-lock.json, npm ci)
#
#   scripts/setup-oracles.sh [--force]
#
# Idempotent: a part whose pin file has not changed since the last successful
# install (a checksum stamp is kept beside it) is left alone, so CI and
# developers can call it before every test run. --force reinstalls both.
# Environment: PYTHON (default python3), NPM (default npm).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
interop="$root/tests/interop"
venv="$root/.venv"
python=${PYTHON:-python3}
npm=${NPM:-npm}
force=0

case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  *) echo "usage: scripts/setup-oracles.sh [--force]" >&2; exit 2 ;;
esac

say() { echo "setup-oracles: $*"; }
die() {
  echo "setup-oracles: ERROR: $*" >&2
  exit 1
}

# The stamp holds the checksum of the pin file the install was made from;
# written only after the install succeeded, so a half-done one is redone.
stamp_matches() { [[ $force -eq 0 && -f $2 ]] && [[ $(sha256sum <"$1") == "$(cat "$2")" ]]; }
write_stamp() { sha256sum <"$1" >"$2"; }

# ---- Python: bittensor-wallet in .venv ------------------------------------
req="$interop/requirements.txt"
py_stamp="$venv/.covenant-requirements.sha256"
command -v "$python" >/dev/null || die "$python not found (install python3 and python3-venv)"
# bittensor-wallet 4.x ships wheels for CPython >= 3.10 only.
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  die "$python is $("$python" -V 2>&1); bittensor-wallet needs Python >= 3.10 (set PYTHON=...)"

if [[ -x $venv/bin/python ]] && ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
  # A venv whose interpreter moved or vanished (pyenv upgrade, copied tree).
  say "removing broken virtualenv $venv"
  rm -rf "$venv"
fi
if stamp_matches "$req" "$py_stamp" && "$venv/bin/python" -c 'import bittensor_wallet' 2>/dev/null; then
  say "python oracles up to date in .venv ($(grep -v '^#' "$req" | xargs))"
else
  if [[ ! -x $venv/bin/python ]]; then
    say "creating virtualenv $venv with $("$python" -V 2>&1)"
    "$python" -m venv "$venv" ||
      die "could not create $venv (on Debian: apt-get install python3-venv)"
  fi
  say "pip installing $(grep -v '^#' "$req" | xargs)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" ||
    die "pip install -r tests/interop/requirements.txt failed (is PyPI reachable?)"
  "$venv/bin/python" -c 'import bittensor_wallet' ||
    die "bittensor_wallet installed but does not import"
  write_stamp "$req" "$py_stamp"
fi

# ---- Python: the bittensor SDK's weight utilities, --no-deps --------------
# bittensor 10.2.0 pins an older bittensor-wallet than requirements.txt, so it
# goes in without its dependency tree, beside exactly what its
# bittensor/utils/weight_utils.py imports (requirements-sdk.txt says more);
# tests/interop/sdk_weights.py loads that one file.
req_sdk="$interop/requirements-sdk.txt"
sdk_stamp="$venv/.covenant-requirements-sdk.sha256"
sdk_check="import sys; sys.path.insert(0, '$interop'); import sdk_weights; sdk_weights.load()"
if stamp_matches "$req_sdk" "$sdk_stamp" && "$venv/bin/python" -c "$sdk_check" 2>/dev/null; then
  say "bittensor SDK up to date in .venv ($(grep -v '^#' "$req_sdk" | xargs))"
else
  say "pip installing --no-deps $(grep -v '^#' "$req_sdk" | xargs)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$req_sdk" ||
    die "pip install --no-deps -r tests/interop/requirements-sdk.txt failed (is PyPI reachable?)"
  "$venv/bin/python" -c "$sdk_check" ||
    die "the bittensor SDK's weight_utils.py does not load (tests/interop/sdk_weights.py)"
  write_stamp "$req_sdk" "$sdk_stamp"
fi

# ---- Python: PyTorch (CPU), safetensors, transformers ------------------------
# The references for train/: PyTorch implementations of the same math, and
# transformers to open covenant's checkpoints.
req_torch="$interop/requirements-torch.txt"
torch_stamp="$venv/.covenant-requirements-torch.sha256"
torch_check="import torch, safetensors, transformers"
if stamp_matches "$req_torch" "$torch_stamp" && "$venv/bin/python" -c "$torch_check" 2>/dev/null; then
  say "torch references up to date in .venv ($(grep -v '^#' "$req_torch" | xargs))"
else
  say "pip installing $(grep -v '^#' "$req_torch" | xargs)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req_torch" ||
    die "pip install -r tests/interop/requirements-torch.txt failed (is PyPI reachable?)"
  "$venv/bin/python" -c "$torch_check" ||
    die "torch, safetensors or transformers installed but does not import"
  write_stamp "$req_torch" "$torch_stamp"
fi

# ---- Node: polkadot-js and @polkadot/wasm-crypto via npm ci ---------------
lock="$interop/package-lock.json"
node_stamp="$interop/node_modules/.covenant-lock.sha256"
command -v node >/dev/null || die "node not found (on Debian: apt-get install nodejs npm)"
command -v "$npm" >/dev/null || die "$npm not found (on Debian: apt-get install npm)"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 18 ? 1 : 0)' ||
  die "node $(node --version) is too old; @polkadot/* 14 needs node >= 18"

if stamp_matches "$lock" "$node_stamp" && [[ -d $interop/node_modules/@polkadot/wasm-crypto ]]; then
  say "node oracles up to date in tests/interop/node_modules"
else
  say "npm ci in tests/interop (exact versions from package-lock.json)"
  # npm ci refuses to touch package.json/package-lock.json: a lock that does
  # not match package.json fails here instead of being silently rewritten.
  "$npm" ci --prefix "$interop" --no-audit --no-fund --loglevel=error ||
    die "npm ci failed in tests/interop (is the npm registry reachable? lock file current?)"
  write_stamp "$lock" "$node_stamp"
fi

# ---- Smoke check: both oracles answer ------------------------------------
echo '{"op":"selftest"}' | (cd "$interop" && node polkadot_oracle.mjs) | grep -q '"ok":true' ||
  die "polkadot_oracle.mjs self-test failed (run: echo '{\"op\":\"selftest\"}' | node tests/interop/polkadot_oracle.mjs)"
echo '{"items":[{"suri":"//Alice"}]}' | "$venv/bin/python" "$interop/btwallet_oracle.py" derive |
  grep -q 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY ||
  die "btwallet_oracle.py does not derive //Alice correctly"
say "oracles ready: node $(node --version), $("$venv/bin/python" -V 2>&1), bittensor-wallet $("$venv/bin/python" -c 'import bittensor_wallet as b; print(b.__version__)')"
