"""What a GPU check ran on, as JSON: date, commit, GPU, driver, Python and package versions, and the
bf16 matrix-product rate the GPU really gives (the ceiling next to the datasheet roofline).

    python3 bench/gpu_env.py OUT.json [--mode gpu|cpu-rehearsal]

Called by bench/gpu_check.sh (which passes GIT_COMMIT and TREE_HASH in the environment: the GPU
machine receives the files without .git, so the commit comes from the stamp bench/gpu_wheels.sh
writes, and the tree hash says whether the files are that commit's). Exits nonzero in gpu mode
when CUDA is not visible or a carried wheel is not the version that imports; the JSON is written
either way.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys

PACKAGES = ("torch", "transformers", "accelerate", "tokenizers", "huggingface_hub", "safetensors", "numpy",
            "scipy", "pytest", "duckdb")  # fmt: skip
SMI_QUERY = "name,driver_version,memory.total,clocks.max.sm"


def run(*cmd: str) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (done.stdout + done.stderr).strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"not run: {exc}"


def versions() -> dict:
    found = {}
    for name in PACKAGES:
        try:
            module = importlib.import_module(name)
            found[name] = {"version": getattr(module, "__version__", "?"), "from": os.path.dirname(module.__file__)}
        except ImportError as exc:
            found[name] = {"version": None, "error": str(exc)}
    return found


def carried_wheels(problems: list[str]) -> list[dict]:
    """Each wheel in .whl/ and the version of it that imports here (it must be the wheel's)."""
    rows = []
    for wheel in sorted(glob.glob(".whl/*.whl")):
        name, version = os.path.basename(wheel).split("-")[:2]
        try:
            imported = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            imported = None
        rows.append({"wheel": os.path.basename(wheel), "version": version, "imported_version": imported})
        if imported != version:
            problems.append(f"carried {name} {version}, but {imported} is the version that imports")
    return rows


def gpu_facts() -> dict:
    import torch

    props = torch.cuda.get_device_properties(0)
    facts = {
        "name": props.name,
        "count": torch.cuda.device_count(),
        "capability": list(torch.cuda.get_device_capability(0)),
        "memory_gib": round(props.total_memory / 2**30, 1),
        "multiprocessors": props.multi_processor_count,
        "bf16_supported": torch.cuda.is_bf16_supported(),
    }
    # an 8192^3 bf16 product, 3 warm-ups, then the mean of 10 timed with CUDA events
    a, b = (torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16) for _ in range(2))
    for _ in range(3):
        a @ b
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(10):
        a @ b
    end.record()
    torch.cuda.synchronize()
    facts["matmul_bf16_tflops"] = round(10 * 2 * 8192**3 / (start.elapsed_time(end) / 1000) / 1e12, 1)
    del a, b
    torch.cuda.empty_cache()
    return facts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--mode", default="gpu", choices=["gpu", "cpu-rehearsal"])
    args = parser.parse_args()
    problems: list[str] = []
    env = {
        "mode": args.mode,
        "date_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": os.environ.get("GIT_COMMIT") or None,
        "tree_sha256_16": os.environ.get("TREE_HASH"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "pythonpath": os.environ.get("PYTHONPATH", ""),
    }
    try:  # bench/gpu_wheels.sh stamps the commit of the files that travel
        env["wheels_stamp"] = json.load(open(".whl/tree.json"))
    except (OSError, ValueError):
        env["wheels_stamp"] = None
    stamp = env["wheels_stamp"] or {}
    env["tree_is_stamped_commit"] = stamp.get("tree_sha256_16") == env["tree_sha256_16"] if stamp else None
    env["packages"] = versions()
    env["carried_wheels"] = carried_wheels(problems)
    import torch

    env["cuda_available"] = torch.cuda.is_available()
    env["torch_cuda"] = torch.version.cuda
    if env["cuda_available"]:
        try:
            env["gpu"] = gpu_facts()
        except Exception as exc:  # recorded, and the step fails; the other steps still run
            problems.append(f"GPU facts failed: {exc!r}")
    elif args.mode == "gpu":
        problems.append("CUDA is not available to torch: the GPU steps will fail or skip")
    smi = shutil.which("nvidia-smi")
    env["nvidia_smi"] = run(smi) if smi else "nvidia-smi: not found"
    env["nvidia_smi_query"] = run(smi, f"--query-gpu={SMI_QUERY}", "--format=csv") if smi else None
    env["problems"] = problems
    with open(args.out, "w") as f:
        json.dump(env, f, indent=1)
    short = {k: env[k] for k in ("date_utc", "git_commit", "tree_sha256_16", "tree_is_stamped_commit", "python")}
    print(json.dumps(short))
    print({k: v["version"] for k, v in env["packages"].items()}, env.get("gpu"))
    for problem in problems:
        print(("" if args.mode == "gpu" else "rehearsal, not an error: ") + problem, file=sys.stderr)
    if problems and args.mode == "gpu":
        sys.exit(1)


if __name__ == "__main__":
    main()
