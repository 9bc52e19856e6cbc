"""The Open LLM Leaderboard v2 from a local copy: its `open-llm-leaderboard/contents` dataset, if
a user has it in the Hugging Face cache (nothing is downloaded: this machine may be offline).

The dataset is a parquet table with a row per evaluated model and precision; `fullname` is the hub
id, `Average ⬆️` the leaderboard average and IFEval, BBH, MATH Lvl 5, GPQA, MUSR and MMLU-PRO its
normalised sub-scores (0–100). When a model was evaluated in several precisions, the bfloat16 row is
used, else the first; the column used is named with every value.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from unpredict_core.errors import UnpredictError

DATASET = "open-llm-leaderboard/contents"
AVERAGE = "Average ⬆️"
COLUMNS = (AVERAGE, "IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO")
SOURCE = "Open LLM Leaderboard v2 (local copy of open-llm-leaderboard/contents)"


@dataclass(frozen=True)
class LeaderboardRow:
    model: str
    precision: str
    scores: dict[str, float]  # column → score, finite values only


def hub_cache() -> Path:
    """Where huggingface_hub keeps downloads (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")).expanduser()
    return home / "hub"


def leaderboard_files(cache: Path | None = None) -> list[Path]:
    """The parquet files of the newest local snapshot of the dataset (empty: none here)."""
    snapshots = (cache or hub_cache()) / ("datasets--" + DATASET.replace("/", "--")) / "snapshots"
    if not snapshots.is_dir():
        return []
    versions = sorted((p for p in snapshots.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for snapshot in reversed(versions):
        files = sorted(f for f in snapshot.rglob("*.parquet") if f.is_file())
        if files:
            return files
    return []


def read_leaderboard(files: list[Path]) -> dict[str, LeaderboardRow]:
    """hub id → the row used for it; a file without the leaderboard's columns is a user error."""
    import pyarrow.parquet as pq

    rows: dict[str, LeaderboardRow] = {}
    for path in files:
        try:
            table = pq.read_table(path)
        except (OSError, ValueError) as exc:
            raise UnpredictError(f"Cannot read the leaderboard file {path}: {exc}") from None
        names = set(table.column_names)
        if "fullname" not in names or AVERAGE not in names:
            raise UnpredictError(f"{path} is not the Open LLM Leaderboard's contents table (no fullname / {AVERAGE}).")
        for record in table.select([c for c in ("fullname", "Precision", *COLUMNS) if c in names]).to_pylist():
            model = str(record.get("fullname") or "").strip()
            if not model:
                continue
            row = LeaderboardRow(model, str(record.get("Precision") or ""), _finite_scores(record))
            if model not in rows or (row.precision == "bfloat16" and rows[model].precision != "bfloat16"):
                rows[model] = row
    return rows


def _finite_scores(record: dict) -> dict[str, float]:
    scores = {}
    for column in COLUMNS:
        value = record.get(column)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            scores[column] = float(value)
    return scores
