"""Scoring every answer continuation in one single-row forward over the shared prompt cache.

The continuations of a prompt form a trie ("1" is a prefix of "10"; " 1" and " 2" share " ").
Laid out as one flat sequence of trie nodes, each node placed at the position it would have in its
own continuation and allowed to attend to the whole prompt plus its own ancestors, a single forward
gives every node's next-token distribution. Unlike a batch of continuations, this never copies the
prompt's KV cache per row, so a round of a long game costs the same as the first one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Trie:
    nodes: list[tuple[int, ...]]  # every distinct non-empty prefix of a continuation, parents first
    ancestors: torch.Tensor  # (N, N) bool: [i, j] when node j is node i or one of its ancestors

    @property
    def tokens(self) -> list[int]:
        return [node[-1] for node in self.nodes]

    @property
    def depths(self) -> torch.Tensor:
        return torch.tensor([len(node) for node in self.nodes])


def build_trie(continuations: list[tuple[int, ...]]) -> Trie:
    index: dict[tuple[int, ...], int] = {}
    for cont in continuations:
        for k in range(1, len(cont) + 1):
            index.setdefault(cont[:k], len(index))
    nodes = list(index)
    ancestors = torch.zeros((len(nodes), len(nodes)), dtype=torch.bool)
    for i, node in enumerate(nodes):
        for k in range(1, len(node) + 1):
            ancestors[i, index[node[:k]]] = True
    return Trie(nodes, ancestors)


def layer_kinds(config) -> list[str]:
    """Each layer's attention kind as the model's mask mapping names it."""
    kinds = getattr(config, "layer_types", None)
    return list(kinds) if kinds else ["full_attention"] * config.num_hidden_layers


def tree_masks(config, cache, trie: Trie, prompt_length: int, dtype: torch.dtype, device) -> dict[str, torch.Tensor]:
    """Additive 4D masks (1, 1, N, keys) per attention kind, matching the keys each layer returns.

    A full-attention layer returns all it holds plus the N nodes. A sliding-window layer returns at
    most `window - 1` past keys plus the nodes, and a node at position p may only see keys at
    positions > p - window (transformers' `sliding_window_overlay`).
    """
    kinds = layer_kinds(config)
    positions = prompt_length + trie.depths - 1  # (N,)
    masks = {}
    for kind in dict.fromkeys(kinds):
        layer = cache.layers[kinds.index(kind)]
        held = layer.keys.shape[-2]
        window = getattr(config, "sliding_window", None) if kind == "sliding_attention" else None
        past = min(held, window - 1) if window else held
        past_positions = torch.arange(prompt_length - past, prompt_length)
        allowed_past = torch.ones((len(trie.nodes), past), dtype=torch.bool)
        if window:
            allowed_past &= past_positions[None, :] > positions[:, None] - window
        allowed = torch.cat([allowed_past, trie.ancestors], dim=1)
        mask = torch.zeros(allowed.shape, dtype=dtype).masked_fill(~allowed, torch.finfo(dtype).min)
        masks[kind] = mask[None, None].to(device)
    return masks


def supports_tree(model) -> bool:
    """Custom 4D masks reach the attention of sdpa and eager implementations; flash-attention
    and other kernels take no arbitrary mask, so those models keep the batched path."""
    implementation = getattr(model.config, "_attn_implementation", None)
    kinds = set(layer_kinds(model.config))
    return implementation in {"sdpa", "eager"} and kinds <= {"full_attention", "sliding_attention"}


def tree_hidden(model, cache, trie: Trie, prompt_length: int, device: torch.device) -> torch.Tensor:
    """(N, hidden) last hidden state of every trie node, leaving `cache` as it was.

    The cache's layers are copied shallowly: their `update` rebinds keys and values to new
    tensors, so the prompt's own tensors are never written and the next round can reuse them.
    """
    work = copy.copy(cache)
    work.layers = [copy.copy(layer) for layer in cache.layers]
    dtype = next(model.parameters()).dtype  # `device` is the caller's: a parameter may be on "meta"
    masks = tree_masks(model.config, cache, trie, prompt_length, dtype, device)
    kinds = set(layer_kinds(model.config))
    mask = masks if "sliding_attention" in kinds else masks["full_attention"]
    out = model.get_decoder()(
        input_ids=torch.tensor([trie.tokens], device=device),
        position_ids=(prompt_length + trie.depths - 1)[None].to(device),
        attention_mask=mask,
        past_key_values=work,
        use_cache=True,
    )
    return out.last_hidden_state[0]
