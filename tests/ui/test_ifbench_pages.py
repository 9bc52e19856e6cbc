"""The IFBench and IFEval pages and the scatter page in AppTest: a stored result is shown as scores,
exclusions and browsable prompts (IFEval's on the leaderboard's scale); the scatter page defaults to
the paper's x (IFEval, the paper's models reported, ours measured) and its one button measures the
picked (real default) pair and places both sides."""

from __future__ import annotations

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.ui_support import clear_streamlit_caches, open_page, texts  # noqa: F401  (autouse fixture)
from unpredict_core.experiments import ifbench, ifeval, random_integers
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


def scripted_runs() -> dict:
    store, loader = Store(), ScriptedLoader()
    run_experiment(random_integers.NAME, PAIR, random_integers.Params(), store=store, load=loader)
    return run_experiment(ifbench.NAME, PAIR, ifbench.Params(limit=3), store=store, load=loader)


def point_table(at):
    """The scatter page's table of every point with its x and y sources."""
    return next(d.value for d in at.dataframe if "x_source" in d.value.columns)


def test_ifbench_page_shows_scores_exclusions_and_prompts():
    result = scripted_runs()
    at = open_page("pages/8_IFBench.py")
    assert at.number_input(key="kept.ifbench.limit").value == ifbench.default_limit()
    at.session_state["ifbench"] = {"result": result, "settings": {}}
    at.run()
    assert not at.exception
    scores = at.dataframe[0].value
    assert list(scores["accuracy"]) == ["prompt-level strict", "prompt-level loose", "instruction-level strict",
                                         "instruction-level loose"]  # fmt: skip
    assert all("[" in cell for cell in scores.iloc[:, 1])  # every accuracy with its interval
    shown = texts(at)
    if result["sides"]["base"]["excluded"]["prompts"]:
        assert "excluded: their types cannot be checked here" in shown
    prompts = at.dataframe[1].value
    assert len(prompts) == 3 and {"prompt", "response", "failed (strict)"} <= set(prompts.columns)
    assert any(result["sides"]["base"]["prompts"][0]["prompt"] == c.value for c in at.code)  # shown as text


def test_ifeval_page_shows_the_leaderboard_score_of_each_side():
    store, loader = Store(), ScriptedLoader()
    result = run_experiment(ifeval.NAME, PAIR, ifeval.Params(limit=3), store=store, load=loader)
    at = open_page("pages/10_IFEval.py")
    assert at.number_input(key="kept.ifeval.limit").value == ifeval.SUITE.default_limit()
    at.session_state["ifeval"] = {"result": result, "settings": {}}
    at.run()
    assert not at.exception and not at.error
    shown = [m.value for m in at.metric]
    assert shown == [f"{result['sides'][r]['metrics']['oll_ifeval']:.1f}" for r in ("base", "aligned")]
    assert "leaderboard's scale" in texts(at) and "Too few to tell (3 prompts a side)" in texts(at)


def test_scatter_page_defaults_to_the_papers_axis_with_the_papers_ten_models():
    scripted_runs()
    run_experiment(ifeval.NAME, PAIR, ifeval.Params(limit=3), store=Store(), load=ScriptedLoader())
    at = open_page("pages/6_Benchmark_vs_Unpredictability.py")
    assert not at.exception and not at.error
    x_select = next(s for s in at.selectbox if s.label == "Benchmark score (x)")
    assert x_select.value == "ifeval"
    points = point_table(at)
    assert set(points["side"]) >= {"base", "aligned"}
    measured = points[points["provenance"] == "measured here"]
    assert measured["placed"].all() and measured["x_source"].str.contains("IFEval, measured here").all()
    reported = points[points["provenance"] == "reported by the paper"]
    assert len(reported) == 10 and reported["placed"].all()
    assert (reported["x_provenance"] == "reported by the leaderboard").all()
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.real_models
def test_scatter_button_measures_the_default_pair(monkeypatch):
    import unpredict_ui.results.scatter_measure as measure

    small = [
        (ifeval.NAME, ifeval.Params(limit=2, max_new_tokens=16)),
        (random_integers.NAME, random_integers.Params()),
    ]
    monkeypatch.setattr(measure, "measurement_plan", lambda y_key: small)  # CI-sized; the page's own is larger
    at = open_page("pages/6_Benchmark_vs_Unpredictability.py", timeout=400)
    before = point_table(at)
    assert set(before["provenance"]) == {"reported by the paper"}  # the paper's models, none of ours yet
    at.button(key="scatter.measure").click().run(timeout=400)
    assert not at.exception and not at.error, [e.value for e in at.error]
    points = point_table(at)
    measured = points[points["provenance"] == "measured here"]
    assert set(measured["side"]) == {"base", "aligned"} and measured["placed"].all()
    assert len(at.get("plotly_chart")) == 1
