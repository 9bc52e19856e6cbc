"""The alignment dial page through AppTest and the real navigation, with scripted models behind the
page's model loader (numbers and moves): it sweeps α, draws both scores against α, and always says
which kind of mixture it used; a kind the pair does not allow is refused with what it allows."""

from __future__ import annotations

import json

import pytest

import unpredict_ui.dial
from tests.support.ui_support import clear_streamlit_caches, open_page, shown, texts  # noqa: F401  (autouse fixture)
from unpredict_core.backends.models import DEFAULT_PAIR
from unpredict_core.backends.scripted import ScriptedBackend

PAGE = "pages/9_Alignment_Dial.py"
SCRIPTS = {
    "base": ({"rock": 0.3, "paper": 0.3, "scissors": 0.3}, {str(i): 1 / 11 for i in range(11)}),
    "aligned": ({"rock": 0.8, "paper": 0.1, "scissors": 0.05}, {"7": 0.6, "3": 0.2, "5": 0.1}),
}


@pytest.fixture
def scripted_models(monkeypatch):
    """The default pair's two specs answered by scripted models (no weights are loaded)."""
    models = {}
    for role, (moves, numbers) in SCRIPTS.items():
        script = lambda prompt, moves=moves, numbers=numbers: moves if "rock" in prompt.lower() else numbers
        models[DEFAULT_PAIR.side(role)] = ScriptedBackend(script, f"scripted {role}")
    monkeypatch.setattr(unpredict_ui.dial, "loader", lambda: lambda spec, progress=None: models[spec])
    return models


def test_dial_page_renders_with_slider_mixture_and_hint():
    at = open_page(PAGE)
    assert at.title[0].value == "Alignment dial"
    assert at.slider(key="dial.alpha").value == 0.5
    assert at.selectbox(key="dial.mix").options == [
        "auto (what the pair allows)",
        "token mixture",
        "weight interpolation",
        "answer mixture",
    ]
    assert "Press **Sweep α**" in texts(at)


def test_sweep_draws_both_scores_against_alpha_and_names_the_kind(scripted_models):
    at = open_page(PAGE)
    at.number_input(key="kept.dial.rounds").set_value(3).run()
    at.button(key="dial.sweep").click().run(timeout=120)
    assert not at.exception
    page = texts(at)
    assert "Mixture: answer mixture." in page and "answers only" in page
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    for chart in charts:
        traces = json.loads(chart.proto.spec)["data"]
        assert traces[0]["x"] == [0.0, 0.25, 0.5, 0.75, 1.0]
        assert {t["name"] for t in traces[1:]} == {"base side alone", "aligned side alone"}
    # α=0 and α=1 are the two sides: each curve starts at base and ends at aligned
    entropy = json.loads(charts[0].proto.spec)["data"]
    assert entropy[0]["y"][0] == pytest.approx(entropy[1]["y"][0]) and entropy[0]["y"][-1] == pytest.approx(
        entropy[2]["y"][0]
    )


def test_a_kind_the_pair_does_not_allow_says_what_it_allows(scripted_models):
    at = open_page(PAGE)
    at.selectbox(key="dial.mix").set_value("token").run()
    at.button(key="dial.one").click().run(timeout=60)
    assert any("This pair allows: answer mixture" in shown(e.value) for e in at.error)


def test_a_stored_mixed_side_opens_on_the_results_and_scatter_pages():
    """The dial stores the mixed side as its own run: the Results page opens it (as JSON, it has no
    base or aligned side to draw) and the scatter still renders, with no exception."""
    from streamlit.testing.v1 import AppTest

    from tests.support.scripted_pair import PAIR, ScriptedLoader
    from tests.support.ui_support import ROOT
    from unpredict_core.dial import run_with_mixed
    from unpredict_core.experiments import random_integers as ri
    from unpredict_core.store.database import Store

    result = run_with_mixed("random-integers", PAIR, ri.Params(), alpha=0.5, store=Store(), load=ScriptedLoader())
    at = AppTest.from_file(str(ROOT / "pages/5_Results.py"), default_timeout=60).run()
    assert not at.exception and "**2 runs**" in at.markdown[0].value
    at.selectbox(key="kept.results.run").set_value(result["mixed_run_id"]).run()
    assert not at.exception and not at.error
    scatter = AppTest.from_file(str(ROOT / "pages/6_Benchmark_vs_Unpredictability.py"), default_timeout=60).run()
    assert not scatter.exception
