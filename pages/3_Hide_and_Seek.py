"""Hide-and-seek: each side of the pair hides from a seeker, or from you."""

import streamlit as st

from unpredict_core.experiments.games import hide_and_seek
from unpredict_ui.games.play import play_hide_and_seek
from unpredict_ui.games.view import RECONSTRUCTION, opponent_select, rounds_warning, show_hide_and_seek
from unpredict_ui.inputs import declared_number, request_editors
from unpredict_ui.paper import with_paper
from unpredict_ui.running import run_section
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.state import kept_key

PAGE = "hide_and_seek"
MODES = {"seeker": "Model vs seeker", "play": "Play the seeker yourself"}

st.set_page_config(page_title="Hide-and-seek · unpredict", page_icon="🙈", layout="wide")
choice = pick_pair()

st.title("Hide-and-seek")
st.markdown(
    "Each round the model hides in one of K spots and a seeker searches one. A hider that picks every "
    "spot with probability 1/K is found 1/K of the time whatever the seeker does; any favourite spot "
    "gives a seeker something to exploit. We read each model's **exact** probability of every spot "
    "from the logits and sample its hiding spot from it. The paper's seeker searches the most probable spot."
)
st.caption(RECONSTRUCTION + " The net score is **our definition**.")

mode = st.radio("Mode", list(MODES), format_func=MODES.get, horizontal=True, key=kept_key(PAGE, "mode"))
seeker_column, spots_column, rounds_column, seed_column = st.columns([3, 1, 1, 1])
spots = declared_number(spots_column, "Spots (K)", hide_and_seek.Params, "spots", PAGE)
seed = declared_number(seed_column, "Seed", hide_and_seek.Params, "seed", PAGE)

if mode == "play":
    seeker_column.markdown("**Seeker: you.** Each search is one round against both models at once.")
    requests = request_editors(PAGE, choice, hide_and_seek.Params(spots=spots), hide_and_seek.default_request)
    st.markdown("#### Pick a spot to search: both models hide at once")
    play_hide_and_seek(PAGE, choice, requests, seed, spots)
else:
    seeker = opponent_select(PAGE, "Seeker", seeker_column)
    rounds = declared_number(rounds_column, "Rounds", hide_and_seek.Params, "rounds", PAGE)
    params = hide_and_seek.Params(seeker=seeker, spots=spots, rounds=int(rounds), seed=seed)
    requests = request_editors(PAGE, choice, params, hide_and_seek.default_request)
    rounds_warning(params.rounds)
    hint = "Press **Run** to play both models against the seeker."
    run_section(PAGE, hide_and_seek.NAME, choice, params, requests, with_paper(show_hide_and_seek), hint)
