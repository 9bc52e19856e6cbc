"""The token mixture: two local models sharing one tokenizer, mixed at every step.

p_α(t | context) ∝ p_base(t | base prompt, continuation)^(1−α) · p_aligned(t | aligned prompt,
continuation)^α: each model reads its own prompt format (base the plain text, aligned its chat
template) and both the same continuation tokens. Exact scoring multiplies these mixed step
probabilities over an answer's tokens and ends with the same end-of-answer rule as one model (the
mass of tokens that do not extend the answer). Each model keeps its own prompt KV cache, reused as
when it plays alone, so a game round costs about two rounds of one side.

Continuation tokens are read the base side's way (`answer_tokens` after the base prompt); with one
tokenizer both sides almost always agree, and where a boundary merges differently the aligned model
is scored on the base's tokens.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from unpredict_core.backends.base import ANSWER_PREFIXES, ChoiceScores, RenderedPrompt, SampleSettings
from unpredict_core.backends.hf import sampling
from unpredict_core.backends.hf.gpu import explain_oom
from unpredict_core.backends.mixture.pairing import PairMixer
from unpredict_core.errors import InvalidParameter
from unpredict_core.progress import no_progress

SAMPLE_BATCH = 64  # as one side's sampler: a seed reproduces its draws only at a fixed batch


def tokenizer_problem(base, aligned) -> str:
    """Why the two backends cannot be token-mixed ("" when they can): both must be local
    transformers models whose tokenizers have exactly the same vocabulary and ids."""
    for side in (base, aligned):
        if not hasattr(side, "tokenizer") or not hasattr(side, "model"):
            return f"{side.label} is not a local transformers model, so its next-token distribution is not here"
    vb, va = base.tokenizer.get_vocab(), aligned.tokenizer.get_vocab()
    if vb != va:
        differ = sorted(set(vb.items()) ^ set(va.items()), key=lambda item: item[1])[:1]
        example = f" (e.g. token {differ[0][0]!r} is id {differ[0][1]} on one side only)" if differ else ""
        return f"their tokenizers differ: {len(vb):,} vs {len(va):,} tokens{example}"
    return ""


def mix_logprobs(base: torch.Tensor, aligned: torch.Tensor, alpha: float) -> torch.Tensor:
    """log p_α = log_softmax((1−α)·log p_base + α·log p_aligned) over the shared vocabulary (the
    smaller logit width, when one model pads its output layer)."""
    width = min(base.shape[-1], aligned.shape[-1])
    both = (1 - alpha) * base[..., :width].float() + alpha * aligned[..., :width].float().to(base.device)
    return torch.log_softmax(both, dim=-1)


class TokenMixture(PairMixer):
    kind = "token"

    def __init__(self, base, aligned, alpha: float):
        problem = tokenizer_problem(base, aligned)
        if problem:
            raise InvalidParameter(f"No token mixture: {problem}.")
        super().__init__(base, aligned, alpha)

    @torch.inference_mode()
    def score_mixed(self, base: RenderedPrompt, aligned: RenderedPrompt, choices: Sequence[str]) -> ChoiceScores:
        if not choices:
            raise InvalidParameter("no answers to score")
        pairs = [(choice, variant + choice) for choice in choices for variant in ANSWER_PREFIXES]
        conts = self.base.answer_tokens(base, [text for _, text in pairs])
        nodes_b = self.base.step_logprobs(base, conts)
        nodes_a = self.aligned.step_logprobs(aligned, conts)
        mixed = {node: mix_logprobs(nodes_b[node], nodes_a[node], self.alpha) for node in nodes_b}
        stop = ~self.base._extends_mask(mixed[()].shape[-1])  # the end-of-answer rule, as one side
        raw = {choice: 0.0 for choice in choices}
        for (choice, _), cont in zip(pairs, conts):
            total = sum(mixed[cont[:k]][cont[k]] for k in range(len(cont)))
            total = total + torch.logsumexp(mixed[cont][stop], dim=0)
            raw[choice] += float(total.exp())
        return ChoiceScores(raw)

    def sample_mixed(self, base, aligned, n, *, seed, settings, progress) -> list[str]:
        if n < 0:
            raise InvalidParameter(f"cannot draw {n} samples")
        report = progress or no_progress
        generator = torch.Generator(device=self.base.device).manual_seed(seed)
        texts: list[str] = []
        while len(texts) < n:
            size = min(SAMPLE_BATCH, n - len(texts))
            texts.extend(self._rows(base, aligned, size, settings, generator))
            report(len(texts) / max(n, 1), f"{self.label}: {len(texts)}/{n} samples")
        return texts

    def generate_mixed(self, base, aligned, *, max_new_tokens, progress) -> list[str]:
        """Greedy decoding from p_α, one prompt at a time (each step needs both models)."""
        report = progress or no_progress
        greedy = SampleSettings(temperature=0.0, max_new_tokens=max_new_tokens)
        texts = []
        for index, (b, a) in enumerate(zip(base, aligned)):
            texts += self._rows(b, a, 1, greedy, None)
            report((index + 1) / max(len(base), 1), f"{self.label}: {index + 1}/{len(base)} prompts answered")
        return texts

    @torch.inference_mode()
    def _rows(self, base_prompt, aligned_prompt, size: int, settings: SampleSettings, generator) -> list[str]:
        """`size` continuations drawn from p_α; as one side's sampler, a row leaves the batch when
        it ends (an end of sequence of either model, a stop string, or decided)."""
        b, a = self.base, self.aligned
        with b._lock, a._lock, explain_oom(f"sampling from {self.label}"):
            prefix_b = b._prefill(b.encode(base_prompt))  # each side's prompt cache, reused
            prefix_a = a._prefill(a.encode(aligned_prompt))
            caches = [b._expanded(prefix_b, size), a._expanded(prefix_a, size)]

            def next_logits(tokens: list[int], kept: list[int] | None) -> torch.Tensor:
                """Both models step on the same tokens, each on its own cache; p_α of their steps."""
                steps = []
                for side, cache in zip((b, a), caches):
                    if kept is not None:
                        cache.batch_select_indices(torch.tensor(kept))
                    step_input = torch.tensor([[token] for token in tokens], device=side.device)
                    out = side.model(input_ids=step_input, past_key_values=cache, use_cache=True)
                    steps.append(torch.log_softmax(out.logits[:, -1].float(), dim=-1))
                return mix_logprobs(steps[0].to(b.device), steps[1], self.alpha)

            first = mix_logprobs(prefix_b.last_logits, prefix_a.last_logits, self.alpha).expand(size, -1)
            eos = set(sampling.eos_ids(b.model, b.tokenizer)) | set(sampling.eos_ids(a.model, a.tokenizer))
            rows = sampling.draw_rows(first, settings, generator, eos, b.tokenizer.batch_decode, next_logits)
        return [sampling.truncate(b.tokenizer.decode(row), settings.stop) for row in rows]
