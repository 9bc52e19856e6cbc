"""Convert a GGUF file once into a plain safetensors folder under the cache.

transformers can load GGUF directly, but it de-quantises on every load (gemma-3-270m: 60–80 s on
2 cores). A converted folder reloads in seconds with identical logits. The folder is keyed
by the GGUF's sha256 and the transformers version, because the conversion is transformers' code.
Conversion writes to a temporary folder and renames it into place, so a crash or a second process
converting at the same time never leaves a half-written model behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

from unpredict_core.errors import ModelNotFound
from unpredict_core.paths import ensure_writable_dir, models_dir
from unpredict_core.progress import ProgressFn, no_progress

DONE_MARKER = "unpredict-conversion.json"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _fingerprint_cache() -> Path:
    return models_dir() / "sha256-index.json"


def cached_sha256(path: Path) -> str:
    """sha256 of a large file, remembered by (path, size, mtime) so it is computed once."""
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    index_path = _fingerprint_cache()
    try:
        index = json.loads(index_path.read_text())
    except (OSError, ValueError):
        index = {}
    if key in index:
        return index[key]
    digest = sha256_file(path)
    index[key] = digest
    try:
        ensure_writable_dir(index_path.parent, "model cache")
        tmp = index_path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(index, indent=1))
        os.replace(tmp, index_path)
    except OSError:
        pass  # remembering is an optimisation; a read-only cache still works
    return digest


def converted_dir(sha256: str) -> Path:
    import transformers

    return models_dir() / f"gguf-{sha256[:16]}-tf{transformers.__version__}"


def convert_gguf(gguf_path: Path, sha256: str, progress: ProgressFn = no_progress) -> Path:
    """Return a safetensors folder for `gguf_path`, converting it first if needed."""
    target = converted_dir(sha256)
    if (target / DONE_MARKER).exists():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    ensure_writable_dir(models_dir(), "model cache")
    size_mb = gguf_path.stat().st_size / 1e6
    # measured here: 30 s (SmolLM2, 0.1 GB) to 128 s (gemma, 0.25 GB) on 2 shared cores
    progress(0.05, f"converting {gguf_path.name} ({size_mb:,.0f} MB) once; timed apart from the run, not part of it")
    try:
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf_path.parent), gguf_file=gguf_path.name, dtype=torch.float32, trust_remote_code=False
        )
        tokenizer = AutoTokenizer.from_pretrained(
            str(gguf_path.parent), gguf_file=gguf_path.name, trust_remote_code=False
        )
    except (ValueError, KeyError, OSError, RuntimeError) as exc:
        raise ModelNotFound(f"{gguf_path} is not a GGUF file transformers can load: {exc}") from exc
    # A GGUF-loaded model carries its quantizer; saving it as plain weights needs both removed.
    # torch types Module.__setattr__ for tensors and modules only, yet it stores any other value as a
    # plain attribute, as transformers itself sets hf_quantizer: a false positive
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    progress(0.8, "saving the converted model")
    tmp = models_dir() / f".tmp-{uuid.uuid4().hex}"
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        meta = {"gguf": str(gguf_path), "sha256": sha256}
        (tmp / DONE_MARKER).write_text(json.dumps(meta, indent=1))
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / DONE_MARKER).exists():  # not a concurrent conversion that won
                shutil.rmtree(target, ignore_errors=True)
                os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    progress(1.0, "conversion done")
    return target
