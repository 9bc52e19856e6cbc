"""IFBench: verifiable instruction following on both sides, the benchmark axis of the scatter."""

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import ifbench
from unpredict_ui.ifbench import ifbench_params, show_ifbench
from unpredict_ui.inputs import request_editors
from unpredict_ui.paper import with_paper
from unpredict_ui.running import run_section
from unpredict_ui.sidebar import pick_pair

PAGE = "ifbench"

st.set_page_config(page_title="IFBench · unpredict", page_icon="📋", layout="wide")
choice = pick_pair()

st.title("IFBench: following verifiable instructions")
st.markdown(
    "AllenAI's IFBench asks for answers under constraints a program can check (\"use the word *paradox* "
    'seven times", "answer in exactly three paragraphs"). It is the kind of benchmark alignment is tuned '
    "for, and the x of the **Benchmark vs unpredictability** page: measured here, on both sides, with "
    "greedy decoding. Scores are *prompt-level* (every instruction of a prompt followed) and "
    "*instruction-level*, each **strict** (the response as is) or **loose** (first or last line or `*` "
    "removed), as IFBench defines them."
)
try:
    params = ifbench_params(PAGE)
except UnpredictError as exc:
    st.error(str(exc))
    st.stop()
requests = request_editors(PAGE, choice, params, ifbench.default_request)
run_section(
    PAGE, ifbench.NAME, choice, params, requests, with_paper(show_ifbench),
    "Press **Run** to have both models answer the prompts (greedy, batched) and check every instruction.",
)  # fmt: skip
