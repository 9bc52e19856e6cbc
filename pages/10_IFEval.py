"""IFEval: the leaderboard's instruction-following benchmark on both sides, the x of Figure 1."""

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import ifeval
from unpredict_ui.ifbench import benchmark_params, show_ifeval
from unpredict_ui.inputs import request_editors
from unpredict_ui.paper import with_paper
from unpredict_ui.running import run_section
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.text import plain

PAGE = "ifeval"

st.set_page_config(page_title="IFEval · unpredict", page_icon="📏", layout="wide")
choice = pick_pair()

st.title("IFEval: the leaderboard's instruction-following benchmark")
st.markdown(
    "IFEval (Google, 2023) is one of the six benchmarks of the Open LLM Leaderboard v2, the leaderboard the "
    "paper's Figure 1 placed its models by. Its 541 prompts carry instructions a program can check "
    '("answer in at least 300 words", "no commas"). Measured here on both sides with greedy decoding, and put '
    "on the leaderboard's own scale — 100 × the mean of prompt-level and instruction-level strict accuracy — "
    "so our pair sits on the same x as the paper's models on the **Benchmark vs Unpredictability** page."
)
try:
    params = benchmark_params(PAGE, ifeval.Params)
    excluded = ifeval.SUITE.excluded_types()
except UnpredictError as exc:
    st.error(str(exc))
    st.stop()
if excluded:
    st.caption(
        "Not checkable on this machine, so their prompts are left out of the draw: "
        + "; ".join(f"{plain(kind)} ({plain(why)})" for kind, why in sorted(excluded.items()))
    )
requests = request_editors(PAGE, choice, params, ifeval.default_request)
run_section(
    PAGE, ifeval.NAME, choice, params, requests, with_paper(show_ifeval),
    "Press **Run** to have both models answer the prompts (greedy, batched) and check every instruction.",
)  # fmt: skip
