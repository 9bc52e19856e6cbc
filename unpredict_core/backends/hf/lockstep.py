"""G games on one transformers model, scored round by round in batched forwards.

The G histories live in one batched KV cache, one row per game. A row holds its game's tokens at
their true positions; what a new prompt no longer shares with the last one (the question line of
the previous round) stays in the cache but is masked out from then on, as are the pads that even
out rows of different lengths. Each round costs two batched forwards for all G games:
1. the new tokens of every game (rows padded to the longest), appended to the cache;
2. every game's answer trie (see `tree_scoring`), on a shallow copy of the cache, so the trie
   nodes never enter it.
The cache keeps every layer whole (no sliding-window layer drops keys); a sliding-window layer
gets the same window in its mask instead. Keys no game can see any more are dropped from time to
time (`_compact`): left in, they made the cache, and every round's copy of it and attention over
it, grow by a question line and its padding each round, so a chat model with a long question
played 43 games slower together than one by one. The probabilities equal those of
`score_choices`, game by game, to float rounding (tests: the tiny test models and the default
pair, to 1e-5).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch

from unpredict_core.backends.base import ANSWER_PREFIXES, ChoiceScores, RenderedPrompt
from unpredict_core.backends.hf import sampling
from unpredict_core.backends.hf.gpu import explain_oom
from unpredict_core.backends.hf.tree_scoring import build_trie, layer_kinds, supports_tree

if TYPE_CHECKING:
    from transformers import DynamicCache  # imported where used: transformers is slow to import

INVALID = -1  # key position of a pad or of a token a game's prompt no longer holds
COMPACT_MIN_DEAD = 32  # drop dead keys once every row holds this many: one cache copy, as a forward makes


def _rows_gathered(states: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """(G, H, L, D) cached states with row g's keys taken in `order[g]`: (G, H, len(order[g]), D)."""
    index = order.to(states.device)[:, None, :, None]
    return torch.gather(states, 2, index.expand(-1, states.shape[1], -1, states.shape[3]))


