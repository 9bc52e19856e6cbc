"""Sweeps: expansion of the grid, resumable runs through the cache, failures that are retried, a real
process killed mid-sweep and resumed, the progress estimate, and every bad-file message."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unpredict_core.backends.models import DEFAULT_PAIR
from unpredict_core.backends.scripted_pairs import DELAY_ENV, ENABLE_ENV, ScriptedAwareLoader
from unpredict_core.errors import UnpredictError
from unpredict_core.store.database import Store
from unpredict_core.sweeps.file import SweepFileError, parse_sweep
from unpredict_core.sweeps.progress import SweepProgress
from unpredict_core.sweeps.runner import run_sweep

ROOT = Path(__file__).resolve().parents[2]
TINY = """
pairs = ["scripted"]
seeds = [0, 1]

[[experiment]]
name = "random-integers"
mode = ["exact", "sampled"]
n = 40

[[experiment]]
name = "rps"
rounds = 3
aligned_format = ["chat", "plain"]
"""


def no_real_models(spec, progress=None):
    raise AssertionError(f"a sweep on the scripted pair tried to load {spec.label}")


@pytest.fixture
def scripted(monkeypatch):
    monkeypatch.setenv(ENABLE_ENV, "1")
    monkeypatch.delenv(DELAY_ENV, raising=False)


def model_calls(loader: ScriptedAwareLoader) -> int:
    return sum(b.calls for b in loader._scripted.values())


def test_grid_expands_to_every_combination(scripted):
    sweep = parse_sweep(TINY)
    labels = [item.label for item in sweep.items]
    assert len(labels) == 2 * 2 + 2 * 2  # (mode × seed) + (seed × aligned format)
    assert len(set(labels)) == len(labels)
    rps_items = [i for i in sweep.items if i.experiment == "rps"]
    assert {i.formats["aligned"] for i in rps_items} == {"chat", "plain"}
    assert {i.params.seed for i in rps_items} == {0, 1}


def test_any_registered_experiment_sweeps_and_list_parameters_are_one_value(scripted):
    """Poetry (added by its own issue) works without sweep code: a list-typed parameter takes a
    list as one value and a list of lists as a grid; temperatures are a float grid."""
    text = """pairs = ["scripted"]
[[experiment]]
name = "poetry"
topics = [["work", "the internet"], ["sea"]]
samples = 1
embeddings = false
temperature = [0.7, 1.0]
"""
    sweep = parse_sweep(text)
    assert sorted((i.params.topics, i.params.temperature) for i in sweep.items) == [
        (("sea",), 0.7), (("sea",), 1.0), (("work", "the internet"), 0.7), (("work", "the internet"), 1.0)
    ]  # fmt: skip
    one = parse_sweep(text.replace('[["work", "the internet"], ["sea"]]', '["work", "the internet"]'))
    assert {i.params.topics for i in one.items} == {("work", "the internet")}
    summary = run_sweep(one, store=Store(), load=ScriptedAwareLoader(no_real_models), out=io.StringIO())
    assert (summary.count("done"), summary.count("failed")) == (2, 0), summary.text()


def test_ifeval_sweeps_over_its_declared_settings_and_resumes(scripted):
    text = """pairs = ["scripted"]
