"""Weight interpolation: θ_α = (1−α)·θ_base + α·θ_aligned, loaded as one model.

Only for two local transformers models of one architecture with equal parameter names and shapes
(a base model and its own fine-tune). The new model needs the memory of one more copy of the
weights, on the device the base model sits on; that is checked before anything is allocated, and a
model that would not fit is refused with the numbers. It is one network, so it reads one prompt
format: the format of the side nearer α (the aligned side's from α = 0.5), with that side's tokenizer.
"""

from __future__ import annotations

import copy
import os

from unpredict_core.backends.mixture import TITLES, MixtureRefused, mixed_label
from unpredict_core.errors import InvalidParameter

HEADROOM = 0.9  # use at most this share of the free memory


def shape_problem(base, aligned) -> str:
    """Why the two backends cannot be interpolated ("" when they can)."""
    for side in (base, aligned):
        if not hasattr(side, "model") or not hasattr(side.model, "state_dict"):
            return f"{side.label} is not a local transformers model, so its weights are not here"
    if type(base.model) is not type(aligned.model):
        return f"they are different architectures ({type(base.model).__name__} vs {type(aligned.model).__name__})"
    shapes_b = {k: tuple(v.shape) for k, v in base.model.state_dict().items()}
    shapes_a = {k: tuple(v.shape) for k, v in aligned.model.state_dict().items()}
    if shapes_b.keys() != shapes_a.keys():
        only = sorted(shapes_b.keys() ^ shapes_a.keys())[0]
        return f"their weights have different names (e.g. {only} is on one side only)"
    for name, shape in shapes_b.items():
        if shapes_a[name] != shape:
            return f"their weights have different shapes ({name}: {shape} vs {shapes_a[name]})"
    return ""


def weight_bytes(model) -> int:
    """Bytes of one copy of the model's weights and buffers (tied weights counted once)."""
    seen, total = set(), 0
    for tensor in list(model.parameters()) + list(model.buffers()):
        if tensor.data_ptr() not in seen:
            seen.add(tensor.data_ptr())
            total += tensor.numel() * tensor.element_size()
    return total


def free_bytes(device) -> int:
    """Memory free for one more copy on `device` (a GPU's free memory, else the system's)."""
    import torch

    if getattr(device, "type", str(device)) == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    try:  # Linux: what the kernel says could be allocated without swapping
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def interpolate(base, aligned, alpha: float, *, free: int | None = None):
    """A TransformersBackend of θ_α; at α = 0 or 1 that side itself (nothing is copied)."""
    import torch

    from unpredict_core.backends.hf.backend import TransformersBackend

    problem = shape_problem(base, aligned)
    if problem:
        raise InvalidParameter(f"No {TITLES['weights']}: {problem}.")
    if alpha in (0.0, 1.0):
        return base if alpha == 0.0 else aligned
    need = weight_bytes(base.model)
    free = free_bytes(base.device) if free is None else free
    if need > HEADROOM * free:
        raise MixtureRefused(
            f"The weight interpolation needs {need / 2**30:.2f} GiB for one more copy of the weights on "
            f"{base.device}, and only {free / 2**30:.2f} GiB is free: it will not fit. Free memory, or use the "
            "token mixture (same tokenizer) or the answer mixture instead."
        )
    model = copy.deepcopy(base.model)
    theirs = aligned.model.state_dict()
    done = set()  # tied weights (embeddings and output head) share storage: mix it once
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point() and tensor.data_ptr() not in done:
                done.add(tensor.data_ptr())
                other = theirs[name].to(tensor.device, torch.float32)
                tensor.copy_((1 - alpha) * tensor.float() + alpha * other)
    nearer = aligned if alpha >= 0.5 else base
    label = mixed_label(alpha, "weights")
    identity = f"mix:weights:{alpha!r}:{base.identity}|{aligned.identity}"
    return TransformersBackend(model, nearer.tokenizer, label=label, identity=identity)
