"""Stored runs as flat tables: one row per run and side, for browsing, comparing and exporting.

Experiments report their numbers in different places (random integers under `metrics`, games at
the side's top level), so `side_rows` gathers every numeric score of a side into `score.<name>`
columns. Everything here is a pure function of stored results, so it is tested without a page.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from unpredict_core.errors import UnpredictError
from unpredict_core.records import RunRecord

ExportFormat = Literal["csv", "parquet"]
_SKIP = {"coverage", "min_coverage", "duration_s", "load_s"}  # shown in their own columns


def _numbers(data: Mapping[str, Any]) -> dict[str, float]:
    return {
        k: float(v)
        for k, v in data.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and k not in _SKIP
    }


def side_scores(side: Mapping[str, Any]) -> dict[str, float]:
    """Every numeric score of one side: its metrics and its top-level numbers (net score, rates)."""
    return _numbers(side) | _numbers(side.get("metrics") or {})


def side_rows(result: RunRecord) -> list[dict[str, Any]]:
    """One flat row per side of a stored run."""
    from unpredict_core.results.labels import basis, readable_params, run_title

    rows = []
    base = {
        "run_id": result["run_id"],
        "run": run_title(result),
        "experiment": result["experiment"],
        "pair": result["pair"],
        "created_at": result.get("created_at"),
        "duration_s": result.get("duration_s"),
        "load_s": result.get("load_s"),
        "params": readable_params(result.get("params", {})),
        "provenance": result.get("provenance", "measured here"),
        "trust_problems": "; ".join(result.get("trust_problems") or []) or None,
        "params_json": json.dumps(result.get("params", {}), sort_keys=True),
    }
    for role, side in result.get("sides", {}).items():
        row = base | {
            "side": role,
            "model": side.get("model"),
            "identity": side.get("identity"),
            "format": side.get("format"),
            "coverage": side.get("coverage", side.get("min_coverage")),
            "basis": basis(result, side),
        }
        row |= {f"param.{k}": v for k, v in result.get("params", {}).items()}
        row |= {f"score.{k}": v for k, v in side_scores(side).items()}
        rows.append(row)
    return rows


def results_frame(results: Sequence[RunRecord]):
    """A pandas DataFrame of `side_rows` for many runs (columns are the union of their scores)."""
    import pandas as pd

    return pd.DataFrame([row for result in results for row in side_rows(result)])


def compare_runs(a: RunRecord, b: RunRecord) -> list[dict[str, Any]]:
    """What differs between two runs: settings first, then each side's scores with B − A."""
    rows: list[dict[str, Any]] = []
    settings_a = {"experiment": a["experiment"], "pair": a["pair"]} | a.get("params", {})
    settings_b = {"experiment": b["experiment"], "pair": b["pair"]} | b.get("params", {})
    for key in sorted(set(settings_a) | set(settings_b)):
        va, vb = settings_a.get(key), settings_b.get(key)
        rows.append({"what": key, "side": "", "run A": va, "run B": vb, "B − A": None, "differs": va != vb})
    for role in ("base", "aligned"):
        side_a: Mapping[str, Any] = a["sides"].get(role) or {}
        side_b: Mapping[str, Any] = b["sides"].get(role) or {}
        for label, key in (("model", "model"), ("format", "format")):
            va, vb = side_a.get(key), side_b.get(key)
            rows.append({"what": label, "side": role, "run A": va, "run B": vb, "B − A": None, "differs": va != vb})
        scores_a, scores_b = side_scores(side_a), side_scores(side_b)
        for key in sorted(set(scores_a) | set(scores_b)):
            va, vb = scores_a.get(key), scores_b.get(key)
            diff = vb - va if va is not None and vb is not None else None
            rows.append({"what": key, "side": role, "run A": va, "run B": vb, "B − A": diff, "differs": va != vb})
    return rows


def for_export(frame):
    """A copy whose mixed-type object columns (a parameter that is text in one experiment, a number
    in another) are text, so CSV and Parquet writers accept them."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: None if v is None or v != v else str(v))
    return frame


EXPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


FILE_KINDS = (
    (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
)  # fmt: skip


def _kind(mode: int) -> str:
    return next((name for test, name in FILE_KINDS if test(mode)), "not a regular file")


def check_export_target(path: Path, overwrite: bool) -> None:
    """Refuse what an export may not write to: a name that is not UTF-8, a missing or read-only
    folder, anything that exists unless `overwrite`, and with it anything but a regular file or a
    link (a device, a FIFO, a socket, a folder is never replaced, and never opened: nothing blocks)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise UnpredictError(
            f"Cannot export to {ascii(str(path))}: the name is not valid UTF-8. Choose another name."
        ) from None
    folder = path.parent
    if not folder.is_dir():
        raise UnpredictError(f"Cannot export to {path}: the folder {folder} does not exist.")
    if os.path.lexists(path):
        if not overwrite:
            raise UnpredictError(
                f"Cannot export to {path}: it already exists and was left as it is; choose another name "
                "(the CLI: --force)."
            )
        mode = os.lstat(path).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            raise UnpredictError(f"Cannot export to {path}: it is {_kind(mode)}, not a file; it was left as it is.")
    if not os.access(folder, os.W_OK):
        raise UnpredictError(f"Cannot export to {path}: the folder is not writable. Choose another folder.")


def export_frame(frame, path: Path | str, fmt: ExportFormat, *, overwrite: bool = False) -> Path:
    """Write `frame` as CSV or Parquet with DuckDB. An existing file (or link) at `path` is kept
    unless `overwrite` (`check_export_target` says what is refused): the file is written beside it
    under a plain ASCII name first and then linked or renamed into place, atomically, which fails
    rather than replaces if something appeared there meanwhile. Errors are user errors."""
    import duckdb

    path = Path(path).expanduser()
    if fmt not in ("csv", "parquet"):
        raise UnpredictError(f"Unknown export format '{fmt}': use csv or parquet.")
    check_export_target(path, overwrite)
    frame = for_export(frame)
    tmp = path.parent / f".unpredict-export.{uuid.uuid4().hex[:12]}.tmp"
    con = duckdb.connect()
    try:
        relation = con.from_df(frame)
        if fmt == "csv":
            relation.write_csv(str(tmp), header=True)
        else:
            relation.write_parquet(str(tmp))
        if overwrite:
            check_export_target(path, overwrite)  # nothing that is not a file may have appeared meanwhile
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    except FileExistsError:
        raise UnpredictError(f"{path} appeared while exporting and was left as it is: choose another name.") from None
    except (duckdb.Error, OSError) as exc:
        raise UnpredictError(f"Cannot export to {path}: {exc}") from exc
    finally:
        con.close()
        with contextlib.suppress(OSError):
            tmp.unlink()
    return path


def export_to_exports_folder(frame, name: str, fmt: ExportFormat) -> Path:
    """The dashboard's export: a plain file name (no folder, no `..`) in `paths.exports_dir()`,
    never over an existing file."""
    from unpredict_core.paths import ensure_writable_dir, exports_dir

    text = str(name).strip()
    if not EXPORT_NAME.fullmatch(text) or ".." in text:
        raise UnpredictError(
            f"{text!r} is not a plain file name: use letters, digits, '.', '-' and '_' (no folders); "
            f"the file is written into {exports_dir()}."
        )
    folder = ensure_writable_dir(exports_dir(), "exports")
    return export_frame(frame, folder / f"{text}.{fmt}", fmt)


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
