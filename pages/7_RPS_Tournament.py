"""Rock-paper-scissors tournament: one side, or both, against a field of opponents."""

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.games import roshambo, rps, rps_tournament
from unpredict_core.params import spec_of
from unpredict_ui.games.tournament import show_tournament
from unpredict_ui.games.view import describe
from unpredict_ui.inputs import declared_choice, declared_number, request_editors
from unpredict_ui.running import run_section
from unpredict_ui.sidebar import pick_pair
from unpredict_ui.state import kept_key

PAGE = "rps-tournament"
FIELDS = {
    "bots": "All RoShamBo bots",
    "ours": "Our opponents",
    "both": "Both",
    "choose": "Choose…",
}
SIDES = {"both": "Both sides", "base": "Base only", "aligned": "Aligned only"}

st.set_page_config(page_title="RPS tournament · unpredict", page_icon="🏆", layout="wide")
choice = pick_pair()

st.title("Rock-paper-scissors tournament")
st.markdown(
    "Each side plays one game against every opponent of a field: the 43 bots of the International "
    "RoShamBo Programming Competition (1999, plus Greenberg, the 2000 winner; as OpenSpiel ships them) "
    "and our own opponents, among them the paper's reader of probabilities. The bots see only the "
    "moves. All games of a side advance together, a round at a time, scored in one batch."
)
reason = roshambo.unavailable_reason()
if reason:
    st.warning(reason + " The tournament can still run against our own opponents.")

field_column, rounds_column, seed_column, sides_column = st.columns([3, 1, 1, 2])
field = field_column.radio(
    "Opponents", list(FIELDS), format_func=FIELDS.get, horizontal=True, key=kept_key(PAGE, "field")
)
ROUNDS = spec_of(rps_tournament.Params, "rounds")  # the declared range; 20 by default here, a CPU-sized field
rounds = int(rounds_column.number_input("Rounds", ROUNDS.min, ROUNDS.max, 20, key=kept_key(PAGE, "rounds")))
seed = int(declared_number(seed_column, "Seed", rps_tournament.Params, "seed", PAGE))
sides = declared_choice(sides_column, "Who plays", rps_tournament.Params, "sides", PAGE, SIDES)

bots = roshambo.opponent_names()
if field == "choose":
    options = list(rps_tournament.OURS) + bots
    chosen = st.multiselect(
        "Opponents to play",
        options,
        default=bots[:10] if bots else list(rps_tournament.OURS),
        format_func=lambda n: f"{n.removeprefix(roshambo.PREFIX)} (RoShamBo bot)" if roshambo.is_roshambo(n) else n,
        key=kept_key(PAGE, "chosen"),
    )
    opponents = tuple(chosen)
else:
    opponents = {"bots": ("all",) if bots else (), "ours": ("ours",), "both": ("all", "ours") if bots else ("ours",)}[
        field
    ]

params = None
try:
    params = rps_tournament.Params(opponents=opponents, rounds=rounds, seed=seed, sides=sides).validate()
except UnpredictError as exc:  # zero opponents, an unknown name
    st.error(str(exc))

if params is not None:
    games = len(params.opponents) * (2 if sides == "both" else 1)
    with st.expander("1 opponent" if len(params.opponents) == 1 else f"{len(params.opponents)} opponents"):
        st.markdown("\n".join(f"- `{n}`: {describe(n)}" for n in params.opponents))
    st.caption(
        f"{games} games of {params.rounds} rounds. A side's games are played in lockstep: each round of all of "
        "them is one batched scoring. On a CPU that still costs seconds per round and grows with the number "
        "of games (see bench/README.md); try a few rounds first. A repeated run is answered from the cache."
    )
requests = request_editors(PAGE, choice, rps.Params(), rps.default_request)
hint = "Press **Run** to play the field."
run_section(PAGE, rps_tournament.NAME, choice, params, requests, show_tournament, hint)
