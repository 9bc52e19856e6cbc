"""What every kind of mixture offers the lockstep runner: the two sides' prompts in, one answer out.

A mixer is asked with both sides' rendered prompts (each side in its own format), because a mixed
step conditions each model on its own input. At α = 0 and α = 1 it asks that side alone, so the
ends of the dial are the base and aligned results exactly, not a rounding of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from unpredict_core.backends.base import ChoiceScores, RenderedPrompt, SampleSettings
from unpredict_core.backends.mixture import TITLES, mixed_label
from unpredict_core.progress import ProgressFn


class PairMixer:
    kind = "answers"

    def __init__(self, base, aligned, alpha: float):
        self.base, self.aligned, self.alpha = base, aligned, alpha
        self.label = mixed_label(alpha, self.kind)
        self.identity = f"mix:{self.kind}:{alpha!r}:{base.identity}|{aligned.identity}"

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    def _end(self):
        """The one side the mixture is at an end of the dial, or None strictly inside."""
        return self.base if self.alpha == 0.0 else self.aligned if self.alpha == 1.0 else None

    def _pick(self, base_item, aligned_item):
        return base_item if self.alpha == 0.0 else aligned_item

    def score(self, base: RenderedPrompt, aligned: RenderedPrompt, choices: Sequence[str]) -> ChoiceScores:
        side = self._end()
        if side is not None:
            return side.score_choices(self._pick(base, aligned), choices)
        return self.score_mixed(base, aligned, choices)

    def sample(
        self,
        base: RenderedPrompt,
        aligned: RenderedPrompt,
        n: int,
        *,
        seed: int,
        settings: SampleSettings,
        progress: ProgressFn | None = None,
    ) -> list[str]:
        self.refuse_text("sampling")
        side = self._end()
        if side is not None:
            return side.sample(self._pick(base, aligned), n, seed=seed, settings=settings, progress=progress)
        return self.sample_mixed(base, aligned, n, seed=seed, settings=settings, progress=progress)

    def generate(
        self,
        base: Sequence[RenderedPrompt],
        aligned: Sequence[RenderedPrompt],
        *,
        max_new_tokens: int,
        progress: ProgressFn | None = None,
    ) -> list[str]:
        self.refuse_text("generating text")
        side = self._end()
        if side is not None:
            return side.generate(self._pick(base, aligned), max_new_tokens=max_new_tokens, progress=progress)
        return self.generate_mixed(base, aligned, max_new_tokens=max_new_tokens, progress=progress)

    # -- what a kind implements ------------------------------------------------------------------
    def refuse_text(self, what: str) -> None:
        """Raise when this kind writes no text (the answer mixture)."""

    def score_mixed(self, base, aligned, choices) -> ChoiceScores:
        raise NotImplementedError

    def sample_mixed(self, base, aligned, n, *, seed, settings, progress) -> list[str]:
        raise NotImplementedError

    def generate_mixed(self, base, aligned, *, max_new_tokens, progress) -> list[str]:
        raise NotImplementedError
