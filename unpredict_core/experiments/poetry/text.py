"""Turning a raw continuation into the poem a rater sees.

Raters must compare poems, not chat habits: a base model may echo its prompt or start a new
document, an aligned one opens with "Sure! Here's a poem" and closes with "I hope you enjoy it".
These artefacts are removed, and each removal is named in `notes`, so the raw text (kept too)
and the cleaned one can always be told apart. Nothing is rewritten inside the poem itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Special tokens and role tags of common chat templates, e.g. <|im_start|>assistant, <end_of_turn>.
_SPECIAL = re.compile(r"<\|[^|<>]{0,40}\|>|</?(?:s|eos|bos|start_of_turn|end_of_turn|user|assistant|system)>")
# The start of a new turn or document: everything after it is not this poem.
_NEW_TURN = re.compile(
    r"<\|im_start\|>|<start_of_turn>|<\|start_header_id\|>|<\|user\|>|<user>|^\s*(?:user|assistant|system)\s*:",
    re.IGNORECASE | re.MULTILINE,
)
_ROLE_LINE = re.compile(r"^\s*(?:assistant|model)\s*:?\s*$", re.IGNORECASE)
_PREAMBLE = re.compile(
    r"^\s*(?:sure|certainly|of course|absolutely|okay|ok|here(?:'s| is| are| goes)|i'd be (?:happy|glad))\b",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:i hope|let me know|feel free|this poem|the poem|would you like|i tried|note:)", re.IGNORECASE
)
_LINE_END = ".!?;:,)]\"'”’—–-…*"


@dataclass
class Cleaned:
    text: str
    notes: list[str] = field(default_factory=list)


def strip_unprintable(text: str) -> tuple[str, bool]:
    """Text without control or format characters and undecodable bytes (U+FFFD), newlines and
    tabs kept; whether anything was removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        ch
        for ch in text
        if ch in "\n\t" or (ch != "\ufffd" and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    )
    return kept, kept != text


def _norm(line: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", line.lower()).strip()


def clean_poem(raw: str | bytes, prompt_lines: tuple[str, ...] = (), cut_last_line: bool = False) -> Cleaned:
    """The poem in a raw continuation.

    `prompt_lines` are lines of the request (the title, the instruction) that must not be counted
    as poem when the model repeats them. `cut_last_line` drops a last line that stops mid-way
    (no newline after it, no closing punctuation): pass it when the length cap may have cut it.
    """
    notes: list[str] = []
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text, changed = strip_unprintable(raw)
    if changed:
        notes.append("removed control characters or undecodable bytes")
    turn = next((m for m in _NEW_TURN.finditer(text) if text[: m.start()].strip()), None)
    if turn:
        text = text[: turn.start()]
        notes.append("cut at the start of a new turn")
    text, count = _SPECIAL.subn("", text)
    if count:
        notes.append("removed special tokens")
    ended_cleanly = text.endswith("\n")
    lines = [line.rstrip() for line in text.split("\n")]
    echo = {_norm(p) for p in prompt_lines if _norm(p)}
    while lines and (not lines[0].strip() or _ROLE_LINE.match(lines[0]) or _norm(lines[0]) in echo):
        if lines[0].strip():
            notes.append("removed a repeated prompt line or role tag")
        lines.pop(0)
    if lines and _PREAMBLE.match(lines[0]) and (len(lines) > 1 or lines[0].rstrip().endswith(":")):
        notes.append("removed a chat preamble")
        lines.pop(0)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and (not lines[-1].strip() or _SIGN_OFF.match(lines[-1])):
        if lines[-1].strip():
            notes.append("removed a chat sign-off")
        lines.pop()
    if cut_last_line and not ended_cleanly and lines and not lines[-1].endswith(tuple(_LINE_END)):
        sentence_end = max(lines[-1].rfind(mark) for mark in ".!?")
        if sentence_end > 0:  # a long last line (often prose): keep it up to its last full sentence
            notes.append("cut a last sentence cut by the length cap")
            lines[-1] = lines[-1][: sentence_end + 1]
        elif len(lines) > 1:
            notes.append("dropped a last line cut by the length cap")
            lines.pop()
    poem = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return Cleaned(poem, notes)
