"""One instruction-following benchmark (IFBench, IFEval) as a `Suite`, and its run on one side.

Protocol. The benchmarks' own: greedy decoding, a new-token cap, prompt- and instruction-level
accuracy, strict and loose (`scores`, `verifiers`). Our reconstruction, and labelled so: the base
side gets the prompt as plain text to continue (a paragraph break after it), the aligned side gets
it through its chat template; `limit` prompts are drawn with a seed from those whose every
instruction can be checked here, so a subset is reproducible and the exclusions are stated in every
result. Generation is batched (`ModelBackend.generate`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypedDict

from unpredict_core.backends.base import ModelBackend, PromptFormat
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments.instructions.prompts import DataFile, InstructionPrompt, load_prompts
from unpredict_core.experiments.instructions.scores import METRICS, accuracies, verdict_counts
from unpredict_core.experiments.instructions.verifiers import excluded_types, load_registry, verify
from unpredict_core.params import check_declared, param, seed_param
from unpredict_core.progress import ProgressFn, no_progress, scaled
from unpredict_core.records import SideOutcome

SLOT = "{prompt}"
REQUESTS = {"plain": SLOT + "\n\n", "chat": SLOT}
DEFAULT_MAX_NEW_TOKENS = 96


@dataclass(frozen=True)
class Suite:
    name: str  # the experiment's name: "ifbench", "ifeval"
    title: str  # "IFBench"
    data: DataFile
    verifiers: str  # the module of if-verifiable holding INSTRUCTION_DICT
    nltk_needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # type → NLTK data it needs
    test_set_size: int = 0
    cpu_default_limit: int = 8

    @property
    def protocol_note(self) -> str:
        return (
            f"{self.title}'s verifiers, metrics and greedy decoding; the base side's plain-text format and the "
            "seeded subset of prompts are our reconstruction."
        )

    def prompts(self) -> tuple[InstructionPrompt, ...]:
        return load_prompts(self.data)

    def registry(self) -> dict[str, type]:
        return load_registry(self.verifiers, self.title)

    def excluded_types(self, prompts: tuple[InstructionPrompt, ...] | None = None) -> dict[str, str]:
        """Instruction types this machine cannot check, each with its reason."""
        return excluded_types(self.prompts() if prompts is None else prompts, self.registry(), self.nltk_needs)

    def checkable(self, excluded: tuple[str, ...]) -> list[InstructionPrompt]:
        return [p for p in self.prompts() if not set(p.instruction_ids) & set(excluded)]

    def pool_size(self) -> int:
        """How many prompts can be drawn on this machine (the largest `limit`)."""
        return len(self.checkable(tuple(self.excluded_types())))

    def default_limit(self, device: str = "auto") -> int:
        """Every checkable prompt on a GPU; on a CPU a subset that answers in a minute or two per side."""
        return self.pool_size() if on_gpu(device) else self.cpu_default_limit


def on_gpu(device: str) -> bool:
    """Whether runs for `device` ("auto", "cpu", "cuda") go to a GPU."""
    import torch

    return device == "cuda" or (device == "auto" and torch.cuda.is_available())


def limit_param(test_set_size: int, cpu_default: int) -> Any:
    """A benchmark's `limit` setting: at most its test set (validate() checks what is checkable here)."""
    return param(
        cpu_default,
        min=1,
        max=test_set_size,
        help="prompts per side, a seeded subset of those checkable here",
        default_note=f"all on a GPU, {cpu_default} on a CPU",
    )


