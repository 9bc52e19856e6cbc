"""AppTest of the Results page and the Benchmark vs Unpredictability page, on stored runs of
scripted pairs (talk mode: tests/ui/test_talk.py)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.ui_support import clear_streamlit_caches, shown  # noqa: F401  (autouse fixture)
from unpredict_core.backends import scripted_pairs
from unpredict_core.backends.server.backend import ServerChoiceScores
from unpredict_core.experiments import random_integers
from unpredict_core.experiments.games import rps
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
RESULTS = str(ROOT / "pages/5_Results.py")
SCATTER = str(ROOT / "pages/6_Benchmark_vs_Unpredictability.py")


@pytest.fixture
def stored():
    store = Store()
    loader = ScriptedLoader()
    runs = [
        run_experiment(random_integers.NAME, PAIR, random_integers.Params(seed=s), store=store, load=loader)
        for s in (0, 1)
    ]
    game_loader = scripted_pairs.ScriptedAwareLoader(loader)
    runs.append(run_experiment(rps.NAME, scripted_pairs.PAIR, rps.Params(rounds=3), store=store, load=game_loader))
    return store, runs


def page(path: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60).run()
    assert not at.exception
    return at


def test_results_page_lists_filters_and_compares(stored):
    _, runs = stored
    at = page(RESULTS)
    assert "**3 runs**" in at.markdown[0].value
    assert len(at.get("plotly_chart")) >= 1  # the score chart (plotly's toolbar downloads it)
    at.multiselect(key="kept.results.experiments").set_value([rps.NAME]).run()
    assert "**1 run**" in at.markdown[0].value and not at.exception
    at.multiselect(key="kept.results.experiments").set_value([]).run()
    at.text_input(key="kept.results.params").input("seed=1").run()
    assert "**1 run**" in at.markdown[0].value
    at.text_input(key="kept.results.params").input("seed; DROP TABLE runs").run()
    assert "write name=value" in shown(at.error[0].value)
    at.text_input(key="kept.results.params").input("x' OR '1'='1").run()  # a name with quotes: compared only
    assert "No stored run matches" in at.info[0].value
    at.text_input(key="kept.results.params").input("seed=' OR '1'='1").run()
    assert "No stored run matches" in at.info[0].value
    at.text_input(key="kept.results.params").input("").run()
    ids = [r["run_id"] for r in runs[:2]]
    at.multiselect(key="kept.results.pair2").set_value(ids).run()
    assert not at.exception
    compared = at.dataframe[-1].value
    assert set(compared["what"]) >= {"seed"} and compared["differs"].all()


def test_results_page_shows_a_poetry_run_with_its_own_view(stored):
    from unpredict_core.experiments import poetry

    store, _ = stored
    loader = scripted_pairs.ScriptedAwareLoader(ScriptedLoader())
    params = poetry.Params(topics=("sea",), samples=1, embeddings=False)
    result = run_experiment(poetry.NAME, scripted_pairs.PAIR, params, store=store, load=loader)
    at = page(RESULTS)
    at.selectbox(key="kept.results.run").set_value(result["run_id"]).run()
    assert not at.exception and not at.error
    assert "#### sea" in [m.value for m in at.markdown]


def test_results_page_exports_only_into_the_exports_folder_and_never_over_a_file(stored, tmp_path, monkeypatch):
    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path / "cache"))
    outside = tmp_path / "benchmarks.csv"
    outside.write_text("kept")
    at = page(RESULTS)
    at.text_input(key="kept.results.export_name").input("runs").run()
    at.button(key="results.export.parquet").click().run()
    assert "Wrote 6 rows" in shown(at.success[0].value)
    written = tmp_path / "cache" / "exports" / "runs.parquet"
    rows = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(written)]).fetchone()
    assert rows[0] == 6
    before = written.read_bytes()
    at.button(key="results.export.parquet").click().run()
    assert "already exists" in shown(at.error[0].value) and written.read_bytes() == before
    for name in ("../../benchmarks", "/tmp/x", "..", ".hidden"):
        at.text_input(key="kept.results.export_name").input(name).run()
        at.button(key="results.export.csv").click().run()
        assert "not a plain file name" in shown(at.error[0].value), name
    assert outside.read_text() == "kept" and sorted(p.name for p in written.parent.iterdir()) == ["runs.parquet"]
    assert len(at.get("download_button")) >= 3  # chart data, CSV and Parquet straight to the browser


def test_results_page_deletes_runs(stored):
    store, runs = stored
    at = page(RESULTS)
    at.multiselect(key="results.delete.ids").set_value([runs[0]["run_id"]]).run()
    assert at.button(key="results.delete.go").disabled  # not before the confirmation
    at.checkbox(key="results.delete.sure").check().run()
    at.button(key="results.delete.go").click().run()
    assert not at.exception
    assert "Deleted 1 run." in shown(at.success[0].value)
    assert store.count_runs() == 2 and store.find_run_by_id(runs[0]["run_id"]) is None


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    """A benchmark table typed on the page must lie in the reference folder or the cache."""
    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path))
    return tmp_path


def test_scatter_page_places_measured_points_and_the_paper_layer(stored, cache_folder):
    table = cache_folder / "bench.csv"
    table.write_text(
        "model,benchmark,score,source,note\nscripted,my benchmark,20,https://example.org,\n"
        "meta-llama/Llama-3.1-70B,my benchmark,40,https://example.org,\n"
    )
    at = page(SCATTER)
    at.text_input(key="kept.scatter.table").input(str(table)).run()
    at.selectbox(key="kept.scatter.y").set_value("chi2").run()
    next(s for s in at.selectbox if s.label == "Benchmark score (x)").set_value("table").run()
    assert not at.exception and not at.error
    figure = at.get("plotly_chart")[0].proto.spec
    assert "base · measured here" in figure and "base · reported by the paper" in figure
    assert "triangle-down" in figure
    listed = at.dataframe[0].value  # paper models without a score in this table are listed
    assert "allenai/Llama-3.1-Tulu-3-8B-SFT" in set(listed["model"])  # named by its hub id


def test_scatter_page_opens_on_the_papers_models_and_lists_ours_until_ifeval_is_measured(stored):
    at = page(SCATTER)
    at.selectbox(key="kept.scatter.y").set_value("chi2").run()
    assert not at.error and not at.warning  # the shipped leaderboard table reads cleanly
    assert len(at.get("plotly_chart")) == 1  # the paper's ten models are placed from the start
    assert "Listed, not placed" in " ".join(m.value for m in at.markdown)
    listed = at.dataframe[0].value
    assert set(listed["provenance"]) == {"measured here"} and listed["why"].str.contains("no IFEval run").all()
    next(s for s in at.selectbox if s.label == "Benchmark score (x)").set_value("table").run()
    assert "Nothing to place yet" in at.info[0].value  # the shipped benchmark table has no scores


def test_scatter_page_reports_a_broken_benchmark_table(stored, cache_folder):
    table = cache_folder / "bench.csv"
    table.write_text("model,benchmark,score,source,note\nscripted,b,lots,https://example.org,\n")
    at = page(SCATTER)
    at.text_input(key="kept.scatter.table").input(str(table)).run()
    assert "line 2 (scripted): the score 'lots' is not a number" in shown(at.error[0].value)


def test_scatter_page_reads_no_file_outside_the_reference_folder_and_the_cache(stored, cache_folder):
    os.mkfifo(cache_folder / "fifo.csv")  # would hang a reader forever
    at = page(SCATTER)
    for typed, expect in (("/etc/passwd", "outside the folders"), (f"{cache_folder}/../../etc/passwd", "outside"),
                          (str(cache_folder / "fifo.csv"), "not a regular file")):  # fmt: skip
        at.text_input(key="kept.scatter.table").input(typed).run()
        assert not at.exception and expect in shown(at.error[0].value), typed


class _TopCandidatesOnly(ScriptedLoader):
    """Scripted models whose scores carry a server's `unresolved` bound (base) or which score by
    sampling (aligned), as the two kinds of server do: what runs.py records and the page says."""

    def __call__(self, spec, progress=None):
        backend = super().__call__(spec, progress)
        if spec.location == "seven":
            backend.scoring = "sampled"
        else:
            plain = type(backend).score_choices.__get__(backend)
            backend.score_choices = lambda prompt, choices: ServerChoiceScores(
                plain(prompt, choices).raw, method="logprobs", unresolved=0.004
            )
        return backend


def test_a_stored_run_says_which_side_was_not_scored_exactly():
    result = run_experiment(
        random_integers.NAME, PAIR, random_integers.Params(), store=Store(), load=_TopCandidatesOnly()
    )
    assert result["sides"]["base"]["unresolved"] == pytest.approx(0.004)
    assert result["sides"]["aligned"]["scoring"].startswith("sampled")
    at = page(RESULTS)
    at.selectbox(key="kept.results.run").set_value(result["run_id"]).run()
    assert not at.exception
    assert any("Aligned side:** sampled" in shown(w.value) for w in at.warning)
    assert any(shown(c.value).startswith("Base side was scored") and "0.40%" in shown(c.value) for c in at.caption)
