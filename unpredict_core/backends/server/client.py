"""HTTP to OpenAI-compatible model servers, and what a server is.

Two servers are known by their own endpoints and used exactly:
- vLLM (the target for models that outgrow one machine): `/tokenize` renders the chat template to
  token ids (`messages` + `add_generation_prompt`), `/detokenize` gives its text, and
  `prompt_logprobs` (a vLLM extension) gives the exact log-probability of any prompt token.
- llama.cpp's server (what the tests run, through the `xllamacpp` wheel): `/apply-template`
  renders the chat template to text, `/tokenize` (special tokens parsed) gives its ids, and
  next-token `top_logprobs` carry token ids.
Anything else answering `/v1/models` is a generic OpenAI server: plain completions only.

What a server sends is not trusted (tests/support/fake_server.py plays each misbehaviour):
- one parser (`url.parse_server_url`) reads a URL, and the address it returns is both what the
  dashboard's confinement checks and what is connected to; userinfo, backslashes, paths and
  schemes other than http(s) are refused, so the two can never disagree;
- httpx with redirects off (a 3xx is an error, so a request never leaves the typed host, and the
  API key with it), no proxies from the environment, a total deadline per request (a server that
  trickles bytes is cut off at the deadline, not at each read), and a cap on the reply's size;
- transient failures (a dropped connection, HTTP 429/502/503/504) are retried with backoff
  (tenacity) inside the same deadline; nothing else is retried, and a probe that still fails is
  an error: a side is never quietly scored another way than the server can;
- every reply is validated into a typed object (pydantic, `replies.py`) before use: undecodable bytes, JSON
  that is not an object or misses a field end in a message naming the server, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, overload

import httpx
import pydantic
import tenacity

from unpredict_core.backends.server.replies import Completion, ModelList, Props, Reply
from unpredict_core.backends.server.texts import repair_reply
from unpredict_core.backends.server.url import ServerURL, normalise_url, parse_server_url
from unpredict_core.errors import ServerProtocolError, ServerTimeout, ServerUnavailable, UnpredictError

Flavour = Literal["vllm", "llama.cpp", "openai"]
TIMEOUT_ENV = "UNPREDICT_SERVER_TIMEOUT"
API_KEY_ENV = "UNPREDICT_SERVER_API_KEY"  # read at request time, never stored or hashed
TOP_LOGPROBS_ENV = "UNPREDICT_SERVER_TOP_LOGPROBS"
# How many next-token candidates to ask for first; the probe steps down (20, 5, 1) to what the
# server accepts. vLLM refuses more than its --max-logprobs (20 unless started with 1000);
# llama.cpp sorts the whole vocabulary anyway, so asking for many costs only JSON.
TOP_LOGPROBS = {"vllm": 1000, "llama.cpp": 1000, "openai": 5}
INFO_TTL_S = 30.0  # identity() runs for every cache key: ask the server at most this often
MAX_REPLY_BYTES = 64 << 20  # 1,000 candidates at 36 trie nodes is about 3 MB of JSON
CONNECT_TIMEOUT_S = 10.0
RETRIES = 3  # attempts per request, for transient failures only
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
OPTIONAL_STATUS = frozenset({400, 404, 405, 422, 501})  # "this server has no such endpoint / option"
T = TypeVar("T", bound=pydantic.BaseModel)


def default_timeout() -> float:
    text = os.environ.get(TIMEOUT_ENV, "120")
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 86_400:
        raise UnpredictError(f"{TIMEOUT_ENV} must be a number of seconds between 0 and 86400 (got {text!r}).")
    return value


class _Transient(Exception):
    """A failure worth another try (the connection dropped, the server is briefly overloaded)."""

    def __init__(self, why: str, cause: BaseException | None = None):
        super().__init__(why)
        self.cause = cause


class ServerClient:
    """JSON over HTTP to one server; every failure becomes a message for the user."""

    def __init__(self, url: str | ServerURL, *, timeout: float | None = None):
        self.server = url if isinstance(url, ServerURL) else parse_server_url(url)
        self.url = self.server.root
        self.timeout = default_timeout() if timeout is None else timeout
        self.repaired_characters = 0  # lone surrogates replaced in this server's replies (texts.py)
        self._http = httpx.Client(
            base_url=self.url,
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment: requests go to this host only
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, CONNECT_TIMEOUT_S)),
        )

    # Only an `optional` request can give None (see `_request`): the overloads say so, so a
    # caller of a required endpoint gets its reply type without a None check.
    @overload
    def get(self, path: str, reply: type[T], *, optional: Literal[False] = False) -> T: ...
    @overload
    def get(self, path: str, reply: type[T], *, optional: bool) -> T | None: ...
    def get(self, path: str, reply: type[T], *, optional: bool = False) -> T | None:
        return self._request("GET", path, None, reply, f"reading {path}", optional)

    @overload
    def post(self, path: str, body: dict, reply: type[T], *, what: str, optional: Literal[False] = False) -> T: ...
    @overload
    def post(self, path: str, body: dict, reply: type[T], *, what: str, optional: bool) -> T | None: ...
    def post(self, path: str, body: dict, reply: type[T], *, what: str, optional: bool = False) -> T | None:
        return self._request("POST", path, body, reply, what, optional)

    def _request(
        self, method: str, path: str, body: dict | None, reply: type[T], what: str, optional: bool
    ) -> T | None:
        """`optional`: a server without this endpoint or option (HTTP 400/404/405/422/501) gives
        None; every other failure raises, so a probe cannot mistake a hiccup for a missing feature."""
        deadline = time.monotonic() + self.timeout
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            stop=tenacity.stop_after_attempt(RETRIES) | tenacity.stop_after_delay(self.timeout),
            wait=tenacity.wait_exponential(multiplier=0.2, max=2.0),
            reraise=True,
        )
        try:
            status, data = retrying(self._within_deadline, method, path, body, deadline, what)
        except _Transient as exc:
            raise ServerProtocolError(
                f"The server at {self.url} kept failing while {what} ({exc}; tried {RETRIES} times). "
                "Nothing was run or stored; check the server, then rerun."
            ) from exc.cause
        if optional and status in OPTIONAL_STATUS:
            return None
        if 300 <= status < 400:
            raise ServerProtocolError(
                f"The server at {self.url} answered {what} with a redirect (HTTP {status}), which is not "
                "followed: a model server must answer itself. Give the URL it redirects to, if you trust it."
            )
        if status >= 400:
            detail = data[:400].decode("utf-8", "replace")
            raise ServerProtocolError(f"The server at {self.url} refused {what} (HTTP {status}): {detail}")
        try:
            parsed, repaired = repair_reply(json.loads(data or b"{}"))  # every text of every reply, where it enters
            self.repaired_characters += repaired
            return reply.model_validate(parsed)
        except (UnicodeDecodeError, json.JSONDecodeError, pydantic.ValidationError) as exc:
            why = _reply_problem(exc)
            raise ServerProtocolError(f"The server at {self.url} gave a broken answer to {what}: {why}.") from None

    def _within_deadline(self, method, path, body, deadline, what) -> tuple[int, bytes]:
        """One attempt, in a worker thread: a reply still unfinished at the deadline is abandoned
        (the worker stops at its next byte, or at httpx's own timeout) and the caller is free."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise self._timeout(what)
        box: dict[str, Any] = {}
        done = threading.Event()

        def work():
            try:
                box["value"] = self._transfer(method, path, body, deadline, what)
            except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, daemon=True, name="unpredict-http").start()
        if not done.wait(left + 0.05):
            raise self._timeout(what)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _transfer(self, method, path, body, deadline, what) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"}
        if key := os.environ.get(API_KEY_ENV):
            headers["Authorization"] = f"Bearer {key}"
        try:
            with self._http.stream(method, path, json=body, headers=headers) as response:
                if response.status_code in TRANSIENT_STATUS:
                    raise _Transient(f"HTTP {response.status_code}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():  # decoded: a compressed bomb is capped too
                    size += len(chunk)
                    if size > MAX_REPLY_BYTES:
                        raise ServerProtocolError(
                            f"The server at {self.url} sent more than {MAX_REPLY_BYTES >> 20} MB while {what}; "
                            "the reply was cut off and nothing was stored."
                        )
                    if time.monotonic() > deadline:
                        raise self._timeout(what)
                    chunks.append(chunk)
                return response.status_code, b"".join(chunks)
        except httpx.TimeoutException as exc:
            raise self._timeout(what) from exc
        except httpx.ConnectError as exc:
            raise ServerUnavailable(
                f"Cannot reach the model server at {self.url} ({_reason(exc)}). Start it (e.g. `vllm serve "
                "MODEL`), or check the URL and port. Nothing was run or stored."
            ) from exc
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as exc:
            raise _Transient(_reason(exc), exc) from exc
        except httpx.HTTPError as exc:  # anything else httpx cannot make sense of
            raise ServerProtocolError(f"The server at {self.url} gave a broken answer to {what}: {exc}") from exc

    def _timeout(self, what: str) -> ServerTimeout:
        return ServerTimeout(
            f"The model server at {self.url} did not answer within {self.timeout:g} s while {what}. "
            f"Nothing of this run was stored; raise {TIMEOUT_ENV} (seconds) or check the server, then rerun."
        )


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _reply_problem(exc: UnicodeDecodeError | json.JSONDecodeError | pydantic.ValidationError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"its reply is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start})"
    if isinstance(exc, json.JSONDecodeError):
        return f"its reply is not JSON ({exc.msg} at position {exc.pos})"
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the reply"
    return f"{where}: {first['msg'].lower()}"


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
        """Part of every cache key: the number of candidates changes the end-of-answer term, so a
        server restarted with more (vLLM --max-logprobs) is not answered from a run scored on fewer."""
        scoring = f"logprobs-top{self.top_logprobs}" if self.exact else "sampled"
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
    listing = client.get("/v1/models", ModelList)
    entries = {m.id: m for m in listing.data} if listing else {}
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
    props = client.get("/props", Props, optional=True)
    if props and props.default_generation_settings is not None:
        flavour: Flavour = "llama.cpp"
    elif client.get("/version", Reply, optional=True):
        flavour = "vllm"
    else:
        flavour = "openai"
    entry = {k: v for k, v in entries[model].model_dump().items() if k not in ("created", "permission")}
    reported = {"model": entry, "path": props and props.model_path, "build": props and props.build_info}
    fingerprint = hashlib.sha256(json.dumps(reported, sort_keys=True, default=str).encode()).hexdigest()[:16]
    top = int(os.environ.get(TOP_LOGPROBS_ENV, TOP_LOGPROBS[flavour]))
    accepted = _probe_logprobs(client, model, top)
    template = (props and props.chat_template) or None
    slots = props.total_slots if props else 1
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
    """The largest of (top, 20, 5, 1) candidates the server returns; 0 if it gives none. Only a
    refusal of the option (HTTP 400/422...) steps down; a failure raises (ServerClient._request)."""
    for k in dict.fromkeys((top, 20, 5, 1)):
        body = {"model": model, "prompt": "0", "max_tokens": 1, "temperature": 0, "logprobs": k}
        answer = client.post("/v1/completions", body, Completion, what="checking for log-probabilities", optional=True)
        if answer is None:
            continue
        return k if answer.choices and answer.choices[0].logprobs else 0
    return 0
