"""Every row of the bad-input table (tests/support/bad_input_cases.py) gets its message, no traceback, and
leaves what was stored before untouched. A few rows also run as real CLI processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.bad_input_cases import CASES, ROOT, Ctx
from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.ui_support import clear_streamlit_caches  # noqa: F401  (autouse fixture)
from unpredict_core.experiments.random_integers import Params
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


@pytest.fixture(scope="module")
def shared_folder(tmp_path_factory):
    """One allowed model folder for all rows (the tiny pickle model is built once)."""
    return tmp_path_factory.mktemp("bad-inputs")


def test_the_table_has_at_least_25_rows_on_every_surface():
    assert len(CASES) >= 25
    assert {case.surface for case in CASES} == {"CLI", "UI", "library"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.surface}: {c.what}" for c in CASES])
def test_bad_input_gets_its_message_and_loses_nothing(case, shared_folder, monkeypatch):
    monkeypatch.setenv("UNPREDICT_MODEL_DIRS", str(shared_folder))
    store = Store()
    before = run_experiment("random-integers", PAIR, Params(seed=42), store=store, load=ScriptedLoader())
    message = case.run(Ctx(shared_folder))
    assert case.expect in message, message
    assert "Traceback" not in message
    assert store.count_runs() == 1, "a bad input changed what was stored"
    assert store.find_run_by_id(before["run_id"])["sides"] == before["sides"]


@pytest.mark.parametrize(
    "argv,expect",
    [
        (["run", "random-integers", "--mode", "sampled", "--n", "0"], "n must be between"),
        (["run", "random-integers", "--base", b"/models/caf\xe9", "--aligned", b"/models/caf\xe9"], "not valid UTF-8"),
        (["sweep", "/no/such/sweep.toml"], "Cannot read the sweep file"),
    ],
)
def test_as_a_real_process(argv, expect):
    """Non-UTF-8 bytes as a real argv (Python decodes them to surrogates), and two other rows."""
    done = subprocess.run([sys.executable, "-m", "unpredict_core", *argv], cwd=ROOT, capture_output=True)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, stderr
    assert expect in stderr and "Traceback" not in stderr
