"""Where the app keeps what it computes: one cache folder, overridable by environment variables.

`UNPREDICT_CACHE` moves the whole cache folder (model conversions, assembled GGUFs);
`UNPREDICT_DB` moves only the DuckDB file (tests point it at a temporary file).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import StoreError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    return Path(os.environ.get("UNPREDICT_CACHE", PROJECT_ROOT / "cache")).expanduser()


def db_path() -> Path:
    return Path(os.environ.get("UNPREDICT_DB", cache_dir() / "unpredict.duckdb")).expanduser()


def models_dir() -> Path:
    return cache_dir() / "models"


def ensure_writable_dir(path: Path, purpose: str) -> Path:
    """Create `path` if needed and prove it is writable, or raise a message naming the fix."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreError(
            f"Cannot write the {purpose} folder {path} ({exc.strerror or exc}). "
            "Point UNPREDICT_CACHE (or UNPREDICT_DB for the database) at a writable folder."
        ) from exc
    return path
