"""Text a server returns, checked where it enters: valid Unicode, and no longer than asked for.

JSON lets a server send a lone UTF-16 surrogate ("\\ud800"); Python decodes it into a string that
no UTF-8 encoder (DuckDB's included) accepts, so it would fail only when the whole run was being
stored. Every string of every reply (completions, model ids, rendered chat prompts) has each lone
surrogate replaced by U+FFFD, the replacement character, as the reply is parsed (`repair_reply`),
and the count is kept (a side records how many its run met). A server may also ignore
`max_tokens`: a completion longer than the cap allows is refused with a message naming the server,
before it can be stored as a 999,999-character poem.
"""

from __future__ import annotations

import re
from typing import Any

from unpredict_core.errors import ServerProtocolError

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def repair_surrogates(text: str) -> tuple[str, int]:
    """`text` with every lone surrogate replaced by U+FFFD, and how many there were."""
    return _SURROGATE.subn(REPLACEMENT, text)


def repair_reply(value: Any) -> tuple[Any, int]:
    """A parsed JSON reply with every string (keys too) repaired, and how many characters were."""
    if isinstance(value, str):
        return repair_surrogates(value)
    if isinstance(value, list):
        items = [repair_reply(v) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        total, out = 0, {}
        for key, inner in value.items():
            fixed_key, n_key = repair_reply(key)
            fixed, n = repair_reply(inner)
            out[fixed_key] = fixed
            total += n_key + n
        return out, total
    return value, 0


CHARACTERS_PER_TOKEN = 32  # no tokenizer's token is longer: the bound where a server cannot count


def token_slack(max_tokens: int) -> int:
    """Re-tokenizing a completion need not give back the token count it was generated with (merges
    across the boundary): allow a tenth more, at least two."""
    return max(2, max_tokens // 10)


def check_length(tokens: int, max_tokens: int, url: str) -> None:
    if tokens > max_tokens + token_slack(max_tokens):
        raise ServerProtocolError(
            f"The server at {url} returned a completion of {tokens:,} tokens where at most {max_tokens:,} were asked "
            "for: it ignores max_tokens. Nothing of it was kept; check the server's settings."
        )
