"""The ladder's prompts: a task written here about a topic written here, plus one or two verifiable
instructions (`instructions`), drawn with a seed; and the proof that none of them leaks a test.

Training and held-out prompts come from one seeded stream and are split by position, so no
held-out prompt is ever trained on, and a prompt text drawn twice is kept once. `overlaps` is the
disjointness rule the tests assert: no training prompt shares a word 8-gram with an IFEval or
IFBench test prompt, and none shares one with (or contains) an experiment's own prompt.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence

from unpredict_core.experiments.instructions.prompts import InstructionPrompt
from unpredict_core.ladder.instructions import draw_instructions

TASKS = (
    "Tell me about {topic} in a few sentences.",
    "Give a friend two tips about {topic}.",
    "Explain {topic} to a ten-year-old.",
    "Describe {topic} in one short paragraph.",
    "Write a short note to a neighbour about {topic}.",
    "Name three facts about {topic}.",
    "Why do people care about {topic}? Answer briefly.",
    "Write a two-line advert for {topic}.",
    "Sum up {topic} for a busy reader.",
    "Give one question and its answer about {topic}.",
    "Write a short diary entry about {topic}.",
    "Suggest a weekend plan that involves {topic}.",
)
TOPICS = (
    "bicycles", "a lighthouse", "growing tomatoes", "rainy mornings", "the moon", "a village bakery",
    "learning to swim", "old maps", "mountain trains", "honeybees", "a power cut", "street markets",
    "paper kites", "a school library", "winter coats", "a river ferry", "board games", "volcanoes",
    "a lost umbrella", "recycling", "a desert road", "owls", "a birthday cake", "clocks that tick",
    "sailing boats", "a museum visit", "penguins", "a tea garden", "bridges", "a camping trip",
)  # fmt: skip
WORD = re.compile(r"[a-z0-9']+")
GRAM = 8


def draw_prompts(seed: int, count: int) -> list[InstructionPrompt]:
    """`count` distinct prompts, each a task, a topic and one or two instructions, in draw order."""
    rng = random.Random(seed)
    prompts: list[InstructionPrompt] = []
    seen: set[str] = set()
    while len(prompts) < count:
        task = rng.choice(TASKS).format(topic=rng.choice(TOPICS))
        drawn = draw_instructions(rng, rng.choice((1, 2)))
        text = " ".join([task, *(sentence for _, _, sentence in drawn)])
        if text in seen:
            continue
        seen.add(text)
        prompts.append(
            InstructionPrompt(
                key=f"ladder-{seed}-{len(prompts)}",
                prompt=text,
                instruction_ids=tuple(kind for kind, _, _ in drawn),
                kwargs=tuple(kwargs for _, kwargs, _ in drawn),
            )
        )
    return prompts


def split(seed: int, train: int, heldout: int) -> tuple[list[InstructionPrompt], list[InstructionPrompt]]:
    """The training prompts and the held-out prompts: one stream, cut in two, never mixed."""
    prompts = draw_prompts(seed, train + heldout)
    return prompts[:train], prompts[train:]


def grams(text: str, n: int = GRAM) -> set[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def overlaps(prompts: Iterable[str], tests: Sequence[str]) -> list[tuple[str, str]]:
    """Each (prompt, test text) pair sharing a word 8-gram, or where the prompt contains the test
    text; empty when the prompts are disjoint from the tests."""
    index: dict[tuple[str, ...], str] = {}
    for test in tests:
        for gram in grams(test):
            index.setdefault(gram, test)
    found = []
    for prompt in prompts:
        hits = [index[gram] for gram in grams(prompt) if gram in index]
        hits += [test for test in tests if test.strip() and test.strip().lower() in prompt.lower()]
        found += [(prompt, test) for test in dict.fromkeys(hits)]
    return found
