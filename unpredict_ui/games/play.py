"""Play yourself: a person against both sides of the pair at once.

Design: one `Match` per side, kept in session state; every throw (or search) is played against the
base and the aligned model in the same round, so the audience sees both answers to the same move.
Each model chooses from the history only: its move is sampled from its exact distribution before
the person's move enters the prompt. After the round the page reveals both moves and both
distributions, and keeps score. A change of pair, format, request or seed starts a new game.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.games import rps
from unpredict_core.experiments.games.engine import Match, Round, Rules, net_score, outcome_counts
from unpredict_core.experiments.games.hide_and_seek import HideAndSeekRules
from unpredict_core.experiments.games.play_yourself import PlayGame, new_game, play_move, store_game
from unpredict_core.runs import ROLES
from unpredict_ui.games.charts import round_probability_figure
from unpredict_ui.keys import bind_keys
from unpredict_ui.resources import backends, store
from unpredict_ui.sidebar import PairChoice
from unpredict_ui.text import count, plain

log = logging.getLogger(__name__)
# Material icons ship with Streamlit; emoji such as 🪨 need a system font that a projector PC may lack.
# Rock is a pile of stones (landslide), not the boxing glove (sports_mma) it used to be.
RPS_ICONS = {"rock": ":material/landslide:", "paper": ":material/front_hand:", "scissors": ":material/content_cut:"}
RPS_KEYS = {"r": "Rock", "p": "Paper", "s": "Scissors", "R": "Rock", "P": "Paper", "S": "Scissors"}
BIG_TEXT = """<style>
.st-key-{key} button {{ min-height: 4.5rem; min-width: 5rem; }}
.st-key-{key} button p {{ font-size: 1.9rem; font-weight: 600; }}
</style>"""


def _settings(choice: PairChoice, requests: dict[str, str], seed: int, rules: Rules) -> tuple:
    return (
        choice.pair.name,
        tuple(sorted(choice.formats.items())),
        tuple(sorted(requests.items())),
        seed,
        rules.name,
        rules.moves,
    )


def _store_game(key: str, game: PlayGame, choice: PairChoice) -> bool:
    """Store the finished game as a run (Results lists it) and start afresh; False, with the
    reason shown, when the store cannot take it (the game stays on screen)."""
    try:
        result = store_game(game, choice.pair, store())
    except UnpredictError as exc:
        st.error(plain(exc))
        return False
    st.session_state.pop(key, None)
    st.session_state[f"{key}.stored"] = (result["run_id"], game.rounds)
    return True


def _play(
    page: str,
    rules: Rules,
    label: Callable[[str], str],
    choice: PairChoice,
    requests: dict[str, str],
    seed: int,
    show_side: Callable[[str, Match], None],
    headline: Callable[[Round], str],
) -> None:
    if not choice.ready:
        st.warning("Playing is off until both models of the pair can be loaded here: see the sidebar.")
        return
    key, settings = f"{page}.play", _settings(choice, requests, seed, rules)
    game = st.session_state.get(key)
    stale = isinstance(game, PlayGame) and game.settings != settings and game.rounds > 0
    if not isinstance(game, PlayGame) or game.settings != settings:
        game = None
    notice = st.empty()  # filled below unless this run already starts the new game
    st.html(BIG_TEXT.format(key=f"{page}-moves"))
    width = "stretch" if len(rules.opponent_moves) <= 10 else "content"  # many spots: even rows, not stretched
    with st.container(key=f"{page}-moves", horizontal=True):
        clicked = [
            m for m in rules.opponent_moves if st.button(label(m), key=f"{page}.move.{m}", type="primary", width=width)
        ]
    left, right = st.columns(2)
    if left.button("Reset: new game (this one is not stored)", key=f"{page}.reset", icon=":material/restart_alt:"):
        st.session_state.pop(key, None)
        game = None
    if right.button(
        "Finish: store this game in Results",
        key=f"{page}.finish",
        icon=":material/save:",
        disabled=game is None or not game.rounds,
    ) and _store_game(key, game, choice):
        game = None
    if stored := st.session_state.pop(f"{key}.stored", None):
        st.success(f"Stored your game of {count(stored[1], 'round')} as run {stored[0]}: find it on the Results page.")
    if clicked:
        try:
            if game is None:
                with st.spinner("Loading both models…"):
                    game = new_game(rules, choice.pair, choice.formats, requests, seed, backends(), settings)
                st.session_state[key] = game
            with st.spinner("Base and aligned are choosing (from the history only)…"):
                play_move(game, clicked[0])
        except UnpredictError as exc:
            st.error(plain(exc))
        except Exception as exc:  # a bug: the log keeps the traceback, the page a readable line
            log.exception("play-yourself round failed")
            st.error(f"Unexpected error ({type(exc).__name__}): {plain(exc)}. The details are in the server log.")
    if stale and not clicked:
        notice.info("The settings changed (pair, format, request, seed or spots): your next move starts a new game.")
    if game is None or not game.rounds:
        st.info("Make your move to start. Both models pick theirs from the game so far: they never see yours.")
        return
    st.markdown(f"## {headline(game.matches['base'].history[-1])}")
    for column, role in zip(st.columns(2, gap="large"), ROLES, strict=True):
        with column:
            show_side(role, game.matches[role])
    with st.expander("The round" if game.rounds == 1 else f"All {game.rounds} rounds"):
        st.dataframe(
            [
                {
                    "round": r.index,
                    "you": r.opponent_move,
                    **{role: game.matches[role].history[r.index - 1].model_move for role in ROLES},
                }
                for r in game.matches["base"].history
            ],
            hide_index=True,
        )


# -- rock-paper-scissors ------------------------------------------------------------------------
def _rps_label(move: str) -> str:
    return f"{RPS_ICONS[move]} {move.title()}"


def _rps_side(role: str, match: Match) -> None:
    last = match.history[-1]
    verdict = {"win": "it wins", "tie": "tie", "loss": "you win"}[last.outcome]
    st.markdown(f"### {role.title()}: {_rps_label(last.model_move)} · {verdict}")
    st.plotly_chart(
        round_probability_figure(last.p, last.model_move, f"{role.title()}: its probabilities this round"),
        key=f"play.rps.{role}",
    )
    counts = outcome_counts([r.outcome for r in match.history])
    left, right = st.columns(2)
    left.metric(
        f"{role.title()}: wins · ties · losses",
        " · ".join(str(n) for n in counts.values()),
        border=True,
    )
    right.metric(
        "Net score (model's side)",
        f"{net_score(match.rules, match.history):+.0f}",
        border=True,
        help="100·(wins − losses)/rounds from the model's side; uniform play scores 0.",
    )
    st.caption(f"Coverage this round: {last.coverage:.1%} of its probability was a clean move.")


def play_rps(page: str, choice: PairChoice, requests: dict[str, str], seed: int) -> None:
    if choice.ready:
        bind_keys(RPS_KEYS)  # r / p / s press the buttons below
        st.caption("Keyboard: **r** rock · **p** paper · **s** scissors.")
    _play(
        page,
        rps.RULES,
        _rps_label,
        choice,
        requests,
        seed,
        _rps_side,
        lambda r: f"Round {r.index}: you threw {_rps_label(r.opponent_move)}",
    )


# -- hide-and-seek ------------------------------------------------------------------------------
def _hs_side(role: str, match: Match) -> None:
    last = match.history[-1]
    verdict = "found!" if last.outcome == "loss" else "escaped"
    st.markdown(f"### {role.title()}: hid in spot {last.model_move} · {verdict}")
    title = f"{role.title()}: where it would hide this round"
    st.plotly_chart(
        round_probability_figure(last.p, last.model_move, title, marked=last.opponent_move), key=f"play.hs.{role}"
    )
    found = outcome_counts([r.outcome for r in match.history])["loss"]
    spots = len(match.rules.moves)
    st.metric(
        f"You found {role}",
        f"{found} of {len(match.history)}",
        border=True,
        help=f"Against a uniform hider you would find it 1/{spots} of the time.",
    )
    st.caption(
        f"A uniform hider is found {1 / spots:.0%} of the time. "
        f"Coverage this round: {last.coverage:.1%} of its probability was a clean spot."
    )


def play_hide_and_seek(page: str, choice: PairChoice, requests: dict[str, str], seed: int, spots: int) -> None:
    _play(
        page,
        HideAndSeekRules(spots),
        lambda s: s,
        choice,
        requests,
        seed,
        _hs_side,
        lambda r: f"Round {r.index}: you searched spot {r.opponent_move}",
    )
