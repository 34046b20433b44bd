#!/usr/bin/env bash
# Installs the Debian packages covenant needs that are missing.
#   scripts/install-deps.sh           build and run
#   scripts/install-deps.sh --test    also what the test suite needs
# As root it runs apt-get; otherwise it prints the command to run and stops.
set -euo pipefail

packages=(gcc make cmake pkg-config
          libsodium-dev libsecp256k1-dev libxxhash-dev libjansson-dev
          libcurl4-openssl-dev libsqlite3-dev libopenblas-dev libopenblas-openmp-dev
          libmicrohttpd-dev)
if [[ "${1:-}" == "--test" ]]; then
  # clang for the second compiler, libFuzzer and the sanitizers; cmocka for
  # unit tests; libomp for clang's OpenMP; python3-venv for the bittensor-wallet oracle.
  packages+=(libcmocka-dev clang libclang-rt-14-dev libomp-14-dev python3-venv)
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A python3 that can make venvs counts, wherever it came from (pyenv, say).
if [[ " ${missing[*]} " == *" python3-venv "* ]] && python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
read -r -a missing <<< "${missing[*]}"

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all packages present"
  exit 0
fi
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
sh -c "$cmd"
