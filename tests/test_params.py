"""One declared range per parameter (unpredict_core.params), checked before any model loads and
the same in the CLI, sweep files and the dashboard's widgets; sweeps at scale: one bulk key
lookup with progress from the first second, the item cap over the whole sweep, and a file that
never ends refused by its size."""

from __future__ import annotations

import dataclasses
import io

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.bad_input_cases import ROOT, run_cli
from tests.support.ui_support import clear_streamlit_caches  # noqa: F401  (autouse fixture)
from unpredict_core.backends import loading
from unpredict_core.backends.scripted_pairs import ENABLE_ENV, ScriptedAwareLoader
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments import experiments, poetry, random_integers
from unpredict_core.experiments.games import hide_and_seek, rps
from unpredict_core.params import SEED_MAX, spec_of
from unpredict_core.store.database import Store
from unpredict_core.sweeps import file as sweep_file
from unpredict_core.sweeps.file import SweepFileError, load_sweep, parse_sweep
from unpredict_core.sweeps.runner import run_sweep


@pytest.fixture
def no_loading(monkeypatch):
    """Any model load fails the test: parameters must be refused before."""

    def refuse(*args, **kwargs):
        raise AssertionError("a model was loaded before the parameters were checked")

    monkeypatch.setattr(loading, "load_backend", refuse)


@pytest.mark.parametrize("name", sorted(experiments()))
@pytest.mark.parametrize("seed", [-1, 2**31, 2**64])
def test_every_experiment_refuses_a_seed_out_of_range(name, seed):
    with pytest.raises(InvalidParameter, match="seed must be between 0 and 2,147,483,647"):
        experiments()[name].params(seed=seed).validate()


@pytest.mark.parametrize("experiment", ["random-integers", "rps", "hide-and-seek", "poetry"])
def test_the_cli_refuses_a_bad_seed_before_any_model_loads(experiment, no_loading):
    for seed in ("-1", str(2**64)):
        assert "seed must be between 0 and 2,147,483,647" in run_cli("run", experiment, "--seed", seed)


def test_a_sweep_refuses_bad_seeds_with_their_line(tmp_path):
    with pytest.raises(SweepFileError, match=r"line 2, key 'seeds': seed must be between"):
        parse_sweep('pairs = ["default"]\nseeds = [0, -1]\n[[experiment]]\nname = "rps"\n')
    with pytest.raises(SweepFileError, match=r"line 4, key 'seed'.*seed must be between"):
        parse_sweep('pairs = ["default"]\n[[experiment]]\nname = "rps"\nseed = 9223372036854775807\n')


def test_every_declared_bound_is_the_widgets_bound():
    """Each page's number widgets take min and max from the declaration: never written twice."""
    widgets = {
        "pages/1_Random_Numbers.py": (random_integers.Params, ["n", "seed"]),
        "pages/2_Rock_Paper_Scissors.py": (rps.Params, ["rounds", "seed"]),
        "pages/3_Hide_and_Seek.py": (hide_and_seek.Params, ["spots", "rounds", "seed"]),
        "pages/4_Poetry.py": (poetry.Params, ["samples", "max_new_tokens", "seed"]),
    }
    for page, (params, names) in widgets.items():
        at = AppTest.from_file(str(ROOT / page), default_timeout=60).run()
        assert not at.exception, page
        prefix = {"pages/4_Poetry.py": "poetry", "pages/2_Rock_Paper_Scissors.py": "rps"}.get(
            page, "hide_and_seek" if "Hide" in page else "random_numbers"
        )
        for name in names:
            widget = at.number_input(key=f"kept.{prefix}.{name}")
            spec = spec_of(params, name)
            default = next(f.default for f in dataclasses.fields(params) if f.name == name)
            assert (widget.proto.min, widget.proto.max, widget.value) == (spec.min, spec.max, default), (page, name)
    assert spec_of(rps.Params, "seed").max == SEED_MAX


# -- sweeps at scale --------------------------------------------------------------------------------
def test_the_item_cap_applies_to_the_whole_sweep(monkeypatch):
    monkeypatch.setattr(sweep_file, "MAX_ITEMS", 10)
    block = '[[experiment]]\nname = "rps"\nseed = [0, 1, 2, 3, 4, 5]\n'
    parse_sweep('pairs = ["default"]\n' + block)  # 6 items: fine
    with pytest.raises(SweepFileError, match="more than the 10 a sweep may hold"):
        parse_sweep('pairs = ["default"]\n' + block + block)


def test_a_sweep_file_that_never_ends_is_refused_by_its_size(tmp_path):
    with pytest.raises(SweepFileError, match="not a regular file"):
        load_sweep("/dev/zero")
    big = tmp_path / "big.toml"
    big.write_text('pairs = ["default"]\n' + "# padding\n" * 200_000)
    with pytest.raises(SweepFileError, match="at most 1,048,576"):
        load_sweep(big)


class _CountingStore(Store):
    lookups = singles = 0

    def find_run(self, cache_key):
        type(self).singles += 1
        return super().find_run(cache_key)

    def stored_keys(self, cache_keys):
        type(self).lookups += 1
        return super().stored_keys(cache_keys)


def test_a_sweep_looks_every_key_up_at_once_and_says_so_first(monkeypatch):
    monkeypatch.setenv(ENABLE_ENV, "1")
    seeds = ", ".join(str(s) for s in range(40))
    sweep = parse_sweep(f'pairs = ["scripted"]\nseeds = [{seeds}]\n[[experiment]]\nname = "random-integers"\n')
    store = _CountingStore()
    first = run_sweep(sweep, store=store, load=ScriptedAwareLoader(None), out=io.StringIO())
    assert first.count("done") == 40 and _CountingStore.lookups == 1
    out, singles = io.StringIO(), _CountingStore.singles
    again = run_sweep(sweep, store=store, load=ScriptedAwareLoader(None), out=out)
    assert again.count("cached") == 40 and _CountingStore.lookups == 2 and _CountingStore.singles == singles
    assert out.getvalue().startswith("sweep <sweep>: 40 items; finding those already stored")
