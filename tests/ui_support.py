"""Shared by the AppTest modules: import `clear_streamlit_caches` to use it (it is autouse)."""

from __future__ import annotations

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def clear_streamlit_caches():
    """st.cache_* outlive AppTest instances in one process: each test starts clean."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
