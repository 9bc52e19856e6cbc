"""Rock-paper-scissors: each side of the pair plays against an adversary, or against you."""

import streamlit as st

from unpredict_core.experiments.games import rps
from unpredict_ui.games.play import play_rps
from unpredict_ui.games.view import RECONSTRUCTION, opponent_select, rounds_warning, show_rps
from unpredict_ui.inputs import declared_number, request_editors
from unpredict_ui.paper import with_paper
from unpredict_ui.running import run_section
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.state import kept_key

PAGE = "rps"
MODES = {"adversary": "Model vs adversary", "play": "Play yourself"}

st.set_page_config(page_title="Rock-paper-scissors · unpredict", page_icon="✂️", layout="wide")
choice = pick_pair()

st.title("Rock-paper-scissors")
st.markdown(
    "A model that plays rock, paper and scissors with equal probability cannot be beaten on average. "
    "Each round, both models see the game so far and we read their **exact** probability of each move "
    "from the logits; their move is sampled from it. The paper's adversary reads those probabilities "
    "and plays the best response: it found that aligned models become near-deterministic in some game "
    "states, especially after winning or tying, and lose."
)
st.caption(RECONSTRUCTION)

mode = st.radio("Mode", list(MODES), format_func=MODES.get, horizontal=True, key=kept_key(PAGE, "mode"))
opponent_column, rounds_column, seed_column = st.columns([3, 1, 1])
seed = declared_number(seed_column, "Seed", rps.Params, "seed", PAGE)

if mode == "play":
    opponent_column.markdown("**Adversary: you.** Each throw is one round against both models at once.")
    requests = request_editors(PAGE, choice, rps.Params(), rps.default_request)
    st.markdown("#### Throw against both models at once")
    play_rps(PAGE, choice, requests, seed)
else:
    adversary = opponent_select(PAGE, "Adversary", opponent_column, field=True)
    rounds = declared_number(rounds_column, "Rounds", rps.Params, "rounds", PAGE)
    params = rps.Params(adversary=adversary, rounds=int(rounds), seed=seed)
    requests = request_editors(PAGE, choice, params, rps.default_request)
    rounds_warning(params.rounds)
    hint = "Press **Run** to play both models against the adversary."
    run_section(PAGE, rps.NAME, choice, params, requests, with_paper(show_rps), hint)
