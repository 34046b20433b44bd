#!/usr/bin/env bash
# Makes cuBLASLt and NCCL (headers + shared libraries) available to the
# kernels/ build when the CUDA toolkit lacks them, from NVIDIA's PyPI wheels
# installed into the repo's .venv (site-packages/nvidia/{cu13,cublas,nccl}), where
# kernels/CMakeLists.txt looks after the toolkit.
#
#   scripts/setup-cuda-deps.sh
#
# Idempotent: does nothing when the toolkit has both, or the .venv already
# holds both. Wheels come from PyPI at the pins below, or from a folder of
# downloaded .whl files named by COVENANT_CUDA_WHEELS (offline machines).
# Environment: PYTHON (default python3), CUDA_HOME (default /usr/local/cuda),
# COVENANT_CUDA_WHEELS.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
python=${PYTHON:-python3}
cuda=${CUDA_HOME:-/usr/local/cuda}
# CUDA 13 builds: cuBLAS 13.x and the cu13 NCCL.
pins=(nvidia-cublas==13.10.0.20 nvidia-nccl-cu13==2.32.3)

say() { echo "setup-cuda-deps: $*"; }
die() {
  echo "setup-cuda-deps: ERROR: $*" >&2
  exit 1
}

if [[ -f $cuda/include/cublasLt.h && -f $cuda/include/nccl.h ]]; then
  say "the CUDA toolkit at $cuda has cuBLASLt and NCCL; nothing to do"
  exit 0
fi

have_wheels() {
  [[ -x $venv/bin/python ]] || return 1
  local sp
  sp=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') || return 1
  # cuBLAS 13 wheels unpack into nvidia/cu13, older ones into nvidia/cublas.
  [[ -f $sp/nvidia/cu13/include/cublasLt.h || -f $sp/nvidia/cublas/include/cublasLt.h ]] &&
    [[ -f $sp/nvidia/nccl/include/nccl.h ]]
}

if have_wheels; then
  say "cuBLASLt and NCCL already in .venv"
  exit 0
fi

if [[ ! -x $venv/bin/python ]]; then
  command -v "$python" >/dev/null || die "$python not found (install python3 and python3-venv)"
  "$python" -m venv "$venv" || die "could not create $venv (install python3-venv)"
fi

if [[ -n ${COVENANT_CUDA_WHEELS:-} ]]; then
  shopt -s nullglob
  wheels=("$COVENANT_CUDA_WHEELS"/nvidia_cublas-*.whl "$COVENANT_CUDA_WHEELS"/nvidia_nccl_cu13-*.whl)
  [[ ${#wheels[@]} -eq 2 ]] ||
    die "COVENANT_CUDA_WHEELS=$COVENANT_CUDA_WHEELS should hold one nvidia_cublas-*.whl and one nvidia_nccl_cu13-*.whl"
  say "installing ${wheels[*]##*/} into .venv"
  "$venv/bin/pip" install --quiet --no-deps "${wheels[@]}"
else
  say "installing ${pins[*]} from PyPI into .venv"
  "$venv/bin/pip" install --quiet --no-deps "${pins[@]}"
fi
have_wheels || die "the wheels installed but cublasLt.h or nccl.h is still missing under .venv"
say "done: kernels/ will find cuBLASLt and NCCL in .venv"
