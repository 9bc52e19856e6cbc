"""A small stdlib HTTP client for OpenAI-compatible model servers, and what a server is.

Two servers are known by their own endpoints and used exactly:
- vLLM (the target for models that outgrow one machine): `/tokenize` renders the chat template to
  token ids (`messages` + `add_generation_prompt`), `/detokenize` gives its text, and
  `prompt_logprobs` (a vLLM extension) gives the exact log-probability of any prompt token.
- llama.cpp's server (what the tests run, through the `xllamacpp` wheel): `/apply-template`
  renders the chat template to text, `/tokenize` (special tokens parsed) gives its ids, and
  next-token `top_logprobs` carry token ids.
Anything else answering `/v1/models` is a generic OpenAI server: plain completions only.

stdlib `urllib` on purpose: no new dependency, and every request has a timeout.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Literal

from .errors import ServerProtocolError, ServerTimeout, ServerUnavailable

Flavour = Literal["vllm", "llama.cpp", "openai"]
TIMEOUT_ENV = "UNPREDICT_SERVER_TIMEOUT"
API_KEY_ENV = "UNPREDICT_SERVER_API_KEY"  # read at request time, never stored or hashed
TOP_LOGPROBS_ENV = "UNPREDICT_SERVER_TOP_LOGPROBS"
# How many next-token candidates to ask for first; the probe steps down (20, 5, 1) to what the
# server accepts. vLLM refuses more than its --max-logprobs (20 unless started with 1000);
# llama.cpp sorts the whole vocabulary anyway, so asking for many costs only JSON.
TOP_LOGPROBS = {"vllm": 1000, "llama.cpp": 1000, "openai": 5}
INFO_TTL_S = 30.0  # identity() runs for every cache key: ask the server at most this often


def default_timeout() -> float:
    return float(os.environ.get(TIMEOUT_ENV, "120"))


def normalise_url(url: str) -> str:
    """'http://host:8000/v1/' and 'host:8000' both mean the server root http://host:8000."""
    text = url.strip().rstrip("/")
    if not text.startswith(("http://", "https://")):
        text = "http://" + text
    return text[: -len("/v1")] if text.endswith("/v1") else text


class ServerClient:
    """JSON over HTTP to one server; every failure becomes a message for the user."""

    def __init__(self, url: str, *, timeout: float | None = None):
        self.url = normalise_url(url)
        self.timeout = default_timeout() if timeout is None else timeout

    def get(self, path: str, *, optional: bool = False) -> dict | None:
        return self._request("GET", path, None, f"reading {path}", optional)

    def post(self, path: str, body: dict, *, what: str, optional: bool = False) -> dict | None:
        return self._request("POST", path, body, what, optional)

    def _request(self, method: str, path: str, body: dict | None, what: str, optional: bool) -> dict | None:
        headers = {"Content-Type": "application/json"}
        if key := os.environ.get(API_KEY_ENV):
            headers["Authorization"] = f"Bearer {key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            if optional and exc.code in (400, 404, 405, 422, 501):
                return None
            detail = exc.read().decode(errors="replace")[:400]
            raise ServerProtocolError(f"The server at {self.url} refused {what} (HTTP {exc.code}): {detail}") from exc
        except TimeoutError as exc:
            raise self._timeout(what) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise self._timeout(what) from exc
            raise ServerUnavailable(
                f"Cannot reach the model server at {self.url} ({exc.reason}). Start it (e.g. `vllm serve "
                "MODEL`), or check the URL and port. Nothing was run or stored."
            ) from exc
        except (ConnectionError, json.JSONDecodeError) as exc:
            if optional:
                return None
            raise ServerProtocolError(f"The server at {self.url} gave a broken answer to {what}: {exc}") from exc

    def _timeout(self, what: str) -> ServerTimeout:
        return ServerTimeout(
            f"The model server at {self.url} did not answer within {self.timeout:g} s while {what}. "
            f"Nothing of this run was stored; raise {TIMEOUT_ENV} (seconds) or check the server, then rerun."
        )


