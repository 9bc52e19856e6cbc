"""A mixed model between the two sides of a pair, at weight α ∈ [0, 1] (0: the base side, 1: the
aligned side), usable where a side is. Three kinds, chosen from what the pair allows:

- `token`: sides sharing a tokenizer (vocabulary and ids, checked exactly). Every next-token
  distribution is p_α ∝ p_base^(1−α) · p_aligned^α, each model on its own prompt format and both on
  the same continuation (`token.TokenMixture`); exact scoring, sampling and generation all work.
- `weights`: sides of one architecture and shapes. θ_α = (1−α)·θ_base + α·θ_aligned loaded as one
  model (`weights.interpolate`), which refuses when its memory would not fit.
- `answers`: any pair. The same geometric mixture over an experiment's answer set only, from each
  side's exact answer probabilities (`answers.AnswerMixture`); free text cannot be mixed this way.

A kind says what a result can claim: the token mixture is a real language model, the weight
interpolation a real (third) network, the answer mixture only a distribution over answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from unpredict_core.errors import InvalidParameter
from unpredict_core.params import Spec

MixKind = Literal["token", "weights", "answers"]
KINDS: tuple[MixKind, ...] = ("token", "weights", "answers")
TITLES: dict[str, str] = {"token": "token mixture", "weights": "weight interpolation", "answers": "answer mixture"}
# What each kind can claim, shown beside every mixed result.
CLAIMS: dict[str, str] = {
    "token": "a language model: each step's next-token distribution is p_base^(1−α)·p_aligned^α, renormalised",
    "weights": "one network whose weights are (1−α)·base + α·aligned; not a mixture of the two models' outputs",
    "answers": "a distribution over this experiment's answers only (P_base(a)^(1−α)·P_aligned(a)^α); it writes no text",
}
ALPHA = Spec(float, 0.0, 1.0, help="weight of the aligned side: 0 is the base side, 1 the aligned side")
VERSION = "1"  # in a mixed run's cache key: bump when a change alters mixed results


class MixtureRefused(InvalidParameter):
    """A mixture this pair, or this experiment, cannot have; the message says which kinds it can."""


def check_alpha(alpha: object) -> float:
    """α as a float in [0, 1]; InvalidParameter naming the value otherwise (a text, NaN, 1.5)."""
    if isinstance(alpha, bool) or not isinstance(alpha, int | float):
        raise InvalidParameter(f"α must be a number between 0 and 1 (got {alpha!r}).")
    if not math.isfinite(alpha) or not 0.0 <= alpha <= 1.0:
        raise InvalidParameter(f"α must be between 0 (the base side) and 1 (the aligned side) (got {alpha!r}).")
    return float(alpha) + 0.0  # −0.0 is 0.0: one α, one cache key


def check_kind(kind: object) -> str:
    """`kind` when it is auto or one of KINDS."""
    if kind not in ("auto", *KINDS):
        raise InvalidParameter(f"Unknown mixture '{kind}': use token, weights or answers (or auto).")
    return str(kind)


@dataclass(frozen=True)
class Allowed:
    """Which kinds a loaded pair allows, and why each other kind is not."""

    kinds: tuple[str, ...]
    why_not: dict[str, str]

    def text(self) -> str:
        return ", ".join(TITLES[k] for k in self.kinds)


def allowed_kinds(base, aligned) -> Allowed:
    """What the two loaded backends allow: a token mixture needs one tokenizer on both sides, a
    weight interpolation one architecture with equal shapes; an answer mixture always works."""
    from unpredict_core.backends.mixture.token import tokenizer_problem
    from unpredict_core.backends.mixture.weights import shape_problem

    why_not = {}
    token = tokenizer_problem(base, aligned)
    if token:
        why_not["token"] = token
    weights = shape_problem(base, aligned)
    if weights:
        why_not["weights"] = weights
    return Allowed(tuple(k for k in KINDS if k not in why_not), why_not)


def choose_kind(requested: str, allowed: Allowed) -> str:
    """The kind to use: the first allowed one for auto; the asked one if allowed, else a refusal
    that says why and which kinds this pair does allow."""
    check_kind(requested)
    if requested == "auto":
        return allowed.kinds[0]
    if requested not in allowed.kinds:
        raise MixtureRefused(
            f"A {TITLES[requested]} is not possible for this pair: {allowed.why_not[requested]}. "
            f"This pair allows: {allowed.text()}."
        )
    return requested


def mixed_label(alpha: float, kind: str) -> str:
    return f"mixed α={alpha:g} ({TITLES[kind]})"
