"""Numbers a backend gives are checked at the seam: NaN, infinities, probabilities above 1 or a
coverage above 1 are refused with a message and nothing is stored, whatever the backend; `--json`
is strict JSON; Results flags a stored run whose numbers are out of range."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.ui_support import clear_streamlit_caches  # noqa: F401  (autouse fixture)
from unpredict_core import cli
from unpredict_core.backends.base import ChoiceScores
from unpredict_core.backends.scripted import ScriptedBackend, constant
from unpredict_core.errors import InvalidScores
from unpredict_core.experiments import random_integers as ri
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store
from unpredict_core.trust import out_of_range

ROOT = Path(__file__).resolve().parents[2]


class _Broken(ScriptedBackend):
    def __init__(self, raw: dict):
        super().__init__(constant({"1": 1.0}), "broken backend")
        self.raw = raw

    def score_choices(self, prompt, choices):
        return ChoiceScores({c: self.raw.get(c, 0.0) for c in choices})


@pytest.mark.parametrize(
    "raw,expect",
    [
        ({"7": math.nan}, "probability nan"),
        ({"7": math.inf}, "probability inf"),
        ({"7": -0.2}, "probability -0.2"),
        ({"7": 0.9, "3": 0.9}, r"coverage\) of 1.8"),
    ],
)
def test_scores_that_are_not_probabilities_are_refused_and_nothing_is_stored(raw, expect):
    store = Store()
    with pytest.raises(InvalidScores, match=expect):
        run_experiment(ri.NAME, PAIR, ri.Params(), store=store, load=lambda spec, p=None: _Broken(raw))
    assert store.count_runs() == 0


def _hostile_run(store: Store) -> dict:
    """A run as an older version could store it from a server's +2 log-probability."""
    result = run_experiment(ri.NAME, PAIR, ri.Params(seed=3), store=store, load=ScriptedLoader())
    bad = json.loads(json.dumps(result))
    bad["run_id"] = "bad0000000000000"
    bad["sides"]["base"]["coverage"] = 3117600060.898
    bad["sides"]["aligned"]["metrics"]["kl"] = math.nan
    store.save_run(bad, "some-old-key", 0.1)
    return bad


def test_out_of_range_names_every_impossible_number():
    result = {"sides": {"base": {"coverage": 3117600060.898, "answers": {"1": 0.7, "2": 0.7}, "metrics": {}},
                        "aligned": {"coverage": 0.5, "metrics": {"kl": math.nan, "p_value": 0.3}}}}  # fmt: skip
    problems = out_of_range(result)
    assert any("base coverage" in p for p in problems) and any("answers" in p for p in problems)
    assert any("kl is nan" in p for p in problems) and len(problems) == 3
    assert out_of_range({"sides": {"base": {"coverage": 1.0, "answers": {"1": 1.0}}}}) == []


def test_results_flags_a_stored_run_out_of_range():
    _hostile_run(Store())
    at = AppTest.from_file(str(ROOT / "pages/5_Results.py"), default_timeout=60).run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "bad0000000000000" in warning and "out of range" in warning
    at.selectbox(key="kept.results.run").set_value("bad0000000000000").run()
    assert any("Do not" in e.value for e in at.error)


def test_json_output_is_strict(capsys, monkeypatch):
    """A cached run holding NaN is refused by --json rather than printed as invalid JSON."""
    bad = _hostile_run(Store())
    monkeypatch.setattr(cli, "cmd_run", lambda args: bad | {"cached": True})
    assert cli.main(["run", "random-integers", "--json"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "not finite" in out.err
