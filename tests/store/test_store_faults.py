"""Faults in the database file met by a real CLI process: an old schema migrates keeping
its runs; a corrupt file is kept byte for byte beside a new one, with a message; a file from a
newer version is refused, not overwritten. Nothing stored is silently dropped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from unpredict_core.backends.scripted_pairs import ENABLE_ENV
from unpredict_core.store import schema
from unpredict_core.store.database import Store
from unpredict_core.store.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
ONE_ITEM = 'pairs = ["scripted"]\n[[experiment]]\nname = "random-integers"\nmode = "exact"\n'


def sweep(tmp_path: Path, db: Path) -> subprocess.CompletedProcess:
    file = tmp_path / "one.toml"
    file.write_text(ONE_ITEM)
    env = os.environ | {ENABLE_ENV: "1", "UNPREDICT_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "unpredict_core", "sweep", str(file)], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_version_1_file_migrates_in_a_real_process_and_keeps_its_runs(tmp_path, isolated_db):
    con = duckdb.connect(str(isolated_db))
    for statement in schema.MIGRATIONS[1]:
        con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO runs (run_id, cache_key, experiment, result) VALUES ('old', 'k', 'random-integers', '{}')")
    con.execute("INSERT INTO sides (run_id, side, model) VALUES ('old', 'base', 'an old model')")
    con.close()
    done = sweep(tmp_path, isolated_db)
    assert done.returncode == 0, done.stderr
    store = Store(isolated_db)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.count_runs() == 2 and store.find_run_by_id("old") == {}
    assert "Traceback" not in done.stderr


def test_a_corrupt_file_is_kept_and_a_new_one_started_with_a_message(tmp_path, isolated_db):
    garbage = os.urandom(4096) + b"not a database" * 300
    isolated_db.write_bytes(garbage)
    done = sweep(tmp_path, isolated_db)
    assert done.returncode == 0, done.stderr
    assert "warning:" in done.stderr and "kept as" in done.stderr and "Traceback" not in done.stderr
    kept = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == garbage, "the unreadable file must be kept as it was"
    assert Store(isolated_db).count_runs() == 1


def test_a_file_from_a_newer_version_is_refused_and_left_alone(tmp_path, isolated_db):
    con = duckdb.connect(str(isolated_db))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION + 1)])
    con.execute("CREATE TABLE future (x INTEGER)")
    con.execute("INSERT INTO future VALUES (42)")
    con.close()
    done = sweep(tmp_path, isolated_db)
    assert done.returncode == 2 and "newer unpredict" in done.stderr and "Traceback" not in done.stderr
    con = duckdb.connect(str(isolated_db), read_only=True)
    try:
        assert con.execute("SELECT x FROM future").fetchall() == [(42,)]
    finally:
        con.close()


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (mounting needs root; skipped elsewhere)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_says_so_and_keeps_the_computed_run(small_disk, tmp_path, monkeypatch):
    from tests.support.scripted_pair import PAIR, ScriptedLoader
    from unpredict_core.errors import StoreError
    from unpredict_core.experiments.random_integers import Params
    from unpredict_core.runs import run_experiment

    monkeypatch.setenv("UNPREDICT_DB", str(small_disk / "results.duckdb"))
    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path / "cache"))
    store = Store()
    run_experiment("random-integers", PAIR, Params(seed=1), store=store, load=ScriptedLoader())
    with open(small_disk / "filler", "wb") as handle, pytest.raises(OSError):
        while True:
            handle.write(bytes(1 << 16))
    with pytest.raises(StoreError, match="is full") as raised:
        run_experiment("random-integers", PAIR, Params(seed=2), store=store, load=ScriptedLoader())
    kept = next((tmp_path / "cache" / "unsaved").glob("*.json"))
    assert str(kept) in str(raised.value) and "imported the next time" in str(raised.value)
    assert json.loads(kept.read_text())["result"]["params"]["seed"] == 2
    (small_disk / "filler").unlink()
    assert store.count_runs() == 1  # the database is intact, with the run stored before
    reopened = Store()  # the next time the store opens and can write, the kept run goes in
    assert reopened.count_runs() == 2 and not kept.exists()
    assert any("Imported 1 run" in n for n in reopened.notices)
    calls = []
    rerun = run_experiment("random-integers", PAIR, Params(seed=2), store=reopened,
                           load=lambda spec, p=None: calls.append(spec) or ScriptedLoader()(spec, p))  # fmt: skip
    assert rerun["cached"] and not calls  # answered from the imported run, not computed again


def test_kept_runs_are_imported_once_and_bad_ones_left_where_they_are(tmp_path, monkeypatch):
    from tests.support.scripted_pair import PAIR, ScriptedLoader
    from unpredict_core.experiments.random_integers import Params
    from unpredict_core.runs import cache_key, run_experiment, side_requests

    monkeypatch.setenv("UNPREDICT_DB", str(tmp_path / "a.duckdb"))
    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path / "cache"))
    params = Params(seed=5).validate()
    result = run_experiment(
        "random-integers", PAIR, params, store=Store(tmp_path / "other.duckdb"), load=ScriptedLoader()
    )
    key = cache_key("random-integers", params, side_requests("random-integers", PAIR, params), ScriptedLoader())
    folder = tmp_path / "unsaved"  # beside the database
    folder.mkdir()
    ours = str((tmp_path / "a.duckdb").resolve())
    (folder / "good.json").write_text(json.dumps({"cache_key": key, "result": result, "database": ours}))
    (folder / "broken.json").write_text("{not json")
    bad = json.loads(json.dumps(result)) | {"run_id": "bad1"}
    bad["sides"]["base"]["coverage"] = 7.0
    (folder / "bad1.json").write_text(json.dumps({"cache_key": "k2", "result": bad, "database": ours}))
    theirs = json.loads(json.dumps(result)) | {"run_id": "theirs1"}
    other_db = str((tmp_path / "other.duckdb").resolve())
    (folder / "theirs1.json").write_text(json.dumps({"cache_key": "k3", "result": theirs, "database": other_db}))
    same_id = {"cache_key": "k4", "result": json.loads(json.dumps(result)), "database": ours}  # its id is stored
    (folder / "same-id.json").write_text(json.dumps(same_id))
    os.mkfifo(folder / "pipe.json")  # would block a reader forever
    store = Store()
    assert store.count_runs() == 1 and store.find_run(key)["run_id"] == result["run_id"]
    assert not (folder / "good.json").exists() and (folder / "broken.json").exists() and (folder / "bad1.json").exists()
    assert (folder / "theirs1.json").exists()  # another database's run is not taken
    assert (folder / "same-id.json").exists()  # a file that cannot be stored is left, the store still opens
    notices = " ".join(store.notices)
    assert "broken.json was not imported" in notices and "trust check" in notices and "pipe.json" in notices
    assert Store().count_runs() == 1  # a second opening imports nothing twice
