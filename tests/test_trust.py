"""One trust check at the store's read seam: a stored run whose numbers no measurement can give is
marked where it is read, and every reader — the scatter, exports, a run of the same settings,
sweeps — treats it alike: never drawn, exported or answered as *measured here*."""

from __future__ import annotations

import io
import json

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.errors import UntrustedRun
from unpredict_core.experiments import random_integers as ri
from unpredict_core.results.benchmark_axis import table_axis
from unpredict_core.results.scatter import parse_benchmarks, scatter_data
from unpredict_core.results.table import results_frame
from unpredict_core.runs import cache_key, run_experiment, side_requests
from unpredict_core.store.database import Store
from unpredict_core.trust import UNTRUSTED

TABLE = "model,benchmark,score,source,note\nscripted,b,30,https://example.org,\n"


def damaged(store: Store, pair=PAIR, load=None) -> dict:
    """The run of ri.Params(seed=3) as an older version stored it against a server sending +5
    log-probabilities: coverage 3.1e9, under the key a run of those settings looks up."""
    load = load or ScriptedLoader()
    params = ri.Params(seed=3).validate()
    result = run_experiment(ri.NAME, pair, params, store=store, load=load)
    key = cache_key(ri.NAME, params, side_requests(ri.NAME, pair, params), load)
    store.delete_runs([result["run_id"]])
    bad = json.loads(json.dumps(result))
    bad["sides"]["base"]["coverage"] = 3117600060.898
    store.save_run(bad, key, 0.1)
    return bad


def test_every_read_marks_the_damaged_run():
    store = Store()
    bad = damaged(store)
    for read in (store.find_run_by_id(bad["run_id"]), *store.query_runs()):
        assert read["provenance"] == UNTRUSTED and "coverage" in read["trust_problems"][0]
    assert store.untrusted_runs([bad["run_id"]]) == {
        bad["run_id"]: store.find_run_by_id(bad["run_id"])["trust_problems"]
    }


def test_the_scatter_and_exports_never_call_it_measured_here():
    store = Store()
    bad = damaged(store)
    data = scatter_data(store.query_runs(), table_axis(parse_benchmarks(TABLE)), "chi2", [])
    assert not data.points and data.untrusted == [bad["run_id"]]
    frame = results_frame(store.query_runs())
    assert set(frame["provenance"]) == {UNTRUSTED} and frame["trust_problems"].str.contains("coverage").all()


def test_a_run_of_the_same_settings_refuses_to_answer_from_it():
    store = Store()
    damaged(store)
    with pytest.raises(UntrustedRun, match="fails the trust check.*Delete it"):
        run_experiment(ri.NAME, PAIR, ri.Params(seed=3), store=store, load=ScriptedLoader())


def test_a_sweep_reports_it_as_failed_not_cached(monkeypatch):
    from unpredict_core.backends import scripted_pairs
    from unpredict_core.sweeps.file import parse_sweep
    from unpredict_core.sweeps.runner import run_sweep

    monkeypatch.setenv(scripted_pairs.ENABLE_ENV, "1")
    store, loader = Store(), scripted_pairs.ScriptedAwareLoader(ScriptedLoader())
    bad = damaged(store, scripted_pairs.PAIR, loader)
    text = 'pairs = ["scripted"]\n[[experiment]]\nname = "random-integers"\nseed = 3\n'
    summary = run_sweep(parse_sweep(text), store=store, load=loader, out=io.StringIO())
    assert (summary.count("cached"), summary.count("failed")) == (0, 1)
    assert bad["run_id"] in summary.outcomes[0].reason and "trust check" in summary.outcomes[0].reason


def test_benchmark_accuracies_outside_their_range_fail_the_check():
    from unpredict_core.trust import out_of_range

    side = {"accuracy": {"prompt_strict": {"value": 7.5, "successes": 15, "trials": 2, "ci": [0.1, 0.9]},
                         "oll_ifeval": {"value": 40.0, "ci": [20.0, 60.0]}}}  # fmt: skip
    problems = out_of_range({"sides": {"base": side}})
    assert any("prompt_strict is 7.5" in p for p in problems) and any("15 successes of 2" in p for p in problems)
    assert not any("oll_ifeval" in p for p in problems)  # 40 on the leaderboard's 0–100 scale is fine


def test_a_dial_run_refuses_an_untrusted_stored_mixed_side():
    from unpredict_core.backends.scripted_pairs import PAIR as SCRIPTED
    from unpredict_core.backends.scripted_pairs import ScriptedAwareLoader
    from unpredict_core.dial import item_key, run_with_mixed

    store, load = Store(), ScriptedAwareLoader(ScriptedLoader())
    params = ri.Params(seed=3)
    first = run_with_mixed(ri.NAME, SCRIPTED, params, alpha=0.5, mix="answers", store=store, load=load)
    stored = store.find_run_by_id(first["mixed_run_id"])
    store.delete_runs([stored["run_id"]])
    stored["sides"]["mixed"]["coverage"] = 3117600060.898
    store.save_run(stored, item_key(ri.NAME, SCRIPTED, params.validate(), 0.5, "answers", load), 0.1)
    with pytest.raises(UntrustedRun, match="trust check"):
        run_with_mixed(ri.NAME, SCRIPTED, params, alpha=0.5, mix="answers", store=store, load=load)
