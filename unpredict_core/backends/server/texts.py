"""Text a server returns, checked where it enters: valid Unicode, and no longer than asked for.

JSON lets a server send a lone UTF-16 surrogate ("\\ud800"); Python decodes it into a string that
no UTF-8 encoder (DuckDB's included) accepts, so it would fail only when the whole run was being
stored. Each lone surrogate is replaced by U+FFFD, the replacement character, and counted (the side
records how many). A server may also ignore `max_tokens`: a completion longer than the cap allows
is refused with a message naming the server, before it can be stored as a 999,999-character poem.
"""

from __future__ import annotations

import re

from unpredict_core.errors import ServerProtocolError

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def repair_surrogates(text: str) -> tuple[str, int]:
    """`text` with every lone surrogate replaced by U+FFFD, and how many there were."""
    return _SURROGATE.subn(REPLACEMENT, text)


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
