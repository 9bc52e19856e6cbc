"""The benchmark-vs-unpredictability scatter data: a pure function of stored runs, a benchmark
table and the paper's points; and every broken benchmark table is reported by its line."""

from __future__ import annotations

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.backends.scripted_pairs import PAIR as GAME_PAIR
from unpredict_core.backends.scripted_pairs import ScriptedAwareLoader
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import random_integers
from unpredict_core.experiments.games import rps
from unpredict_core.results.benchmark_axis import model_key, table_axis
from unpredict_core.results.scatter import (
    PAPER_CSV,
    load_benchmarks,
    load_paper_points,
    parse_benchmarks,
    scatter_data,
)
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

HEADER = "model,benchmark,score,source,note\n"
TABLE = HEADER + (
    "scripted,test benchmark,30.5,https://example.org/a,\n"  # both scripted labels start with "scripted"
    "meta-llama/Llama-3.1-70B,test benchmark,40,https://example.org/b,\n"
    "meta-llama/Llama-3.1-70B-Instruct,test benchmark,45,https://example.org/c,\n"
    "allenai/Llama-3.1-Tulu-3-70B,test benchmark,n/a,https://example.org/d,none published\n"
)


def table(text: str):
    return table_axis(parse_benchmarks(text))


def runs_of_scripted_pair():
    store = Store()
    loader = ScriptedLoader()
    return [
        run_experiment(random_integers.NAME, PAIR, random_integers.Params(seed=s), store=store, load=loader)
        for s in (0, 1)
    ]


def test_points_average_runs_and_join_each_pair():
    results = runs_of_scripted_pair()
    data = scatter_data(results, table(TABLE), "p7")
    assert {p["role"] for p in data.points} == {"base", "aligned"}
    aligned = next(p for p in data.points if p["role"] == "aligned")
    # the scripted aligned side puts 0.5 of 0.7 valid mass on 7
    assert aligned["y"] == pytest.approx(0.5 / 0.7) and aligned["runs"] == 2
    assert aligned["x"] == 30.5 and aligned["x_source"] == "test benchmark: https://example.org/a"
    assert aligned["x_provenance"] == "sourced table" and "measured here" in aligned["y_source"]
    base = next(p for p in data.points if p["role"] == "base")
    assert base["y"] == pytest.approx(1 / 11)
    assert data.lines == [(base, aligned)]
    assert data.reference == []  # the paper reports no P(7)


def test_a_model_without_a_score_is_listed_not_placed():
    results = runs_of_scripted_pair()
    data = scatter_data(results, table(HEADER + "scripted,test benchmark,n/a,https://example.org/a,\n"), "kl")
    assert data.points == [] and data.lines == []
    assert {p["why"] for p in data.unplaced} == {"no benchmark score (n/a in the table)"}
    missing = scatter_data(results, table(HEADER + "other,b,1,src,\n"), "kl")
    assert {p["why"] for p in missing.unplaced} == {"not in the benchmark table"}


def test_paper_layer_is_separate_and_uses_the_benchmark_table():
    data = scatter_data([], table(TABLE), "chi2", load_paper_points(PAPER_CSV))
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
    data = scatter_data([result], table(TABLE), "rps_net", load_paper_points(PAPER_CSV))
    ys = {p["role"]: p["y"] for p in data.points}
    assert ys == {role: result["sides"][role]["net_score"] for role in ("base", "aligned")}
    assert {p["y"] for p in data.reference} == {-15.0, -50.1}


def test_model_key_is_the_hub_id_of_the_label():
    assert model_key("google/gemma-3-270m (base, Q4_K_M GGUF)") == "google/gemma-3-270m"


def test_shipped_benchmark_table_has_a_source_for_every_row():
    shipped = load_benchmarks()
    assert "google/gemma-3-270m" in shipped and "HuggingFaceTB/SmolLM2-135M-Instruct" in shipped
    assert all(b.source for b in shipped.values())


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


