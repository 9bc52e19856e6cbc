"""Experiments, one file each. Each module provides NAME, VERSION, a frozen `Params` dataclass with
`validate()` and `as_dict()`, `default_request(params, fmt)` and `run_side(backend, prompt, params,
progress)` returning one side's JSON-ready result."""

from __future__ import annotations

from types import ModuleType

from ..errors import InvalidParameter
from . import random_integers

EXPERIMENTS: dict[str, ModuleType] = {random_integers.NAME: random_integers}


def get_experiment(name: str) -> ModuleType:
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise InvalidParameter(f"Unknown experiment '{name}'. Known: {', '.join(EXPERIMENTS)}.") from None
