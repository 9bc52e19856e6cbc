"""How a game result is shown (rock-paper-scissors, hide-and-seek), plus the inputs both game pages
share. The numbers are measured here; the game protocols are our reconstruction, and the pages
say so. `rps_frame` and `hide_and_seek_frame` are pure so tests can check them without Streamlit.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from unpredict_core.experiments.games import hide_and_seek, roshambo, rps
from unpredict_core.experiments.games.engine import outcome_counts
from unpredict_core.experiments.games.opponents import OPPONENTS, make_opponent
from unpredict_core.experiments.games.play_yourself import NAMES as PLAY_NAMES
from unpredict_core.runs import ROLES
from unpredict_ui.games.charts import (
    found_rate_figure,
    hide_and_seek_round_score,
    move_probability_figure,
    net_score_figure,
    predictability_figure,
    rps_round_score,
    spot_heatmap,
    spot_use_figure,
    win_rate_figure,
)
from unpredict_ui.running import timing_text
from unpredict_ui.state import kept_key
from unpredict_ui.text import plain
from unpredict_ui.views import shows

RECONSTRUCTION = (
    "The paper did not publish its game protocol: the prompt wording, the way the history is "
    "written into the prompt and the scoring here are **our reconstruction**."
)
OPPONENT_NAMES = [name for name in OPPONENTS if name != "person"]  # "person" is play-yourself only


def describe(name: str) -> str:
    return make_opponent(name).description


FIELD_GROUPS = {"ours": "Ours", "roshambo": "RoShamBo competition bots"}


def opponent_select(page: str, label: str, column=st, field: bool = False) -> str:
    """Our opponents; with `field` (rock-paper-scissors) also the RoShamBo bots, as a group of
    their own, or a one-line reason where OpenSpiel is missing."""
    if not field:
        return column.selectbox(
            label, OPPONENT_NAMES, key=kept_key(page, "opponent"), format_func=lambda n: f"{n}: {describe(n)}"
        )
    group_column, name_column = column.columns([2, 3])
    group = group_column.radio(
        f"{label} from", list(FIELD_GROUPS), format_func=FIELD_GROUPS.get, key=kept_key(page, "opponent_group")
    )
    if group == "roshambo":
        if roshambo.unavailable_reason():
            name_column.warning(roshambo.unavailable_reason())
            return OPPONENT_NAMES[0]
        return name_column.selectbox(
            label,
            roshambo.opponent_names(),
            key=kept_key(page, "roshambo_bot"),
            format_func=lambda n: n.removeprefix(roshambo.PREFIX),
            help="The 43 bots of the International RoShamBo Programming Competition (1999, and Greenberg, "
            "the 2000 winner), as OpenSpiel ships them. They see the moves only, never the probabilities.",
        )
    return name_column.selectbox(
        label, OPPONENT_NAMES, key=kept_key(page, "opponent"), format_func=lambda n: f"{n}: {describe(n)}"
    )


# Seconds per round and side on 2 idle CPU cores: bench/bench_rps.py measured 1.5 s at round 1 and
# 4.6 s at round 100 (SmolLM2; a round grows with the history, see bench/README.md). Earlier figures
# of 12-24 s were taken while several model processes shared the two cores.
SECONDS_PER_ROUND_CPU = (1.5, 5)


@st.cache_resource(show_spinner=False)
def _has_gpu() -> bool:
    import torch  # late: only the game pages need to know, and the backends load torch anyway

    return torch.cuda.is_available()


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def rounds_warning(rounds: int) -> None:
    """Each round is one exact-distribution call per side; say what that costs before a run."""
    if _has_gpu():
        st.caption(f"Each round asks each model for its exact move distribution: {rounds} rounds × 2 sides.")
        return
    low, high = SECONDS_PER_ROUND_CPU
    st.warning(
        f"On this CPU each round costs seconds per side ({low}–{high} s were measured on 2 idle CPU "
        f"cores, more on a busy machine), so {rounds} rounds × 2 sides take about {_duration(rounds * 2 * low)}–"
        f"{_duration(rounds * 2 * high)}. Try a few rounds first; a repeated run is answered from the cache."
    )


# -- tables -------------------------------------------------------------------------------------
def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _net(x: float) -> str:
    return f"{x:+.1f}"


def _frame(rows: list[tuple[str, str, str, str]], reference: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Statistic", "Base", "Aligned", reference])


def rps_frame(result: dict) -> pd.DataFrame:
    s = [result["sides"][role] for role in ROLES]

    def counts(side: dict) -> str:
        return " · ".join(str(n) for n in outcome_counts([r["outcome"] for r in side["rounds"]]).values())

    return _frame(
        [
            ("Net score, 100·(wins − losses)/rounds", *(_net(x["net_score"]) for x in s), "0"),
            ("Expected net score (exact, from the probabilities)", *(_net(x["expected_net_score"]) for x in s), "0"),
            ("Win rate", *(_pct(x["win_rate"]) for x in s), _pct(1 / 3)),
            ("Wins · ties · losses", *(counts(x) for x in s), "—"),
            *[
                (f"Predictability {label}", *(_pct(x["predictability"][state]) for x in s), _pct(1 / 3))
                for state, label in (("win", "after a win"), ("tie", "after a tie"), ("loss", "after a loss"))
            ],
            ("Min coverage (mass on a clean move)", *(_pct(x["min_coverage"]) for x in s), "—"),
        ],
        "Uniform play",
    )


def hide_and_seek_frame(result: dict) -> pd.DataFrame:
    s = [result["sides"][role] for role in ROLES]
    spots = result["params"]["spots"]
    return _frame(
        [
            ("Found rate", *(_pct(x["found_rate"]) for x in s), _pct(1 / spots)),
            ("Expected found rate (exact)", *(_pct(x["expected_found_rate"]) for x in s), _pct(1 / spots)),
            ("Net score (our definition)", *(_net(x["net_score"]) for x in s), "0"),
            ("Expected net score (exact, our definition)", *(_net(x["expected_net_score"]) for x in s), "0"),
            ("Most used spot: share of rounds", *(_pct(max(x["spot_use"].values())) for x in s), _pct(1 / spots)),
            ("Predictability after escaping", *(_pct(x["predictability"]["win"]) for x in s), _pct(1 / spots)),
            ("Predictability after being found", *(_pct(x["predictability"]["loss"]) for x in s), _pct(1 / spots)),
            ("Min coverage (mass on a clean spot)", *(_pct(x["min_coverage"]) for x in s), "—"),
        ],
        "Uniform hiding",
    )


# -- page sections ------------------------------------------------------------------------------
def _short(label: str) -> str:
    return plain(label.split(" (")[0])


def _header(result: dict, opponent: str) -> None:
    sides = result["sides"]
    rounds = result["params"]["rounds"]
    st.subheader(f"Measured here on {_short(sides['base']['model'])} vs {_short(sides['aligned']['model'])}")
    st.caption(
        f"Pair “{plain(result['pair'])}” · {rounds} rounds against **{opponent}** ({describe(opponent)}) · "
        f"seed {result['params']['seed']} · run {result['run_id']}. Measured on this machine; the game "
        "protocol is our reconstruction of unpublished details."
    )
    if result.get("pair_note"):
        st.caption(plain(result["pair_note"]))
    (st.info if result.get("cached") else st.success)(timing_text(result))
    for role in ROLES:
        if sides[role].get("format_note"):
            st.warning(f"{role.title()}: {plain(sides[role]['format_note'])}")


def _table(frame: pd.DataFrame) -> None:
    st.dataframe(frame, hide_index=True, width="stretch", height=35 * (len(frame) + 1) + 3)


def _prompts(result: dict) -> None:
    with st.expander("Prompt of round 1 sent to each side"):
        for column, role in zip(st.columns(2), ROLES, strict=True):
            side = result["sides"][role]
            column.markdown(f"**{role.title()}** · format `{side['format']}`")
            column.code(side["prompt"], language=None, wrap_lines=True)


@shows(rps.NAME)
@shows(PLAY_NAMES["rps"])  # a person's game, stored from the play-yourself mode
def show_rps(result: dict) -> None:
    sides = result["sides"]
    _header(result, result["params"]["adversary"])
    _table(rps_frame(result))
    left, right = st.columns(2, gap="large")
    left.plotly_chart(
        net_score_figure(
            sides,
            rps_round_score,
            "100·(wins − losses)/rounds so far · dotted: expected",
        ),
        key="rps.net",
    )
    right.plotly_chart(win_rate_figure(sides), key="rps.win_rate")
    left, right = st.columns(2, gap="large")
    for column, role in ((left, "base"), (right, "aligned")):
        column.plotly_chart(
            move_probability_figure(sides[role], f"{role.title()}: move probabilities"), key=f"rps.moves.{role}"
        )
    st.plotly_chart(predictability_figure(sides), key="rps.predictability")
    st.caption(
        "The paper reports that aligned models become near-deterministic after winning or tying. "
        "Coverage is low for small instruct models: the moves are renormalised over the three answers."
    )
    _prompts(result)


@shows(hide_and_seek.NAME)
@shows(PLAY_NAMES["hide-and-seek"])
def show_hide_and_seek(result: dict) -> None:
    sides, spots = result["sides"], result["params"]["spots"]
    _header(result, result["params"]["seeker"])
    _table(hide_and_seek_frame(result))
    st.caption(
        f"Net score is **our definition**: 100·(escapes − finds·(K−1))/(rounds·(K−1)) with K = {spots}, "
        "so uniform hiding scores 0 in expectation and being found every round scores −100."
    )
    z_max = max(p for role in ROLES for r in sides[role]["rounds"] for p in r["p"].values())
    left, right = st.columns(2, gap="large")
    for column, role in ((left, "base"), (right, "aligned")):
        column.plotly_chart(
            spot_heatmap(sides[role], spots, f"{role.title()}: where it would hide", z_max), key=f"hs.heatmap.{role}"
        )
    left, right = st.columns(2, gap="large")
    left.plotly_chart(found_rate_figure(sides, spots), key="hs.found_rate")
    right.plotly_chart(
        net_score_figure(
            sides, hide_and_seek_round_score(spots), "our definition · dotted: expected from the probabilities"
        ),
        key="hs.net",
    )
    st.plotly_chart(spot_use_figure(sides, spots), key="hs.spot_use")
    _prompts(result)
