"""Text that reaches the store must be valid Unicode.

Python turns bytes that are not UTF-8 (in a command-line argument, a file name, an environment
variable) into lone surrogates; DuckDB cannot store those and fails *after* the models have run,
with a conversion traceback. Checking the inputs first turns that into a message, before any work.
"""

from __future__ import annotations

from unpredict_core.errors import InvalidParameter


def require_utf8(value: str, what: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = ord(exc.object[exc.start])
        byte = f"byte 0x{bad - 0xDC00:02x}" if 0xDC80 <= bad <= 0xDCFF else f"code point U+{bad:04X}"
        raise InvalidParameter(
            f"The {what} is not valid UTF-8 text ({byte} at position {exc.start}). "
            "Rename the file or re-save the text as UTF-8."
        ) from None
    return value
