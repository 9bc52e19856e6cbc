"""What the tests of both real servers (llama.cpp, vLLM) compare: the Random Numbers prompt of
the default pair, scored by a server and by the transformers backend on the same weights."""

from __future__ import annotations

from unpredict_core.backends.models import DEFAULT_PAIR
from unpredict_core.experiments import random_integers as ri

ANSWERS = list(ri.ANSWERS)


def default_prompt(backend, role: str):
    fmt = DEFAULT_PAIR.side(role).default_format
    return backend.render(ri.default_request(ri.Params(), fmt), fmt)


def scores_beside_transformers(server, local, role: str):
    """(transformers' scores, the server's, max |difference|) after checking that both engines
    see the same prompt: the server's chat template renders as ours, token for token."""
    prompt = default_prompt(server, role)
    assert prompt.text == default_prompt(local, role).text
    assert server.encode(prompt) == local.encode(prompt)
    ours, theirs = local.score_choices(prompt, ANSWERS), server.score_choices(prompt, ANSWERS)
    return ours, theirs, max(abs(ours.raw[a] - theirs.raw[a]) for a in ANSWERS)
