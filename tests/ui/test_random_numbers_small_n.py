"""The Random Numbers page on a small sampled run cut short by its cap: it warns, shows χ² at its
own n, intervals with a width, and the run's time without model loading (scripted pair)."""

from __future__ import annotations

from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.ui_support import clear_streamlit_caches, open_page, texts  # noqa: F401  (autouse fixture)
from unpredict_core.experiments import random_integers as ri
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


def test_small_sampled_run_is_shown_honestly():
    params = ri.Params(mode="sampled", n=10, seed=0, max_attempts=12)
    result = run_experiment(ri.NAME, PAIR, params, store=Store(), load=ScriptedLoader())
    at = open_page("pages/1_Random_Numbers.py")
    at.session_state["random_numbers"] = {"result": result, "settings": {}}
    at.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Aligned side stopped short" in warnings and "of the 10 asked for" in warnings
    frame = at.dataframe[0].value.set_index("Statistic")
    own_n = [s for s in frame.index if s.startswith("χ² vs uniform at its own n = ")]
    assert own_n, list(frame.index)
    p7_base = frame.loc["P(7)", "Base"]  # the uniform side drew few 7s: the interval still has a width
    low, high = p7_base.split("[")[1].rstrip("]").split(" – ")
    assert low != high
    assert "Clopper-Pearson" in texts(at)
    assert "Measured now in" in texts(at) and "the models were already loaded" in texts(at)
