"""Load a `ModelSpec` into a `TransformersBackend`, with safe defaults.

- Offline only: HF_HUB_OFFLINE is forced on, weights come from files already on this machine.
- `trust_remote_code` is never enabled; only safetensors and GGUF are read unless the spec
  explicitly allows pickle-based weights.
- CPU runs in float32 (bf16 is slower on CPU and shifts logits); CUDA in bf16.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from unpredict_core.backends.base import ModelBackend
from unpredict_core.backends.hf.gpu import device_map_setting, explain_oom
from unpredict_core.backends.models import ModelSpec, identity
from unpredict_core.backends.sources import source_of
from unpredict_core.errors import ModelNotFound, UnpredictError
from unpredict_core.progress import ProgressFn, no_progress

if TYPE_CHECKING:
    pass

Device = Literal["auto", "cpu", "cuda"]


def pick_device(device: Device = "auto") -> str:
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise UnpredictError("CUDA was requested but no CUDA GPU is visible to torch.")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def weights_folder(spec: ModelSpec, progress: ProgressFn = no_progress) -> Path:
    """The folder transformers loads, as the spec's source finds it: converted once from GGUF, or
    the model's own folder."""
    source = source_of(spec)
    if source.weights is None:
        raise UnpredictError(f"{spec.label} is {source.what}: it has no weights on this machine to load.")
    return source.weights(spec, progress)


def load_backend(
    spec: ModelSpec, device: Device = "auto", progress: ProgressFn = no_progress, device_map: str | None = None
) -> ModelBackend:
    """A ready backend for `spec`; `device_map` (e.g. "auto", or UNPREDICT_DEVICE_MAP) lets
    accelerate spread a model larger than one GPU over all of them instead of `device`."""
    connect = source_of(spec).connect
    if connect is not None:  # nothing to load here (a server holds the weights)
        return connect(spec)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from unpredict_core.backends.hf.backend import TransformersBackend

    folder = weights_folder(spec, progress)
    _refuse_pickle_only(folder, spec)
    placement = device_map_setting(device_map)
    target = pick_device(device)
    dtype = getattr(torch, dtype_for(target))
    progress(0.9, f"loading {spec.label}")
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
        with explain_oom(f"loading {spec.label}"):
            model = AutoModelForCausalLM.from_pretrained(
                folder,
                dtype=dtype,
                trust_remote_code=False,
                use_safetensors=not spec.allow_pickle or None,
                device_map=placement,
            )
            if placement is None:
                model.to(target)  # type: ignore[arg-type]  # transformers wraps `to` in a decorator whose stub takes the model itself
    except ValueError as exc:
        if "Unrecognized configuration class" in str(exc) or "model type" in str(exc):
            raise ModelNotFound(f"{folder} is not a causal language model transformers can run: {exc}") from exc
        raise ModelNotFound(f"Cannot load {folder}: {exc}") from exc
    except OSError as exc:
        raise ModelNotFound(f"Cannot load {folder}: {exc}") from exc
    progress(1.0, f"{spec.label} ready")
    return TransformersBackend(model, tokenizer, label=spec.label, identity=identity(spec))


def dtype_for(target: str) -> str:
    """bf16 on CUDA; float32 on CPU (bf16 is slower there and shifts logits)."""
    return "bfloat16" if target == "cuda" else "float32"


def placement(spec: ModelSpec, device: Device = "auto", device_map: str | None = None) -> str | None:
    """Where and in which dtype `spec` runs here, e.g. "cpu/float32" or "cuda/bfloat16" (a device
    map: "map:auto/bfloat16"): part of a run's cache key, since bf16 shifts logits. None for a
    server, whose identity already names what computes the scores."""
    if not source_of(spec).runs_here:
        return None
    target = pick_device(device)
    where = device_map_setting(device_map)
    return f"{f'map:{where}' if where else target}/{dtype_for(target)}"


def _refuse_pickle_only(folder, spec: ModelSpec) -> None:
    names = {path.suffix for path in folder.iterdir()}
    if ".safetensors" not in names and not spec.allow_pickle and names & {".bin", ".pt", ".pth"}:
        raise ModelNotFound(
            f"{folder} holds only pickle weights (.bin/.pt), which can run code when loaded. "
            "Convert them to safetensors, or allow pickle weights explicitly for this model."
        )


class BackendCache:
    """Loads each spec once per process (the CLI, sweeps and tests share loaded models).

    Thread-safe: the dashboard's sessions share one instance through st.cache_resource.
    """

    def __init__(self, device: Device = "auto", device_map: str | None = None):
        import threading

        self.device = device
        self.device_map = device_map
        self._backends: dict[ModelSpec, ModelBackend] = {}
        self._lock = threading.Lock()

    def placement(self, spec: ModelSpec) -> str | None:
        return placement(spec, self.device, self.device_map)

    def __call__(self, spec: ModelSpec, progress: ProgressFn = no_progress) -> ModelBackend:
        with self._lock:
            if spec not in self._backends:
                self._backends[spec] = load_backend(spec, self.device, progress, self.device_map)
            progress(1.0, f"{spec.label} ready")
            return self._backends[spec]