@dataclass(frozen=True)
class ServerInfo:
    """What a server is, found once: its flavour, the model it serves and what it can do."""

    url: str
    model: str
    flavour: Flavour
    fingerprint: str  # hash of what the server reports about the model (path, size, vocab)
    logprobs: bool  # False: the server gives no log-probabilities, so scoring is sampled
    top_logprobs: int  # candidates per position that the server accepts
    chat_template: str | None  # llama.cpp reports its template; vLLM is probed when rendering
    slots: int = 1  # llama.cpp: requests it decodes at once (its `n` may not exceed this)

    @property
    def exact(self) -> bool:
        """Whether answers are scored from log-probabilities (else estimated by sampling): it
        needs the server's tokenizer endpoints too, so a generic OpenAI server samples."""
        return self.logprobs and self.flavour != "openai"

    @property
    def identity(self) -> str:
        scoring = "logprobs" if self.exact else "sampled"
        return f"server:{self.url}|{self.model}|{self.flavour}|{self.fingerprint}|{scoring}"


_INFO_CACHE: dict[tuple[str, str | None], tuple[float, ServerInfo]] = {}


def server_info(url: str, model: str | None, *, timeout: float | None = None, fresh: bool = False) -> ServerInfo:
    """Ask the server what it serves (cached for INFO_TTL_S): unreachable or a wrong model name
    raise `ServerUnavailable` before anything runs."""
    key = (normalise_url(url), model)
    hit = _INFO_CACHE.get(key)
    if hit and not fresh and time.monotonic() - hit[0] < INFO_TTL_S:
        return hit[1]
    info = _describe(ServerClient(url, timeout=timeout), model)
    _INFO_CACHE[key] = (time.monotonic(), info)
    return info


def _describe(client: ServerClient, model: str | None) -> ServerInfo:
    listing = client.get("/v1/models") or {}
    entries = {m.get("id"): m for m in listing.get("data", []) if isinstance(m, dict)}
    if not entries:
        raise ServerUnavailable(f"The server at {client.url} lists no models at /v1/models.")
    if model is None:
        if len(entries) > 1:
            raise ServerUnavailable(
                f"The server at {client.url} serves {len(entries)} models: name one of {list(entries)}."
            )
        model = next(iter(entries))
    if model not in entries:
        raise ServerUnavailable(
            f"The server at {client.url} does not serve a model named '{model}'. It serves: {', '.join(entries)}."
        )
    props = client.get("/props", optional=True)
    if props and "default_generation_settings" in props:
        flavour: Flavour = "llama.cpp"
    elif client.get("/version", optional=True):
        flavour = "vllm"
    else:
        flavour = "openai"
    entry = {k: v for k, v in entries[model].items() if k not in ("created", "permission")}
    reported = {"model": entry, "path": (props or {}).get("model_path"), "build": (props or {}).get("build_info")}
    fingerprint = hashlib.sha256(json.dumps(reported, sort_keys=True, default=str).encode()).hexdigest()[:16]
    top = int(os.environ.get(TOP_LOGPROBS_ENV, TOP_LOGPROBS[flavour]))
    accepted = _probe_logprobs(client, model, top)
    template = (props or {}).get("chat_template") or None
    slots = int((props or {}).get("total_slots") or 1)
    return ServerInfo(client.url, model, flavour, fingerprint, accepted > 0, accepted, template, slots)


def capability_note(info: ServerInfo) -> str | None:
    """What to know before running on this server, or None when its scores will be exact: shown
    beside the pair, so that nobody learns it only from a result."""
    if not info.exact:
        why = "is neither vLLM nor llama.cpp (no tokenizer to ask)" if info.logprobs else "gives no log-probabilities"
        return f"this server {why}, so answers will be scored by sampling (estimates, labelled in the result)."
    if info.top_logprobs < TOP_LOGPROBS[info.flavour]:
        hint = " Start vLLM with `--max-logprobs 1000` to list more." if info.flavour == "vllm" else ""
        return (
            f"scored from the top {info.top_logprobs} candidates per token only: the end-of-answer term may "
            f"miss more probability (each result says how much).{hint}"
        )
    return None


def _probe_logprobs(client: ServerClient, model: str, top: int) -> int:
    """The largest of (top, 20, 5, 1) candidates the server returns; 0 if it gives none."""
    for k in dict.fromkeys((top, 20, 5, 1)):
        body = {"model": model, "prompt": "0", "max_tokens": 1, "temperature": 0, "logprobs": k}
        answer = client.post("/v1/completions", body, what="checking for log-probabilities", optional=True)
        if answer is None:
            continue
        choices = answer.get("choices") or [{}]
        return k if choices[0].get("logprobs") else 0
    return 0
