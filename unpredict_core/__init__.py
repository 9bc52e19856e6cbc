"""unpredict_core: the library behind the dashboard. It never imports streamlit.

Why base models beat aligned ones at unpredictability (West & Potts, arXiv 2505.00047): exact
answer distributions from logits, the paper's sampled protocol, metrics, and a DuckDB cache.
"""

from __future__ import annotations

__version__ = "0.1.0"

from unpredict_core.backends.base import ChoiceScores, ModelBackend, RenderedPrompt, SampleSettings, parse_choice  # noqa: E402
from unpredict_core.backends.models import DEFAULT_PAIR, PRESETS, ModelPair, ModelSpec, custom_pair, get_pair  # noqa: E402
from unpredict_core.errors import InvalidParameter, ModelNotFound, StoreError, UnpredictError  # noqa: E402

__all__ = [
    "ChoiceScores",
    "ModelBackend",
    "RenderedPrompt",
    "SampleSettings",
    "parse_choice",
    "InvalidParameter",
    "ModelNotFound",
    "StoreError",
    "UnpredictError",
    "DEFAULT_PAIR",
    "PRESETS",
    "ModelPair",
    "ModelSpec",
    "custom_pair",
    "get_pair",
]
