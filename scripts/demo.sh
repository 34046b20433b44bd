#!/usr/bin/env bash
# Quick start: installs what is missing, builds, runs `covenant demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build >/dev/null
exec build/cli/covenant demo "$@"