# -- x measured here (IFBench) and from a local leaderboard copy ---------------------------------
def test_measured_ifbench_places_both_sides_with_provenance():
    from unpredict_core.experiments import ifbench
    from unpredict_core.results.benchmark_axis import default_x, ifbench_axis
    from unpredict_core.results.scatter import available_axes

    store, loader = Store(), ScriptedLoader()
    bench = run_experiment(ifbench.NAME, PAIR, ifbench.Params(limit=3), store=store, load=loader)
    results = runs_of_scripted_pair() + [bench]
    axes = available_axes(results)
    assert default_x(axes) == "ifeval"  # the paper's own x, whatever else is measured
    data = scatter_data(results, ifbench_axis(results, "instruction_loose"), "p7", load_paper_points(PAPER_CSV))
    assert {p["role"] for p in data.points} == {"base", "aligned"} and not data.unplaced
    for point in data.points:
        accuracy = bench["sides"][point["role"]]["accuracy"]["instruction_loose"]
        assert point["x"] == pytest.approx(100 * accuracy["value"])
        assert point["x_provenance"] == "measured here" and bench["run_id"] in point["x_source"]
    chi2 = scatter_data(results, ifbench_axis(results, "prompt_strict"), "chi2", load_paper_points(PAPER_CSV))
    assert chi2.reference == [] and chi2.reference_unplaced  # the paper's models were not measured here
    assert all("not measured on IFBench here" in p["why"] for p in chi2.reference_unplaced)


def test_the_default_x_places_the_papers_ten_models_before_anything_is_measured():
    from unpredict_core.results.benchmark_axis import default_x
    from unpredict_core.results.scatter import available_axes

    results = runs_of_scripted_pair()
    axes = available_axes(results)
    assert default_x(axes) == "ifeval"
    data = scatter_data(results, axes["ifeval"], "chi2", load_paper_points(PAPER_CSV))
    assert len(data.reference) == 10 and not data.reference_unplaced
    assert all(p["x_provenance"] == "reported by the leaderboard" for p in data.reference)
    tulu = next(p for p in data.reference if p["model"] == "allenai/Llama-3.1-Tulu-3-8B")
    assert tulu["x"] == 82.67 and "bfloat16" in tulu["x_source"] and "82.55" in tulu["x_source"]  # the other entry
    assert {p["role"] for p in data.unplaced} == {"base", "aligned"}  # ours wait for an IFEval run
    assert all("no IFEval run" in p["why"] for p in data.unplaced)
    stages = [[p["variant"] for p in path] for path in data.reference_paths]
    assert stages.count(["Base", "Llama-Instruct"]) == 2
    assert stages.count(["Base", "Tulu-SFT", "Tulu-DPO", "Tulu-Full"]) == 2


def test_measured_ifeval_puts_our_pair_on_the_papers_axis_with_its_interval():
    from unpredict_core.experiments import ifeval
    from unpredict_core.results.scatter import available_axes

    store, loader = Store(), ScriptedLoader()
    bench = run_experiment(ifeval.NAME, PAIR, ifeval.Params(limit=4), store=store, load=loader)
    results = runs_of_scripted_pair() + [bench]
    data = scatter_data(results, available_axes(results)["ifeval"], "chi2", load_paper_points(PAPER_CSV))
    assert {p["role"] for p in data.points} == {"base", "aligned"} and len(data.reference) == 10
    for point in data.points:
        score = bench["sides"][point["role"]]["accuracy"]["oll_ifeval"]
        assert point["x"] == pytest.approx(score["value"]) and point["x_ci"] == pytest.approx(score["ci"])
        assert point["x_provenance"] == "measured here" and bench["run_id"] in point["x_source"]
        assert point["x_ci"][0] <= point["x"] <= point["x_ci"][1]


def write_leaderboard(cache, rows):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = cache / "datasets--open-llm-leaderboard--contents" / "snapshots" / "0123abcd" / "data"
    folder.mkdir(parents=True)
    columns = ["eval_name", "Precision", "fullname", "Average ⬆️", "IFEval", "IFEval Raw", "BBH", "MMLU-PRO"]
    pq.write_table(pa.table({c: [r.get(c) for r in rows] for c in columns}), folder / "train-00000-of-00001.parquet")


