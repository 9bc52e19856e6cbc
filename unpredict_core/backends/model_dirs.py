"""Which folders a model path typed into the dashboard may point into.

The dashboard is a web page: whoever can reach it can type a path, and loading a path reads files
(and, with pickle weights allowed, can run code). So a path typed in the UI must resolve — after
`..`, `~` and every symlink — inside an allowed model directory:

- `cache/models/` (or `$UNPREDICT_CACHE/models`), where GGUF conversions live and models may be put,
- the local Hugging Face hub cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
  `~/.cache/huggingface/hub`),
- every folder listed in `UNPREDICT_MODEL_DIRS` (separated by `:`).

Every file inside a model folder must resolve inside them too, so a symlinked `config.json` or
weights file cannot lead out. A model on an OpenAI-compatible server is typed as `URL` or
`URL#served-model`; the dashboard then sends requests to that URL, so only servers on this machine
(localhost) and those listed in `UNPREDICT_SERVERS` (separated by spaces or commas) are allowed.
The CLI is the user's own shell and stays unrestricted (`models.custom_pair`); the dashboard calls
`confined_pair`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from unpredict_core.backends.models import ModelPair, ModelSpec, Role, pair_of, server_spec, spec_from_path
from unpredict_core.backends.server.url import InvalidServerURL, parse_server_url
from unpredict_core.backends.weight_files import file_problem
from unpredict_core.errors import UnpredictError
from unpredict_core.paths import models_dir

MODEL_DIRS_ENV = "UNPREDICT_MODEL_DIRS"
SERVERS_ENV = "UNPREDICT_SERVERS"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
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
    """Raise PathNotAllowed unless `spec` (made from the typed `text`) stays in the allowed dirs;
    each source says how (backends/sources.py)."""
    from unpredict_core.backends.sources import source_of

    confine = source_of(spec).confine
    if confine is None:
        raise PathNotAllowed(f"'{text}' cannot be typed in the dashboard ({source_of(spec).what}).")
    confine(spec, text, allowed_model_dirs())


def confine_hub_id(spec: ModelSpec, text: str, roots: list[Path]) -> None:
    """A hub id is resolved inside the hub cache, offline (models.hf_snapshot): it must be one."""
    if not HUB_ID.match(spec.location) or ".." in spec.location:
        raise _refuse(text, "is neither a path nor a valid hub id (owner/name)", roots)


def confine_path(spec: ModelSpec, text: str, roots: list[Path]) -> None:
    """A file or folder, and every link in a folder, must resolve inside `roots`."""
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


def allowed_servers() -> list[str]:
    return [u for u in re.split(r"[\s,]+", os.environ.get(SERVERS_ENV, "")) if u]


def _allowed_roots() -> set[str]:
    roots = set()
    for text in allowed_servers():
        try:
            roots.add(parse_server_url(text).root)
        except InvalidServerURL as exc:
            raise PathNotAllowed(f"{SERVERS_ENV} lists {text!r}, which is not a server URL: {exc}") from None
    return roots


def confined_server(text: str, *, role: Role) -> ModelSpec:
    """A server typed in the dashboard (`URL` or `URL#served-model`), if it may be asked. The URL
    is read once, by server/url.parse_server_url: the host checked here is the host connected to."""
    url, _, served = text.strip().partition("#")
    try:
        server = parse_server_url(url)
    except InvalidServerURL as exc:
        raise PathNotAllowed(str(exc)) from None
    if server.host not in LOCAL_HOSTS and server.root not in _allowed_roots():
        raise PathNotAllowed(
            f"The server {server.root} is not on this machine. Servers typed in the dashboard must be on localhost "
            f"or listed in {SERVERS_ENV} (e.g. {SERVERS_ENV}={server.root}); or use the command line (--{role}-server)."
        )
    return server_spec(server.root, served.strip() or None, role=role)


def _confined_side(text: str, role: Role, allow_pickle: bool) -> ModelSpec:
    if "://" in text:
        return confined_server(text, role=role)
    spec = spec_from_path(text, role=role, allow_pickle=allow_pickle)
    check_confined(spec, text)
    return spec


def confined_pair(base_path: str, aligned_path: str, *, allow_pickle: bool = False) -> ModelPair:
    """A custom pair typed in the dashboard: paths stay in the allowed dirs, servers are allowed ones."""
    sides = []
    typed: tuple[tuple[str, Role], ...] = ((base_path, "base"), (aligned_path, "aligned"))
    for text, role in typed:
        try:
            sides.append(_confined_side(text, role, allow_pickle))
        except OSError as exc:  # a name too long for the file system, a folder it cannot list
            raise file_problem(Path(text), exc) from None
    return pair_of(*sides)
