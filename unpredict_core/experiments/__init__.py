"""The experiments, and the one registry the CLI, sweeps, Results and the scatter read.

An experiment is a module (or a package) in this folder that ends with one declaration:

    EXPERIMENT = Experiment(
        name=NAME, version=VERSION, title="Rock-paper-scissors", params=Params,
        default_request=default_request, run_side=run_side,
        scores=(Score("rps_net", "Rock-paper-scissors net score", "net_score", paper=("rps", "net_score")),),
    )

`Params` is a frozen dataclass whose settings are declared with `unpredict_core.params.param`
(kind, default, bounds or choices, help: written once, read by the CLI's flags, sweep files and the
widgets), with `validate()` and `as_dict()`. `run_side(backend, fmt, request, params, progress)`
returns one side's JSON-ready result with its rendered `prompt`, `format` and `format_note`.
An experiment may also declare `run_sides(backend, fmt, request, [params, ...], progress)`: one
side of several runs at once, each outcome equal to its `run_side` (the games play their runs in
lockstep batches); a sweep then computes its runs of one experiment and pair together.

Nothing else names an experiment: the registry finds every module here that declares one, so adding
an experiment is its module, its page and its tests. `register()` adds one from elsewhere (a test,
a plugin).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unpredict_core.backends.base import ModelBackend, PromptFormat
from unpredict_core.errors import InvalidParameter
from unpredict_core.progress import ProgressFn
from unpredict_core.records import SideOutcome, SideRecord

RunSide = Callable[[ModelBackend, PromptFormat, str, Any, ProgressFn], SideOutcome]
RunSides = Callable[[ModelBackend, PromptFormat, str, Sequence[Any], ProgressFn], Sequence[SideOutcome]]


@dataclass(frozen=True)
class ScoreValue:
    """One run's value of a score on one side, with its 95 % interval and how it was obtained.
    `method` "exact" (from the model's probabilities) outranks any other: a figure never averages
    an exact value with sampled ones."""

    value: float
    ci: tuple[float, float] | None
    method: str  # "exact", "sampled", "played", ...
    note: str = ""  # how the value or its interval was made, where it is not plain


SideValue = Callable[[Mapping[str, Any], Mapping[str, Any]], ScoreValue | None]  # (side, run params)


def plain_value(field: str) -> SideValue:
    """The score as the side stores it (top level or under `metrics`), its interval from the side's
    `intervals` where it has one, and the run's `mode` as its method."""

    def value(side: Mapping[str, Any], params: Mapping[str, Any]) -> ScoreValue | None:
        found = side.get(field, (side.get("metrics") or {}).get(field))
        if not isinstance(found, int | float) or isinstance(found, bool):
            return None
        ci = (side.get("intervals") or {}).get(field)
        method = str(params.get("mode") or "measured")
        interval = (float(ci[0]), float(ci[1])) if ci and method != "exact" else None
        return ScoreValue(float(found), interval, method)

    return value


@dataclass(frozen=True)
class Score:
    """An unpredictability score a side reports, offered as the scatter's y (`key`) and charted in
    Results. `field`: its key among a side's numbers (`results.table.side_scores`); `paper`: (task,
    metric) of the paper's reported value in reference/paper_reported.csv, if it has one; `value`:
    how one run's side gives it with its interval and method (default: `plain_value(field)`)."""

    key: str
    label: str
    field: str
    paper: tuple[str, str] | None = None
    note: str = ""
    applies: Callable[[dict[str, Any]], bool] = lambda params: True  # which runs (by their params) report it
    value: SideValue | None = None

    def of(self, side: Mapping[str, Any], params: Mapping[str, Any]) -> ScoreValue | None:
        return (self.value or plain_value(self.field))(side, params)


def _always(params: Any, role: str) -> bool:
    return True


def _no_lines(side: Mapping[str, Any]) -> list[str]:
    return []


def _no_defaults(device: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Experiment:
    """Everything the app needs to know about one experiment, declared beside its code."""

    name: str
    version: str  # bump when a change alters results, so old cache entries are not reused
    title: str
    params: type
    default_request: Callable[[Any, PromptFormat], str]
    run_side: RunSide
    scores: tuple[Score, ...] = ()
    free_text: bool = False  # generates free text (no fixed answer set to score)
    typical_seconds: float = 60.0  # a default-settings run on the default pair, 2 CPU cores (until measured)
    plays: Callable[[Any, str], bool] = _always  # False: that side sits this run out
    skipped_side: Callable[..., SideRecord] | None = None  # what a side that sits out reports
    summary_lines: Callable[[Mapping[str, Any]], list[str]] = _no_lines  # extra lines of the CLI's summary
    device_defaults: Callable[[str], dict[str, Any]] = _no_defaults  # settings whose default depends on the device
    order: int = 100  # where it is listed (CLI, Results, the scatter's y), smallest first
    run_sides: RunSides | None = None  # one side of several runs at once (games: in lockstep batches)


_REGISTRY: dict[str, Experiment] = {}
_discovered = False


def register(experiment: Experiment) -> Experiment:
    """Add an experiment; a second one with a taken name is refused (names are stored in runs)."""
    known = _REGISTRY.get(experiment.name)
    if known is not None and known is not experiment:
        raise ValueError(f"two experiments are named '{experiment.name}'")
    _REGISTRY[experiment.name] = experiment
    return experiment


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    for info in pkgutil.walk_packages(__path__, f"{__name__}."):
        module = importlib.import_module(info.name)
        declared = getattr(module, "EXPERIMENT", None)
        if isinstance(declared, Experiment) and declared.name not in _REGISTRY:
            register(declared)


def experiments() -> dict[str, Experiment]:
    """Every registered experiment by name, in their declared order (then by name)."""
    _discover()
    return {e.name: e for e in sorted(_REGISTRY.values(), key=lambda e: (e.order, e.name))}


def get_experiment(name: str) -> Experiment:
    found = experiments().get(name)
    if found is None:
        raise InvalidParameter(f"Unknown experiment '{name}'. Known: {', '.join(experiments())}.")
    return found
