"""Where the app keeps what it computes: one cache folder, overridable by environment variables.

`UNPREDICT_CACHE` moves the whole cache folder (model conversions, assembled GGUFs);
`UNPREDICT_DB` moves only the DuckDB file (tests point it at a temporary file).
"""

from __future__ import annotations

import os
from pathlib import Path

from unpredict_core.errors import StoreError, UnpredictError

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


def exports_dir() -> Path:
    """The one folder the dashboard writes exports into."""
    return cache_dir() / "exports"


def reference_dir() -> Path:
    return PROJECT_ROOT / "reference"


def confined_file(text: str, roots: list[Path], what: str) -> Path:
    """A file typed in the dashboard that it may read: after `~`, `..` and every symlink it must be a
    regular file inside one of `roots` (a FIFO or a device would hang the page or never end)."""
    import stat

    real = Path(os.path.realpath(Path(str(text).strip()).expanduser()))
    allowed = [Path(os.path.realpath(r)) for r in roots]
    if not any(real == r or real.is_relative_to(r) for r in allowed):
        listed = ", ".join(str(r) for r in allowed)
        raise UnpredictError(
            f"The {what} {text!r} resolves to {real}, outside the folders the dashboard may read ({listed})."
        )
    try:
        mode = real.stat().st_mode
    except OSError as exc:
        raise UnpredictError(f"Cannot read the {what} {real}: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(mode):
        raise UnpredictError(f"The {what} {real} is not a regular file.")
    return real
