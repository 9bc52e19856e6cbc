"""Every item of a stored run as rows (answers with probabilities, rounds with the request the model
saw, poems with their prompts), the same rows the drill-down shows and the items export writes."""

from __future__ import annotations

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.backends import scripted_pairs
from unpredict_core.experiments import poetry
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.games import hide_and_seek, rps
from unpredict_core.results.items import item_rows, items_frame
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


class Recording:
    """A loader whose backends note every prompt they score, to compare with the rebuilt ones."""

    def __init__(self):
        self.inner = scripted_pairs.ScriptedAwareLoader(ScriptedLoader())
        self.seen: dict[str, list[str]] = {}

    def __call__(self, spec, progress=None):
        backend = self.inner(spec)
        seen = self.seen.setdefault(spec.label, [])
        original = type(backend).score_choices

        def score(prompt, choices, backend=backend):
            seen.append(prompt.text)
            return original(backend, prompt, choices)

        backend.score_choices = score
        return backend


@pytest.mark.parametrize("module", [rps, hide_and_seek])
def test_each_round_carries_the_exact_prompt_the_model_was_scored_on(module):
    loader = Recording()
    result = run_experiment(module.NAME, scripted_pairs.PAIR, module.Params(rounds=4), store=Store(), load=loader)
    for role, side in result["sides"].items():
        rounds = [r for r in item_rows(result) if r["side"] == role]
        assert [r["kind"] for r in rounds] == ["round"] * 4
        backend = loader.inner(scripted_pairs.PAIR.side(role))
        rendered = [backend.render(r["prompt"], side["requested_format"]).text for r in rounds]
        assert rendered == loader.seen[side["model"]]  # round 1's is the stored prompt, round 4's has 3 rounds
        move = side["rounds"][2].get("model_move", side["rounds"][2].get("hide"))
        assert rounds[2]["output"] == move and rounds[2]["probability"] == side["rounds"][2]["p"][move]


def test_answers_carry_probabilities_counts_and_the_prompt():
    result = run_experiment(ri.NAME, PAIR, ri.Params(mode="sampled", n=20), store=Store(), load=ScriptedLoader())
    rows = [r for r in item_rows(result) if r["side"] == "aligned" and r["kind"] == "answer"]
    assert [r["output"] for r in rows] == [str(i) for i in range(11)]
    seven = rows[7]
    side = result["sides"]["aligned"]
    assert seven["probability"] == side["answers"]["7"] and seven["count"] == side["counts"]["7"]
    assert seven["prompt"] == side["prompt"] and "interval_95" in seven["detail"]


def test_poems_and_frame_columns():
    loader = scripted_pairs.ScriptedAwareLoader(ScriptedLoader())
    params = poetry.Params(topics=("sea",), samples=1, embeddings=False)
    result = run_experiment(poetry.NAME, scripted_pairs.PAIR, params, store=Store(), load=loader)
    frame = items_frame([result])
    poems = frame[frame["kind"] == "poem"]
    assert len(poems) == 2 and poems["prompt"].str.contains("sea").all()
    assert list(frame.columns[:6]) == ["run_id", "experiment", "pair", "side", "model", "kind"]
