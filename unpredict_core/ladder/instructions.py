"""Verifiable instructions phrased here: each is one of IFEval's instruction types with arguments
drawn by a seeded generator, and a sentence of our own that asks for it.

The checker that grades a reply is if-verifiable's (`verifiers.verify`, the one IFEval runs here),
built from the same id and arguments; only the wording is ours. IFEval's own sentences are not
reused, because a training prompt may not share a word 8-gram with a test prompt (`prompts.overlaps`
proves it for every prompt made). Types were picked that a reply of a few dozen tokens can satisfy,
since the ladder is trained and checked with short replies on a CPU.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Draw = Callable[[random.Random], tuple[dict[str, Any], str]]

# words for keyword instructions: common, lowercase, and not already in any task below
KEYWORDS = (
    "lantern", "pebble", "orchard", "compass", "velvet", "harbor", "meadow", "ribbon", "kettle",
    "saddle", "thistle", "glacier", "marble", "cinnamon", "anchor", "walnut", "feather", "copper",
)  # fmt: skip
FORBIDDEN = ("very", "really", "just", "thing", "good", "nice", "great", "also", "so", "like")
END_PHRASES = ("That is all.", "Thank you for reading.", "Hope this helps.", "See you soon.", "The end.")
MARKERS = ("P.S.", "P.P.S.")


def _lowercase(rng: random.Random) -> tuple[dict[str, Any], str]:
    return {}, rng.choice(
        (
            "Use lowercase letters only, with no capitals at all.",
            "Write it all in small letters; no capital letter anywhere.",
        )
    )


def _capitals(rng: random.Random) -> tuple[dict[str, Any], str]:
    return {}, rng.choice(("Write every letter as a capital letter.", "Answer in block capitals from start to finish."))


def _no_comma(rng: random.Random) -> tuple[dict[str, Any], str]:
    return {}, rng.choice(("Do not put a single comma in it.", "Leave out commas completely."))


def _quotation(rng: random.Random) -> tuple[dict[str, Any], str]:
    return {}, rng.choice(
        ("Put the whole answer between double quote marks.", 'Open and close your answer with a " mark.')
    )


def _end_phrase(rng: random.Random) -> tuple[dict[str, Any], str]:
    phrase = rng.choice(END_PHRASES)
    return {"end_phrase": phrase}, f"The very last words must be: {phrase}"


def _title(rng: random.Random) -> tuple[dict[str, Any], str]:
    return {}, "Start with a title set in double angle brackets, for instance <<Morning Light>>."


def _postscript(rng: random.Random) -> tuple[dict[str, Any], str]:
    marker = rng.choice(MARKERS)
    return {"postscript_marker": marker}, f"Close with an extra line that starts with {marker}"


def _keywords(rng: random.Random) -> tuple[dict[str, Any], str]:
    words = rng.sample(KEYWORDS, 2)
    return {"keywords": words}, f"Somewhere in it, use the words {words[0]} and {words[1]}."


def _forbidden(rng: random.Random) -> tuple[dict[str, Any], str]:
    words = rng.sample(FORBIDDEN, 2)
    return {"forbidden_words": words}, f"Avoid the words {words[0]} and {words[1]}."


def _json(rng: random.Random) -> tuple[dict[str, Any], str]:
    return {}, "Give the answer as a JSON object and nothing else."


def _short(rng: random.Random) -> tuple[dict[str, Any], str]:
    limit = rng.choice((20, 30, 40))
    return {"num_words": limit, "relation": "less than"}, f"Keep it shorter than {limit} words."


def _placeholders(rng: random.Random) -> tuple[dict[str, Any], str]:
    count = rng.choice((1, 2))
    return {"num_placeholders": count}, f"Leave {count} blank(s) to fill in later, each written like [name]."


def _highlights(rng: random.Random) -> tuple[dict[str, Any], str]:
    count = rng.choice((1, 2))
    return {"num_highlights": count}, f"Emphasise {count} phrase(s) with markdown, like *this*."


@dataclass(frozen=True)
class InstructionType:
    id: str  # IFEval's instruction id, as if-verifiable names its checker
    draw: Draw


TYPES: tuple[InstructionType, ...] = (
    InstructionType("change_case:english_lowercase", _lowercase),
    InstructionType("change_case:english_capital", _capitals),
    InstructionType("punctuation:no_comma", _no_comma),
    InstructionType("startend:quotation", _quotation),
    InstructionType("startend:end_checker", _end_phrase),
    InstructionType("detectable_format:title", _title),
    InstructionType("detectable_content:postscript", _postscript),
    InstructionType("keywords:existence", _keywords),
    InstructionType("keywords:forbidden_words", _forbidden),
    InstructionType("detectable_format:json_format", _json),
    InstructionType("length_constraints:number_words", _short),
    InstructionType("detectable_content:number_placeholders", _placeholders),
    InstructionType("detectable_format:number_highlighted_sections", _highlights),
)
# pairs that cannot both hold, so never drawn together
CLASHES = {
    frozenset({"change_case:english_lowercase", "change_case:english_capital"}),
    frozenset({"detectable_format:json_format", "startend:quotation"}),
    frozenset({"detectable_format:json_format", "detectable_format:title"}),
    frozenset({"detectable_format:json_format", "startend:end_checker"}),
    frozenset({"detectable_format:json_format", "detectable_content:postscript"}),
    frozenset({"startend:quotation", "startend:end_checker"}),
    frozenset({"startend:quotation", "detectable_content:postscript"}),
    frozenset({"startend:quotation", "detectable_format:title"}),
    frozenset({"change_case:english_capital", "startend:end_checker"}),
    frozenset({"change_case:english_lowercase", "startend:end_checker"}),
    frozenset({"change_case:english_lowercase", "detectable_format:title"}),
    frozenset({"change_case:english_lowercase", "detectable_content:postscript"}),
    frozenset({"detectable_format:json_format", "detectable_format:number_highlighted_sections"}),
}


def draw_instructions(rng: random.Random, count: int) -> list[tuple[str, dict[str, Any], str]]:
    """`count` compatible instructions: (id, checker arguments, our sentence for it)."""
    chosen: list[InstructionType] = []
    for kind in rng.sample(TYPES, len(TYPES)):
        if len(chosen) == count:
            break
        if all(frozenset({kind.id, other.id}) not in CLASHES for other in chosen):
            chosen.append(kind)
    return [(kind.id, *kind.draw(rng)) for kind in chosen]
