"""Declared parameters: one range per parameter, written once, checked before any model loads,
and the same in the CLI, sweep files and the dashboard's widgets.

An experiment's frozen `Params` dataclass declares each field with `param(...)` (or `seed_param()`),
and its `validate()` calls `check_declared(self)` first:

    @dataclass(frozen=True)
    class Params:
        rounds: int = param(50, min=1, max=MAX_ROUNDS, help="rounds per game")
        seed: int = seed_param()

        def validate(self) -> Params:
            check_declared(self)
            ...  # checks that involve several fields, or a registry (an opponent's name)
            return self

Every entry point goes through `validate()` before anything loads: `runs.run_experiment` calls it
first, sweep files call it for every item while the file is read (so a bad item names its line),
and the CLI's flags become Params fields. The dashboard's number widgets take their min, max,
default and help from the same declaration (`unpredict_ui.inputs.declared_number`), so a widget
cannot offer what a run would refuse. `spec_of(Params, name)` reads a declaration.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from unpredict_core.errors import InvalidParameter

SEED_MAX = 2**31 - 1  # every generator here (numpy, torch, a server's `seed`) takes 31 bits


@dataclass(frozen=True)
class Spec:
    """What a parameter may be. `min_open`: the minimum itself is excluded (a temperature > 0)."""

    kind: type  # int, float, str or bool
    min: float | None = None
    max: float | None = None
    min_open: bool = False
    help: str = ""
    unit: str = ""  # said after the range in messages, e.g. " valid answers"

    def check(self, name: str, value: Any) -> None:
        """Raise InvalidParameter with the range unless `value` is of this kind and within it."""
        if self.kind is int and (not isinstance(value, int) or isinstance(value, bool)):
            raise InvalidParameter(f"{name} must be a whole number (got {value!r}).")
        if self.kind is float and (not isinstance(value, int | float) or isinstance(value, bool)):
            raise InvalidParameter(f"{name} must be a number (got {value!r}).")
        if self.kind is float and not math.isfinite(value):
            raise InvalidParameter(f"{name} must be a finite number (got {value!r}).")
        if self.kind in (int, float) and not self.contains(value):
            raise InvalidParameter(f"{name} must be {self.range_text()}{self.unit} (got {value!r}).")

    def contains(self, value: float) -> bool:
        low_ok = self.min is None or (value > self.min if self.min_open else value >= self.min)
        return low_ok and (self.max is None or value <= self.max)

    def range_text(self) -> str:
        def number(x: float) -> str:
            return f"{x:,}" if isinstance(x, int) else f"{x:g}"

        if self.min_open:
            return f"in ({number(self.min)}, {number(self.max)}]"
        if self.max is None:
            return f"at least {number(self.min)}"
        return f"between {number(self.min)} and {number(self.max)}"


def param(default: Any, *, min=None, max=None, min_open: bool = False, help: str = "", unit: str = ""):  # noqa: A002
    """A dataclass field with its declared range (the kind is the default's type)."""
    spec = Spec(type(default), min, max, min_open, help, unit)
    return dataclasses.field(default=default, metadata={"param": spec})


SEED = Spec(int, 0, SEED_MAX, help="seeds every random draw of the run")  # also a sweep file's `seeds`


def seed_param(help: str = SEED.help) -> Any:  # noqa: A002
    return dataclasses.field(default=0, metadata={"param": dataclasses.replace(SEED, help=help)})


def spec_of(params_class: type, name: str) -> Spec | None:
    for f in dataclasses.fields(params_class):
        if f.name == name:
            return f.metadata.get("param")
    return None


def check_declared(params: Any) -> None:
    """Check every declared field of a Params instance against its declaration."""
    for f in dataclasses.fields(params):
        spec = f.metadata.get("param")
        if spec is not None:
            spec.check(f.name, getattr(params, f.name))
