"""Text from a user, a file, a model or a server, made safe to put into markdown.

Streamlit renders st.markdown, st.caption, st.error, st.warning, st.info and st.success as
markdown, so a poem topic like `![x](http://host/beacon.png)` would make every browser showing it
fetch that URL, and a model label could become a link. `plain(text)` backslash-escapes every ASCII
punctuation character (CommonMark shows an escaped character as itself), so the text reads the
same and nothing in it is markup: no link, image, emphasis, heading, table, directive
(`:red[...]`, `:material/...:`), math (`$`) or HTML. Newlines become markdown line breaks.
Whole blocks of such text go to st.text or st.code instead.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """`text` as markdown that renders as exactly this text."""
    escaped = _PUNCTUATION.sub(r"\\\1", str(text))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def count(n: int, word: str, plural: str | None = None) -> str:
    """ "1 round", "3 rounds", "1,500 valid answers": a number with its noun in the right number."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
