"""Experiments, one file each. Each module provides NAME, VERSION, a frozen `Params` dataclass with
`validate()` and `as_dict()`, `default_request(params, fmt)` and `run_side(backend, fmt, request, params,
progress)` returning one side's JSON-ready result, including the rendered `prompt`, its `format`
and `format_note`."""

from __future__ import annotations

from types import ModuleType

from unpredict_core.errors import InvalidParameter
from unpredict_core.experiments import ifbench, poetry, random_integers
from unpredict_core.experiments.games import hide_and_seek, rps, rps_tournament

EXPERIMENTS: dict[str, ModuleType] = {
    m.NAME: m for m in (random_integers, rps, hide_and_seek, poetry, rps_tournament, ifbench)
}


def get_experiment(name: str) -> ModuleType:
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise InvalidParameter(f"Unknown experiment '{name}'. Known: {', '.join(EXPERIMENTS)}.") from None
