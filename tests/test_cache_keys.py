"""Cache keys stay what they were: a stored run answers from the cache only while its key is
recomputed the same. These keys were computed before the code moved into rooms and the results
were typed; a change here means every stored run of that experiment is computed again, so it must
come with a bump of that experiment's VERSION, on purpose. (IFBench's key holds the instruction
types this machine cannot check, so it is left out.)"""

from __future__ import annotations

import pytest

from unpredict_core import runs
from unpredict_core.backends.scripted_pairs import PAIR
from unpredict_core.experiments import get_experiment

KEYS = {
    "hide-and-seek": "6f1adaa1dbc9a34635910b224e18b206f2676d1180c28b410c345a839b3fd65c",
    "poetry": "c39f1ef728c21370a48fe5feb132f885cf4c9ec85e0b9ee695d764912e991c07",
    # VERSION 3, on purpose: sampled runs changed (exact intervals per answer, a posterior for the
    # summaries, chi2 with its n, stopped_short); version 2's key was 68ddcae4b322bb2b…
    "random-integers": "e6b1745b0adced6389f3939085eca7ad80ce9836707c838cf113c42a0e1495f9",
    "rps": "2567b7ab2e9522e0c8de9e411c42e978dfcffac286e740a6c03ae6f3fda7e65f",
    "rps-tournament": "0576367246272ccae318aa738f09e20c347de9067f9947e216a445b6b26fbc36",
}


@pytest.mark.parametrize("name", sorted(KEYS))
def test_the_default_run_of_each_experiment_keeps_its_key(name):
    params = get_experiment(name).params().validate()
    assert runs.cache_key(name, params, runs.side_requests(name, PAIR, params)) == KEYS[name]


def test_one_setting_spelled_two_ways_is_one_key():
    """−0.0 and 0.0, 1 and 1.0 are one setting: a sweep with both must store one run."""
    from unpredict_core.dial import mixed_key
    from unpredict_core.experiments import poetry

    def key(params):
        params = params.validate()
        return runs.cache_key(poetry.NAME, params, runs.side_requests(poetry.NAME, PAIR, params))

    assert (
        key(poetry.Params(temperature=1)) == key(poetry.Params(temperature=1.0)) == key(poetry.Params(temperature=1e0))
    )
    assert mixed_key("k", -0.0, "token") == mixed_key("k", 0.0, "token") != mixed_key("k", 0.5, "token")
