"""IFBench (AllenAI): verifiable instruction following, measured here on both sides of a pair.

This is the benchmark axis of the benchmark-vs-unpredictability scatter: the paper placed models
by their Open LLM Leaderboard score, which cannot be cited offline for our models, so we measure
an instruction-following benchmark of that family ourselves and label it "IFBench, measured here".

Protocol. IFBench's own: greedy decoding, a new-token cap, prompt- and instruction-level accuracy,
strict and loose (`scores`, `verifiers`). Our reconstruction, and labelled so: the base side gets the
prompt as plain text to continue (a paragraph break after it), the aligned side gets it through its
chat template; `limit` prompts are drawn with a seed from those whose every instruction can be
checked here (`verifiers.excluded_types`), so a subset is reproducible and the exclusions are stated
in every result. Generation is batched (`ModelBackend.generate`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any, TypedDict

from unpredict_core.backends.base import ModelBackend, PromptFormat
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments import Experiment
from unpredict_core.experiments.ifbench.data import TEST_SET_SIZE, IFBenchPrompt, load_prompts
from unpredict_core.experiments.ifbench.scores import METRICS, accuracies, verdict_counts
from unpredict_core.experiments.ifbench.verifiers import excluded_types, verify
from unpredict_core.params import check_declared, param, seed_param
from unpredict_core.progress import ProgressFn, no_progress, scaled
from unpredict_core.records import SideOutcome

NAME = "ifbench"
VERSION = "1"  # bump when a change alters results, so old cache entries are not reused
CPU_DEFAULT_LIMIT = 8  # 112 s for gemma's side at 96 new tokens on 2 loaded CPU cores (bench/README)
DEFAULT_MAX_NEW_TOKENS = 96
SLOT = "{prompt}"
REQUESTS = {"plain": SLOT + "\n\n", "chat": SLOT}
PROTOCOL_NOTE = (
    "IFBench's verifiers, metrics and greedy decoding; the base side's plain-text format and the "
    "seeded subset of prompts are our reconstruction."
)


@dataclass(frozen=True)
class Params:
    limit: int = param(
        CPU_DEFAULT_LIMIT,
        min=1,
        max=TEST_SET_SIZE,
        help="prompts per side, a seeded subset of those checkable here",
        default_note=f"all on a GPU, {CPU_DEFAULT_LIMIT} on a CPU",
    )
    max_new_tokens: int = param(DEFAULT_MAX_NEW_TOKENS, min=16, max=2048, help="new-token cap per response")
    seed: int = seed_param("chooses which prompts are drawn")
    excluded_types: tuple[str, ...] | None = None  # not a setting: validate() fills in what this machine cannot check

    def validate(self) -> Params:
        """A checked copy, with the instruction types this machine cannot check filled in (they
        decide which prompts can be drawn, so they belong to the run's identity)."""
        check_declared(self)
        excluded = tuple(sorted(excluded_types(load_prompts())))
        pool = len(checkable(excluded))
        if not 1 <= self.limit <= pool:
            raise InvalidParameter(
                f"limit must be between 1 and {pool}, the IFBench prompts whose instructions can all be checked "
                f"here (got {self.limit})."
            )
        return replace(self, excluded_types=excluded)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"limit": self.limit, "max_new_tokens": self.max_new_tokens, "seed": self.seed}
        if self.excluded_types is not None:
            data["excluded_types"] = list(self.excluded_types)
        return data


def default_limit(device: str = "auto") -> int:
    """Every checkable prompt on a GPU; on a CPU a subset that answers in a minute or two per side."""
    import torch

    on_gpu = device == "cuda" or (device == "auto" and torch.cuda.is_available())
    return pool_size() if on_gpu else CPU_DEFAULT_LIMIT


def checkable(excluded: tuple[str, ...]) -> list[IFBenchPrompt]:
    return [p for p in load_prompts() if not set(p.instruction_ids) & set(excluded)]


def pool_size() -> int:
    """How many prompts can be drawn on this machine (the largest `limit`)."""
    return len(checkable(tuple(excluded_types(load_prompts()))))


def select(params: Params) -> list[IFBenchPrompt]:
    """`limit` prompts drawn with `seed` from the checkable ones, in the data file's order."""
    pool = checkable(params.excluded_types or ())
    chosen = set(random.Random(params.seed).sample(range(len(pool)), params.limit))
    return [p for i, p in enumerate(pool) if i in chosen]


def exclusions(params: Params) -> dict[str, Any]:
    """What the whole test set loses on this machine, stated in every result."""
    excluded = set(params.excluded_types or ())
    everything = load_prompts()
    reasons = excluded_types(everything)
    dropped = [p for p in everything if set(p.instruction_ids) & excluded]
    return {
        "prompts": len(dropped),
        "instructions": sum(len(p.instruction_ids) for p in dropped),
        "of_prompts": len(everything),
        "types": {kind: reasons.get(kind, "excluded") for kind in sorted(excluded)},
    }


def default_request(params: Params, fmt: PromptFormat) -> str:
    return REQUESTS[fmt]


def fill(request: str, prompt: str) -> str:
    return request.replace(SLOT, prompt) if SLOT in request else f"{request.rstrip()}\n\n{prompt}\n\n"


class PromptRecord(TypedDict):
    key: int | str  # the prompt's key in IFBench's data file
    prompt: str
    response: str
    instructions: list[dict[str, Any]]  # each instruction's strict and loose verdicts


class IFBenchSide(SideOutcome):
    protocol_note: str
    prompts: list[PromptRecord]
    metrics: dict[str, float]  # the four accuracies that could be computed
    accuracy: dict[str, dict[str, Any]]  # each with successes, trials and its Clopper-Pearson interval
    verdicts: dict[str, int]
    excluded: dict[str, Any]


def run_side(
    backend: ModelBackend, fmt: PromptFormat, request: str, params: Params, progress: ProgressFn = no_progress
) -> IFBenchSide:
    chosen = select(params)
    template = backend.render(request if SLOT in request else fill(request, SLOT), fmt)
    inputs = [backend.render(fill(request, p.prompt), fmt) for p in chosen]
    responses = backend.generate(inputs, max_new_tokens=params.max_new_tokens, progress=scaled(progress, 0.0, 0.95))
    progress(0.95, f"{backend.label}: checking instructions")
    skip = {kind: "excluded" for kind in params.excluded_types or ()}
    rows: list[PromptRecord] = [
        {
            "key": p.key,
            "prompt": p.prompt,
            "response": response,
            "instructions": [v.as_dict() for v in verify(p, response, skip)],
        }
        for p, response in zip(chosen, responses)
    ]
    scores = accuracies(rows)
    progress(1.0, f"{backend.label}: done")
    return {
        "format": template.format,
        "format_note": template.note,
        "prompt": template.text,  # the exact input with the slot left visible
        "protocol_note": PROTOCOL_NOTE,
        "prompts": rows,
        "metrics": {m: scores[m]["value"] for m in METRICS if scores[m]["value"] is not None},
        "accuracy": scores,
        "verdicts": verdict_counts(rows),
        "excluded": exclusions(params),
    }


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
