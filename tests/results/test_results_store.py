"""Results browser queries: filters (safe with quotes and SQL-like text), compare, delete with all
rows, and export to CSV and Parquet read back with DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.backends.scripted_pairs import PAIR as SCRIPTED_PAIR
from unpredict_core.backends.scripted_pairs import ScriptedAwareLoader
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import random_integers
from unpredict_core.experiments.games import rps
from unpredict_core.results.table import compare_runs, export_frame, results_frame, side_rows
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


@pytest.fixture
def stored():
    store = Store()
    loader = ScriptedLoader()
    runs = [
        run_experiment(random_integers.NAME, PAIR, random_integers.Params(seed=0), store=store, load=loader),
        run_experiment(random_integers.NAME, PAIR, random_integers.Params(seed=1), store=store, load=loader),
        run_experiment(
            random_integers.NAME, PAIR, random_integers.Params(mode="sampled", n=30), store=store, load=loader
        ),
    ]
    return store, runs


def ids(results):
    return {r["run_id"] for r in results}


def test_filters_by_experiment_pair_model_and_parameter(stored):
    store, runs = stored
    assert ids(store.query_runs()) == ids(runs)
    assert ids(store.query_runs(experiments=[random_integers.NAME], pairs=["scripted"])) == ids(runs)
    assert store.query_runs(experiments=[rps.NAME]) == []
    assert ids(store.query_runs(model="SEVEN-lover")) == ids(runs)  # case-insensitive substring
    assert ids(store.query_runs(params={"seed": "1"})) == {runs[1]["run_id"]}
    assert ids(store.query_runs(params={"mode": "sampled", "n": "30"})) == {runs[2]["run_id"]}
    assert store.run_facets()["pairs"] == ["scripted"]


@pytest.mark.parametrize("text", ["x' OR '1'='1", "'; DROP TABLE runs; --", '" OR 1=1 --', "%", "seed') OR (1=1"])
def test_filters_with_quotes_and_sql_are_only_compared(stored, text):
    store, runs = stored
    assert store.query_runs(model=text) == []
    assert store.query_runs(pairs=[text]) == []
    assert store.query_runs(params={text: "0"}) == []
    assert store.query_runs(params={"seed": text}) == []
    assert store.count_runs() == len(runs)


def test_delete_removes_the_runs_and_all_their_rows(stored):
    store, runs = stored
    assert store.delete_runs([runs[0]["run_id"], "not-a-run"]) == 1
    assert store.find_run_by_id(runs[0]["run_id"]) is None
    assert store.answer_rows(runs[0]["run_id"]) == []
    assert store.answer_rows(runs[1]["run_id"])  # others untouched
    with duckdb.connect(str(store.path)) as con:
        for table in ("sides", "answers"):
            left = con.execute(f"SELECT count(*) FROM {table} WHERE run_id = ?", [runs[0]["run_id"]]).fetchone()[0]
            assert left == 0


def test_side_rows_collect_game_scores(stored):
    store, _ = stored
    loader = ScriptedAwareLoader(ScriptedLoader())
    result = run_experiment(rps.NAME, SCRIPTED_PAIR, rps.Params(rounds=3), store=store, load=loader)
    rows = side_rows(result)
    assert [r["side"] for r in rows] == ["base", "aligned"]
    assert "score.net_score" in rows[0] and rows[0]["param.rounds"] == 3
    assert rows[1]["coverage"] == result["sides"]["aligned"]["min_coverage"]


def test_compare_two_runs_lists_differences(stored):
    _, runs = stored
    rows = compare_runs(runs[0], runs[2])
    mode = next(r for r in rows if r["what"] == "mode")
    assert (mode["run A"], mode["run B"], mode["differs"]) == ("exact", "sampled", True)
    kl = next(r for r in rows if r["what"] == "kl" and r["side"] == "aligned")
    assert kl["B − A"] == pytest.approx(kl["run B"] - kl["run A"])
    same = compare_runs(runs[0], runs[0])
    assert not any(r["differs"] for r in same)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_reads_back_with_duckdb(stored, tmp_path, fmt):
    store, runs = stored
    frame = results_frame(store.query_runs())
    path = export_frame(frame, tmp_path / f"runs.{fmt}", fmt)
    reader = "read_csv_auto" if fmt == "csv" else "read_parquet"
    with duckdb.connect() as con:
        back = con.execute(
            f'SELECT run_id, side, "score.kl" FROM {reader}(?) ORDER BY run_id, side', [str(path)]
        ).fetchall()
    assert len(back) == 2 * len(runs)
    expected = sorted((r["run_id"], r["side"], r["score.kl"]) for r in frame.to_dict("records"))
    assert [(a, b) for a, b, _ in back] == [(a, b) for a, b, _ in expected]
    assert [c for *_, c in back] == pytest.approx([c for *_, c in expected])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_to_a_path_that_is_not_writable_says_so(stored, tmp_path, fmt):
    """/proc refuses new files even to root; a folder given as the file name is refused too."""
    store, _ = stored
    frame = results_frame(store.query_runs())
    for target in (Path("/proc") / f"unpredict-export.{fmt}", tmp_path):
        with pytest.raises(UnpredictError, match="Cannot export to"):
            export_frame(frame, target, fmt)


def test_export_to_a_missing_folder_says_so(stored, tmp_path):
    store, _ = stored
    with pytest.raises(UnpredictError, match="does not exist"):
        export_frame(results_frame(store.query_runs()), tmp_path / "nope" / "x.parquet", "parquet")


def test_deleting_a_poetry_run_removes_its_poems_and_their_votes(stored):
    from unpredict_core.experiments import poetry

    store, runs = stored
    loader = ScriptedAwareLoader(ScriptedLoader())
    params = poetry.Params(topics=("sea",), samples=1, embeddings=False)
    result = run_experiment(poetry.NAME, SCRIPTED_PAIR, params, store=store, load=loader)
    poems = store.poem_rows(result["run_id"])
    assert len(poems) == 2
    store.save_vote("v1", "rater", poems[0]["poem_id"], poems[1]["poem_id"], {"preference": "a"})
    assert store.vote_rows(result["run_id"])
    assert store.delete_runs([result["run_id"]]) == 1
    assert store.poem_rows(result["run_id"]) == [] and store.vote_rows() == []
    assert store.count_runs() == len(runs)


def test_cli_export_writes_filtered_runs_and_refuses_to_overwrite_without_force(stored, tmp_path, capsys):
    from unpredict_core.cli import main

    out = tmp_path / "runs.csv"
    assert main(["export", "--format", "csv", "--out", str(out), "--params", "seed=1"]) == 0
    with duckdb.connect() as con:
        assert con.execute("SELECT count(*) FROM read_csv_auto(?)", [str(out)]).fetchone()[0] == 2  # one run, 2 sides
    out.write_text("precious")
    assert main(["export", "--format", "csv", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_text() == "precious"
    assert main(["export", "--format", "parquet", "--out", str(out), "--force"]) == 0
    with duckdb.connect() as con:
        assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()[0] == 6
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "elsewhere.csv")  # a dangling link is an existing name too
    assert main(["export", "--format", "csv", "--out", str(link)]) == 2 and not (tmp_path / "elsewhere.csv").exists()


def test_cli_export_of_items_holds_each_answers_probability_and_prompt(stored, tmp_path):
    from unpredict_core.cli import main

    _, runs = stored
    out = tmp_path / "items.parquet"
    assert main(["export", "--format", "parquet", "--out", str(out), "--what", "items", "--params", "seed=1"]) == 0
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT side, output, probability, prompt FROM read_parquet(?) WHERE kind = 'answer'", [str(out)]
        ).fetchall()
    assert len(rows) == 22  # 11 answers × 2 sides of the one run with seed 1
    side = runs[1]["sides"]["aligned"]
    assert ("aligned", "7", side["answers"]["7"], side["prompt"]) in rows


def test_cli_export_force_replaces_only_regular_files(stored, tmp_path, capsys):
    """A FIFO (which would block a writer forever) and a character device are refused and left as
    they are, with --force too; a regular file is replaced whole."""
    import os
    import stat

    from unpredict_core.cli import main

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert main(["export", "--format", "csv", "--out", str(fifo), "--force"]) == 2
    assert "a FIFO, not a file" in capsys.readouterr().err and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert main(["export", "--format", "csv", "--out", "/dev/null", "--force"]) == 2
    assert "a character device" in capsys.readouterr().err and stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    assert main(["export", "--format", "csv", "--out", str(tmp_path), "--force"]) == 2  # a folder
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # nothing left behind


def test_cli_export_to_a_name_that_is_not_utf8_says_so(stored, tmp_path, capsys):
    import os

    from unpredict_core.cli import main

    name = os.fsdecode(bytes(tmp_path) + b"/runs-\xff.csv")  # as argv gives undecodable bytes
    assert main(["export", "--format", "csv", "--out", name]) == 2
    assert "not valid UTF-8" in capsys.readouterr().err and not list(tmp_path.glob("runs-*"))
