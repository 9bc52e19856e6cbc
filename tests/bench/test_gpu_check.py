"""bench/gpu_check.sh, the prepared run for a GPU machine, rehearsed on CPU: every step runs (the
CUDA tests skip, bench_gpu.py in --smoke mode), with the packages the GPU machine's image lacks
hidden, so the first GPU session measures instead of debugging the script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEPS = ["wheels", "env", "cuda-tests", "bench-gpu", "ifbench", "lockstep", "ladder"]


def test_the_gpu_check_rehearses_every_step_on_cpu(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        ["bash", str(ROOT / "bench" / "gpu_check.sh"), "--cpu-rehearsal", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ | {"PYTHON": sys.executable},
    )  # fmt: skip
    log = (out / "gpu_check.log").read_text()
    summary = json.loads((out / "summary.json").read_text())
    assert done.returncode == 0, log[-4000:]
    assert summary["finished"] and summary["ok"] and summary["mode"] == "cpu-rehearsal"
    assert [s["step"] for s in summary["steps"]] == STEPS
    for s in summary["steps"]:
        assert s["rc"] == 0 or s["status"] == "skipped: not present", s
    env = json.loads((out / "env.json").read_text())
    assert env["packages"]["torch"]["version"] and env["cuda_available"] is False
    assert "tokens/s" in log and "RPS round latency" in log and "tree scoring True" in log
    assert json.loads((out / "bench_gpu.json").read_text())["tree_scoring"] is True
    names = sorted(p.name for p in out.iterdir())
    assert len(names) <= 8 and all(p.is_file() for p in out.iterdir()), names  # what a device call returns


def test_the_rehearsal_hides_what_the_gpu_machine_lacks():
    probe = "import importlib.util as u; print([u.find_spec(m) is not None for m in ('torch', 'gguf', 'streamlit')])"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
        env=os.environ | {"PYTHONPATH": str(ROOT / "bench" / "gpu_sim")},
    )  # fmt: skip
    assert done.stdout.strip() == "[True, False, False]", done.stderr[-2000:]
