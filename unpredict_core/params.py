"""Declared parameters: one range per parameter, written once, checked before any model loads,
and the same in the CLI, sweep files and the dashboard's widgets.

An experiment's frozen `Params` dataclass declares each setting with `param(...)` (or
`seed_param()`): its kind (from the default), default, bounds or choices, and help. A field without
a declaration is not a setting (IFBench's `excluded_types`, which `validate()` works out). Its
`validate()` calls `check_declared(self)` first:

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
and the CLI's flags are made from the declarations (`unpredict_core.cli`). The dashboard's widgets
take their min, max, choices, default and help from the same declaration
(`unpredict_ui.inputs.declared_number`), so a widget cannot offer what a run would refuse.
`declared(Params)` lists the declarations, `spec_of(Params, name)` reads one.
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
    """What a parameter may be. `min_open`: the minimum itself is excluded (a temperature > 0);
    `choices`: the only values a text setting may take."""

    kind: type  # int, float, str, bool or tuple (of text)
    min: float | None = None
    max: float | None = None
    min_open: bool = False
    help: str = ""
    unit: str = ""  # said after the range in messages, e.g. " valid answers"
    choices: tuple[str, ...] = ()
    default_note: str = ""  # said instead of the default where it depends on the machine

    def check(self, name: str, value: Any) -> None:
        """Raise InvalidParameter with the range unless `value` is of this kind and within it."""
        if self.kind is str and not isinstance(value, str):
            raise InvalidParameter(f"{name} must be text (got {value!r}).")
        if self.choices and value not in self.choices:
            raise InvalidParameter(f"Unknown {name} '{value}': use {_either(self.choices)}.")
        if self.kind is bool and not isinstance(value, bool):
            raise InvalidParameter(f"{name} must be true or false (got {value!r}).")
        if self.kind is tuple and isinstance(value, str):
            raise InvalidParameter(f"{name} must be a list of text values, not one string (got {value!r}).")
        if self.kind is tuple and not (isinstance(value, tuple) and all(isinstance(v, str) for v in value)):
            raise InvalidParameter(f"{name} must be a list of text values (got {value!r}).")
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
        def number(x: float | None) -> str:
            return "…" if x is None else f"{x:,}" if isinstance(x, int) else f"{x:g}"

        if self.min_open:
            return f"in ({number(self.min)}, {number(self.max)}]"
        if self.max is None:
            return f"at least {number(self.min)}"
        return f"between {number(self.min)} and {number(self.max)}"


def _either(choices: tuple[str, ...]) -> str:
    return ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]


def param(
    default: Any,
    *,
    min=None,  # noqa: A002
    max=None,  # noqa: A002
    min_open: bool = False,
    choices: tuple[str, ...] = (),
    help: str = "",  # noqa: A002
    unit: str = "",
    default_note: str = "",
):
    """A dataclass field with its declaration (the kind is the default's type)."""
    spec = Spec(type(default), min, max, min_open, help, unit, tuple(choices), default_note)
    return dataclasses.field(default=default, metadata={"param": spec})


SEED = Spec(int, 0, SEED_MAX, help="seeds every random draw of the run")  # also a sweep file's `seeds`


def seed_param(help: str = SEED.help) -> Any:  # noqa: A002
    return dataclasses.field(default=0, metadata={"param": dataclasses.replace(SEED, help=help)})


def declared(params_class: type) -> dict[str, tuple[Spec, Any]]:
    """Every setting of a Params class: name → (its declaration, its default), in field order."""
    return {
        f.name: (f.metadata["param"], f.default) for f in dataclasses.fields(params_class) if "param" in f.metadata
    }


def spec_of(params_class: type, name: str) -> Spec | None:
    for f in dataclasses.fields(params_class):
        if f.name == name:
            return f.metadata.get("param")
    return None


def canonical_number(value: float) -> float:
    """One spelling of a number for a cache key: 1 and 1.0 (and 1e0) are 1.0, and −0.0 is 0.0 (the
    same setting must never be two keys)."""
    return float(value) + 0.0


def canonical_dict(params: Any) -> dict[str, Any]:
    """`params.as_dict()` with every declared float setting spelled one way (`canonical_number`)."""
    data = params.as_dict()
    for name, (spec, _) in declared(type(params)).items():
        value = data.get(name)
        if spec.kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            data[name] = canonical_number(value)
    return data


def check_declared(params: Any) -> None:
    """Check every declared field of a Params instance against its declaration."""
    for f in dataclasses.fields(params):
        spec = f.metadata.get("param")
        if spec is not None:
            spec.check(f.name, getattr(params, f.name))
