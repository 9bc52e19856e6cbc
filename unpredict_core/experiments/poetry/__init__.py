"""Poetry: both sides write short poems on the same topics, in their own format.

The request is a template with a `{topic}` slot. The base side gets the opening of a poem to
continue (a line of context, then the title); the aligned side gets a chat request. Every poem is
sampled through the backend seam with a seed, temperature, top-p, a stop rule and a length cap,
then cleaned of prompt echo and chat artefacts (`poem_text`). Raters then compare the poems
blind (`poetry_votes`); the automatic proxies here are labelled as proxies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypedDict

from unpredict_core.backends.base import ModelBackend, PromptFormat, SampleSettings
from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments import Experiment
from unpredict_core.experiments.poetry.metrics import embedding_diversity, text_proxies
from unpredict_core.experiments.poetry.text import clean_poem, strip_unprintable
from unpredict_core.params import check_declared, param, seed_param
from unpredict_core.progress import ProgressFn, no_progress, scaled
from unpredict_core.records import SideOutcome

NAME = "poetry"
VERSION = "2"  # bump when a change alters results (cleaning included), so old cache entries are not reused
DEFAULT_TOPICS = (
    "work",
    "the internet",
    "the sea",
    "autumn",
    "a city at night",
    "friendship",
    "time",
    "a cat",
)
MAX_TOPICS = 30
MAX_TOPIC_CHARS = 80
MAX_SAMPLES = 20
MAX_NEW_TOKENS = 400
SLOT = "{topic}"
REQUESTS = {
    "plain": "The following is a short poem.\n\n" + SLOT + "\n\n",
    "chat": "Write a short poem about " + SLOT + ".",
}
# A poem ends at a blank gap of two empty lines (the start of another document); EOS ends it too.
END_OF_POEM = "\n\n\n"


@dataclass(frozen=True)
class Params:
    topics: tuple[str, ...] = param(DEFAULT_TOPICS, help="topics, one poem title each")
    samples: int = param(2, min=1, max=MAX_SAMPLES, help="poems per topic and side")
    seed: int = seed_param()
    max_new_tokens: int = param(96, min=8, max=MAX_NEW_TOKENS, help="length cap: new tokens per poem")
    temperature: float = param(1.0, min=0.0, max=2.0, min_open=True, help="sampling temperature")
    top_p: float = param(1.0, min=0.0, max=1.0, min_open=True, help="nucleus sampling: the top share of mass kept")
    embeddings: bool = param(True, help="compute the embedding-diversity proxy (loads a small model once)")

    def validate(self) -> Params:
        """A checked copy: topics stripped of control characters and blanks, duplicates dropped."""
        check_declared(self)
        if isinstance(self.topics, str):
            raise InvalidParameter("topics must be a list of topics, not one string.")
        topics: list[str] = []
        for raw in self.topics:
            topic = " ".join(strip_unprintable(str(raw))[0].split())
            if len(topic) > MAX_TOPIC_CHARS:
                raise InvalidParameter(
                    f"The topic '{topic[:30]}…' is {len(topic)} characters long; keep each topic under "
                    f"{MAX_TOPIC_CHARS} characters (it is the title of a short poem)."
                )
            if topic and topic.lower() not in {t.lower() for t in topics}:
                topics.append(topic)
        if not topics:
            raise InvalidParameter("Give at least one topic to write poems about (e.g. work, the internet).")
        if len(topics) > MAX_TOPICS:
            raise InvalidParameter(f"At most {MAX_TOPICS} topics per run (got {len(topics)}).")
        return replace(self, topics=tuple(topics))

    def as_dict(self) -> dict:
        return {
            "topics": list(self.topics),
            "samples": self.samples,
            "seed": self.seed,
            "max_new_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "embeddings": self.embeddings,
        }

    def settings(self) -> SampleSettings:
        return SampleSettings(
            temperature=self.temperature,
            top_p=self.top_p,
            max_new_tokens=self.max_new_tokens,
            decided=lambda text: END_OF_POEM in text,  # the stop rule; the text is cut there below
        )


def default_request(params: Params, fmt: PromptFormat) -> str:
    return REQUESTS[fmt]


def fill(request: str, topic: str) -> str:
    """The request for one topic; a template without the slot gets the topic as a title line."""
    if SLOT in request:
        return request.replace(SLOT, topic)
    return f"{request.rstrip()}\n\n{topic}\n\n" if request.strip() else f"{topic}\n\n"


class PoemRecord(TypedDict):
    topic: str
    sample: int
    text: str  # the cleaned poem a rater sees
    raw: str  # the continuation as the model wrote it
    notes: list[str]  # what cleaning did
    prompt: str
    seed: int
    settings: dict[str, Any]


class PoetrySide(SideOutcome):
    poems: list[PoemRecord]
    coverage: float  # share of non-empty poems
    empty_poems: int
    metrics: dict[str, float]
    proxies: dict[str, Any]  # every proxy, with the embedding note


def write_poems(
    backend: ModelBackend, fmt: PromptFormat, request: str, params: Params, progress: ProgressFn
) -> list[PoemRecord]:
    """`params.samples` cleaned poems per topic, each with its exact prompt and its seed."""
    poems: list[PoemRecord] = []
    for t, topic in enumerate(params.topics):
        prompt = backend.render(fill(request, topic), fmt)
        seed = params.seed * 100_003 + t  # one seed per (run seed, topic): topics are independent draws
        part = scaled(progress, t / len(params.topics), (t + 1) / len(params.topics))
        part(0.0, f"{backend.label}: poems on '{topic}'")
        texts = backend.sample(prompt, params.samples, seed=seed, settings=params.settings(), progress=part)
        echo = tuple(line for line in fill(request, topic).split("\n") if line.strip()) + (topic,)
        settings = {
            "seed": seed,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_new_tokens": params.max_new_tokens,
            "stop": [END_OF_POEM, "end of sequence"],
        }
        for s, raw in enumerate(texts):
            ended = END_OF_POEM in raw
            cleaned = clean_poem(raw.split(END_OF_POEM)[0] + ("\n" if ended else ""), echo, cut_last_line=True)
            poems.append(
                {
                    "topic": topic,
                    "sample": s,
                    "text": cleaned.text,
                    "raw": raw,
                    "notes": cleaned.notes,
                    "prompt": prompt.text,
                    "seed": seed,
                    "settings": settings,
                }
            )
    return poems


def proxies(poems: list[PoemRecord], embeddings: bool) -> dict[str, Any]:
    """Automatic originality proxies over a side's non-empty poems (labelled proxies everywhere)."""
    kept = [p for p in poems if p["text"]]
    texts, topics = [p["text"] for p in kept], [p["topic"] for p in kept]
    out = text_proxies(texts, topics) | {"embedding_diversity": None, "embedding_note": ""}
    if not embeddings:
        out["embedding_note"] = "not computed (turned off for this run)"
    elif len(texts) < 2:
        out["embedding_note"] = "needs at least two poems"
    else:
        from unpredict_core.experiments.poetry.embeddings import EMBEDDING_MODEL, embed, embedder_problem

        problem = embedder_problem()
        if problem:
            out["embedding_note"] = f"not computed: {problem}"
        else:
            out["embedding_diversity"] = embedding_diversity(embed(texts), topics)
            out["embedding_note"] = EMBEDDING_MODEL
    return out


def run_side(
    backend: ModelBackend, fmt: PromptFormat, request: str, params: Params, progress: ProgressFn = no_progress
) -> PoetrySide:
    template = backend.render(request if SLOT in request else fill(request, SLOT), fmt)
    poems = write_poems(backend, fmt, request, params, scaled(progress, 0.0, 0.9))
    progress(0.9, f"{backend.label}: originality proxies")
    found = proxies(poems, params.embeddings)
    progress(1.0, f"{backend.label}: done")
    return {
        "format": template.format,
        "format_note": template.note,
        "prompt": template.text,  # the exact input with the slot left visible; each poem keeps its own
        "poems": poems,
        "coverage": sum(bool(p["text"]) for p in poems) / len(poems),  # share of non-empty poems
        "empty_poems": sum(not p["text"] for p in poems),
        "metrics": {k: v for k, v in found.items() if isinstance(v, float)},
        "proxies": found,
    }


EXPERIMENT = Experiment(
    name=NAME,
    version=VERSION,
    title="Poetry",
    params=Params,
    default_request=default_request,
    run_side=run_side,
    free_text=True,
    typical_seconds=120.0,
    order=40,
)