@dataclass(frozen=True)
class BenchmarkParams:
    """The settings both benchmarks take; each experiment subclasses it with its `SUITE` and the
    declared range of `limit`."""

    SUITE: ClassVar[Suite]
    limit: int = param(8, min=1, help="prompts per side, a seeded subset of those checkable here")
    max_new_tokens: int = param(DEFAULT_MAX_NEW_TOKENS, min=16, max=2048, help="new-token cap per response")
    seed: int = seed_param("chooses which prompts are drawn")
    excluded_types: tuple[str, ...] | None = None  # not a setting: validate() fills in what this machine cannot check

    def validate(self) -> Any:
        """A checked copy, with the instruction types this machine cannot check filled in (they
        decide which prompts can be drawn, so they belong to the run's identity)."""
        check_declared(self)
        suite = self.SUITE
        excluded = tuple(sorted(suite.excluded_types()))
        pool = len(suite.checkable(excluded))
        if not 1 <= self.limit <= pool:
            raise InvalidParameter(
                f"limit must be between 1 and {pool}, the {suite.title} prompts whose instructions can all be checked "
                f"here (got {self.limit})."
            )
        return replace(self, excluded_types=excluded)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"limit": self.limit, "max_new_tokens": self.max_new_tokens, "seed": self.seed}
        if self.excluded_types is not None:
            data["excluded_types"] = list(self.excluded_types)
        return data


def select(params: BenchmarkParams) -> list[InstructionPrompt]:
    """`limit` prompts drawn with `seed` from the checkable ones, in the data file's order."""
    pool = params.SUITE.checkable(params.excluded_types or ())
    chosen = set(random.Random(params.seed).sample(range(len(pool)), params.limit))
    return [p for i, p in enumerate(pool) if i in chosen]


def exclusions(params: BenchmarkParams) -> dict[str, Any]:
    """What the whole test set loses on this machine, stated in every result."""
    suite = params.SUITE
    excluded = set(params.excluded_types or ())
    everything = suite.prompts()
    reasons = suite.excluded_types(everything)
    dropped = [p for p in everything if set(p.instruction_ids) & excluded]
    return {
        "prompts": len(dropped),
        "instructions": sum(len(p.instruction_ids) for p in dropped),
        "of_prompts": len(everything),
        "types": {kind: reasons.get(kind, "excluded") for kind in sorted(excluded)},
    }


def default_request(params: Any, fmt: PromptFormat) -> str:
    return REQUESTS[fmt]


def fill(request: str, prompt: str) -> str:
    return request.replace(SLOT, prompt) if SLOT in request else f"{request.rstrip()}\n\n{prompt}\n\n"


class PromptRecord(TypedDict):
    key: int | str  # the prompt's key in the benchmark's data file
    prompt: str
    response: str
    instructions: list[dict[str, Any]]  # each instruction's strict and loose verdicts


class BenchmarkSide(SideOutcome):
    protocol_note: str
    prompts: list[PromptRecord]
    metrics: dict[str, float]  # the four accuracies that could be computed
    accuracy: dict[str, dict[str, Any]]  # each with successes, trials and its Clopper-Pearson interval
    verdicts: dict[str, int]
    excluded: dict[str, Any]


def run_side(
    backend: ModelBackend, fmt: PromptFormat, request: str, params: BenchmarkParams, progress: ProgressFn = no_progress
) -> BenchmarkSide:
    suite = params.SUITE
    chosen = select(params)
    template = backend.render(request if SLOT in request else fill(request, SLOT), fmt)
    inputs = [backend.render(fill(request, p.prompt), fmt) for p in chosen]
    responses = backend.generate(inputs, max_new_tokens=params.max_new_tokens, progress=scaled(progress, 0.0, 0.95))
    progress(0.95, f"{backend.label}: checking instructions")
    skip = {kind: "excluded" for kind in params.excluded_types or ()}
    known = suite.registry()
    rows: list[PromptRecord] = [
        {
            "key": p.key,
            "prompt": p.prompt,
            "response": response,
            "instructions": [v.as_dict() for v in verify(p, response, skip, known)],
        }
        for p, response in zip(chosen, responses)
    ]
    scores = accuracies(rows)
    progress(1.0, f"{backend.label}: done")
    return {
        "format": template.format,
        "format_note": template.note,
        "prompt": template.text,  # the exact input with the slot left visible
        "protocol_note": suite.protocol_note,
        "prompts": rows,
        "metrics": {m: scores[m]["value"] for m in METRICS if scores[m]["value"] is not None},
        "accuracy": scores,
        "verdicts": verdict_counts(rows),
        "excluded": exclusions(params),
    }
