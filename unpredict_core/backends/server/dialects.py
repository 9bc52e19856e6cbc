"""The servers whose APIs offer more than the generic OpenAI one, each a `ServerBackend` subclass
overriding only what it does differently, and `connect`, which picks the dialect a server speaks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from unpredict_core.backends.base import RenderedPrompt
from unpredict_core.backends.server.backend import ServerBackend, _messages, _seed
from unpredict_core.backends.server.client import server_info
from unpredict_core.backends.server.replies import PromptText, Tokens


class LlamaCppBackend(ServerBackend):
    """llama.cpp's server: its own tokenizer and template endpoints, every trie node scored from
    the candidates after it."""

    no_template = "has no chat template"
    sends_token_ids = True
    pure_sampling = {"top_k": 0, "min_p": 0.0, "repeat_penalty": 1.0, "typical_p": 1.0}  # its top-k 40, min-p 0.05

    def _finds_chat_template(self) -> bool:
        return bool(self.info.chat_template)

    def _render_chat(self, request: str) -> RenderedPrompt:
        answer = self.client.post("/apply-template", {"messages": _messages(request)}, PromptText,
                                  what="rendering the chat")  # fmt: skip
        return RenderedPrompt(answer.prompt, "chat", "chat")

    def _tokenize_body(self, text: str, special: bool) -> dict:
        return {"content": text, "add_special": special, "parse_special": True}

    def _draw(self, body: dict, size: int, seed: int, start: int) -> list[str]:
        """llama.cpp seeds all n copies of a request alike (they come back identical), so each draw
        is its own request with its own seed, `slots` requests at a time."""

        def one(index: int) -> str:
            return self._choices(body | {"n": 1, "seed": _seed(seed, index)}, 1, "sampling")[0].text

        with ThreadPoolExecutor(max_workers=max(1, self.info.slots)) as pool:
            return list(pool.map(one, range(start, start + size)))


class VLLMBackend(ServerBackend):
    """vLLM: chat templates through `/tokenize` with messages, and each answer path scored from
    its own request's prompt log-probabilities."""

    no_template = "has no chat template"
    sends_token_ids = True
    scores_paths = True
    pure_sampling = {"top_k": -1, "min_p": 0.0, "repetition_penalty": 1.0}  # no model-default truncation

    def _finds_chat_template(self) -> bool:
        return self._chat_ids("hi") is not None

    def _render_chat(self, request: str) -> RenderedPrompt:
        ids = self._chat_ids(request) or []
        body = {"model": self.info.model, "tokens": ids}
        text = self.client.post("/detokenize", body, PromptText, what="rendering the chat").prompt
        self._ids[(text, False)] = ids  # score exactly the template's tokens, not a re-tokenisation
        return RenderedPrompt(text, "chat", "chat")

    def _chat_ids(self, request: str) -> list[int] | None:
        body = {"model": self.info.model, "messages": _messages(request), "add_generation_prompt": True}
        answer = self.client.post("/tokenize", body, Tokens, what="rendering the chat", optional=True)
        return answer.ids() if answer else None


DIALECTS: dict[str, type[ServerBackend]] = {"llama.cpp": LlamaCppBackend, "vllm": VLLMBackend, "openai": ServerBackend}


def connect(url: str, model: str | None, *, label: str = "", timeout: float | None = None) -> ServerBackend:
    """A backend for `model` on the server at `url`, in the dialect the server speaks; fails
    clearly if either is wrong."""
    info = server_info(url, model, timeout=timeout)
    dialect = DIALECTS.get(info.flavour, ServerBackend)
    return dialect(info, label=label or f"{info.model} @ {info.url}", timeout=timeout)