class LockstepScorer:
    """Scores the next prompt of each of `games` games at once; call `score` once per round."""

    def __init__(self, backend, games: int):
        self.backend = backend
        self.model = backend.model
        self.games = games
        config = self.model.config
        self.kinds = set(layer_kinds(config))
        self.window = getattr(config, "sliding_window", None) if "sliding_attention" in self.kinds else None
        self.ids: list[list[int]] = [[] for _ in range(games)]
        self.cache: DynamicCache | None = None  # made by the first `_advance`
        self.key_pos: torch.Tensor | None = None  # (G, L) position of each cached key, or INVALID
        self.forwards = 0  # batched forwards run: benchmarks read it
        self.compactions = 0  # times dead keys were dropped (`_compact`): tests read it

    @property
    def supported(self) -> bool:
        b = self.backend
        return bool(b.tree_scoring and b._tree_ok is not False and supports_tree(self.model) and b._head_split_ok())

    def score(self, prompts: Sequence[RenderedPrompt], choices: Sequence[str]) -> list[ChoiceScores]:
        b = self.backend
        if b._tree_ok is None:
            b.score_choices(prompts[0], choices)  # the backend's one-time check of tree scoring
        if not self.supported:
            return [b.score_choices(p, choices) for p in prompts]
        with b._lock, torch.inference_mode(), explain_oom(f"scoring {len(prompts)} games at once with {b.label}"):
            ids = [b.encode(p) for p in prompts]
            first = torch.log_softmax(self._advance(ids).float(), dim=-1)  # (G, V)
            conts = [
                [
                    (choice, tuple(b._continuation_ids(ids[g], prompts[g], variant + choice)))
                    for choice in choices
                    for variant in ANSWER_PREFIXES
                ]
                for g in range(self.games)
            ]
            node_logps = self._tries(ids, [[c for _, c in game] for game in conts])
            stop = ~b._extends_mask(first.shape[-1])
            results = []
            for g in range(self.games):
                raw = {choice: 0.0 for choice in choices}
                node_logp = node_logps[g]
                for choice, cont in conts[g]:
                    total = first[g, cont[0]]
                    for k in range(1, len(cont)):
                        total = total + node_logp[cont[:k]][cont[k]]
                    total = total + torch.logsumexp(node_logp[cont][stop], dim=0)
                    raw[choice] += float(total.exp())
                results.append(ChoiceScores(raw))
        return results

    # -- the two forwards -----------------------------------------------------------------------
    def _advance(self, ids: list[list[int]]) -> torch.Tensor:
        """Append each game's new tokens to its row; (G, V) next-token logits after each prompt."""
        from transformers import DynamicCache

        device = self.backend.device
        if self.cache is None or self.key_pos is None:
            self.cache = DynamicCache()  # no config: every layer whole (see the module docstring)
            self.key_pos = torch.empty((self.games, 0), dtype=torch.long)
        key_pos = self.key_pos
        news, starts = [], []
        for g, game_ids in enumerate(ids):
            common = min(sampling.common_prefix(self.ids[g], game_ids), len(game_ids) - 1)  # >= 1 new token
            key_pos[g, key_pos[g] >= common] = INVALID  # what the prompt no longer holds
            news.append(game_ids[common:])
            starts.append(common)
            self.ids[g] = list(game_ids)
        key_pos = self._compact()
        width = max(map(len, news))
        tokens = torch.zeros((self.games, width), dtype=torch.long)
        positions = torch.full((self.games, width), INVALID, dtype=torch.long)
        for g, new in enumerate(news):
            tokens[g, : len(new)] = torch.tensor(new)
            positions[g, : len(new)] = torch.arange(starts[g], starts[g] + len(new))
        keys = torch.cat([key_pos, positions], dim=1)
        masks = self._masks(positions, key_pos, ancestors=None)
        hidden = self.model.get_decoder()(
            input_ids=tokens.to(device),
            position_ids=positions.clamp(min=0).to(device),
            attention_mask=masks,
            past_key_values=self.cache,
            use_cache=True,
        ).last_hidden_state
        self.forwards += 1
        self.key_pos = keys
        last = torch.tensor([len(new) - 1 for new in news])
        return self.backend._head(hidden[torch.arange(self.games), last.to(hidden.device)])

    def _compact(self) -> torch.Tensor:
        """Move each row's live keys to its front and cut the columns no row uses any more.

        Attention does not care where in the cache a key sits (its position is in its rotary
        embedding and in `key_pos`, which the masks read), so the live keys keep their order and
        the dead ones (old question lines, pads) go. Returns the new `key_pos`.
        """
        if self.cache is None or self.key_pos is None:
            raise RuntimeError("LockstepScorer._compact needs the games' cache: call _advance first")
        live = self.key_pos >= 0
        counts = live.sum(dim=1)
        keep = int(counts.max())
        dead = self.key_pos.shape[1] - keep
        if dead < COMPACT_MIN_DEAD:
            return self.key_pos
        order = torch.argsort((~live).to(torch.int8), dim=1, stable=True)[:, :keep]  # live keys first
        key_pos = torch.gather(self.key_pos, 1, order)
        key_pos[torch.arange(keep)[None, :] >= counts[:, None]] = INVALID
        from transformers.cache_utils import DynamicLayer

        for layer in self.cache.layers:
            if not isinstance(layer, DynamicLayer):  # `_advance` makes a cache of whole layers only
                raise RuntimeError(f"cannot compact a {type(layer).__name__} cache layer")
            if layer.is_initialized and layer.keys is not None and layer.values is not None:
                layer.keys, layer.values = _rows_gathered(layer.keys, order), _rows_gathered(layer.values, order)
        self.key_pos = key_pos
        self.compactions += 1
        return key_pos

    def _tries(self, ids: list[list[int]], conts: list[list[tuple[int, ...]]]) -> list[dict]:
        """Next-token log-probabilities after every node of every game's answer trie."""
        if self.cache is None or self.key_pos is None:
            raise RuntimeError("LockstepScorer._tries needs the games' cache: call _advance first")
        device = self.backend.device
        tries = [build_trie(c) for c in conts]
        width = max(len(t.nodes) for t in tries)
        tokens = torch.zeros((self.games, width), dtype=torch.long)
        positions = torch.full((self.games, width), INVALID, dtype=torch.long)
        ancestors = torch.zeros((self.games, width, width), dtype=torch.bool)
        for g, trie in enumerate(tries):
            n = len(trie.nodes)
            tokens[g, :n] = torch.tensor(trie.tokens)
            positions[g, :n] = len(ids[g]) + trie.depths - 1
            ancestors[g, :n, :n] = trie.ancestors
        masks = self._masks(positions, self.key_pos, ancestors)
        work = copy.copy(self.cache)  # the trie nodes must not enter the games' cache
        work.layers = [copy.copy(layer) for layer in self.cache.layers]
        hidden = self.model.get_decoder()(
            input_ids=tokens.to(device),
            position_ids=positions.clamp(min=0).to(device),
            attention_mask=masks,
            past_key_values=work,
            use_cache=True,
        ).last_hidden_state
        self.forwards += 1
        rows = torch.cat([torch.full((len(t.nodes),), g) for g, t in enumerate(tries)])
        cols = torch.cat([torch.arange(len(t.nodes)) for t in tries])
        logp = torch.log_softmax(self.backend._head(hidden[rows, cols]).float(), dim=-1)  # (all nodes, V)
        out, start = [], 0
        for trie in tries:
            out.append(dict(zip(trie.nodes, logp[start : start + len(trie.nodes)])))
            start += len(trie.nodes)
        return out

    def _masks(self, queries: torch.Tensor, past: torch.Tensor, ancestors: torch.Tensor | None):
        """Additive (G, 1, Q, K) masks per attention kind for queries at `queries` positions.

        Keys are the cached ones (`past`, positions or INVALID) followed by the queries themselves.
        Without `ancestors` (new prompt tokens) a query sees valid keys at or before its position;
        with it (trie nodes) a query sees the valid cached keys and its own ancestors in the trie.
        A pad query sees only itself, so no row of the softmax is empty.
        """
        valid_query = queries >= 0  # (G, Q)
        if ancestors is None:
            keys = torch.cat([past, queries], dim=1)
            allowed = (keys[:, None, :] >= 0) & (keys[:, None, :] <= queries[:, :, None])
            keys_for_window = keys
        else:
            allowed_past = (past[:, None, :] >= 0).expand(-1, queries.shape[1], -1)
            allowed = torch.cat([allowed_past, ancestors], dim=2)
            keys_for_window = torch.cat([past, queries], dim=1)
        q = queries.shape[1]
        self_only = torch.zeros_like(allowed)
        self_only[:, :, -q:] = torch.eye(q, dtype=torch.bool)
        allowed = torch.where(valid_query[:, :, None], allowed, self_only)
        dtype = next(self.model.parameters()).dtype
        device = self.backend.device

        def additive(a: torch.Tensor) -> torch.Tensor:
            mask = torch.zeros(a.shape, dtype=dtype).masked_fill(~a, torch.finfo(dtype).min)
            return mask[:, None].to(device)

        full = additive(allowed)
        if "sliding_attention" not in self.kinds:
            return full
        if self.window is None:
            raise ValueError(f"{self.backend.label} has sliding-attention layers but no sliding_window in its config")
        in_window = keys_for_window[:, None, :] > queries[:, :, None] - self.window
        sliding = torch.where(valid_query[:, :, None], allowed & in_window, self_only)
        return {"full_attention": full, "sliding_attention": additive(sliding)}
