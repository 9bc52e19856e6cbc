"""Poetry: both sides write poems on the same topics; people rate them blind; the votes are analysed."""

import streamlit as st

from unpredict_core.experiments import poetry
from unpredict_ui.inputs import request_editors
from unpredict_ui.poetry.analysis import analysis_view
from unpredict_ui.poetry.rate import rate_view
from unpredict_ui.poetry.view import generation_note, pick_run, poetry_params, show_poems
from unpredict_ui.running import run_section
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.state import kept_key

PAGE = "poetry"
MODES = {"generate": "Generate & browse", "rate": "Rate (blind)", "analysis": "Analysis"}

st.set_page_config(page_title="Poetry · unpredict", page_icon="📝", layout="wide")
choice = pick_pair()

st.title("Poetry")
st.markdown(
    "Both models write short poems on the same topics, each in its own format: the base model continues "
    "the opening of a poem (a title line), the aligned model answers a chat request. People then compare "
    "a base and an aligned poem **blind**: which is more original, which more pleasant, which they prefer. "
    "The paper found base poems more original, but aligned poems more pleasant and preferred."
)

mode = st.radio("Mode", list(MODES), format_func=MODES.get, horizontal=True, key=kept_key(PAGE, "mode"))
if mode == "generate":
    params, problem = poetry_params(PAGE)
    if problem:
        st.error(problem)
    else:
        generation_note(params)
    requests = request_editors(PAGE, choice, params or poetry.Params(), poetry.default_request)
    hint = "Press **Generate** to have both models write poems."
    run_section(PAGE, poetry.NAME, choice, params, requests, show_poems, hint, button="Generate")
else:
    run = pick_run(PAGE)
    if run is not None:
        (rate_view if mode == "rate" else analysis_view)(PAGE, run)
