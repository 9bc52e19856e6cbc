"""Shared fixtures. Every test gets its own DuckDB file; converted models stay in the repo's
cache/ (or UNPREDICT_CACHE) so the one-time GGUF conversion is paid once per machine."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_db(tmp_path, monkeypatch):
    path = tmp_path / "test.duckdb"
    monkeypatch.setenv("UNPREDICT_DB", str(path))
    return path


@pytest.fixture(scope="session")
def real_backends():
    """The default offline pair, loaded once for the whole test session (converted on first use)."""
    from unpredict_core.backends.loading import BackendCache
    from unpredict_core.backends.models import DEFAULT_PAIR

    cache = BackendCache("cpu")
    return {"base": cache(DEFAULT_PAIR.base), "aligned": cache(DEFAULT_PAIR.aligned), "loader": cache}
