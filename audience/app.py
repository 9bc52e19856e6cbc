"""Audience entry point: `streamlit run audience/app.py --server.port 8502` (vote-only; see README,
"Audience mode"). It listens on localhost like the dashboard; `--server.address 0.0.0.0` opens it
to the local network on purpose.

It lives in its own folder so that no `pages/` folder lies beside it: Streamlit registers the
pages of a `pages/` folder next to the main script as routes of that server, and beside the
dashboard's pages a phone could have opened Results (with its deletes) on the audience port. Here
there are none, and st.navigation lists the one vote page.
"""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: unpredict_ui, unpredict_core

from unpredict_ui.poetry.audience import audience_page  # noqa: E402

st.set_page_config(page_title="Vote · unpredict", page_icon="📝", layout="centered")
st.navigation([st.Page(audience_page, title="Vote", url_path="vote", default=True)], position="hidden").run()
