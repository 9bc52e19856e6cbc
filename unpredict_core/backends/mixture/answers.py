"""The answer mixture: for pairs that share nothing (the default pair: Gemma-3 base, SmolLM2
instruct), the geometric mixture of the two sides' exact answer probabilities, over the
experiment's answer set only.

raw_α(a) = P_base(a)^(1−α) · P_aligned(a)^α for each answer a. By Hölder's inequality these add up
to at most coverage_base^(1−α) · coverage_aligned^α ≤ 1, so they are a sub-distribution like any
side's raw scores, and the experiment renormalises them as usual. It is not a language model: it
writes no text, so sampled modes, sequences, poetry and IFBench are refused with that reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from unpredict_core.backends.base import ChoiceScores, RenderedPrompt
from unpredict_core.backends.mixture import MixtureRefused
from unpredict_core.backends.mixture.pairing import PairMixer
from unpredict_core.errors import InvalidParameter


def geometric(base: dict[str, float], aligned: dict[str, float], alpha: float) -> dict[str, float]:
    """P_base^(1−α)·P_aligned^α per answer; 0 where either side gives 0 (for 0 < α < 1)."""
    out = {}
    for answer in base:
        b, a = base[answer], aligned[answer]
        out[answer] = math.exp((1 - alpha) * math.log(b) + alpha * math.log(a)) if b > 0 and a > 0 else 0.0
    return out


class AnswerMixture(PairMixer):
    kind = "answers"

    def refuse_text(self, what: str) -> None:
        raise MixtureRefused(
            f"The answer mixture mixes exact answer probabilities only; it writes no text, so {what} is not "
            "offered for it (sampled modes, sequences, poetry and IFBench). Use an exact experiment, or a pair "
            "whose sides share a tokenizer (token mixture) or weight shapes (weight interpolation)."
        )

    def score_mixed(self, base: RenderedPrompt, aligned: RenderedPrompt, choices: Sequence[str]) -> ChoiceScores:
        raw = geometric(
            self.base.score_choices(base, choices).raw, self.aligned.score_choices(aligned, choices).raw, self.alpha
        )
        if sum(raw.values()) <= 0.0:
            raise InvalidParameter(
                f"The answer mixture at α={self.alpha:g} puts no mass on any answer: no answer has a probability "
                "above zero on both sides, so P_base^(1−α)·P_aligned^α is zero everywhere. Only α=0 or α=1 "
                "(one side alone) can be scored for this prompt."
            )
        return ChoiceScores(raw)
