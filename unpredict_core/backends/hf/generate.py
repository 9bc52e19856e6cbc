"""Batched greedy decoding for the transformers backend (a benchmark's many prompts).

Prompts are sorted by length and decoded in batches with left padding, so every row's last prompt
token sits at the same position and new tokens append in lockstep; the attention mask hides the
pads and transformers' `generate` derives each row's positions from it. A row that reaches an end
of sequence stops (later tokens are pads and are dropped). Results equal decoding each prompt alone
(tests compare against the backend's one-at-a-time greedy path); `generate` is used rather than a
loop of our own because it already handles every model family's cache and masks.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from unpredict_core.backends.hf import sampling
from unpredict_core.progress import ProgressFn, no_progress


def batch_size_for(device: torch.device) -> int:
    """Rows per batch: enough to fill a GPU; on a CPU a few, since a forward is already parallel."""
    return 32 if device.type == "cuda" else 8


def left_padded(rows: Sequence[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token rows padded on the left to one width, and the attention mask that hides the pads."""
    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for r, row in enumerate(rows):
        ids[r, width - len(row) :] = torch.tensor(row)
        mask[r, width - len(row) :] = 1
    return ids, mask


@torch.inference_mode()
def greedy_batches(
    model,
    tokenizer,
    encoded: Sequence[list[int]],
    *,
    max_new_tokens: int,
    device: torch.device,
    batch_size: int,
    progress: ProgressFn = no_progress,
    label: str = "model",
) -> tuple[list[list[int]], int]:
    """The greedy new tokens of each prompt (end-of-sequence excluded) and how many were made."""
    from transformers import GenerationConfig

    eos = sampling.eos_ids(model, tokenizer)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos[0]
    config = GenerationConfig(
        do_sample=False, max_new_tokens=max_new_tokens, eos_token_id=eos, pad_token_id=pad, num_beams=1
    )
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    out: list[list[int]] = [[] for _ in encoded]
    made = 0
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        ids, mask = left_padded([encoded[i] for i in rows], pad)
        width = ids.shape[1]
        generated = model.generate(input_ids=ids.to(device), attention_mask=mask.to(device), generation_config=config)[
            :, width:
        ].tolist()
        for r, i in enumerate(rows):
            tokens = generated[r]
            end = next((k for k, token in enumerate(tokens) if token in eos), len(tokens))
            out[i] = tokens[:end]
            made += end
        done = min(start + batch_size, len(order))
        progress(done / len(order), f"{label}: {done}/{len(order)} prompts answered")
    return out, made
