"""Blind pairwise rating of poems: drawing a pair and recording a vote.

A pair is one base and one aligned poem on the same topic, in a random order, shown as "A" and
"B" with the sides hidden. A vote answers all three questions or is not stored at all: the page
keeps the answers until the rater submits, and the store writes the three rows in one
transaction. The vote id is drawn with the pair, so submitting the same form twice stores it once.

As in chatbot arenas, a rater is shown every pair once before any pair comes back (drawn without
replacement until exhausted), may answer "tie / both bad", and sees after the vote which side
wrote which poem. Both poems are normalised the same way before they are shown, so layout (a base
model's double-spaced lines, a chat model's markdown title) does not give the side away.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterable, Set
from dataclasses import dataclass

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.poetry.metrics import CRITERIA
from unpredict_core.experiments.poetry.text import strip_unprintable
from unpredict_core.store.database import Store
from unpredict_core.store.rows import poem_id

MAX_RATER_CHARS = 60
CHOICES = ("a", "b", "tie")  # "tie" also stands for "both bad": neither poem wins the criterion
CHOICE_LABELS = {"a": "Poem A", "b": "Poem B", "tie": "Tie / both bad"}


class InvalidVote(UnpredictError):
    """A vote that cannot be stored as given (incomplete, no rater, unknown poems)."""


@dataclass(frozen=True)
class BlindPair:
    vote_id: str
    topic: str
    poem_a: str  # poem ids, in the order shown
    poem_b: str
    text_a: str
    text_b: str


def rateable_topics(result: dict) -> list[str]:
    """Topics on which both sides wrote at least one non-empty poem."""
    sides = result["sides"]
    written = [{p["topic"] for p in sides[role]["poems"] if p["text"]} for role in ("base", "aligned")]
    return [t for t in result["params"]["topics"] if t in written[0] & written[1]]


class PairsExhausted(InvalidVote):
    """This rater has rated every pair of the run once."""


def all_pairs(result: dict) -> list[tuple[str, str, str]]:
    """Every rateable (topic, base poem id, aligned poem id): one base and one aligned poem on a topic."""
    pairs = []
    for topic in rateable_topics(result):
        ids = {
            role: [
                poem_id(result["run_id"], role, i)
                for i, p in enumerate(result["sides"][role]["poems"])
                if p["topic"] == topic and p["text"]
            ]
            for role in ("base", "aligned")
        }
        pairs += [(topic, b, a) for b in ids["base"] for a in ids["aligned"]]
    return pairs


def rated_pairs(vote_rows: Iterable[dict], rater: str) -> set[frozenset[str]]:
    """The pairs (as unordered poem-id sets) this rater has voted on, from `Store.vote_rows`."""
    return {frozenset((r["poem_a"], r["poem_b"])) for r in vote_rows if r["rater"] == rater}


def pair_progress(result: dict, rated: set[frozenset[str]]) -> tuple[int, int]:
    """(pairs of this run the rater has rated, pairs in all)."""
    pairs = {frozenset((b, a)) for _, b, a in all_pairs(result)}
    return len(pairs & rated), len(pairs)


def normalise_poem(text: str) -> str:
    """The poem's words and line breaks only: markdown markers, indentation, trailing spaces and
    double spacing removed, stanza breaks kept as one blank line."""
    lines = [re.sub(r"^\s*(#+\s*|>\s*)", "", line).replace("**", "").replace("__", "").strip()
             for line in text.splitlines()]  # fmt: skip
    filled = [line for line in lines if line]
    blanks = sum(1 for i in range(1, len(lines) - 1) if not lines[i] and lines[i - 1] and lines[i + 1])
    if filled and blanks >= (len(filled) - 1) * 0.6:  # double-spaced: every line break doubled
        return "\n".join(filled)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def side_of(poem: str) -> str:
    """The side ("base" or "aligned") a poem id names."""
    return poem.split("/")[-2]


def draw_pair(result: dict, rng: random.Random, rated: Set[frozenset[str]] = frozenset()) -> BlindPair:
    """A random base/aligned pair on one topic the rater has not rated yet, in random order, with
    both texts normalised. Raises PairsExhausted once every pair has been rated."""
    pairs = all_pairs(result)
    if not pairs:
        raise InvalidVote("No topic has a non-empty poem from both sides: generate poems first.")
    fresh = [p for p in pairs if frozenset(p[1:]) not in rated]
    if not fresh:
        raise PairsExhausted(f"You have rated all {len(pairs):,} pairs of this run.")
    topic, base, aligned = rng.choice(fresh)
    texts = {poem_id(result["run_id"], role, i): p["text"] for role in ("base", "aligned")
             for i, p in enumerate(result["sides"][role]["poems"])}  # fmt: skip
    picks = [(base, normalise_poem(texts[base])), (aligned, normalise_poem(texts[aligned]))]
    rng.shuffle(picks)
    (a, text_a), (b, text_b) = picks
    return BlindPair(uuid.uuid4().hex, topic, a, b, text_a, text_b)


def clean_rater(name: str) -> str:
    rater = " ".join(strip_unprintable(name or "")[0].split())
    if not rater:
        raise InvalidVote("Enter your name (or a nickname) as the rater, so your votes can be told apart.")
    if len(rater) > MAX_RATER_CHARS:
        raise InvalidVote(f"Keep the rater name under {MAX_RATER_CHARS} characters.")
    return rater


def record_vote(store: Store, pair: BlindPair, rater: str, answers: dict[str, str | None]) -> str:
    """Store a complete vote ("a", "b" or "tie" for each criterion) at once; see `Store.save_vote`."""
    rater = clean_rater(rater)
    choices = {c: answer for c in CRITERIA if (answer := answers.get(c)) in CHOICES}
    missing = [c for c in CRITERIA if c not in choices]
    if missing:
        raise InvalidVote(
            f"Answer all three questions before submitting (missing: {', '.join(missing)}). Nothing was stored."
        )
    return store.save_vote(pair.vote_id, rater, pair.poem_a, pair.poem_b, choices)
