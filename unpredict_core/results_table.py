"""Stored runs as flat tables: one row per run and side, for browsing, comparing and exporting.

Experiments report their numbers in different places (random integers under `metrics`, games at
the side's top level), so `side_rows` gathers every numeric score of a side into `score.<name>`
columns. Everything here is a pure function of stored results, so it is tested without a page.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from .errors import UnpredictError

ExportFormat = Literal["csv", "parquet"]
_SKIP = {"coverage", "min_coverage", "duration_s"}  # shown in their own columns


def _numbers(data: dict[str, Any]) -> dict[str, float]:
    return {
        k: float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and k not in _SKIP
    }


def side_scores(side: dict[str, Any]) -> dict[str, float]:
    """Every numeric score of one side: its metrics and its top-level numbers (net score, rates)."""
    return _numbers(side) | _numbers(side.get("metrics") or {})


def side_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per side of a stored run."""
    rows = []
    base = {
        "run_id": result["run_id"],
        "experiment": result["experiment"],
        "pair": result["pair"],
        "created_at": result.get("created_at"),
        "duration_s": result.get("duration_s"),
        "params": json.dumps(result.get("params", {}), sort_keys=True),
    }
    for role, side in result.get("sides", {}).items():
        row = base | {
            "side": role,
            "model": side.get("model"),
            "identity": side.get("identity"),
            "format": side.get("format"),
            "coverage": side.get("coverage", side.get("min_coverage")),
        }
        row |= {f"param.{k}": v for k, v in result.get("params", {}).items()}
        row |= {f"score.{k}": v for k, v in side_scores(side).items()}
        rows.append(row)
    return rows


def results_frame(results: list[dict[str, Any]]):
    """A pandas DataFrame of `side_rows` for many runs (columns are the union of their scores)."""
    import pandas as pd

    return pd.DataFrame([row for result in results for row in side_rows(result)])


def compare_runs(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between two runs: settings first, then each side's scores with B − A."""
    rows: list[dict[str, Any]] = []
    settings_a = {"experiment": a["experiment"], "pair": a["pair"]} | a.get("params", {})
    settings_b = {"experiment": b["experiment"], "pair": b["pair"]} | b.get("params", {})
    for key in sorted(set(settings_a) | set(settings_b)):
        va, vb = settings_a.get(key), settings_b.get(key)
        rows.append({"what": key, "side": "", "run A": va, "run B": vb, "B − A": None, "differs": va != vb})
    for role in ("base", "aligned"):
        side_a, side_b = a["sides"].get(role, {}), b["sides"].get(role, {})
        for label, key in (("model", "model"), ("format", "format")):
            va, vb = side_a.get(key), side_b.get(key)
            rows.append({"what": label, "side": role, "run A": va, "run B": vb, "B − A": None, "differs": va != vb})
        scores_a, scores_b = side_scores(side_a), side_scores(side_b)
        for key in sorted(set(scores_a) | set(scores_b)):
            va, vb = scores_a.get(key), scores_b.get(key)
            diff = vb - va if va is not None and vb is not None else None
            rows.append({"what": key, "side": role, "run A": va, "run B": vb, "B − A": diff, "differs": va != vb})
    return rows


def export_frame(frame, path: Path | str, fmt: ExportFormat) -> Path:
    """Write `frame` as CSV or Parquet with DuckDB; a path that cannot be written is a user error."""
    import duckdb

    path = Path(path).expanduser()
    if fmt not in ("csv", "parquet"):
        raise UnpredictError(f"Unknown export format '{fmt}': use csv or parquet.")
    folder = path.parent
    if not folder.is_dir():
        raise UnpredictError(f"Cannot export to {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UnpredictError(f"Cannot export to {path}: it is not writable. Choose another folder.")
    frame = frame.copy()
    for column in frame.columns:  # mixed-type object columns (a parameter that is text in one
        if frame[column].dtype == object:  # experiment, a number in another) are written as text
            frame[column] = frame[column].map(lambda v: None if v is None or v != v else str(v))
    con = duckdb.connect()
    try:
        relation = con.from_df(frame)
        if fmt == "csv":
            relation.write_csv(str(path), header=True)
        else:
            relation.write_parquet(str(path))
    except (duckdb.Error, OSError) as exc:
        raise UnpredictError(f"Cannot export to {path}: {exc}") from exc
    finally:
        con.close()
    return path


def parse_param_filter(text: str) -> dict[str, str]:
    """`"seed=1, mode=exact"` → {"seed": "1", "mode": "exact"}; a part without `=` is an error."""
    wanted: dict[str, str] = {}
    for part in text.replace("\n", ",").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise UnpredictError(f"Parameter filter '{part.strip()}': write name=value, e.g. seed=1.")
        wanted[key.strip()] = value.strip()
    return wanted