[[experiment]]
name = "ifeval"
limit = [2, 3]
max_new_tokens = 16
"""
    store, loader = Store(), ScriptedAwareLoader(no_real_models)
    first = run_sweep(parse_sweep(text), store=store, load=loader, out=io.StringIO())
    assert (first.count("done"), first.count("failed")) == (2, 0), first.text()
    again = run_sweep(parse_sweep(text), store=store, load=loader, out=io.StringIO())
    assert again.count("cached") == 2
    with pytest.raises(SweepFileError, match="limit"):
        parse_sweep(text.replace("[2, 3]", "[2, 100000]"))


def test_tiny_sweep_runs_then_resumes_from_the_cache(scripted):
    store = Store()
    loader = ScriptedAwareLoader(no_real_models)
    first = run_sweep(parse_sweep(TINY), store=store, load=loader, out=io.StringIO())
    assert (first.count("done"), first.count("cached"), first.count("failed")) == (8, 0, 0)
    assert store.count_runs() == 8
    calls = model_calls(loader)
    out = io.StringIO()
    again = run_sweep(parse_sweep(TINY), store=store, load=loader, out=out)
    assert (again.count("done"), again.count("cached")) == (0, 8)
    assert model_calls(loader) == calls  # nothing was recomputed
    assert "8 already stored, 0 to do" in out.getvalue()
    assert {o.run_id for o in again.outcomes} == {o.run_id for o in first.outcomes}


def test_a_failing_item_is_reported_and_retried_on_resume(scripted):
    store = Store()
    good = ScriptedAwareLoader(no_real_models)
    broken = {"on": True}

    def flaky(spec, progress=None):
        if broken["on"] and spec.location == "favourite":
            raise TimeoutError("the model server did not answer in 30 s")
        return good(spec, progress)

    text = TINY.replace('mode = ["exact", "sampled"]', 'mode = "exact"')
    summary = run_sweep(parse_sweep(text), store=store, load=flaky, out=io.StringIO())
    assert summary.count("failed") == summary.total == 6
    assert all("did not answer in 30 s" in o.reason for o in summary.failed)
    assert "failed: random-integers" in summary.text() and "TimeoutError" in summary.text()
    assert store.count_runs() == 0  # a half-finished item stores nothing
    broken["on"] = False
    retried = run_sweep(parse_sweep(text), store=store, load=flaky, out=io.StringIO())
    assert (retried.count("done"), retried.count("failed")) == (6, 0)


def test_a_pair_whose_models_are_missing_fails_its_items_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # an empty hub cache: the preset's models are not here
    text = 'pairs = ["qwen2.5-7b"]\n[[experiment]]\nname = "random-integers"\n'
    summary = run_sweep(parse_sweep(text), store=Store(), load=no_real_models, out=io.StringIO())
    assert summary.count("failed") == 1
    assert "Qwen/Qwen2.5-7B" in summary.failed[0].reason and "never downloads" in summary.failed[0].reason


def test_progress_line_counts_items_and_estimates_time_left():
    now = [100.0]
    progress = SweepProgress(4, io.StringIO(), clock=lambda: now[0])
    assert "estimating" in progress.line("x", 0.0, "")
    now[0] += 10
    from unpredict_core.sweeps.runner import ItemOutcome

    progress.item_done(ItemOutcome("a", "done", duration_s=10.0))
    line = progress.line("rps · default", 0.5, "round 2")
    assert "1/4 done" in line and "0:10 elapsed" in line
    assert "~0:25 left" in line  # 10 s per item × 2.5 items left
    assert "rps · default: round 2" in line


# -- bad sweep files: each message names the line and the key ------------------------------------
BAD = [
    ('pairs = ["default"]\n[[experiment]\nname = "rps"\n', ["not valid TOML", "line 2"]),
    ('pairs = ["default"]\n\n[[experiment]]\nname = "rps"\nrounds = "ten"\n', ["line 5", "'rounds'", "'ten'"]),
    ('pairs = ["default"]\n[[experiment]]\nname = "poetryy"\n', ["line 3", "'name'", "unknown experiment 'poetryy'"]),
    ('pairs = ["nope"]\n[[experiment]]\nname = "rps"\n', ["line 1", "'pairs'", "Unknown pair 'nope'"]),
    ('pairs = []\n[[experiment]]\nname = "rps"\n', ["line 1", "'pairs'", "empty"]),
    ('pairs = ["default"]\n[[experiment]]\nname = "rps"\nadversary = []\n', ["line 4", "'adversary'", "empty"]),
    ('pairs = ["default"]\nseeds = [0, "1"]\n[[experiment]]\nname = "rps"\n', ["line 2", "'seeds'"]),
    ('pairs = ["default"]\n[[experiment]]\nname = "rps"\nround = 3\n', ["line 4", "'round'", "Known: adversary"]),
    (
        'pairs = ["default"]\n[[experiment]]\nname = "rps"\n[[experiment]]\nname = "rps"\nadversary = "gredy"\n',
        ["line 6", "'adversary'", "gredy"],
    ),
    ('pairs = ["default"]\n[[experiment]]\nname = "rps"\nbase_format = "html"\n', ["line 4", "'base_format'"]),
    ('pairs = ["default"]\ncolour = "red"\n', ["line 2", "'colour'"]),
    ('pairs = ["default"]\n', ["no [[experiment]]"]),
    ('[[experiment]]\nname = "rps"\n', ["no 'pairs'"]),
]


@pytest.mark.parametrize("text, expected", BAD)
def test_bad_sweep_file_names_line_and_key(text, expected):
    with pytest.raises(SweepFileError) as caught:
        parse_sweep(text, "bad.toml")
    for part in expected:
        assert part in str(caught.value)
    assert isinstance(caught.value, UnpredictError)


def test_scripted_pair_is_hidden_unless_enabled(monkeypatch):
    monkeypatch.delenv(ENABLE_ENV, raising=False)
    with pytest.raises(SweepFileError, match="Unknown pair 'scripted'"):
        parse_sweep(TINY)


def test_example_sweep_file_parses():
    sweep = parse_sweep((ROOT / "sweeps/example.toml").read_text(), "sweeps/example.toml")
    assert sweep.items and all(item.pair == DEFAULT_PAIR for item in sweep.items)


# -- a real process killed mid-sweep, then resumed -------------------------------------------------
def sweep_process(file: Path, db: Path, delay: float, log: Path, *extra: str, batch: int = 2) -> subprocess.Popen:
    env = os.environ | {ENABLE_ENV: "1", DELAY_ENV: str(delay), "UNPREDICT_DB": str(db)}
    env["UNPREDICT_LOCKSTEP_BATCH"] = str(batch)  # the seeds' games are computed together, two by two
    return subprocess.Popen(
        [sys.executable, "-m", "unpredict_core", "sweep", str(file), *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )


def test_sweep_killed_with_sigkill_resumes_where_it_stopped(tmp_path, isolated_db):
    file = tmp_path / "slow.toml"
    file.write_text(
        'pairs = ["scripted"]\nseeds = [0, 1, 2, 3, 4, 5, 6, 7]\n[[experiment]]\nname = "rps"\nrounds = 2\n'
    )
    log = tmp_path / "first.log"
    proc = sweep_process(file, isolated_db, 0.25, log)  # 2 games × 2 rounds × 2 sides × 0.25 s ≈ 2 s per batch
    deadline = time.monotonic() + 60
    while "done   2/8" not in log.read_text() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, f"sweep ended before it could be killed:\n{log.read_text()}"
    assert len(Store(isolated_db).query_runs()) >= 2  # the Results page's query, while the sweep writes
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    stored = Store(isolated_db).count_runs()
    assert 2 <= stored < 8

    resumed = sweep_process(file, isolated_db, 0.0, tmp_path / "second.log", "--json")
    out, _ = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, (tmp_path / "second.log").read_text()
    summary = json.loads(out)
    assert summary["cached"] == stored and summary["done"] == 8 - stored and summary["failed"] == 0
    assert Store(isolated_db).count_runs() == 8


def test_cli_bad_file_exits_2_without_traceback(tmp_path):
    file = tmp_path / "bad.toml"
    file.write_text('pairs = ["default"]\n[[experiment]]\nname = "rps"\nrounds = -1\n')
    done = subprocess.run(
        [sys.executable, "-m", "unpredict_core", "sweep", str(file)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "line 4" in done.stderr and "'rounds'" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.real_models
def test_sweep_on_the_real_default_pair(real_backends):
    text = """pairs = ["default"]
[[experiment]]
name = "random-integers"
mode = "exact"
[[experiment]]
name = "rps"
rounds = 3
"""
    store = Store()
    summary = run_sweep(parse_sweep(text), store=store, load=real_backends["loader"], out=io.StringIO())
    assert (summary.count("done"), summary.count("failed")) == (2, 0), summary.text()
    results = [store.find_run_by_id(o.run_id) for o in summary.outcomes]
    ri = next(r for r in results if r["experiment"] == "random-integers")
    assert 0 < ri["sides"]["base"]["coverage"] <= 1
    assert abs(sum(ri["sides"]["aligned"]["answers"].values()) - 1) < 1e-6
    again = run_sweep(parse_sweep(text), store=store, load=real_backends["loader"], out=io.StringIO())
    assert again.count("cached") == 2
