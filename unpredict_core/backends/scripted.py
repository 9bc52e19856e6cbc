"""A scripted fake model behind the real `ModelBackend` interface (like inspect_ai's mockllm and
lm-eval's DummyLM): whole experiments run in unit tests with known answers, no weights needed.

The script is a function from the rendered prompt text to a distribution over continuations.
Mass not given to any continuation is "garbage" that never parses as an answer, so coverage and
parse failures behave as with a real model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from unpredict_core.backends.base import ChoiceScores, PromptFormat, RenderedPrompt, SampleSettings, parse_choice
from unpredict_core.errors import InvalidParameter
from unpredict_core.progress import ProgressFn

Script = Callable[[str], Mapping[str, float]]
GARBAGE = "<not an answer>"


def constant(distribution: Mapping[str, float]) -> Script:
    """A script that answers every prompt with the same distribution."""
    return lambda _prompt: distribution


class ScriptedBackend:
    """Answers from a script; deterministic under a seed like the real backends."""

    def __init__(self, script: Script, label: str = "scripted", chat_template: bool = True):
        self._script = script
        self.label = label
        self.identity = "scripted:" + label
        self._chat_template = chat_template
        self.calls = 0  # how many model calls were made: tests use it to prove cache hits

    @property
    def has_chat_template(self) -> bool:
        return self._chat_template

    def render(self, request: str, fmt: PromptFormat) -> RenderedPrompt:
        if fmt == "chat" and not self._chat_template:
            note = f"{self.label} has no chat template; the request was sent as plain text."
            return RenderedPrompt(request, "plain", "chat", note)
        text = f"<user>{request}</user><assistant>" if fmt == "chat" else request
        return RenderedPrompt(text, fmt, fmt)

    def _distribution(self, prompt: RenderedPrompt) -> dict[str, float]:
        dist = {text: float(p) for text, p in self._script(prompt.text).items() if p > 0}
        total = sum(dist.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"script for {self.label} gives total mass {total} > 1")
        if total < 1.0:
            dist[GARBAGE] = 1.0 - total
        return dist

    def score_choices(self, prompt: RenderedPrompt, choices: Sequence[str]) -> ChoiceScores:
        self.calls += 1
        raw = {choice: 0.0 for choice in choices}
        for text, p in self._distribution(prompt).items():
            answer = parse_choice(text, choices)
            if answer is not None:
                raw[answer] += p
        return ChoiceScores(raw)

    def sample(
        self,
        prompt: RenderedPrompt,
        n: int,
        *,
        seed: int,
        settings: SampleSettings = SampleSettings(),
        progress: ProgressFn | None = None,
    ) -> list[str]:
        if n < 0:
            raise InvalidParameter(f"cannot draw {n} samples")
        self.calls += 1
        dist = self._distribution(prompt)
        texts = list(dist)
        weights = np.array([dist[t] for t in texts])
        # Seed from the prompt as well, so different prompts under one seed are independent draws.
        digest = hashlib.sha256(prompt.text.encode()).digest()
        rng = np.random.default_rng([seed, int.from_bytes(digest[:4], "little")])
        picks = rng.choice(len(texts), size=n, p=weights / weights.sum())
        if progress:
            progress(1.0, f"{self.label}: {n} samples")
        return [texts[i] for i in picks]

    def generate(
        self, prompts: Sequence[RenderedPrompt], *, max_new_tokens: int, progress: ProgressFn | None = None
    ) -> list[str]:
        """The script's most probable continuation of each prompt (greedy), cut at the token cap
        counted in characters (the scripted model has no tokenizer)."""
        self.calls += 1
        texts = []
        for prompt in prompts:
            dist = self._distribution(prompt)
            texts.append(max(dist, key=lambda text: (dist[text], text))[:max_new_tokens])
        if progress:
            progress(1.0, f"{self.label}: {len(prompts)} prompts answered")
        return texts
