"""What a ladder build needs before it starts (disk and memory, refused with the numbers) and what
its manifest records about the machine's libraries."""

from __future__ import annotations

import hashlib
import shutil
from importlib import metadata
from typing import Any

from unpredict_core.ladder.recipe import STAGE_MARKER, LadderError

LIBRARIES = ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "if-verifiable")
GIB = 2**30


def weights_bytes(folder: Any) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.suffix in (".safetensors", ".bin"))


def needs(weights: int, stages: int) -> tuple[int, int]:
    """(disk, memory) bytes a build of `stages` stages needs, from the base's fp32 weight size:
    each stage folder holds one copy; training holds the model, its merged copy and activations."""
    return stages * weights + weights // 2, 3 * weights + 2 * GIB


def check(plan: Any, stages: tuple[str, ...], free_disk: int | None = None, free_memory: int | None = None) -> None:
    """Refuse before any training when the disk or the memory is short, saying how much."""
    from unpredict_core.backends.mixture.weights import free_bytes

    weights = weights_bytes(plan.base_folder)
    plan.folders.root.mkdir(parents=True, exist_ok=True)
    disk_free = shutil.disk_usage(plan.folders.root).free if free_disk is None else free_disk
    memory_free = free_bytes("cpu") if free_memory is None else free_memory
    disk, memory = needs(weights, sum(not (plan.folders.stage(s) / STAGE_MARKER).is_file() for s in stages))
    if disk > disk_free:
        raise LadderError(
            f"Not enough disk for the ladder: it needs about {disk / GIB:.1f} GiB in {plan.folders.root}, "
            f"{disk_free / GIB:.1f} GiB is free. Free space or point UNPREDICT_CACHE elsewhere."
        )
    if memory > memory_free:
        raise LadderError(
            f"Not enough memory to train the ladder: it needs about {memory / GIB:.1f} GiB, "
            f"{memory_free / GIB:.1f} GiB is available. Close other programs (the dashboard's loaded models) first."
        )


def library_versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
