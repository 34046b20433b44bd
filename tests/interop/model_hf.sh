#!/usr/bin/env bash
# train/'s model layout and math vs transformers' LlamaForCausalLM, through
# the PyTorch fixtures that test_model checks covenant against.
# usage: model_hf.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -x $VENV_PY ]] || interop_skip "no $REPO_ROOT/.venv (run scripts/setup-oracles.sh)"
# model_hf.py itself skips (77) when torch or transformers do not import.
interop_exec_python model_hf.py
