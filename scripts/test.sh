#!/usr/bin/env bash
# The whole test suite, as CI runs it on a fresh Debian machine:
#   1. install packages and the independent oracles (npm, PyPI),
#   2. gcc build: unit, interop and fuzz-seed tests,
#   3. clang build: unit tests,
#   4. ASan+UBSan build: unit tests,
#   5. clang libFuzzer build: each fuzz target for COVENANT_FUZZ_SECONDS,
#   6. kernels/ and tests/gpu compiled with nvcc where it is present, ctest -L gpu.
# Any failure stops the run with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
fuzz_seconds=${COVENANT_FUZZ_SECONDS:-30}
step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh --test
scripts/setup-oracles.sh

step "gcc build + unit, interop and fuzz-seed tests"
scripts/build.sh build-gcc -DCMAKE_C_COMPILER=gcc -DCOVENANT_CUDA=OFF >/dev/null
(cd build-gcc && ctest --output-on-failure -j"$jobs" -LE fuzz)

step "clang build + unit tests"
scripts/build.sh build-clang -DCMAKE_C_COMPILER=clang -DCOVENANT_CUDA=OFF >/dev/null
(cd build-clang && ctest --output-on-failure -j"$jobs" -L unit)

step "ASan+UBSan build + unit tests"
scripts/build.sh build-asan -DCMAKE_C_COMPILER=clang -DCOVENANT_SANITIZE=ON -DCOVENANT_CUDA=OFF >/dev/null
# OpenBLAS on one thread here: LeakSanitizer's exit-time scan crashes
# ("Tracer caught signal 11") when OpenBLAS's pthreads and libomp's threads
# are both alive; OpenMP itself still runs threaded.
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   OPENBLAS_NUM_THREADS=1 ctest --output-on-failure -j"$jobs" -L unit)

step "libFuzzer: ${fuzz_seconds}s per target"
scripts/build.sh build-fuzz -DCMAKE_C_COMPILER=clang -DCOVENANT_FUZZ=ON -DCOVENANT_CUDA=OFF >/dev/null
(cd build-fuzz && COVENANT_FUZZ_SECONDS=$fuzz_seconds ctest --output-on-failure -L fuzz)

if command -v nvcc >/dev/null 2>&1; then
  step "kernels/ and tests/gpu with nvcc; ctest -L gpu (each test skips without a GPU)"
  scripts/setup-cuda-deps.sh
  scripts/build.sh build-cuda -DCOVENANT_CUDA=ON >/dev/null
  (cd build-cuda && ctest --output-on-failure -L gpu)
else
  step "kernels/: no nvcc here, skipped"
fi

step "all test stages passed"
