"""Blind pairwise rating of poems: drawing a pair and recording a vote.

A pair is one base and one aligned poem on the same topic, in a random order, shown as "A" and
"B" with the sides hidden. A vote answers all three questions or is not stored at all: the page
keeps the answers until the rater submits, and the store writes the three rows in one
transaction. The vote id is drawn with the pair, so submitting the same form twice stores it once.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.poetry.metrics import CRITERIA
from unpredict_core.experiments.poetry.text import strip_unprintable
from unpredict_core.store.database import Store
from unpredict_core.store.rows import poem_id

MAX_RATER_CHARS = 60


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


def draw_pair(result: dict, rng: random.Random) -> BlindPair:
    """A random base/aligned pair of poems on one topic, in random order."""
    topics = rateable_topics(result)
    if not topics:
        raise InvalidVote("No topic has a non-empty poem from both sides: generate poems first.")
    topic = rng.choice(topics)
    picks = []
    for role in ("base", "aligned"):
        poems = [(i, p) for i, p in enumerate(result["sides"][role]["poems"]) if p["topic"] == topic and p["text"]]
        index, poem = rng.choice(poems)
        picks.append((poem_id(result["run_id"], role, index), poem["text"]))
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
    """Store a complete vote ("a" or "b" for each criterion) at once; see `Store.save_vote`."""
    rater = clean_rater(rater)
    choices = {c: answer for c in CRITERIA if (answer := answers.get(c)) in ("a", "b")}
    missing = [c for c in CRITERIA if c not in choices]
    if missing:
        raise InvalidVote(
            f"Answer all three questions before submitting (missing: {', '.join(missing)}). Nothing was stored."
        )
    return store.save_vote(pair.vote_id, rater, pair.poem_a, pair.poem_b, choices)
