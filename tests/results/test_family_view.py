"""The family view: the ladder's stages from the stored runs of ladder-sft and ladder-dpo (measured
here, with intervals) beside the paper's reported families; and the ladder's path on Figure 1."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.scripted_pair import PAIR, SCRIPTS, ScriptedLoader
from unpredict_core.backends.models import ModelSpec
from unpredict_core.experiments import ifeval, random_integers
from unpredict_core.results.family_view import LADDER_FAMILY, family_view, ladder_path
from unpredict_core.results.scatter import PAPER_CSV, available_axes, load_paper_points, scatter_data
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

DPO_SIDE = ModelSpec("scripted sharper seven-lover", "scripted", "sharper", default_format="chat")


@pytest.fixture(autouse=True)
def sharper_script(monkeypatch):
    """The DPO stage is another model than the SFT stage: a sharper seven-lover."""
    monkeypatch.setitem(SCRIPTS, "sharper", {"7": 0.8, " 3": 0.1})


def ladder_runs(experiment, params):
    store, loader = Store(), ScriptedLoader()
    pairs = (replace(PAIR, name="ladder-sft"), replace(PAIR, name="ladder-dpo", aligned=DPO_SIDE))
    return [run_experiment(experiment, pair, params, store=store, load=loader) for pair in pairs]


def test_the_ladder_stages_come_from_their_pairs_beside_the_papers_families():
    results = ladder_runs(random_integers.NAME, random_integers.Params())
    view = family_view(results, "chi2", load_paper_points(PAPER_CSV))
    ladder, *paper = view["families"]
    assert ladder["family"] == LADDER_FAMILY and ladder["provenance"] == "measured here"
    assert [p["stage"] for p in ladder["points"]] == ["Base", "SFT", "DPO"]
    base = ladder["points"][0]
    assert base["runs"] == 2  # the base side of both pairs is one model
    assert all(p["y_method"] == "exact" and "measured here" in p["y_source"] for p in ladder["points"])
    assert ladder["points"][2]["y"] > ladder["points"][1]["y"]  # the sharper DPO side is further from uniform
    assert [f["family"] for f in paper] == ["Llama-3.1-8B", "Llama-3.1-70B"]
    eight = {p["stage"]: p["y"] for p in paper[0]["points"]}
    assert eight == {"Base": 13.9, "SFT": 52.3, "DPO": 100.8, "Full": 129.1, "Instruct": 115.1}
    assert all(p["provenance"] == "reported by the paper" and p["y_ci"] is None for p in paper[0]["points"])


def test_without_ladder_runs_only_the_papers_families_are_drawn():
    store, loader = Store(), ScriptedLoader()
    results = [run_experiment(random_integers.NAME, PAIR, random_integers.Params(), store=store, load=loader)]
    view = family_view(results, "chi2", load_paper_points(PAPER_CSV))
    assert [f["provenance"] for f in view["families"]] == ["reported by the paper"] * 2


def test_on_figure_1_the_ladder_is_joined_base_to_sft_to_dpo():
    results = ladder_runs(random_integers.NAME, random_integers.Params())
    results += ladder_runs(ifeval.NAME, ifeval.Params(limit=4))
    data = scatter_data(results, available_axes(results)["ifeval"], "chi2", load_paper_points(PAPER_CSV))
    path = ladder_path(data.points)
    assert [(p["pair"], p["role"]) for p in path] == [
        ("ladder-dpo", "base"), ("ladder-sft", "aligned"), ("ladder-dpo", "aligned")
    ] or [(p["pair"], p["role"]) for p in path] == [("ladder-sft", "base"), ("ladder-sft", "aligned"),
                                                    ("ladder-dpo", "aligned")]  # fmt: skip
    assert ladder_path([p for p in data.points if p["pair"] == "ladder-sft" and p["role"] == "base"]) == []


@pytest.mark.parametrize(
    ("score", "stages"), [("rps_net", ["Base", "Instruct"]), ("hs_net", ["Base", "Full", "Instruct"])]
)
def test_the_games_family_views_carry_the_papers_70b_stages(score, stages):
    view = family_view([], score, load_paper_points(PAPER_CSV))
    (family,) = view["families"]
    assert family["family"] == "Llama-3.1-70B" and [p["stage"] for p in family["points"]] == stages
