"""The DuckDB store and the run cache, on the scripted pair (fast) and with real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.errors import StoreError
from unpredict_core.experiments.random_integers import Params
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store
from unpredict_core.store.schema import SCHEMA_VERSION


def test_run_is_stored_and_a_repeat_is_a_cache_hit():
    store, loader = Store(), ScriptedLoader()
    first = run_experiment("random-integers", PAIR, Params(mode="exact"), store=store, load=loader)
    calls = loader.calls
    second = run_experiment("random-integers", PAIR, Params(mode="exact"), store=store, load=loader)
    assert not first["cached"] and second["cached"]
    assert loader.calls == calls, "a cache hit must not call the model"
    assert second["sides"] == first["sides"] and second["run_id"] == first["run_id"]


def test_exact_distribution_of_the_scripted_sides():
    result = run_experiment("random-integers", PAIR, Params(), store=Store(), load=ScriptedLoader())
    base, aligned = result["sides"]["base"], result["sides"]["aligned"]
    assert base["coverage"] == pytest.approx(1.0) and base["metrics"]["kl"] == pytest.approx(0, abs=1e-9)
    assert aligned["coverage"] == pytest.approx(0.7)
    assert aligned["answers"]["7"] == pytest.approx(0.5 / 0.7)
    assert aligned["format"] == "chat" and aligned["prompt"].startswith("<user>")


def test_changing_seed_format_or_prompt_misses_the_cache():
    store, loader = Store(), ScriptedLoader()
    run_experiment("random-integers", PAIR, Params(), store=store, load=loader)
    for kwargs in ({"formats": {"aligned": "plain"}}, {"requests": {"base": "Another prompt"}}):
        assert not run_experiment("random-integers", PAIR, Params(), store=store, load=loader, **kwargs)["cached"]
    assert not run_experiment("random-integers", PAIR, Params(seed=1), store=store, load=loader)["cached"]
    assert store.count_runs() == 4


def test_per_answer_rows_round_trip():
    store = Store()
    result = run_experiment("random-integers", PAIR, Params(mode="sampled", n=200), store=store, load=ScriptedLoader())
    rows = store.answer_rows(result["run_id"])
    assert len(rows) == 22
    aligned_counts = {answer: count for side, answer, _, count in rows if side == "aligned"}
    assert sum(aligned_counts.values()) == 200
    assert aligned_counts == result["sides"]["aligned"]["counts"]
    assert result["sides"]["aligned"]["invalid"] > 0


def test_schema_version_is_recorded(isolated_db):
    assert Store().schema_version() == SCHEMA_VERSION


def test_a_corrupt_database_is_set_aside_and_a_new_one_started(isolated_db):
    isolated_db.write_bytes(b"this is not a duckdb file" * 100)
    store = Store()
    assert store.count_runs() == 0
    assert store.notices and "kept as" in store.notices[0]
    kept = [p for p in isolated_db.parent.iterdir() if ".corrupt-" in p.name]
    assert kept and kept[0].read_bytes().startswith(b"this is not a duckdb file")


def test_an_unwritable_database_folder_is_a_clear_error(tmp_path):
    if os.geteuid() == 0:
        target = "/proc/unpredict/test.duckdb"  # not writable even for root
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = str(locked / "db" / "x.duckdb")
    with pytest.raises(StoreError, match="writable"):
        Store(target)


def test_a_reader_process_and_a_writer_process_share_the_file(isolated_db):
    """DuckDB lets one process hold the file; short-lived connections with retry let two take turns."""
    writer = textwrap.dedent(
        f"""
        import sys; sys.path.insert(0, {str(os.getcwd())!r})
        from tests.support.scripted_pair import PAIR, ScriptedLoader
        from unpredict_core.experiments.random_integers import Params
        from unpredict_core.runs import run_experiment
        from unpredict_core.store.database import Store
        store, loader = Store({str(isolated_db)!r}), ScriptedLoader()
        for seed in range(15):
            run_experiment("random-integers", PAIR, Params(seed=seed), store=store, load=loader)
        """
    )
    reader = textwrap.dedent(
        f"""
        import sys, time; sys.path.insert(0, {str(os.getcwd())!r})
        from unpredict_core.store.database import Store
        store = Store({str(isolated_db)!r})
        seen = 0
        while seen < 15:
            seen = store.count_runs()
        print(seen)
        """
    )
    Store(isolated_db)
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for code in (reader, writer, reader)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
    assert Store(isolated_db).count_runs() == 15


def test_a_version_1_database_migrates_and_keeps_its_runs(isolated_db):
    import duckdb

    from unpredict_core.store import schema

    con = duckdb.connect(str(isolated_db))
    for statement in schema.MIGRATIONS[1]:
        con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO runs (run_id, cache_key, experiment) VALUES ('old', 'k', 'random-integers')")
    con.close()
    store = Store()
    assert store.schema_version() == SCHEMA_VERSION
    assert store.count_runs() == 1
    assert store.round_rows("old") == []
