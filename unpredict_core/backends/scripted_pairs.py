"""A scripted pair for the command line, so that sweeps can be tested end to end in a real process
without weights (e.g. killed mid-sweep and resumed). Hidden from users: the pair name `scripted`
resolves only when UNPREDICT_SCRIPTED_PAIRS=1, and UNPREDICT_SCRIPTED_DELAY_S makes each model
call take that long, so a test can kill a sweep while it is working.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from unpredict_core.backends.base import RenderedPrompt
from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend
from unpredict_core.progress import ProgressFn, no_progress

ENABLE_ENV = "UNPREDICT_SCRIPTED_PAIRS"
DELAY_ENV = "UNPREDICT_SCRIPTED_DELAY_S"
NAME = "scripted"

PAIR = ModelPair(
    NAME,
    ModelSpec("scripted uniform", "scripted", "uniform"),
    ModelSpec("scripted favourite", "scripted", "favourite", default_format="chat"),
    note="Scripted stand-ins for tests: no model is loaded.",
)

_MOVES = ("rock", "paper", "scissors")
_SCRIPTS = {
    "uniform": ({m: 1 / 3 for m in _MOVES}, {str(i): 1 / 11 for i in range(11)}),
    "favourite": ({"rock": 0.7, "paper": 0.2, "scissors": 0.05}, {"7": 0.5, "3": 0.2, "1": 0.1}),
}


def enabled() -> bool:
    return os.environ.get(ENABLE_ENV) == "1"


def scripted_pair(name: str) -> ModelPair | None:
    """The scripted pair when asked for by name and enabled; None otherwise."""
    return PAIR if name == NAME and enabled() else None


def _script(kind: str):
    moves, numbers = _SCRIPTS[kind]

    def script(prompt: str) -> Mapping[str, float]:
        return moves if "rock" in prompt.lower() else numbers

    return script


class _SlowScripted(ScriptedBackend):
    """Sleeps before each call: a stand-in for a model that takes time."""

    def __init__(self, kind: str, label: str, delay_s: float):
        super().__init__(_script(kind), label)
        self.identity = f"scripted:{kind}"
        self._delay_s = delay_s

    def score_choices(self, prompt: RenderedPrompt, choices):
        time.sleep(self._delay_s)
        return super().score_choices(prompt, choices)

    def sample(self, prompt: RenderedPrompt, n: int, **kwargs):
        time.sleep(self._delay_s)
        return super().sample(prompt, n, **kwargs)


class ScriptedAwareLoader:
    """A BackendLoader: scripted specs become scripted backends, everything else goes to `inner`."""

    def __init__(self, inner):
        self._inner = inner
        self._scripted: dict[str, ScriptedBackend] = {}

    def placement(self, spec: ModelSpec) -> str | None:
        inner = getattr(self._inner, "placement", None)
        return None if spec.source == "scripted" or inner is None else inner(spec)

    def __call__(self, spec: ModelSpec, progress: ProgressFn = no_progress):
        if spec.source != "scripted":
            return self._inner(spec, progress)
        if spec.location not in self._scripted:
            delay = float(os.environ.get(DELAY_ENV, "0") or 0)
            self._scripted[spec.location] = _SlowScripted(spec.location, spec.label, delay)
        progress(1.0, f"{spec.label} ready")
        return self._scripted[spec.location]
