"""The alignment dial: a model mixed between the base and the aligned side at weight α."""

import streamlit as st

from unpredict_core.experiments.games import rps
from unpredict_core.params import spec_of
from unpredict_ui.dial import DIAL_ROUNDS, dial_section
from unpredict_ui.inputs import declared_number
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.state import kept_key

PAGE = "dial"

st.set_page_config(page_title="Alignment dial · unpredict", page_icon="🎚️", layout="wide")
choice = pick_pair()

st.title("Alignment dial")
st.markdown(
    "Alignment as a dial rather than a switch: a model **mixed** between the base side (α = 0) and the "
    "aligned side (α = 1) of the pair, and how unpredictable it is at each α. The kind of mixture comes "
    "from what the pair allows: a **token mixture** (sides sharing one tokenizer: every next-token "
    "distribution is p_base^(1−α)·p_aligned^α), a **weight interpolation** (same architecture and shapes), "
    "or an **answer mixture** (any pair, the default one included: the same geometric mixture over an "
    "experiment's answers only). Every result says which kind it is."
)
rounds_column, seed_column = st.columns(2)
ROUNDS = spec_of(rps.Params, "rounds")  # the game's declared range; fewer rounds by default: 2 sides × 5 α
rounds = rounds_column.number_input(
    "Rock-paper-scissors rounds",
    int(ROUNDS.min),
    int(ROUNDS.max),
    DIAL_ROUNDS,
    key=kept_key(PAGE, "rounds"),
    help="Rounds per game at each α, against the greedy adversary.",
)
seed = declared_number(seed_column, "Seed", rps.Params, "seed", PAGE)
dial_section(PAGE, choice, int(rounds), int(seed))