def test_a_local_leaderboard_copy_gives_x_with_its_column(tmp_path, monkeypatch):
    from unpredict_core.results.scatter import available_axes

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    assert not any(k.startswith("leaderboard:") for k in available_axes([]))  # no copy: nothing changes
    write_leaderboard(tmp_path, [
        {"fullname": "scripted", "Precision": "float16", "Average ⬆️": 11.0, "IFEval": 20.0, "BBH": 3.0},
        {"fullname": "scripted", "Precision": "bfloat16", "Average ⬆️": 12.5, "IFEval": 21.0, "BBH": 4.0},
        {"fullname": "meta-llama/Llama-3.1-70B", "Precision": "bfloat16", "Average ⬆️": 40.0, "IFEval": None},
    ])  # fmt: skip
    axes = available_axes(runs_of_scripted_pair())
    assert {"leaderboard:Average ⬆️", "leaderboard:IFEval", "leaderboard:BBH"} <= set(axes)
    data = scatter_data(runs_of_scripted_pair(), axes["leaderboard:Average ⬆️"], "chi2", load_paper_points(PAPER_CSV))
    assert {p["x"] for p in data.points} == {12.5}  # the bfloat16 row
    assert all("'Average ⬆️'" in p["x_source"] and "local copy" in p["x_source"] for p in data.points)
    assert [p["x"] for p in data.reference] == [40.0]  # the paper's 70B base is in the copy
    ifeval = scatter_data([], axes["leaderboard:IFEval"], "chi2", load_paper_points(PAPER_CSV))
    assert ifeval.reference == []  # a missing value places nothing


