"""The transformers backend: one implementation for CPU (float32) and CUDA (bf16).

Exact scoring (SPEC 2.1) runs one forward over the prompt, keeps its KV cache, and scores every
(prefix variant × answer) continuation in a single batched forward on top of that cache. The last
prompt's cache is kept, so a prompt that extends the previous one (a game history growing round by
round) only encodes its new tokens. Sampling reuses the same prefill.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .backend import (
    ANSWER_PREFIXES,
    ChoiceScores,
    PromptFormat,
    RenderedPrompt,
    SampleSettings,
    extends_answer,
)
from .errors import InvalidParameter
from .progress import ProgressFn, no_progress

SAMPLE_BATCH = 64  # fixed: sampled results are reproducible for a seed only at a fixed batch


@dataclass
class _Prefix:
    ids: list[int]
    cache: object  # transformers DynamicCache after `ids`
    last_logits: torch.Tensor  # (V,) next-token logits after `ids`


class TransformersBackend:
    """A causal LM and its tokenizer, already loaded (see `loading.load_transformers`)."""

    def __init__(self, model, tokenizer, *, label: str, identity: str):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.label = label
        self.identity = identity
        self.device = next(model.parameters()).device
        self._lock = threading.RLock()  # one model, many dashboard sessions
        self._prefix: _Prefix | None = None
        self._extends: torch.Tensor | None = None
        self.prefill_tokens = 0  # tokens encoded by prefills: benchmarks read it

    @property
    def has_chat_template(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def render(self, request: str, fmt: PromptFormat) -> RenderedPrompt:
        if fmt == "chat":
            if not self.has_chat_template:
                note = f"{self.label} has no chat template; the request was sent as plain text."
                return RenderedPrompt(request, "plain", "chat", note)
            text = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": request}], tokenize=False, add_generation_prompt=True
            )
            return RenderedPrompt(text, "chat", "chat")
        return RenderedPrompt(request, "plain", "plain")

    # -- tokens ---------------------------------------------------------------------------------
    def encode(self, prompt: RenderedPrompt) -> list[int]:
        # A chat template writes its own BOS; plain text gets the tokenizer's special tokens.
        return self.tokenizer(prompt.text, add_special_tokens=prompt.format == "plain")["input_ids"]

    def _continuation_ids(self, prompt_ids: list[int], prompt: RenderedPrompt, text: str) -> list[int]:
        """Tokens of `text` as they follow the prompt (lm-eval's rule: encode the whole string
        and cut off the prompt's tokens; fall back to encoding alone if the boundary merged)."""
        whole = self.encode(RenderedPrompt(prompt.text + text, prompt.format, prompt.requested_format))
        if whole[: len(prompt_ids)] == prompt_ids and len(whole) > len(prompt_ids):
            return whole[len(prompt_ids) :]
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _extends_mask(self, vocab: int) -> torch.Tensor:
        """Boolean (V,): tokens that would extend an answer (begin with a letter or digit)."""
        if self._extends is None or self._extends.numel() != vocab:
            texts = self.tokenizer.batch_decode([[i] for i in range(len(self.tokenizer))])
            mask = torch.zeros(vocab, dtype=torch.bool)
            for i, text in enumerate(texts[:vocab]):
                mask[i] = extends_answer(text)
            self._extends = mask.to(self.device)
        return self._extends

    # -- forward passes -------------------------------------------------------------------------
    @torch.inference_mode()
    def _prefill(self, ids: list[int]) -> _Prefix:
        """KV cache and next-token logits after `ids`, reusing the longest cached prefix."""
        from transformers import DynamicCache

        start, cache = 0, None
        old = self._prefix
        if old is not None:
            common = _common_prefix(old.ids, ids)
            if common == len(old.ids) == len(ids):
                return old
            if common > 0 and getattr(old.cache, "is_croppable", False):
                # keep at least one new token to produce logits for the last position
                start = min(common, len(ids) - 1)
                cache = old.cache
                try:
                    cache.crop(start - len(old.ids))  # a negative count removes tokens
                except RuntimeError:  # a sliding-window layer past its window cannot roll back
                    start, cache = 0, None
        if cache is None:
            cache = DynamicCache(config=self.model.config)
        new = torch.tensor([ids[start:]], device=self.device)
        out = self.model(input_ids=new, past_key_values=cache, use_cache=True)
        self.prefill_tokens += len(ids) - start
        self._prefix = _Prefix(list(ids), out.past_key_values, out.logits[0, -1].float())
        return self._prefix

    def _expanded(self, prefix: _Prefix, batch: int):
        cache = copy.deepcopy(prefix.cache)
        cache.batch_repeat_interleave(batch)
        return cache

    @torch.inference_mode()
    def score_choices(self, prompt: RenderedPrompt, choices: Sequence[str]) -> ChoiceScores:
        if not choices:
            raise InvalidParameter("no answers to score")
        with self._lock:
            ids = self.encode(prompt)
            prefix = self._prefill(ids)
            conts = [
                (choice, self._continuation_ids(ids, prompt, variant + choice))
                for choice in choices
                for variant in ANSWER_PREFIXES
            ]
            # Right padding is harmless under causal attention: no real position sees the pads.
            width = max(len(c) for _, c in conts)
            batch = torch.zeros((len(conts), width), dtype=torch.long, device=self.device)
            for row, (_, cont) in enumerate(conts):
                batch[row, : len(cont)] = torch.tensor(cont, device=self.device)
            out = self.model(input_ids=batch, past_key_values=self._expanded(prefix, len(conts)))
            logp = torch.log_softmax(out.logits.float(), dim=-1)  # (B, W, V)
            first = torch.log_softmax(prefix.last_logits, dim=-1)  # (V,)
            stop = ~self._extends_mask(logp.shape[-1])
            raw = {choice: 0.0 for choice in choices}
            for row, (choice, cont) in enumerate(conts):
                total = first[cont[0]]
                for pos in range(1, len(cont)):
                    total = total + logp[row, pos - 1, cont[pos]]
                total = total + torch.logsumexp(logp[row, len(cont) - 1][stop], dim=0)
                raw[choice] += float(total.exp())
        return ChoiceScores(raw)

    @torch.inference_mode()
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
        report = progress or no_progress
        generator = torch.Generator(device=self.device).manual_seed(seed)
        texts: list[str] = []
        with self._lock:
            prefix = self._prefill(self.encode(prompt))
            while len(texts) < n:
                size = min(SAMPLE_BATCH, n - len(texts))
                texts.extend(self._sample_batch(prefix, size, settings, generator))
                report(len(texts) / max(n, 1), f"{self.label}: {len(texts)}/{n} samples")
        return texts

    def _sample_batch(self, prefix: _Prefix, size: int, settings: SampleSettings, generator) -> list[str]:
        cache = self._expanded(prefix, size)
        logits = prefix.last_logits.expand(size, -1)
        eos = _eos_ids(self.model, self.tokenizer)
        finished = torch.zeros(size, dtype=torch.bool, device=self.device)
        steps: list[torch.Tensor] = []
        for _ in range(settings.max_new_tokens):
            token = _draw(logits, settings, generator)
            token = torch.where(finished, torch.full_like(token, eos[0]), token)
            steps.append(token)
            finished |= torch.isin(token, torch.tensor(eos, device=self.device))
            if finished.all() or len(steps) == settings.max_new_tokens:
                break
            out = self.model(input_ids=token[:, None], past_key_values=cache, use_cache=True)
            cache, logits = out.past_key_values, out.logits[:, -1].float()
        rows = torch.stack(steps, dim=1).tolist()
        return [_truncate(self.tokenizer.decode(_until_eos(row, eos)), settings.stop) for row in rows]


def _draw(logits: torch.Tensor, settings: SampleSettings, generator) -> torch.Tensor:
    """One token per row at the given temperature and top-p (1.0 = the full distribution)."""
    if settings.temperature <= 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / settings.temperature, dim=-1)
    if settings.top_p < 1.0:
        sorted_p, order = probs.sort(dim=-1, descending=True)
        keep = sorted_p.cumsum(dim=-1) - sorted_p < settings.top_p
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_p * keep)
    return torch.multinomial(probs, 1, generator=generator)[:, 0]


def _eos_ids(model, tokenizer) -> list[int]:
    ids = model.generation_config.eos_token_id if model.generation_config else None
    ids = ids if isinstance(ids, list) else [ids]
    ids = [i for i in ids + [tokenizer.eos_token_id] if i is not None]
    return list(dict.fromkeys(ids)) or [0]


def _until_eos(row: list[int], eos: list[int]) -> list[int]:
    for index, token in enumerate(row):
        if token in eos:
            return row[:index]
    return row


def _truncate(text: str, stops: tuple[str, ...]) -> str:
    for stop in stops:
        if stop in text:
            text = text[: text.index(stop)]
    return text


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
