"""Random numbers: ask both sides of the pair for an integer from 0 to 10 and compare the answers."""

import streamlit as st

from unpredict_core.experiments import random_integers
from unpredict_ui.inputs import declared_choice, declared_number, request_editors
from unpredict_ui.paper import with_paper
from unpredict_ui.random_integers.view import show_random_integers
from unpredict_ui.running import run_section
from unpredict_ui.sidebar import pick_pair

PAGE = "random_numbers"
MODES = {
    "exact": "Exact: P(each answer) from the logits",
    "sampled": "Sampled: n answers, as in the paper",
    "sequences": "Sequences of ten: repetitions",
}

st.set_page_config(page_title="Random numbers · unpredict", page_icon="🎲", layout="wide")
choice = pick_pair()

st.title("Random numbers")
st.markdown(
    "Both models are asked for a random integer from 0 to 10. A fair random draw gives every "
    "answer 1/11 ≈ 9.1 %. The paper found aligned models over-produce **7** and avoid repeats in "
    "sequences, while base models come closer to uniform. **Exact** mode reads each model's "
    "probability of every answer from its logits (one forward pass, no sampling); **sampled** "
    "mode draws answers at temperature 1 like the paper; **sequences** asks for ten numbers at once."
)

mode = declared_choice(st, "Mode", random_integers.Params, "mode", PAGE, MODES)
left, right = st.columns(2)
n = declared_number(
    left,
    "n: valid answers to sample",
    random_integers.Params,
    "n",
    PAGE,
    step=100,
    disabled=mode == "exact",
    help="Exact mode needs no samples; its intervals show what a 1,500-sample replication would give.",
)
seed = declared_number(right, "Seed", random_integers.Params, "seed", PAGE)
if mode != "exact":
    st.caption(
        "Sampling draws about n ÷ coverage continuations per side: on a CPU, a model with a few "
        "percent coverage needs hours for n = 1,500. Run exact mode first to see each side's coverage."
    )
params = random_integers.Params(mode=mode, n=int(n), seed=int(seed))
requests = request_editors(PAGE, choice, params, random_integers.default_request)
run_section(
    PAGE, random_integers.NAME, choice, params, requests, with_paper(show_random_integers),
    "Press **Run** to measure both models. The first run loads them (seconds once converted).",
)  # fmt: skip