def test_scatter_cli_prints_points_with_both_sources(capsys):
    import json

    from unpredict_core.cli import main

    runs_of_scripted_pair()
    assert main(["scatter", "--y", "p7", "--x", "table", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["x"] == "table" and {p["side"] for p in out["points"]} == {"base", "aligned"}
    assert all({"model", "x", "x_source", "y", "y_source"} <= set(p) for p in out["points"])
    assert main(["scatter", "--y", "p7", "--x", "nonsense"]) == 2
    assert "Offered here" in capsys.readouterr().err


def test_the_measurement_plan_is_ifeval_and_the_y_experiment_at_their_defaults():
    from unpredict_core.experiments import ifeval
    from unpredict_core.experiments.games import rps
    from unpredict_core.results.figure_plan import measurement_plan

    plan = measurement_plan("rps_net", device="cpu")
    assert plan == [("ifeval", ifeval.Params(limit=ifeval.CPU_DEFAULT_LIMIT)), ("rps", rps.Params())]


def test_an_exact_run_gives_the_y_and_sampled_runs_never_average_into_it():
    from unpredict_core.experiments import random_integers as ri

    store, loader = Store(), ScriptedLoader()
    exact, sampled = (
        run_experiment(ri.NAME, PAIR, ri.Params(mode=mode, n=30), store=store, load=loader)
        for mode in ("exact", "sampled")
    )
    point = next(p for p in scatter_data([exact, sampled], table(TABLE), "chi2", []).points if p["role"] == "aligned")
    from unpredict_core.experiments.random_integers.metrics import expected_chi2

    answers = exact["sides"]["aligned"]["answers"]
    assert point["y"] == pytest.approx(expected_chi2([answers[str(i)] for i in range(11)]))
    assert point["y_method"] == "exact" and point["y_ci"] is None and point["runs"] == 1
    assert "1 sampled run left out" in point["y_source"]


def test_a_sampled_chi2_is_debiased_with_an_interval_around_it():
    """Scaling a small sample's χ² to n = 1,500 scales its noise: 30 draws of a uniform model would
    read as about 500 before debiasing."""
    from unpredict_core.experiments.random_integers.figure_score import chi2_value
    from unpredict_core.experiments.random_integers.metrics import chi2_at_n, chi2_noise

    counts = {str(i): 1 for i in range(11)} | {"7": 20}  # 30 draws, 20 of them 7
    side = {"counts": counts, "answers": {a: k / 30 for a, k in counts.items()}}
    value = chi2_value(side, {"mode": "sampled", "seed": 0})
    assert value is not None and value.method == "sampled" and value.ci is not None
    shares = [counts[str(i)] / 30 for i in range(11)]
    raw = float(chi2_at_n(shares))
    debiased = raw - 1500 * sum(p * (1 - p) * 11 for p in shares) / 29
    assert value.value == pytest.approx(debiased + chi2_noise(shares) * 30 / 29) and value.value < raw
    assert value.ci[0] <= value.value <= value.ci[1]
    even = chi2_value({"counts": {str(i): 3 for i in range(11)}}, {"mode": "sampled"})
    assert even is not None and even.ci[0] <= even.value < even.ci[1]  # a perfectly even sample keeps a width
    assert chi2_value({"answers": side["answers"]}, {"mode": "sampled"}) is None  # no counts: nothing to debias


def test_the_debiased_chi2_is_unbiased_where_the_raw_one_is_not():
    import numpy as np

    from unpredict_core.experiments.random_integers.metrics import chi2_at_n, expected_chi2, expected_chi2_from_counts

    rng = np.random.default_rng(1)
    p = np.array([0.3] + [0.07] * 10)
    truth = expected_chi2(p)
    draws = [np.bincount(rng.choice(11, 30, p=p), minlength=11) for _ in range(1000)]
    raw = np.mean([chi2_at_n(d / 30) for d in draws])
    estimates = [expected_chi2_from_counts(d) for d in draws]
    assert abs(np.mean([e[0] for e in estimates]) - truth) < 0.05 * truth < raw - truth  # raw lifted by the noise
    assert np.mean([lo <= truth <= hi for _, (lo, hi) in estimates]) >= 0.9  # approximate 95 % intervals


def test_the_dial_path_runs_from_base_through_the_mixed_sides_by_alpha_to_aligned():
    from unpredict_core.results.benchmark_axis import ifbench_axis

    def side(identity, kl=None, accuracy=None, alpha=None):
        found = {"model": identity, "identity": identity, "format": "plain", "metrics": {}}
        if kl is not None:
            found["metrics"] = {"kl": kl}
        if accuracy is not None:
            found["accuracy"] = {"instruction_strict": {"value": accuracy, "ci": [0, 1], "successes": 1, "trials": 2}}
        return found | ({"alpha": alpha} if alpha is not None else {})

    def run(i, experiment, pair, sides):
        return {"run_id": f"r{i}", "experiment": experiment, "pair": pair, "params": {"mode": "exact"},
                "created_at": "2026-12-02", "sides": sides}  # fmt: skip

    mixes = {a: f"mix:token:{a}:b|a" for a in (0.75, 0.25)}
    results = [
        run(0, "random-integers", "P", {"base": side("b", kl=0.1), "aligned": side("a", kl=0.9)}),
        run(1, "ifbench", "P", {"base": side("b", accuracy=0.2), "aligned": side("a", accuracy=0.6)}),
    ]
    for i, (alpha, mixed) in enumerate(mixes.items()):
        results += [
            run(2 + 2 * i, "random-integers", "P+mixed", {"mixed": side(mixed, kl=alpha, alpha=alpha)}),
            run(3 + 2 * i, "ifbench", "P+mixed", {"mixed": side(mixed, accuracy=0.2 + 0.4 * alpha, alpha=alpha)}),
        ]
    data = scatter_data(results, ifbench_axis(results, "instruction_strict"), "kl")
    (path,) = data.paths
    assert [p.get("alpha") for p in path] == [None, 0.25, 0.75, None]
    assert [p["role"] for p in (path[0], path[-1])] == ["base", "aligned"]
    assert [round(p["x"], 6) for p in path] == [20.0, 30.0, 50.0, 60.0]
    assert len(data.lines) == 1  # the pair's own line stays
    from unpredict_ui.results.scatter_chart import scatter_figure

    drawn = [t for t in scatter_figure(data, "IFBench").data if t.name and "mixed by α" in t.name]
    assert len(drawn) == 1 and list(drawn[0].y) == [p["y"] for p in path]
