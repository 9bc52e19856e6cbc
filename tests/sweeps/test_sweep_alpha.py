"""`alpha` as a sweep axis: each α is an item with its own cached mixed side, resumed like any item."""

from __future__ import annotations

import io

import pytest

from unpredict_core.backends.scripted_pairs import DELAY_ENV, ENABLE_ENV, ScriptedAwareLoader
from unpredict_core.store.database import Store
from unpredict_core.sweeps.file import SweepFileError, parse_sweep
from unpredict_core.sweeps.runner import run_sweep

DIAL = """
pairs = ["scripted"]

[[experiment]]
name = "random-integers"
alpha = [0, 0.5, 1]
"""


@pytest.fixture
def scripted(monkeypatch):
    monkeypatch.setenv(ENABLE_ENV, "1")
    monkeypatch.delenv(DELAY_ENV, raising=False)


def test_alpha_axis_runs_each_mixed_side_once_then_from_the_cache(scripted):
    sweep = parse_sweep(DIAL)
    assert [item.alpha for item in sweep.items] == [0.0, 0.5, 1.0] and "α=0.5" in sweep.items[1].label
    store, loader = Store(), ScriptedAwareLoader(lambda spec, progress=None: None)
    first = run_sweep(sweep, store=store, load=loader, out=io.StringIO())
    assert first.count("done") == 3
    mixed = [store.find_run_by_id(o.run_id) for o in first.outcomes]
    assert [run["mixed"]["alpha"] for run in mixed] == [0.0, 0.5, 1.0]
    assert all(run["sides"]["mixed"]["mixture"] == "answers" for run in mixed)
    again = run_sweep(parse_sweep(DIAL), store=store, load=loader, out=io.StringIO())
    assert again.count("cached") == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("alpha = 1.5", "line 6, key 'alpha': α must be between 0"),
        ('alpha = "half"', "α must be a number"),
        ('mix = "blend"', "Unknown mixture 'blend'"),
        ('mix = "token"', "give alpha too"),
    ],
)
def test_bad_alpha_or_mix_names_the_line(scripted, line, message):
    text = 'pairs = ["scripted"]\n\n[[experiment]]\nname = "random-integers"\n\n' + line + "\n"
    with pytest.raises(SweepFileError, match=message):
        parse_sweep(text)
