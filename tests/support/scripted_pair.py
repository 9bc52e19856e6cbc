"""A pair of scripted models for fast tests of everything above the backend seam."""

from __future__ import annotations

from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend, constant

UNIFORM_11 = {str(i): 1 / 11 for i in range(11)}
SEVEN_LOVER = {"7": 0.5, " 3": 0.1, "\n10": 0.1}  # 30 % of the mass is not a clean answer

SCRIPTS = {"uniform": UNIFORM_11, "seven": SEVEN_LOVER}

PAIR = ModelPair(
    "scripted",
    ModelSpec("scripted uniform", "scripted", "uniform"),
    ModelSpec("scripted seven-lover", "scripted", "seven", default_format="chat"),
)


class ScriptedLoader:
    """A BackendLoader over scripted models that remembers each backend (to count calls)."""

    def __init__(self):
        self.backends = {}

    def __call__(self, spec, progress=None):
        if spec.location not in self.backends:
            self.backends[spec.location] = ScriptedBackend(constant(SCRIPTS[spec.location]), spec.label)
        return self.backends[spec.location]

    @property
    def calls(self) -> int:
        return sum(b.calls for b in self.backends.values())
