"""The benchmark-vs-unpredictability scatter data: a pure function of stored runs, a benchmark
table and the paper's points; and every broken benchmark table is reported by its line."""

from __future__ import annotations

import pytest

from tests.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import random_integers, rps
from unpredict_core.runs import run_experiment
from unpredict_core.scatter import (
    PAPER_CSV,
    load_benchmarks,
    load_paper_points,
    model_key,
    parse_benchmarks,
    scatter_data,
)
from unpredict_core.scripted_pairs import PAIR as GAME_PAIR
from unpredict_core.scripted_pairs import ScriptedAwareLoader
from unpredict_core.store import Store

HEADER = "model,benchmark,score,source,note\n"
TABLE = HEADER + (
    "scripted,test benchmark,30.5,https://example.org/a,\n"  # both scripted labels start with "scripted"
    "meta-llama/Llama-3.1-70B,test benchmark,40,https://example.org/b,\n"
    "meta-llama/Llama-3.1-70B-Instruct,test benchmark,45,https://example.org/c,\n"
    "allenai/Llama-3.1-Tulu-3-70B,test benchmark,n/a,https://example.org/d,none published\n"
)


def runs_of_scripted_pair():
    store = Store()
    loader = ScriptedLoader()
    return [
        run_experiment(random_integers.NAME, PAIR, random_integers.Params(seed=s), store=store, load=loader)
        for s in (0, 1)
    ]


def test_points_average_runs_and_join_each_pair():
    results = runs_of_scripted_pair()
    data = scatter_data(results, parse_benchmarks(TABLE), "p7")
    assert {p["role"] for p in data.points} == {"base", "aligned"}
    aligned = next(p for p in data.points if p["role"] == "aligned")
    # the scripted aligned side puts 0.5 of 0.7 valid mass on 7
    assert aligned["y"] == pytest.approx(0.5 / 0.7) and aligned["runs"] == 2
    assert aligned["x"] == 30.5 and aligned["source"] == "https://example.org/a"
    base = next(p for p in data.points if p["role"] == "base")
    assert base["y"] == pytest.approx(1 / 11)
    assert data.lines == [(base, aligned)]
    assert data.reference == []  # the paper reports no P(7)


def test_a_model_without_a_score_is_listed_not_placed():
    results = runs_of_scripted_pair()
    table = HEADER + "scripted,test benchmark,n/a,https://example.org/a,\n"
    data = scatter_data(results, parse_benchmarks(table), "kl")
    assert data.points == [] and data.lines == []
    assert {p["why"] for p in data.unplaced} == {"no benchmark score"}
    missing = scatter_data(results, parse_benchmarks(HEADER + "other,b,1,src,\n"), "kl")
    assert {p["why"] for p in missing.unplaced} == {"not in the benchmark table"}


def test_paper_layer_is_separate_and_uses_the_benchmark_table():
    data = scatter_data([], parse_benchmarks(TABLE), "chi2", load_paper_points(PAPER_CSV))
    placed = {(p["size"], p["variant"]): p for p in data.reference}
    assert set(placed) == {("70B", "Base"), ("70B", "Llama-Instruct")}
    assert placed[("70B", "Base")]["y"] == 29.2 and placed[("70B", "Base")]["x"] == 40
    assert all(p["provenance"] == "reported by the paper" for p in data.reference)
    unplaced = {(p["size"], p["variant"]) for p in data.reference_unplaced}
    assert ("70B", "Tulu-Full") in unplaced and ("8B", "Base") in unplaced
    assert data.points == []


def test_game_scores_come_from_game_runs():
    store = Store()
    loader = ScriptedAwareLoader(ScriptedLoader())
    result = run_experiment(rps.NAME, GAME_PAIR, rps.Params(rounds=4), store=store, load=loader)
    data = scatter_data([result], parse_benchmarks(TABLE), "rps_net", load_paper_points(PAPER_CSV))
    ys = {p["role"]: p["y"] for p in data.points}
    assert ys == {role: result["sides"][role]["net_score"] for role in ("base", "aligned")}
    assert {p["y"] for p in data.reference} == {-15.0, -50.1}


def test_model_key_is_the_hub_id_of_the_label():
    assert model_key("google/gemma-3-270m (base, Q4_K_M GGUF)") == "google/gemma-3-270m"


def test_shipped_benchmark_table_has_a_source_for_every_row():
    table = load_benchmarks()
    assert "google/gemma-3-270m" in table and "HuggingFaceTB/SmolLM2-135M-Instruct" in table
    assert all(b.source for b in table.values())


@pytest.mark.parametrize(
    "text, expected",
    [
        (HEADER + "a,b,,src,\n", ["line 2", "(a)", "score is missing"]),
        (HEADER + "a,b,1,src,\nc,b,high,src,\n", ["line 3", "(c)", "'high' is not a number"]),
        (HEADER + "a,b,nan,src,\n", ["line 2", "not a finite number"]),
        (HEADER + "a,b,12,,\n", ["line 2", "needs its source"]),
        (HEADER + ",b,12,src,\n", ["line 2", "model is empty"]),
        ("model,benchmark,value,source\na,b,1,src\n", ["missing: ['score']"]),
        ("", ["needs a header"]),
    ],
)
def test_bad_benchmark_table_names_the_row(text, expected):
    with pytest.raises(UnpredictError) as caught:
        parse_benchmarks(text, "bench.csv")
    for part in expected:
        assert part in str(caught.value)


def test_unreadable_benchmark_table_says_so(tmp_path):
    with pytest.raises(UnpredictError, match="Cannot read the benchmark table"):
        load_benchmarks(tmp_path / "missing.csv")
