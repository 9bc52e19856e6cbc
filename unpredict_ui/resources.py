"""Process-wide objects shared by every session (st.cache_resource).

Both are safe to share between threads: the Store opens a short-lived connection per operation,
and each loaded model guards its calls with its own lock (BackendCache serialises loading).
"""

from __future__ import annotations

import streamlit as st

from unpredict_core.backends.loading import BackendCache
from unpredict_core.paths import db_path
from unpredict_core.store.database import Store


@st.cache_resource(show_spinner=False)
def _store_at(path: str) -> Store:
    return Store(path)


def store() -> Store:
    """The results store; keyed by its path so UNPREDICT_DB (tests) selects its own file."""
    return _store_at(str(db_path()))


@st.cache_resource(show_spinner=False)
def backends() -> BackendCache:
    """Loaded models, shared across sessions: a model is loaded once per server process."""
    return BackendCache("auto")
