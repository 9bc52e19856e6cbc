"""Token-level sampling helpers of the transformers backend: drawing, stopping, cleaning up."""

from __future__ import annotations

from collections.abc import Callable

import torch

from unpredict_core.backends.base import SampleSettings


def finished(text: str, settings: SampleSettings) -> bool:
    if any(stop in text for stop in settings.stop):
        return True
    return bool(settings.decided and settings.decided(text))


def draw(logits: torch.Tensor, settings: SampleSettings, generator) -> torch.Tensor:
    """One token per row at the given temperature and top-p (1.0 = the full distribution)."""
    if settings.temperature <= 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / settings.temperature, dim=-1)
    if settings.top_p < 1.0:
        sorted_p, order = probs.sort(dim=-1, descending=True)
        keep = sorted_p.cumsum(dim=-1) - sorted_p < settings.top_p
        probs = torch.zeros_like(probs).scatter(-1, order, sorted_p * keep)
    return torch.multinomial(probs, 1, generator=generator)[:, 0]


def eos_ids(model, tokenizer) -> list[int]:
    ids = model.generation_config.eos_token_id if model.generation_config else None
    ids = ids if isinstance(ids, list) else [ids]
    ids = [i for i in ids + [tokenizer.eos_token_id] if i is not None]
    return list(dict.fromkeys(ids)) or [0]


def truncate(text: str, stops: tuple[str, ...]) -> str:
    for stop in stops:
        if stop in text:
            text = text[: text.index(stop)]
    return text


def common_prefix(a: list[int], b: list[int]) -> int:
    """How many leading tokens two id lists share (the KV cache of that many can be reused)."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def draw_rows(
    logits: torch.Tensor,
    settings: SampleSettings,
    generator,
    eos: set[int],
    decode: Callable[[list[list[int]]], list[str]],
    next_logits: Callable[[list[int], list[int] | None], torch.Tensor],
) -> list[list[int]]:
    """The batched sampling loop every sampler here shares: one row per line of `logits`; a row
    leaves the batch when it ends (an end-of-sequence token, a stop string, or `settings.decided`),
    so the rest run on a smaller batch. `next_logits(tokens, kept)` feeds the kept rows' tokens
    and returns the next step's logits; `kept` names the batch slots that stay when some left
    (None when all stay), so the caller can shrink its caches."""
    rows: list[list[int]] = [[] for _ in range(logits.shape[0])]
    active = list(range(len(rows)))  # row of each batch slot
    for step in range(settings.max_new_tokens):
        tokens = draw(logits, settings, generator).tolist()
        keep = [slot for slot, token in enumerate(tokens) if token not in eos]
        for slot in keep:
            rows[active[slot]].append(tokens[slot])
        if settings.stop or settings.decided:
            texts = decode([rows[active[slot]] for slot in keep])
            keep = [slot for slot, text in zip(keep, texts) if not finished(text, settings)]
        if not keep or step == settings.max_new_tokens - 1:
            break
        logits = next_logits([tokens[slot] for slot in keep], keep if len(keep) < len(active) else None)
        active = [active[slot] for slot in keep]
    return rows
