"""IFBench (AllenAI): verifiable instruction following, measured here on both sides of a pair.

One benchmark axis of the benchmark-vs-unpredictability scatter, beside IFEval (the leaderboard's
own instruction-following benchmark): IFBench's 294 test prompts with 57 instruction types were
written after the leaderboard, to test instructions models were not tuned on. The protocol, shared
with IFEval, is in `unpredict_core.experiments.instructions.suite`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from unpredict_core.experiments import Experiment
from unpredict_core.experiments.ifbench.data import DATA, TEST_SET_SIZE
from unpredict_core.experiments.ifbench.verifiers import MODULE, NLTK_NEEDS
from unpredict_core.experiments.instructions.suite import (
    BenchmarkParams,
    BenchmarkSide,
    Suite,
    default_request,
    exclusions,
    limit_param,
    run_side,
    select,
)

NAME = "ifbench"
VERSION = "1"  # bump when a change alters results, so old cache entries are not reused
CPU_DEFAULT_LIMIT = 8  # 112 s for gemma's side at 96 new tokens on 2 loaded CPU cores (bench/README)
SUITE = Suite(NAME, "IFBench", DATA, MODULE, NLTK_NEEDS, TEST_SET_SIZE, CPU_DEFAULT_LIMIT)
PROTOCOL_NOTE = SUITE.protocol_note
IFBenchSide = BenchmarkSide
__all__ = ["EXPERIMENT", "NAME", "Params", "SUITE", "default_limit", "exclusions", "pool_size", "select"]


@dataclass(frozen=True)
class Params(BenchmarkParams):
    SUITE: ClassVar[Suite] = SUITE
    limit: int = limit_param(TEST_SET_SIZE, CPU_DEFAULT_LIMIT)


def default_limit(device: str = "auto") -> int:
    return SUITE.default_limit(device)


def pool_size() -> int:
    return SUITE.pool_size()


def device_defaults(device: str) -> dict[str, Any]:
    return {"limit": default_limit(device)}


EXPERIMENT = Experiment(
    name=NAME,
    version=VERSION,
    title="IFBench",
    params=Params,
    default_request=default_request,
    run_side=run_side,
    free_text=True,
    typical_seconds=180.0,  # bench/README: 112 s for gemma's side on a loaded machine, SmolLM2's faster
    device_defaults=device_defaults,
    order=60,
)
