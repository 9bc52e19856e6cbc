"""The one model seam: every backend (transformers, OpenAI-compatible server, scripted fake)
implements `ModelBackend`, so experiments never know which one they talk to.

Three operations are enough for every experiment:
- `score_choices`: the exact probability of each answer in a fixed set, from logits;
- `sample`: temperature sampling with a seed, for the paper's sampled protocol and for poems;
- `generate`: greedy decoding of many prompts, for a benchmark (batched where the backend can).

Prompt formats live here too, because a backend owns its tokenizer's chat template.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from unpredict_core.progress import ProgressFn

PromptFormat = Literal["plain", "chat"]
FORMATS: tuple[PromptFormat, ...] = ("plain", "chat")

# An answer may be preceded by nothing, a space or a newline. These are disjoint token
# sequences, so their probabilities add up to an exact event probability.
ANSWER_PREFIXES: tuple[str, ...] = ("", " ", "\n")
# How far a number from a model may stray past what a probability can be, from rounding alone: a
# log-probability above LOGPROB_TOLERANCE, or probabilities adding up to more than
# 1 + PROBABILITY_TOLERANCE, are refused (check_scores, server_backend.checked_logprob).
LOGPROB_TOLERANCE = 1e-4
PROBABILITY_TOLERANCE = 1e-3


@dataclass(frozen=True)
class RenderedPrompt:
    """The exact text fed to a model, and how it was produced.

    `format` is what was actually used; `note` says why it differs from what was asked
    (e.g. a chat request to a model without a chat template falls back to plain).
    """

    text: str
    format: PromptFormat
    requested_format: PromptFormat
    note: str = ""


@dataclass(frozen=True)
class ChoiceScores:
    """Exact answer probabilities before renormalising; `coverage` is their sum, i.e. how much
    of the model's mass lands on a clean, valid answer."""

    raw: dict[str, float]

    @property
    def coverage(self) -> float:
        return float(sum(self.raw.values()))

    def normalised(self) -> dict[str, float]:
        total = self.coverage
        if total <= 0.0:
            return {answer: 0.0 for answer in self.raw}
        return {answer: p / total for answer, p in self.raw.items()}


class ScoresOutOfRange(ValueError):
    """Scores that no probability distribution gives (NaN, negative, above 1): refused before
    anything is stored. A ValueError here; runs.py turns it into the user's message."""


def check_scores(scores: ChoiceScores, label: str) -> ChoiceScores:
    """`scores` if every answer's probability is finite and in [0, 1] and their sum (coverage) is
    at most 1, each within PROBABILITY_TOLERANCE; else ScoresOutOfRange naming the first culprit."""
    for answer, p in scores.raw.items():
        if not (
            isinstance(p, int | float) and math.isfinite(p) and -PROBABILITY_TOLERANCE <= p <= 1 + PROBABILITY_TOLERANCE
        ):
            raise ScoresOutOfRange(f"{label} gave answer {answer!r} the probability {p!r}, outside [0, 1]")
    if not scores.coverage <= 1 + PROBABILITY_TOLERANCE:
        raise ScoresOutOfRange(
            f"{label} gave its answers a total probability (coverage) of {scores.coverage:.6g}, above 1"
        )
    return scores


@dataclass(frozen=True)
class SampleSettings:
    """Sampling as in the paper: temperature 1 and top-p 1 unless asked otherwise.

    `decided(text)` may say a continuation can no longer change what it will be read as; the
    backend then stops generating that row early (it changes no result, only the cost).
    """

    temperature: float = 1.0
    top_p: float = 1.0
    max_new_tokens: int = 8
    stop: tuple[str, ...] = field(default_factory=tuple)
    decided: Callable[[str], bool] | None = None


@runtime_checkable
class ModelBackend(Protocol):
    """What an experiment may ask of a model."""

    label: str
    identity: str  # stable across processes; part of every cache key

    @property
    def has_chat_template(self) -> bool: ...

    def render(self, request: str, fmt: PromptFormat) -> RenderedPrompt:
        """Turn a request into the exact model input in the given format."""
        ...

    def score_choices(self, prompt: RenderedPrompt, choices: Sequence[str]) -> ChoiceScores:
        """Exact probability of each choice as the model's immediate answer."""
        ...

    def sample(
        self,
        prompt: RenderedPrompt,
        n: int,
        *,
        seed: int,
        settings: SampleSettings,
        progress: ProgressFn | None = None,
    ) -> list[str]:
        """n independent continuations of the prompt, reproducible under `seed`."""
        ...

    def generate(
        self, prompts: Sequence[RenderedPrompt], *, max_new_tokens: int, progress: ProgressFn | None = None
    ) -> list[str]:
        """The greedy continuation of each prompt, up to `max_new_tokens` or the end of sequence:
        the same text as decoding each prompt alone, however the backend batches them."""
        ...


def parse_choice(text: str, choices: Sequence[str]) -> str | None:
    """The choice a sampled continuation gives, by the same rule as exact scoring.

    A continuation answers `a` when it is one of ANSWER_PREFIXES, then `a`, then the end or a
    character that does not extend the answer (not a letter or digit). The longest choice wins,
    so "10" is never read as "1". Anything else is a parse failure (None).
    """
    for prefix in ANSWER_PREFIXES:
        if not text.startswith(prefix):
            continue
        rest = text[len(prefix) :]
        for choice in sorted(choices, key=len, reverse=True):
            tail = rest[len(choice) :]
            if rest.startswith(choice) and not extends_answer(tail):
                return choice
    return None


def answer_decided(text: str, choices: Sequence[str]) -> bool:
    """Whether no continuation of `text` can change what `parse_choice` reads from it.

    Decided when an answer is already followed by a non-extending character, or when under every
    allowed prefix the text can no longer become any answer ("Sure" can never be "7").
    """
    if not text:
        return False
    for prefix in ANSWER_PREFIXES:
        if not text.startswith(prefix):
            if prefix.startswith(text):
                return False  # the text may still grow into this prefix
            continue
        rest = text[len(prefix) :]
        for choice in choices:
            if choice.startswith(rest):
                return False  # may still complete this answer
            if rest.startswith(choice) and len(rest) > len(choice) and not extends_answer(rest[len(choice) :]):
                return True  # an answer, terminated
    return True


def extends_answer(token_text: str) -> bool:
    """Whether a token, appended after an answer, would make it a longer word or number."""
    return bool(token_text) and token_text[0].isalnum()
