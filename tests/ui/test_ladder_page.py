"""The Alignment Ladder page through AppTest and the real navigation: before a build it says how
to make the stages; with stored runs of the ladder pairs it draws them beside the paper's families."""

from __future__ import annotations

from dataclasses import replace

from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.ui_support import clear_streamlit_caches, open_page, texts  # noqa: F401  (autouse fixture)
from unpredict_core.experiments import random_integers
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

PAGE = "pages/11_Alignment_Ladder.py"


def test_before_a_build_the_page_says_how_to_build_and_draws_the_papers_families(tmp_path, monkeypatch):
    monkeypatch.setenv("UNPREDICT_LADDER_DIR", str(tmp_path / "ladders"))
    at = open_page(PAGE)
    assert at.title[0].value == "Alignment ladder: one family, stage by stage"
    shown = texts(at)
    assert "run `python -m unpredict_core ladder build`" in shown
    assert "No stored run of this experiment on ladder-sft or ladder-dpo yet" in shown
    (chart,) = at.get("plotly_chart")
    spec = chart.proto.spec
    assert "Llama-3.1-8B" in spec and "Llama-3.1-70B" in spec and "trained here" not in spec


def test_stored_ladder_runs_are_drawn_as_measured_here(tmp_path, monkeypatch):
    monkeypatch.setenv("UNPREDICT_LADDER_DIR", str(tmp_path / "ladders"))
    store, loader = Store(), ScriptedLoader()
    run_experiment(random_integers.NAME, replace(PAIR, name="ladder-sft"), random_integers.Params(), store=store,
                   load=loader)  # fmt: skip
    at = open_page(PAGE)
    (chart,) = at.get("plotly_chart")
    assert "gemma-3-270m ladder (trained here) · measured here" in chart.proto.spec
    assert "No stored run of this experiment" not in texts(at)
