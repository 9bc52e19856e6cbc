"""Which folders a model path typed into the dashboard may point into.

The dashboard is a web page: whoever can reach it can type a path, and loading a path reads files
(and, with pickle weights allowed, can run code). So a path typed in the UI must resolve — after
`..`, `~` and every symlink — inside an allowed model directory:

- `cache/models/` (or `$UNPREDICT_CACHE/models`), where GGUF conversions live and models may be put,
- the local Hugging Face hub cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
  `~/.cache/huggingface/hub`),
- every folder listed in `UNPREDICT_MODEL_DIRS` (separated by `:`).

Every file inside a model folder must resolve inside them too, so a symlinked `config.json` or
weights file cannot lead out. The CLI is the user's own shell and stays unrestricted
(`models.custom_pair`); the dashboard calls `confined_pair`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import UnpredictError
from .models import ModelPair, ModelSpec, custom_pair
from .paths import models_dir

MODEL_DIRS_ENV = "UNPREDICT_MODEL_DIRS"
# a hub id: "name" or "owner/name", letters, digits, "-", "_", "."; never ".." (huggingface_hub's rule)
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")


class PathNotAllowed(UnpredictError):
    """A model path typed in the dashboard points outside the allowed model directories."""


def hub_cache_dir() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or "~/.cache/huggingface"
    return Path(home).expanduser() / "hub"


def allowed_model_dirs() -> list[Path]:
    """The allowed directories, fully resolved (symlinks followed), in the order documented above."""
    listed = [Path(p).expanduser() for p in os.environ.get(MODEL_DIRS_ENV, "").split(os.pathsep) if p.strip()]
    return [Path(os.path.realpath(p)) for p in (models_dir(), hub_cache_dir(), *listed)]


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _refuse(text: str, why: str, roots: list[Path]) -> PathNotAllowed:
    listed = ", ".join(str(r) for r in roots)
    return PathNotAllowed(
        f"'{text}' {why}. Models typed in the dashboard must lie inside the allowed model folders "
        f"({listed}); add a folder to {MODEL_DIRS_ENV} to allow it, or use the command line."
    )


def check_confined(spec: ModelSpec, text: str) -> None:
    """Raise PathNotAllowed unless `spec` (made from the typed `text`) stays in the allowed dirs."""
    roots = allowed_model_dirs()
    if spec.source == "hf":
        if not HUB_ID.match(spec.location) or ".." in spec.location:
            raise _refuse(text, "is neither a path nor a valid hub id (owner/name)", roots)
        return  # resolved inside the hub cache, offline, by models.hf_snapshot
    if "\0" in spec.location:
        raise _refuse(text, "contains a NUL character", roots)
    real = Path(os.path.realpath(Path(spec.location).expanduser()))
    if not _inside(real, roots):
        raise _refuse(text, f"resolves to {real}, outside them", roots)
    if real.is_dir():
        for entry in real.iterdir():
            target = Path(os.path.realpath(entry))
            if not _inside(target, roots):
                raise _refuse(text, f"holds {entry.name}, a link to {target} outside them", roots)


def confined_pair(base_path: str, aligned_path: str, *, allow_pickle: bool = False) -> ModelPair:
    """`custom_pair` for paths typed in the dashboard: both must stay in the allowed dirs."""
    pair = custom_pair(base_path, aligned_path, allow_pickle=allow_pickle)
    check_confined(pair.base, base_path)
    check_confined(pair.aligned, aligned_path)
    return pair
