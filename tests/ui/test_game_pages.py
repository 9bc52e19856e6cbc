"""The rock-paper-scissors and hide-and-seek pages through AppTest and the real navigation: results
of scripted players injected as in test_app.py, play-yourself against scripted players put behind
the page's model loader, bad input, and one short run per page on the real default pair."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import unpredict_ui.games.play
from tests.support.ui_support import clear_streamlit_caches, open_page, shown, texts  # noqa: F401  (autouse fixture)
from unpredict_core.backends.models import DEFAULT_PAIR, ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend, constant
from unpredict_core.experiments.games import hide_and_seek, rps
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store
from unpredict_ui.games.charts import predictability_figure, spot_heatmap
from unpredict_ui.games.view import hide_and_seek_frame, rps_frame

ROOT = Path(__file__).resolve().parents[2]
RPS_PAGE, HS_PAGE = "pages/2_Rock_Paper_Scissors.py", "pages/3_Hide_and_Seek.py"
MODEL_LOAD_S = 600  # first use converts the GGUFs; then each round costs seconds per side on a CPU
CYCLE = ("rock", "paper", "scissors")


def cycling(prompt: str) -> dict[str, float]:
    """Mostly the move after its last one: predictable, so an adversary can learn it."""
    played = len(re.findall(r"^Round \d+: A played", prompt, flags=re.MULTILINE))
    return {CYCLE[played % 3]: 0.8, CYCLE[(played + 1) % 3]: 0.1}


def favourite_spot(prompt: str) -> dict[str, float]:
    return {"3": 0.7, "5": 0.2}


SCRIPTED_PAIR = ModelPair(
    "scripted",
    ModelSpec("fake base", "scripted", "base"),
    ModelSpec("fake aligned", "scripted", "aligned", default_format="chat"),
)


def scripted_result(experiment: str, params) -> dict:
    scripts = {
        "rps": {"base": constant({" rock": 0.3, " paper": 0.3, " scissors": 0.3}), "aligned": cycling},
        "hide-and-seek": {"base": constant({str(s): 0.1 for s in range(1, 8)}), "aligned": favourite_spot},
    }[experiment]
    backends = {role: ScriptedBackend(s, label=f"fake {role}") for role, s in scripts.items()}
    return run_experiment(
        experiment, SCRIPTED_PAIR, params, store=Store(), load=lambda spec, progress: backends[spec.location]
    )


# -- results display, from scripted players --------------------------------------------------------
def test_rps_page_renders_before_any_run():
    at = open_page(RPS_PAGE)
    assert at.title[0].value == "Rock-paper-scissors"
    assert at.number_input(key="kept.rps.rounds").value == 50
    assert at.selectbox(key="kept.rps.opponent").value == "greedy"
    shown = texts(at)
    assert "our reconstruction" in shown and "1.5–5 s were measured on 2 idle CPU cores" in shown
    assert not at.error


def test_rps_result_display():
    result = scripted_result("rps", rps.Params(adversary="markov1", rounds=30, seed=2))
    at = open_page(RPS_PAGE)
    at.session_state["rps"] = {"result": result, "settings": {}}
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Measured here on fake base vs fake aligned" in shown
    assert "our reconstruction" in shown and "markov1" in shown
    frame = at.dataframe[0].value.set_index("Statistic")
    assert frame.loc["Win rate", "Uniform play"] == "33.3%"
    assert frame.loc["Net score, 100·(wins − losses)/rounds", "Aligned"].startswith("-")  # markov1 learns it
    assert len(at.get("plotly_chart")) == 5
    assert "<user>" in "\n".join(c.value for c in at.code)  # the aligned side's chat prompt


def test_rps_frame_and_missing_predictability_are_not_zero():
    result = scripted_result("rps", rps.Params(adversary="greedy", rounds=5, seed=0))
    side = result["sides"]["aligned"]
    side["predictability"] = {"win": None, "tie": 0.9, "loss": 0.5}
    assert rps_frame(result).set_index("Statistic").loc["Predictability after a win", "Aligned"] == "—"
    bars = {bar.name: list(bar.y) for bar in predictability_figure(result["sides"]).data}
    assert bars["aligned"][0] is None and bars["aligned"][1] == 0.9


def test_hide_and_seek_result_display():
    result = scripted_result("hide-and-seek", hide_and_seek.Params(seeker="greedy", spots=7, rounds=20, seed=1))
    at = open_page(HS_PAGE)
    at.session_state["hide_and_seek"] = {"result": result, "settings": {}}
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "Measured here on fake base vs fake aligned" in shown
    assert "our definition" in shown and "our reconstruction" in shown
    frame = hide_and_seek_frame(result).set_index("Statistic")
    assert frame.loc["Found rate", "Uniform hiding"] == "14.3%"
    assert result["sides"]["aligned"]["found_rate"] > 0.5  # a favourite spot, and greedy searches it
    assert len(at.get("plotly_chart")) == 5
    heatmap = spot_heatmap(result["sides"]["aligned"], 7, "t", 1.0).data[0]
    assert len(heatmap.z) == 20 and len(heatmap.z[0]) == 7


# -- bad input -------------------------------------------------------------------------------------
def test_rounds_and_spots_out_of_range_are_refused_by_the_widgets():
    """The number inputs have bounds: an out-of-range value is refused and the last one kept."""
    at = open_page(HS_PAGE)
    for key, bad, kept in (
        ("kept.hide_and_seek.rounds", 0, 50),
        ("kept.hide_and_seek.spots", 1, 7),
        ("kept.hide_and_seek.spots", 51, 7),
    ):
        at.number_input(key=key).set_value(bad).run()
        assert not at.exception
        assert at.number_input(key=key).value == kept
    at = open_page(RPS_PAGE)
    at.number_input(key="kept.rps.rounds").set_value(0).run()
    assert not at.exception and at.number_input(key="kept.rps.rounds").value == 50


def test_params_out_of_range_give_clear_messages():
    with pytest.raises(Exception, match="rounds must be between 1"):
        rps.Params(rounds=0).validate()
    with pytest.raises(Exception, match="spots must be between 2 and 50"):
        hide_and_seek.Params(spots=51).validate()


# -- play yourself, against scripted players behind the page's loader --------------------------------
PLAYERS = {  # rock-paper-scissors / hide-and-seek scripts per side
    "base": ({" rock": 0.3, " paper": 0.3, " scissors": 0.3}, {"3": 0.5, "4": 0.5}),
    "aligned": ({"rock": 0.9}, {"3": 1.0}),
}


@pytest.fixture
def scripted_players(monkeypatch):
    """Scripted players behind the page's model loader (the default pair's specs pick the side)."""
    made: dict[str, ScriptedBackend] = {}

    def loader(spec, progress=None):
        role = "base" if spec == DEFAULT_PAIR.base else "aligned"
        moves, spots = PLAYERS[role]
        script = lambda prompt: spots if "hide-and-seek" in prompt else moves
        return made.setdefault(role, ScriptedBackend(script, f"fake {role}"))

    monkeypatch.setattr(unpredict_ui.games.play, "backends", lambda: loader)
    return made


def test_play_rps_three_throws_keep_score(scripted_players):
    at = open_page(RPS_PAGE)
    at.radio(key="kept.rps.mode").set_value("play").run()
    assert "Make your move" in texts(at)
    for move in ("paper", "paper", "rock"):
        at.button(key=f"rps.move.{move}").click().run()
        assert not at.exception
        assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "Round 3: you threw :material/landslide: Rock" in shown
    assert "Aligned: :material/landslide: Rock · tie" in shown  # the scripted aligned side always plays rock
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Aligned: wins · ties · losses"] == "0 · 1 · 2"
    assert sum(int(x) for x in metrics["Base: wins · ties · losses"].split(" · ")) == 3
    assert scripted_players["base"].calls == 3 and scripted_players["aligned"].calls == 3

    at.button(key="rps.reset").click().run()
    assert "Make your move" in texts(at)
    assert not at.metric


def test_play_with_a_model_that_gives_no_move_shows_an_error(monkeypatch):
    silent = ScriptedBackend(constant({"banana": 1.0}), "fake silent")
    monkeypatch.setattr(unpredict_ui.games.play, "backends", lambda: lambda spec, progress=None: silent)
    at = open_page(RPS_PAGE)
    at.radio(key="kept.rps.mode").set_value("play").run()
    at.button(key="rps.move.rock").click().run()
    assert not at.exception
    assert any("no probability on any move" in shown(e.value) for e in at.error)
    assert "Make your move" in texts(at)  # no half-played round is shown


def test_play_with_garbage_in_session_state_starts_afresh(scripted_players):
    at = open_page(RPS_PAGE)
    at.radio(key="kept.rps.mode").set_value("play").run()
    at.session_state["rps.play"] = {"not": "a game"}
    at.button(key="rps.move.scissors").click().run()
    assert not at.exception and not at.error
    assert "Round 1: you threw :material/content_cut: Scissors" in texts(at)


def test_play_hide_and_seek_counts_finds(scripted_players):
    at = open_page(HS_PAGE)
    at.radio(key="kept.hide_and_seek.mode").set_value("play").run()
    for spot in ("3", "3"):
        at.button(key=f"hide_and_seek.move.{spot}").click().run()
        assert not at.exception and not at.error
    shown = texts(at)
    assert "Round 2: you searched spot 3" in shown
    assert "Aligned: hid in spot 3 · found!" in shown
    assert {m.label: m.value for m in at.metric}["You found aligned"] == "2 of 2"
    at.number_input(key="kept.hide_and_seek.spots").set_value(5).run()  # new rules: a new game
    assert "next move starts a new game" in texts(at)


# -- the real default pair ---------------------------------------------------------------------------
@pytest.mark.real_models
def test_rps_two_rounds_on_default_pair():
    at = open_page(RPS_PAGE, timeout=MODEL_LOAD_S)
    at.number_input(key="kept.rps.rounds").set_value(2).run()
    at.button(key="rps.run").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Measured here on google/gemma-3-270m vs HuggingFaceTB/SmolLM2-135M-Instruct" in texts(at)
    frame = at.dataframe[0].value.set_index("Statistic")
    assert frame.loc["Min coverage (mass on a clean move)", "Base"].endswith("%")
    assert "<|im_start|>" in "\n".join(c.value for c in at.code)


@pytest.mark.real_models
def test_hide_and_seek_two_rounds_on_default_pair():
    at = open_page(HS_PAGE, timeout=MODEL_LOAD_S)
    at.number_input(key="kept.hide_and_seek.rounds").set_value(2).run()
    at.button(key="hide_and_seek.run").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Measured here on" in texts(at)
    frame = at.dataframe[0].value.set_index("Statistic")
    assert frame.loc["Found rate", "Uniform hiding"] == "14.3%"


def test_a_finished_play_yourself_game_is_stored_as_a_run(scripted_players):
    at = open_page(RPS_PAGE)
    at.radio(key="kept.rps.mode").set_value("play").run()
    assert at.button(key="rps.finish").disabled  # nothing played yet
    for move in ("paper", "rock"):
        at.button(key=f"rps.move.{move}").click().run()
    at.button(key="rps.finish").click().run()
    assert not at.exception and not at.error
    assert "Stored your game of 2 rounds" in texts(at) and "Make your move" in texts(at)
    (stored,) = Store().query_runs(experiments=["rps-play-yourself"])
    assert stored["params"]["rounds"] == 2 and stored["sides"]["aligned"]["rounds"][1]["adversary_move"] == "rock"
    from streamlit.testing.v1 import AppTest

    results = AppTest.from_file(str(ROOT / "pages/5_Results.py"), default_timeout=60).run()
    results.selectbox(key="kept.results.run").set_value(stored["run_id"]).run()
    assert not results.exception and not results.error
    assert "against **person**" in " ".join(c.value for c in results.caption)


def test_the_paper_stands_beside_the_measurement_and_an_opposite_result_is_said():
    result = scripted_result("hide-and-seek", hide_and_seek.Params(seeker="greedy", spots=7, rounds=20, seed=1))
    at = open_page(HS_PAGE)
    at.session_state["hide_and_seek"] = {"result": result, "settings": {}}
    at.run()
    shown = texts(at)
    assert "**Reported by the paper** · score against the seeker: base +51.0 · aligned -38.0" in shown
    assert "**Measured here** · base" in shown and "coverage" in shown
    assert "score definition unpublished" in shown
    assert not any("Unlike the paper" in w.value for w in at.warning)  # the favourite-spot side is found
    assert "As in the paper: base models hide less predictably" in shown
    flipped = result | {"sides": {"base": result["sides"]["aligned"], "aligned": result["sides"]["base"]}}
    at.session_state["hide_and_seek"] = {"result": flipped, "settings": {}}
    at.run()
    assert any("Unlike the paper: base models hide less predictably" in w.value for w in at.warning)
    short = scripted_result("hide-and-seek", hide_and_seek.Params(seeker="greedy", spots=7, rounds=2, seed=1))
    at.session_state["hide_and_seek"] = {"result": short, "settings": {}}
    at.run()
    assert "Too few to tell (2 rounds a side)" in texts(at)
