"""Shared by the AppTest modules: import `clear_streamlit_caches` to use it (it is autouse), and
`open_page` / `texts` / `shown` to reach a page through the real navigation and read what it shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TEXT_KINDS = ("markdown", "header", "subheader", "caption", "info", "success", "error", "warning", "text")


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    """st.cache_* outlive AppTest instances in one process: each test starts clean."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def open_page(page: str, timeout: float = 60) -> AppTest:
    """Start at the home page and switch to `page` as a user would, failing on any exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout).run()
    assert not at.exception
    at.switch_page(page).run()
    assert not at.exception
    return at


def shown(markdown: object) -> str:
    """The text a reader sees in markdown written with unpredict_ui.text.plain (escapes removed)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(markdown)).replace("  \n", "\n")


def texts(at: AppTest) -> str:
    """Every piece of text the page shows, one per line, to assert on."""
    return "\n".join(shown(e.value) for kind in TEXT_KINDS for e in getattr(at, kind))
