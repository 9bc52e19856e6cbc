"""`ModelBackend` over an OpenAI-compatible server (vLLM; llama.cpp's server in the tests).

Prompts go to `/v1/completions` as token ids, so the model sees exactly what the transformers
backend would feed it: the plain format with the tokenizer's special tokens, the chat format as
the server's own chat template renders it (see client.py for the endpoints per server).

Exact scoring asks the server, for every node of the continuation trie (the prompt,
then each prefix of each `prefix + answer`), for its next-token `top_logprobs`:
- a step inside a continuation uses that token's log-probability: from `prompt_logprobs` on vLLM
  (exact for any token), from the parent node's top candidates on llama.cpp (exact when the
  token is among them, else counted as unresolved);
- the end of an answer needs P(the next token does not extend it) = the non-extending mass of
  the top candidates, plus at most the mass the server did not list (counted as unresolved).
`ServerChoiceScores.unresolved` bounds what the scores may miss: with 1,000 candidates, 2.5e-3
(SmolLM2) to 8e-3 (gemma) on the default pair; a run records its worst (runs.UnresolvedTally).
A server that gives no log-probabilities is scored by sampling, and says so.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from unpredict_core.backends.base import (
    ANSWER_PREFIXES,
    LOGPROB_TOLERANCE,
    PROBABILITY_TOLERANCE,
    ChoiceScores,
    PromptFormat,
    RenderedPrompt,
    SampleSettings,
    extends_answer,
)
from unpredict_core.backends.base import parse_choice as _parse_choice
from unpredict_core.backends.server.client import ServerClient, ServerInfo
from unpredict_core.backends.server.replies import Choice, Completion, Logprobs, PromptLogprob, Tokens
from unpredict_core.backends.server.texts import CHARACTERS_PER_TOKEN, check_length
from unpredict_core.errors import InvalidParameter, ServerProtocolError
from unpredict_core.progress import ProgressFn, no_progress

SAMPLE_BATCH = 64  # draws per round (vLLM: one request with n = 64)
GENERATE_CONCURRENCY = int(os.environ.get("UNPREDICT_SERVER_CONCURRENCY", "8"))  # greedy requests in flight
SAMPLED_SCORE_N = 400  # draws behind one sampled score: ±2.5 points of probability at worst


@dataclass(frozen=True)
class ServerChoiceScores(ChoiceScores):
    """Choice scores plus how they were obtained: `method` is "logprobs" or "sampled";
    `unresolved` bounds the probability the top candidates left unaccounted for."""

    method: str = "logprobs"
    unresolved: float = 0.0


@dataclass
class _Node:
    top: dict[int | str, float]  # candidate (token id, or its text where ids are not given) -> logprob
    texts: list[tuple[str, float]]  # (token text, logprob) of every candidate
    path: list[float] | None  # vLLM: exact logprob of each prompt token past the shared prompt


class ServerBackend:
    """A model behind an OpenAI-compatible server; thread-safe (every call is one HTTP request).

    This class speaks the generic OpenAI API: text prompts, no tokenizer or chat-template endpoint.
    Each server that offers more is a subclass (`LlamaCppBackend`, `VLLMBackend`) overriding only
    what its API does differently; `connect` picks the one the server's `/props` or `/version` names.
    """

    no_template = "exposes no chat-template endpoint"  # why a chat prompt goes out as plain text
    scores_paths = False  # a completion's prompt log-probabilities score a whole answer path
    sends_token_ids = False  # prompts as token ids (exact scoring) rather than text
    pure_sampling: dict = {}  # the fields that switch off the server's default truncation

    def __init__(self, info: ServerInfo, *, label: str, timeout: float | None = None):
        self.info = info
        self.client = ServerClient(info.url, timeout=timeout)
        self.label = label
        self.identity = info.identity
        self.scoring = "logprobs" if info.exact else "sampled"  # "sampled": scores are estimates
        self.sampled_n = SAMPLED_SCORE_N
        self._ids: dict[tuple[str, bool], list[int]] = {}
        self._chat: bool | None = None

    @property
    def has_chat_template(self) -> bool:
        if self._chat is None:
            self._chat = self._finds_chat_template()
        return self._chat

    def _finds_chat_template(self) -> bool:
        return False

    # -- prompts and tokens ---------------------------------------------------------------------
    def render(self, request: str, fmt: PromptFormat) -> RenderedPrompt:
        if fmt == "plain":
            return RenderedPrompt(request, "plain", "plain")
        if not self.has_chat_template:
            why = self.no_template
            return RenderedPrompt(request, "plain", "chat", f"{self.label} {why}; the request was sent as plain text.")
        return self._render_chat(request)

    def _render_chat(self, request: str) -> RenderedPrompt:
        raise NotImplementedError  # only reached where _finds_chat_template said yes

    def tokenize(self, text: str, special: bool) -> list[int]:
        """Token ids of `text`; `special` adds the tokenizer's BOS etc. (the plain format)."""
        key = (text, special)
        if key not in self._ids:
            self._ids[key] = self.client.post("/tokenize", self._tokenize_body(text, special), Tokens,
                                              what="tokenizing").ids()  # fmt: skip
        return self._ids[key]

    def _tokenize_body(self, text: str, special: bool) -> dict:
        return {"model": self.info.model, "prompt": text, "add_special_tokens": special}

    def encode(self, prompt: RenderedPrompt) -> list[int]:
        return self.tokenize(prompt.text, prompt.format == "plain")

    def _continuation(self, prompt_ids: list[int], prompt: RenderedPrompt, text: str) -> tuple[int, ...]:
        """The same rule as the transformers backend (lm-eval's): encode prompt + text, cut off the
        prompt's tokens; encode the text alone if the boundary merged."""
        whole = self.tokenize(prompt.text + text, prompt.format == "plain")
        if whole[: len(prompt_ids)] == prompt_ids and len(whole) > len(prompt_ids):
            return tuple(whole[len(prompt_ids) :])
        return tuple(self.tokenize(text, False))

    # -- scoring --------------------------------------------------------------------------------
    def score_choices(self, prompt: RenderedPrompt, choices: Sequence[str]) -> ServerChoiceScores:
        if not choices:
            raise InvalidParameter("no answers to score")
        if not self.info.exact:
            return self._sampled_scores(prompt, choices)
        ids = self.encode(prompt)
        conts = [(c, self._continuation(ids, prompt, v + c)) for c in choices for v in ANSWER_PREFIXES]
        vllm = self.scores_paths
        # vLLM: each continuation's own request carries its path; llama.cpp: every trie node's
        wanted = {cont for _, cont in conts} if vllm else {cont[:k] for _, cont in conts for k in range(len(cont) + 1)}
        nodes = self._nodes(ids, sorted(wanted, key=lambda n: (len(n), n)))
        raw, unresolved = {c: 0.0 for c in choices}, 0.0
        for choice, cont in conts:
            logp, missing = 0.0, 0.0
            for k, token in enumerate(cont):
                step = _path(nodes[cont], self.info.url)[k] if vllm else nodes[cont[:k]].top.get(token)
                if step is None:  # not among the parent's candidates: at most its least likely one
                    missing = math.exp(logp + min(nodes[cont[:k]].top.values()))
                    break
                logp += step
            end = nodes[cont]
            stop = sum(math.exp(lp) for text, lp in end.texts if not extends_answer(text))
            listed = sum(math.exp(lp) for _, lp in end.texts)
            if missing:
                unresolved += missing
            else:
                raw[choice] += math.exp(logp) * stop
                unresolved += math.exp(logp) * max(0.0, 1.0 - listed)
        # a sum of bounds may pass 1 on a server listing few candidates; more than 1 says nothing more
        return ServerChoiceScores(raw, method="logprobs", unresolved=min(1.0, unresolved))

    def _nodes(self, ids: list[int], nodes: list[tuple[int, ...]]) -> dict[tuple[int, ...], _Node]:
        """Next-token candidates after `ids + node` for every node, in one request."""
        body = self._completion_body([ids + list(n) for n in nodes], max_tokens=1)
        body |= {"temperature": 0, "logprobs": self.info.top_logprobs}
        if self.scores_paths:
            body["prompt_logprobs"] = 1
        choices = self._choices(body, len(nodes), "scoring answers")
        return {node: _parse_node(choice, len(ids), node, self.info.url) for node, choice in zip(nodes, choices)}

    def _sampled_scores(self, prompt: RenderedPrompt, choices: Sequence[str]) -> ServerChoiceScores:
        """No log-probabilities: estimate each answer's probability from `sampled_n` draws under a
        seed taken from the prompt (reproducible), with the same parsing rule as sampled mode."""
        seed = int(hashlib.sha256(prompt.text.encode()).hexdigest()[:8], 16) % 2**31
        settings = SampleSettings(max_new_tokens=max(map(len, choices)) + 3)
        texts = self.sample(prompt, self.sampled_n, seed=seed, settings=settings)
        counts = Counter(_parse_choice(t, choices) for t in texts)
        raw = {c: counts[c] / len(texts) for c in choices}
        return ServerChoiceScores(raw, method="sampled", unresolved=0.0)

    # -- sampling -------------------------------------------------------------------------------
    def sample(
        self,
        prompt: RenderedPrompt,
        n: int,
        *,
        seed: int,
        settings: SampleSettings = SampleSettings(),
        progress: ProgressFn | None = None,
    ) -> list[str]:
        """n completions under `seed`: every request's seed is derived from `seed` and the index
        of its first draw, so a rerun asks for the same draws (vLLM repeats them; llama.cpp's
        concurrent slots batch differently run to run, which changed 4 of 200 draws in our test)."""
        if n < 0:
            raise InvalidParameter(f"cannot draw {n} samples")
        report = progress or no_progress
        source = self.encode(prompt) if self.sends_token_ids else prompt.text
        body = self._completion_body(source, max_tokens=settings.max_new_tokens)
        body |= {"temperature": settings.temperature, "top_p": settings.top_p, **self._pure_sampling()}
        if settings.stop:
            body["stop"] = list(settings.stop)
        texts: list[str] = []
        while len(texts) < n:
            size = min(SAMPLE_BATCH, n - len(texts))
            drawn = self._draw(body, size, seed, len(texts))  # each dialect draws its own way; all enter here
            texts.extend(_cut(self._entered(text, settings.max_new_tokens), settings.stop) for text in drawn)
            report(len(texts) / max(n, 1), f"{self.label}: {len(texts)}/{n} samples")
        return texts

    def generate(
        self, prompts: Sequence[RenderedPrompt], *, max_new_tokens: int, progress: ProgressFn | None = None
    ) -> list[str]:
        """Greedy completions, GENERATE_CONCURRENCY requests in flight, so the server batches them."""
        report = progress or no_progress
        greedy = SampleSettings(temperature=0.0, top_p=1.0, max_new_tokens=max_new_tokens)
        done = [0]

        def one(prompt: RenderedPrompt) -> str:
            text = self.sample(prompt, 1, seed=0, settings=greedy)[0]
            done[0] += 1
            report(done[0] / len(prompts), f"{self.label}: {done[0]}/{len(prompts)} prompts answered")
            return text

        with ThreadPoolExecutor(max_workers=GENERATE_CONCURRENCY) as pool:
            return list(pool.map(one, prompts))

    def _draw(self, body: dict, size: int, seed: int, start: int) -> list[str]:
        """`size` draws in one request with `n` (a seeded generator gives each of the n its own draw)."""
        choices = self._choices(body | {"n": size, "seed": _seed(seed, start)}, size, "sampling")
        return [c.text for c in choices]

    @property
    def repaired_characters(self) -> int:
        """Lone surrogates replaced in this server's replies so far (`texts.repair_reply`)."""
        return self.client.repaired_characters

    def _entered(self, text: str, max_tokens: int) -> str:
        """A completion as the app may keep it (its characters were repaired as the reply was
        parsed): refused when it is longer than `max_tokens` allows. Counted with the server's own
        tokenizer where it has one; a plain OpenAI server has no /tokenize, and there a text is
        refused only beyond 32 characters a token, which no tokenizer's tokens reach. A text of no
        more characters than the cap is not re-tokenized (nearly never more tokens than characters)."""
        if len(text) <= max_tokens:
            return text
        counted = self.client.post(
            "/tokenize", self._tokenize_body(text, False), Tokens, what="tokenizing", optional=True
        )
        tokens = len(counted.ids()) if counted is not None else len(text) // CHARACTERS_PER_TOKEN
        check_length(tokens, max_tokens, self.info.url)
        return text

    def _pure_sampling(self) -> dict:
        """Switch off the server's default truncation so temperature and top-p mean what they say."""
        return dict(self.pure_sampling)

    # -- requests -------------------------------------------------------------------------------
    def _completion_body(self, prompt, *, max_tokens: int) -> dict:
        return {"model": self.info.model, "prompt": prompt, "max_tokens": max_tokens, "stream": False}

    def _choices(self, body: dict, expected: int, what: str) -> list[Choice]:
        answer = self.client.post("/v1/completions", body, Completion, what=what)
        choices = sorted(answer.choices, key=lambda c: c.index)
        if len(choices) != expected:
            raise ServerProtocolError(
                f"The server at {self.info.url} returned {len(choices)} completions while {what}, not {expected}."
            )
        return choices


