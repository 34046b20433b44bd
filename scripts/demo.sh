#!/usr/bin/env bash
# Quick start: installs what is missing, builds, runs `covenant demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The demo runs on the CPU: skip compiling kernels/ (scripts/build.sh alone
# builds them wherever nvcc is found).
scripts/build.sh build -DCOVENANT_CUDA=OFF >/dev/null
exec build/cli/covenant demo "$@"
