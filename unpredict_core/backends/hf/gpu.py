"""GPU placement: one GPU, or a model larger than one GPU spread by accelerate, and out-of-memory
errors turned into messages that name the setting to change.

The paper's models are 8B and 70B. An 8B model in bf16 (16 GB) fits one GPU; a 70B one (140 GB)
does not, and `device_map="auto"` lets accelerate place its layers over every visible GPU (and CPU
memory after them). Serving across machines is a serving engine's job: see `server_backend`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from unpredict_core.errors import UnpredictError

if TYPE_CHECKING:
    import torch

DEVICE_MAP_ENV = "UNPREDICT_DEVICE_MAP"  # the dashboard reads it; the CLI has --device-map
DEVICE_MAPS = ("auto", "balanced", "balanced_low_0", "sequential")

OOM_ADVICE = (
    "Spread the model over all GPUs with device_map='auto' (CLI: --device-map auto; dashboard: "
    f"{DEVICE_MAP_ENV}=auto), pick a smaller model, or serve it with vLLM and use the server backend."
)


class GpuOutOfMemory(UnpredictError):
    """CUDA ran out of memory: the message says which setting to change."""


def device_map_setting(requested: str | None) -> str | None:
    """The device map to load with: the one requested, else the environment's, else none.

    Raises a user error when it names no known strategy or accelerate (which does the placing)
    is not installed, instead of failing deep inside `from_pretrained`.
    """
    value = requested or os.environ.get(DEVICE_MAP_ENV) or None
    if value is None:
        return None
    if value not in DEVICE_MAPS:
        raise UnpredictError(f"Unknown device map {value!r}; use one of {', '.join(DEVICE_MAPS)}.")
    try:
        import accelerate  # noqa: F401
    except ImportError as exc:
        raise UnpredictError(
            f"device_map={value!r} needs the accelerate package, which is not installed: "
            "pip install accelerate (it is in requirements.txt)."
        ) from exc
    return value


@contextmanager
def explain_oom(doing: str) -> Iterator[None]:
    """Re-raise CUDA out-of-memory as a `GpuOutOfMemory` naming what ran out and what to change."""
    import torch

    try:
        yield
    except torch.OutOfMemoryError as exc:
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        raise GpuOutOfMemory(f"The GPU ran out of memory while {doing}. {OOM_ADVICE}") from exc


def input_device(model) -> torch.device:
    """Where input ids go: the embeddings' device, or under a device_map the device accelerate
    runs them on (weights it offloaded stay on "meta" until a forward needs them)."""
    import torch

    embeddings = model.get_input_embeddings()
    running = getattr(getattr(embeddings, "_hf_hook", None), "execution_device", None)
    return torch.device(running) if running is not None else embeddings.weight.device
