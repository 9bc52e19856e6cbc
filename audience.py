"""Audience entry point: `streamlit run audience.py --server.port 8502` (vote-only; see README,
"Talk mode"). It listens on localhost like the dashboard; `--server.address 0.0.0.0` opens it to
the local network on purpose.

st.navigation with this one page, so Streamlit does not offer the dashboard's pages/ here.
"""

import streamlit as st

from unpredict_ui.poetry.audience import audience_page

st.set_page_config(page_title="Vote · unpredict", page_icon="📝", layout="centered")
st.navigation([st.Page(audience_page, title="Vote", url_path="vote", default=True)], position="hidden").run()
