"""What model servers answer, as typed objects: every reply is validated (pydantic) before use.

Unknown fields are kept (`extra="allow"`): servers add fields between versions, and a reply is
refused only when a field we read is missing or has the wrong type.
"""

from __future__ import annotations

from typing import Any

import pydantic


class Reply(pydantic.BaseModel):
    """Any JSON object: the base of every reply, and what an endpoint that is only probed answers."""

    model_config = pydantic.ConfigDict(extra="allow")


class ModelEntry(Reply):
    id: str


class ModelList(Reply):
    data: list[ModelEntry]


class Props(Reply):  # llama.cpp's /props
    default_generation_settings: dict[str, Any] | None = None
    model_path: str | None = None
    build_info: str | None = None
    chat_template: str | None = None
    total_slots: int = pydantic.Field(1, ge=1, le=4096)


class TokenId(Reply):
    id: int


class Tokens(Reply):
    tokens: list[int | TokenId]

    def ids(self) -> list[int]:
        return [t.id if isinstance(t, TokenId) else t for t in self.tokens]


class PromptText(Reply):  # /apply-template and /detokenize
    prompt: str


class Candidate(Reply):  # llama.cpp: one of the top candidates at a position
    id: int
    token: str
    logprob: float


class Position(Reply):
    top_logprobs: list[Candidate] = []


class Logprobs(Reply):
    content: list[Position] | None = None  # llama.cpp
    top_logprobs: list[dict[str, float] | None] | None = None  # OpenAI legacy / vLLM


class PromptLogprob(Reply):
    logprob: float


class Choice(Reply):
    index: int = 0
    text: str = ""
    logprobs: Logprobs | None = None
    prompt_logprobs: list[dict[str, PromptLogprob | float] | None] | None = None


class Completion(Reply):
    choices: list[Choice]