def _seed(seed: int, index: int) -> int:
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "little") >> 1  # 31 bits: every server takes it


def _messages(request: str) -> list[dict]:
    return [{"role": "user", "content": request}]


def _cut(text: str, stops: tuple[str, ...]) -> str:
    for stop in stops:
        if stop in text:
            text = text[: text.index(stop)]
    return text


def _parse_node(choice: Choice, prompt_len: int, node: tuple[int, ...], url: str) -> _Node:
    """Candidates of the first generated token, in llama.cpp's or vLLM's response shape, each
    log-probability checked (`checked_logprob`) before it is used."""
    logprobs = choice.logprobs or Logprobs()
    top: dict[int | str, float] = {}
    texts: list[tuple[str, float]] = []
    if logprobs.content:  # llama.cpp: [{id, token, logprob}] per position
        for cand in logprobs.content[0].top_logprobs:
            lp = checked_logprob(cand.logprob, url)
            top[cand.id] = lp
            texts.append((cand.token, lp))
    elif logprobs.top_logprobs and logprobs.top_logprobs[0]:  # OpenAI legacy / vLLM: {token text: logprob}
        for text, value in logprobs.top_logprobs[0].items():
            lp = checked_logprob(value, url)
            top[text] = lp
            texts.append((text, lp))
    else:
        raise ServerProtocolError(f"The server at {url} returned no log-probabilities although it said it would.")
    if sum(math.exp(lp) for _, lp in texts) > 1.0 + PROBABILITY_TOLERANCE:
        raise ServerProtocolError(
            f"The server at {url} listed candidates whose probabilities add up to more than 1 "
            f"({sum(math.exp(lp) for _, lp in texts):.6g}): its log-probabilities are not a distribution. "
            "Nothing was stored."
        )
    path = None
    if choice.prompt_logprobs is not None:  # vLLM: {token id: {logprob, rank, ...}} per position
        positions = choice.prompt_logprobs[prompt_len:]
        try:
            # a position vLLM left empty (None) lacks the token as surely as one without its id
            path = [checked_logprob(_logprob((entry or {})[str(token)]), url) for token, entry in zip(node, positions)]
        except (KeyError, TypeError):
            raise ServerProtocolError(
                f"The server at {url} left a prompt token out of its prompt_logprobs. Nothing was stored."
            ) from None
        if len(path) != len(node):
            raise ServerProtocolError(f"The server at {url} returned too few prompt_logprobs. Nothing was stored.")
    return _Node(top, texts, path)


def _path(node: _Node, url: str) -> list[float]:
    """A vLLM node's prompt-token log-probabilities, which its request asked for (`_nodes`)."""
    if node.path is None:
        raise ServerProtocolError(
            f"The server at {url} returned no prompt_logprobs although they were asked for. Nothing was stored."
        )
    return node.path


def _logprob(value) -> float:
    return float(value.logprob if isinstance(value, PromptLogprob) else value)


def checked_logprob(value: float, url: str) -> float:
    """A server's log-probability, refused unless finite and at most LOGPROB_TOLERANCE above 0
    (rounding in a server's softmax); values in (0, tolerance] count as 0."""
    if not math.isfinite(value) or value > LOGPROB_TOLERANCE:
        raise ServerProtocolError(
            f"The server at {url} sent the log-probability {value!r}; a log-probability is a finite number "
            f"at most 0 (tolerance {LOGPROB_TOLERANCE:g}). Its scores cannot be trusted; nothing was stored."
        )
    return min(value, 0.0)
