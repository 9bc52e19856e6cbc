"""The transformers backend: one implementation for CPU (float32) and CUDA (bf16).

Exact scoring runs one forward over the prompt, keeps its KV cache, and scores every
(prefix variant × answer) continuation in a single batched forward on top of that cache. The last
prompt's cache is kept, so a prompt that extends the previous one (a game history growing round by
round) only encodes its new tokens. Sampling reuses the same prefill.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from unpredict_core.backends.base import (
    ANSWER_PREFIXES,
    ChoiceScores,
    PromptFormat,
    RenderedPrompt,
    SampleSettings,
    extends_answer,
)
from unpredict_core.backends.hf import sampling
from unpredict_core.backends.hf.generate import batch_size_for, greedy_batches
from unpredict_core.backends.hf.gpu import explain_oom, input_device
from unpredict_core.backends.hf.tree_scoring import build_trie, supports_tree, tree_hidden
from unpredict_core.errors import InvalidParameter
from unpredict_core.progress import ProgressFn, no_progress

if TYPE_CHECKING:
    from transformers import DynamicCache  # imported where used: transformers is slow to import

SAMPLE_BATCH = 64  # fixed: sampled results are reproducible for a seed only at a fixed batch


@dataclass
class _Prefix:
    ids: list[int]
    cache: DynamicCache  # after `ids`
    last_logits: torch.Tensor  # (V,) next-token logits after `ids`
    rollback: int  # tokens that can be cropped off exactly (see `_prefill`)


class TransformersBackend:
    """A causal LM and its tokenizer, already loaded (see `loading.load_transformers`)."""

    def __init__(self, model, tokenizer, *, label: str, identity: str):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.label = label
        self.identity = identity
        self.device = input_device(model)
        self._lock = threading.RLock()  # one model, many dashboard sessions
        self._prefix: _Prefix | None = None
        self._extends: torch.Tensor | None = None
        self._split_ok: bool | None = None
        self._specials: list[str] | None = None
        self._tree_ok: bool | None = None  # tree scoring agrees with the batched path (checked once)
        self.tree_scoring = True  # False forces the batched path (benchmarks and tests compare)
        self.prefill_tokens = 0  # tokens encoded by prefills: benchmarks read it
        self.reuse_prefix = True  # False re-encodes every prompt from scratch (benchmarks compare)
        self.generate_batch: int | None = None  # rows per greedy batch (None: by device); 1 = one at a time
        self.generated_tokens = 0  # new tokens made by `generate`: benchmarks read it

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
        tail = self._tail_after_special(prompt.text)
        if tail is not None:
            # Special tokens are split out before the rest is tokenised, so the text after the
            # last one tokenises alone: the same rule on the tail costs O(tail), not O(history).
            tail_ids = self.tokenizer(tail, add_special_tokens=False)["input_ids"]
            if len(tail_ids) <= len(prompt_ids) and prompt_ids[len(prompt_ids) - len(tail_ids) :] == tail_ids:
                whole = self.tokenizer(tail + text, add_special_tokens=False)["input_ids"]
                if whole[: len(tail_ids)] == tail_ids and len(whole) > len(tail_ids):
                    return whole[len(tail_ids) :]
                return self.tokenizer(text, add_special_tokens=False)["input_ids"]
        whole = self.encode(RenderedPrompt(prompt.text + text, prompt.format, prompt.requested_format))
        if whole[: len(prompt_ids)] == prompt_ids and len(whole) > len(prompt_ids):
            return whole[len(prompt_ids) :]
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _tail_after_special(self, text: str) -> str | None:
        """The text after the last special token in `text` (None when it holds none)."""
        if self._specials is None:
            decoder = getattr(self.tokenizer, "added_tokens_decoder", {}) or {}
            self._specials = [t.content for t in decoder.values() if getattr(t, "special", False) and t.content]
        ends = [text.rfind(token) + len(token) for token in self._specials if token in text]
        return text[max(ends) :] if ends else None

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
        """KV cache and next-token logits after `ids`, reusing the longest cached prefix.

        Sliding-window layers keep only their window, so the cache records the past and can roll
        back at most the tokens added since its last crop (`rollback`); beyond that, re-encode.
        """
        from transformers import DynamicCache

        start, cache, rollback = 0, None, 0
        old = self._prefix if self.reuse_prefix else None
        if old is not None:
            common = sampling.common_prefix(old.ids, ids)
            if common == len(old.ids) == len(ids):
                return old
            start = min(common, len(ids) - 1)  # at least one new token, for the last logits
            remove = len(old.ids) - start
            if start > 0 and remove <= old.rollback:
                cache = old.cache
                if remove:
                    cache.crop(-remove)
                rollback = old.rollback if remove == 0 else 0
        if cache is None:
            start, cache = 0, DynamicCache(config=self.model.config)
            cache.activate_past_recording()
        new = torch.tensor([ids[start:]], device=self.device)
        self._prefix = None  # the old cache may be cropped already: never reuse it after a failure
        out = self.model(input_ids=new, past_key_values=cache, use_cache=True, logits_to_keep=1)
        self.prefill_tokens += len(ids) - start
        rollback += len(ids) - start
        last = out.logits[0, -1].float().to(self.device)
        self._prefix = _Prefix(list(ids), out.past_key_values, last, rollback)
        return self._prefix

    def _expanded(self, prefix: _Prefix, batch: int):
        """The prefix cache repeated `batch` times, leaving the prefix's own tensors untouched.

        `batch_repeat_interleave` rebinds each layer's tensors to new ones, so a shallow copy of
        the cache and its layers is enough; a deep copy would copy a long history once more.
        """
        cache = copy.copy(prefix.cache)
        cache.layers = [copy.copy(layer) for layer in prefix.cache.layers]
        cache.batch_repeat_interleave(batch)
        return cache

    @torch.inference_mode()
    def score_choices(self, prompt: RenderedPrompt, choices: Sequence[str]) -> ChoiceScores:
        if not choices:
            raise InvalidParameter("no answers to score")
        with self._lock, explain_oom(f"scoring answers with {self.label}"):
            ids = self.encode(prompt)
            prefix = self._prefill(ids)
            conts = [
                (choice, tuple(self._continuation_ids(ids, prompt, variant + choice)))
                for choice in choices
                for variant in ANSWER_PREFIXES
            ]
            node_logp = self._node_logprobs(prefix, [cont for _, cont in conts])
            first = torch.log_softmax(prefix.last_logits, dim=-1)  # (V,)
            stop = ~self._extends_mask(first.shape[-1])
            raw = {choice: 0.0 for choice in choices}
            for choice, cont in conts:
                total = first[cont[0]]
                for k in range(1, len(cont)):
                    total = total + node_logp[cont[:k]][cont[k]]
                total = total + torch.logsumexp(node_logp[cont][stop], dim=0)
                raw[choice] += float(total.exp())
        return ChoiceScores(raw)

    def answer_tokens(self, prompt: RenderedPrompt, texts: Sequence[str]) -> list[tuple[int, ...]]:
        """The tokens of each text as it follows the prompt, by the rule exact scoring uses."""
        with self._lock:
            ids = self.encode(prompt)
            return [tuple(self._continuation_ids(ids, prompt, text)) for text in texts]

    @torch.inference_mode()
    def step_logprobs(
        self, prompt: RenderedPrompt, conts: list[tuple[int, ...]]
    ) -> dict[tuple[int, ...], torch.Tensor]:
        """Next-token log-probabilities (V,) after the prompt (key `()`) and after every prefix of
        every continuation, on the prompt's cached prefill: what a token mixture of two models
        needs from each of them (`backends.mixture.token`)."""
        with self._lock, explain_oom(f"scoring answers with {self.label}"):
            prefix = self._prefill(self.encode(prompt))
            nodes = self._node_logprobs(prefix, conts) if conts else {}
            return {(): torch.log_softmax(prefix.last_logits, dim=-1)} | nodes

    def _node_logprobs(self, prefix: _Prefix, conts: list[tuple[int, ...]]) -> dict[tuple[int, ...], torch.Tensor]:
        """Next-token log-probabilities after every prefix (node) of every continuation.

        One single-row forward over the trie of continuations (see `tree_scoring`) when the model
        allows it; the first time, its result is checked against the batched path, which stays
        the fallback for attention kernels that take no custom mask.
        """
        if self.tree_scoring and self._tree_ok is not False and supports_tree(self.model) and self._head_split_ok():
            trie = build_trie(conts)
            logits = self._head(tree_hidden(self.model, prefix.cache, trie, len(prefix.ids), self.device))
            tree = dict(zip(trie.nodes, torch.log_softmax(logits.float(), dim=-1)))
            if self._tree_ok is None:
                batched = self._batched_logprobs(prefix, conts)
                tolerance = 1e-3 if self.model.dtype == torch.float32 else 5e-2
                self._tree_ok = all(
                    torch.allclose(tree[node].exp(), batched[node].exp(), atol=tolerance) for node in batched
                )
            if self._tree_ok:
                return tree
        return self._batched_logprobs(prefix, conts)

    def _batched_logprobs(self, prefix: _Prefix, conts: list[tuple[int, ...]]) -> dict[tuple[int, ...], torch.Tensor]:
        """The fallback: the continuations not contained in another, one batch row each, on the
        prefix cache repeated per row; the output head runs once per distinct node."""
        rows: list[tuple[int, ...]] = []
        for cont in sorted(set(conts), key=len, reverse=True):
            if not any(row[: len(cont)] == cont for row in rows):
                rows.append(cont)
        where: dict[tuple[int, ...], tuple[int, int]] = {}
        for r, row in enumerate(rows):
            for k in range(1, len(row) + 1):
                where.setdefault(row[:k], (r, k - 1))
        # Right padding is harmless under causal attention: no real position sees the pads.
        batch = torch.zeros((len(rows), max(map(len, rows))), dtype=torch.long, device=self.device)
        for r, row in enumerate(rows):
            batch[r, : len(row)] = torch.tensor(row, device=self.device)
        nodes = list(where)
        # CPU indices index a tensor on any device: under a device_map the decoder's last layer
        # (so `hidden`) may sit on another GPU than the embeddings (`self.device`).
        row_index = torch.tensor([where[n][0] for n in nodes])
        pos_index = torch.tensor([where[n][1] for n in nodes])
        cache = self._expanded(prefix, len(rows))
        if self._head_split_ok():
            hidden = self.model.get_decoder()(input_ids=batch, past_key_values=cache).last_hidden_state
            logits = self._head(hidden[row_index, pos_index])
        else:
            logits = self.model(input_ids=batch, past_key_values=cache).logits[row_index, pos_index]
        logp = torch.log_softmax(logits.float(), dim=-1)
        return {node: logp[i] for i, node in enumerate(nodes)}

    def _head(self, hidden: torch.Tensor) -> torch.Tensor:
        """Logits on `self.device` (the output head may sit on another GPU under a device_map)."""
        logits = self.model.get_output_embeddings()(hidden).to(self.device)
        cap = getattr(self.model.config, "final_logit_softcapping", None)
        return torch.tanh(logits / cap) * cap if cap else logits

    def _head_split_ok(self) -> bool:
        """Whether decoder + output head reproduces the model's own logits (checked once), so
        the head can be applied to selected positions only. Otherwise use full logits."""
        if self._split_ok is None:
            probe = torch.tensor([[1, 2, 3]], device=self.device)
            try:
                full = self.model(input_ids=probe).logits[0].float()
                split = self._head(self.model.get_decoder()(input_ids=probe).last_hidden_state)[0].float()
                self._split_ok = bool(torch.allclose(full, split, atol=1e-3, rtol=1e-3))
            except (AttributeError, TypeError, RuntimeError):
                self._split_ok = False
        return self._split_ok

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
        with self._lock, explain_oom(f"sampling from {self.label} ({SAMPLE_BATCH} rows per batch)"):
            prefix = self._prefill(self.encode(prompt))
            while len(texts) < n:
                size = min(SAMPLE_BATCH, n - len(texts))
                texts.extend(self._sample_batch(prefix, size, settings, generator))
                report(len(texts) / max(n, 1), f"{self.label}: {len(texts)}/{n} samples")
        return texts

    def generate(
        self, prompts: Sequence[RenderedPrompt], *, max_new_tokens: int, progress: ProgressFn | None = None
    ) -> list[str]:
        with self._lock, explain_oom(f"generating with {self.label}"):
            new_tokens, made = greedy_batches(
                self.model,
                self.tokenizer,
                [self.encode(prompt) for prompt in prompts],
                max_new_tokens=max_new_tokens,
                device=self.device,
                batch_size=self.generate_batch or batch_size_for(self.device),
                progress=progress or no_progress,
                label=self.label,
            )
        self.generated_tokens += made
        return [self.tokenizer.decode(tokens) for tokens in new_tokens]

    def _sample_batch(self, prefix: _Prefix, size: int, settings: SampleSettings, generator) -> list[str]:
        """`size` continuations of the prefix; rows that ended (EOS, a stop string, or decided by
        `settings.decided`) leave the batch, so the rest run on a smaller batch."""
        cache = [self._expanded(prefix, size)]

        def next_logits(tokens: list[int], kept: list[int] | None) -> torch.Tensor:
            if kept is not None:
                cache[0].batch_select_indices(torch.tensor(kept))  # CPU: the layers may span GPUs
            step_input = torch.tensor([[token] for token in tokens], device=self.device)
            out = self.model(input_ids=step_input, past_key_values=cache[0], use_cache=True)
            cache[0] = out.past_key_values
            return out.logits[:, -1].float().to(self.device)

        eos = set(sampling.eos_ids(self.model, self.tokenizer))
        first = prefix.last_logits.expand(size, -1)
        rows = sampling.draw_rows(first, settings, generator, eos, self.tokenizer.batch_decode, next_logits)
        return [sampling.truncate(self.tokenizer.decode(row), settings.stop) for row in rows]
