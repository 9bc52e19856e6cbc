"""Whether a stage learned anything: its strict accuracy on held-out prompts, beside the base's.

Every model (the base and each stage) is asked the same held-out prompts in the stage's chat
template and decodes greedily up to a token cap; a prompt counts when every instruction passes
if-verifiable's strict check. The base is given the stage's template and the same end-of-turn stop,
so the difference measures training, not the template. Its interval: Clopper-Pearson for each
accuracy; for the difference, Newcombe's hybrid score interval for paired proportions (his
method 10), since both models answer the same prompts — scipy has the Wilson intervals it is made
of but not the paired combination, so that is written here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from scipy import stats

from unpredict_core.experiments.instructions.prompts import InstructionPrompt
from unpredict_core.experiments.instructions.scores import exact_interval
from unpredict_core.experiments.instructions.verifiers import verify
from unpredict_core.progress import ProgressFn, no_progress


def answer(
    model: Any, tokenizer: Any, prompts: Sequence[InstructionPrompt], *, max_new_tokens: int,
    progress: ProgressFn = no_progress, label: str = "model",
) -> list[str]:  # fmt: skip
    """Greedy replies in the chat template, batched (the benchmarks' own decoding path)."""
    from unpredict_core.backends.hf.generate import batch_size_for, greedy_batches

    texts = [
        tokenizer.apply_chat_template(
            [{"role": "user", "content": p.prompt}], tokenize=False, add_generation_prompt=True
        )
        for p in prompts
    ]
    encoded = [tokenizer(text, add_special_tokens=False)["input_ids"] for text in texts]
    device = next(model.parameters()).device
    new_tokens, _ = greedy_batches(
        model, tokenizer, encoded, max_new_tokens=max_new_tokens, device=device,
        batch_size=2 * batch_size_for(device), progress=progress, label=label,
    )  # fmt: skip
    return [tokenizer.decode(tokens, skip_special_tokens=True) for tokens in new_tokens]


def follows(prompt: InstructionPrompt, reply: str, known: dict[str, type]) -> bool:
    """Whether a reply strictly follows every instruction of its prompt (an empty reply never does)."""
    return bool(reply.strip()) and all(v.status == "checked" and v.strict for v in verify(prompt, reply, {}, known))


def passes(prompts: Sequence[InstructionPrompt], replies: Sequence[str], known: dict[str, type]) -> list[bool]:
    return [follows(p, reply, known) for p, reply in zip(prompts, replies)]


def accuracy(passed: Sequence[bool]) -> dict[str, Any]:
    successes, trials = sum(passed), len(passed)
    interval = exact_interval(successes, trials)
    return {
        "prompt_strict": successes / trials if trials else None,
        "successes": successes,
        "trials": trials,
        "ci": list(interval) if interval else None,
    }


def paired_difference_interval(stage: Sequence[bool], base: Sequence[bool], level: float = 0.95) -> list[float]:
    """Newcombe's (1998) method-10 interval for p_stage − p_base on the same prompts."""
    n = len(stage)
    if n == 0 or n != len(base):
        raise ValueError("the stage and the base must answer the same, non-empty set of prompts")
    a = sum(s and b for s, b in zip(stage, base))
    b_ = sum(s and not b for s, b in zip(stage, base))
    c = sum(b and not s for s, b in zip(stage, base))
    d = n - a - b_ - c
    p1, p2 = (a + b_) / n, (a + c) / n
    l1, u1 = _wilson(a + b_, n, level)
    l2, u2 = _wilson(a + c, n, level)
    product = (a + b_) * (c + d) * (a + c) * (b_ + d)
    numerator = float(a * d - b_ * c)
    if numerator > 0:
        numerator = max(numerator - n / 2, 0.0)  # Newcombe's continuity correction of phi
    phi = numerator / math.sqrt(product) if product else 0.0
    low_gap = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high_gap = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return [max(-1.0, p1 - p2 - low_gap), min(1.0, p1 - p2 + high_gap)]


def _wilson(successes: int, trials: int, level: float) -> tuple[float, float]:
    interval = stats.binomtest(successes, trials).proportion_ci(confidence_level=level, method="wilson")
    return float(interval.low), float(interval.high)
