"""Serve one GGUF over HTTP with llama.cpp's own server (the `xllamacpp` wheel) until killed.

The tests' real OpenAI-compatible server: `python tests/support/llama_server.py MODEL.gguf PORT [ALIAS]`
prints "READY <address>" once the model is loaded (PORT 0: any free port). Two threads, like everything on this machine.
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    import xllamacpp as xlc

    path, port = sys.argv[1], int(sys.argv[2])
    params = xlc.CommonParams()
    params.model.path = path
    params.port = port
    params.n_ctx = 16384
    params.n_parallel = 8  # slots: requests decoded together (n_ctx is shared between them)
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    params.warmup = False
    if len(sys.argv) > 3:
        params.model_alias = {sys.argv[3]}
    server = xlc.Server(params)
    print("READY", server.listening_address, flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
