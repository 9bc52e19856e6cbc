"""Sweep files: a small TOML file naming pairs, experiments and parameter grids, expanded to items.

```toml
pairs = ["default"]            # presets, or {base = "...", aligned = "..."} tables
seeds = [0, 1]                 # for every experiment with a `seed` parameter (unless it sets its own)

[[experiment]]
name = "random-integers"
mode = ["exact", "sampled"]    # a list is a grid axis; a single value is fixed
n = 200

[[experiment]]
name = "rps"
adversary = ["greedy", "frequency"]
rounds = 10
base_format = ["plain", "chat"]  # prompt variants: base_format / aligned_format / base_request / aligned_request
alpha = [0, 0.5, 1]            # optional: add a mixed side at each α (mix = "auto", "token", "weights", "answers")
```

Parameters are read from each experiment's own `Params` dataclass, so an experiment added to the
registry works in sweeps without code here. Every error names the file, the line and the key: a
sweep is typically written on one machine and run overnight on another, and a message like
"bad value" without a place would cost the night.
"""

from __future__ import annotations

import itertools
import math
import re
import stat
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unpredict_core.backends.models import ModelPair, custom_pair, get_pair
from unpredict_core.backends.scripted_pairs import scripted_pair
from unpredict_core.errors import UnpredictError
from unpredict_core.experiments import experiments
from unpredict_core.params import SEED, declared

if TYPE_CHECKING:  # types only: loading the backends' modules is not needed to read a file
    from unpredict_core.backends.base import PromptFormat
    from unpredict_core.backends.loading import Device

SIDE_KEYS = ("base_format", "aligned_format", "base_request", "aligned_request")
MIX_KEYS = ("alpha", "mix")  # a mixed side between the two (unpredict_core/dial.py)
TOP_KEYS = ("pairs", "seeds", "experiment", "device")
MAX_ITEMS = 100_000  # in the whole sweep: a typo like seeds = range-of-a-million fails before anything runs
MAX_FILE_BYTES = 1 << 20  # a sweep file is a page of text; a device file or a log would never end


class SweepFileError(UnpredictError):
    """A sweep file that cannot be read; the message names the line and the key."""


@dataclass(frozen=True)
class SweepItem:
    """One run of the sweep: an experiment with fixed parameters on one pair."""

    pair: ModelPair
    experiment: str
    params: Any
    formats: dict[str, PromptFormat] = field(default_factory=dict)  # checked by `_experiment_items`
    requests: dict[str, str] = field(default_factory=dict)
    alpha: float | None = None  # None: the two sides only
    mix: str = "auto"

    @property
    def label(self) -> str:
        parts = [f"{k}={v}" for k, v in self.params.as_dict().items()]
        parts += [f"α={self.alpha:g} mix={self.mix}"] if self.alpha is not None else []
        parts += [f"{k}={v}" for k, v in self.formats.items()]
        parts += [f"{k} request={v[:20]!r}" for k, v in self.requests.items()]
        return f"{self.experiment} · {self.pair.name} · {' '.join(parts)}"


@dataclass(frozen=True)
class Sweep:
    path: Path
    items: list[SweepItem]
    device: Device = "auto"  # checked by `parse_sweep`


class _Locator:
    """Finds the line of a key in the TOML text, so value errors can say where they are."""

    HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, key: str, table: str | None = None, index: int = 0) -> int | None:
        """1-based line of `key` at the top level (table None) or in the index-th [[table]]."""
        current, seen = None, -1
        pattern = re.compile(rf"^\s*(\"?){re.escape(key)}\1\s*=")
        for number, line in enumerate(self.lines, 1):
            header = self.HEADER.match(line)
            if header:
                current = header.group(1).strip()
                seen += current == table
                continue
            if current == table and (table is None or seen == index) and pattern.match(line):
                return number
        return None

    def fail(self, message: str, key: str, table: str | None = None, index: int = 0) -> SweepFileError:
        line = self.line_of(key, table, index)
        if line is None and table is not None:
            line = self._table_line(table, index)
        where = f"{self.path}, line {line}" if line else str(self.path)
        return SweepFileError(f"{where}, key '{key}': {message}")

    def _table_line(self, table: str, index: int) -> int | None:
        seen = -1
        for number, line in enumerate(self.lines, 1):
            header = self.HEADER.match(line)
            if header and header.group(1).strip() == table:
                seen += 1
                if seen == index:
                    return number
        return None


def _axis(value: Any, loc: _Locator, key: str, table: str | None, index: int) -> list:
    """A grid axis: a list is its values, a single value is a one-value axis; [] is an error."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise loc.fail("the grid is empty: give at least one value", key, table, index)
    return values


def _type_ok(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if origin in (list, tuple):
        return isinstance(value, list | tuple)
    return True  # a type this check does not know: Params.validate() has the last word


def _hint_text(hint: Any) -> str:
    if typing.get_origin(hint) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    return getattr(hint, "__name__", str(hint))


def _pairs(raw: Any, loc: _Locator, table: str | None, index: int) -> list[ModelPair]:
    pairs = []
    for entry in _axis(raw, loc, "pairs", table, index):
        try:
            if isinstance(entry, str):
                pairs.append(scripted_pair(entry) or get_pair(entry))
            elif isinstance(entry, dict) and set(entry) <= {"base", "aligned"} and len(entry) == 2:
                pairs.append(custom_pair(str(entry["base"]), str(entry["aligned"])))
            else:
                raise UnpredictError('each pair is a preset name or a table {base = "...", aligned = "..."}')
        except UnpredictError as exc:
            raise loc.fail(str(exc), "pairs", table, index) from None
    return pairs


def _experiment_items(block: dict, index: int, defaults: dict, loc: _Locator, room: int) -> list[SweepItem]:
    table = "experiment"
    name = block.get("name")
    if not isinstance(name, str):
        raise loc.fail('every [[experiment]] needs name = "..."', "name", table, index)
    known = experiments()
    if name not in known:
        raise loc.fail(f"unknown experiment '{name}'. Known: {', '.join(known)}", "name", table, index)
    params_class = known[name].params
    hints = typing.get_type_hints(params_class)
    fields = list(declared(params_class))  # the settings; a field validate() fills in is not one
    pairs = _pairs(block["pairs"], loc, table, index) if "pairs" in block else defaults["pairs"]
    axes: dict[str, list] = {}
    for key, value in block.items():
        if key in ("name", "pairs"):
            continue
        if key not in fields and key not in SIDE_KEYS and key not in MIX_KEYS:
            settings = ", ".join([*fields, *SIDE_KEYS, *MIX_KEYS])
            raise loc.fail(f"'{name}' has no parameter '{key}'. Known: {settings}", key, table, index)
        expected = hints.get(key, str)
        if typing.get_origin(expected) in (list, tuple):  # a list is one value; a list of lists, a grid
            grid = isinstance(value, list) and value and all(isinstance(v, list) for v in value)
            value = [tuple(v) for v in value] if grid else tuple(value) if isinstance(value, list) else value
        values = _axis(value, loc, key, table, index)
        if key in MIX_KEYS:
            axes[key] = _mix_values(key, values, loc, index)
            continue
        for v in values:
            if key.endswith("_format") and v not in ("plain", "chat"):
                raise loc.fail(f"{v!r} is not a prompt format (plain or chat)", key, table, index)
            if not _type_ok(v, expected):
                raise loc.fail(f"{v!r} is not {_hint_text(expected)}", key, table, index)
        axes[key] = values
    if "seed" in fields and "seed" not in axes and defaults["seeds"] is not None:
        axes["seed"] = defaults["seeds"]
    return _expand(name, params_class, pairs, axes, loc, index, room)


def _mix_values(key: str, values: list, loc: _Locator, index: int) -> list:
    """α values in [0, 1], or mixture kinds, each checked where it is written."""
    from unpredict_core.backends.mixture import check_alpha, check_kind

    try:
        return [check_alpha(v) if key == "alpha" else check_kind(v) for v in values]
    except UnpredictError as exc:
        raise loc.fail(str(exc), key, "experiment", index) from None


def _expand(
    name: str, params_class: type, pairs: list[ModelPair], axes: dict[str, list], loc: _Locator, index: int, room: int
):
    """The block's items; `room` is how many the sweep may still hold (checked before expanding)."""
    size = len(pairs) * math.prod(len(values) for values in axes.values())
    if size > room:
        raise loc.fail(
            f"this block expands to {size:,} items, more than the {MAX_ITEMS:,} a sweep may hold "
            f"({MAX_ITEMS - room:,} come from the blocks before it)",
            "name",
            "experiment",
            index,
        )
    items = []
    keys = list(axes)
    for pair in pairs:
        for combo in itertools.product(*(axes[k] for k in keys)):
            values = dict(zip(keys, combo))
            side = {k: values.pop(k) for k in SIDE_KEYS if k in values}
            mixed = {k: values.pop(k) for k in MIX_KEYS if k in values}
            try:
                params = params_class(**values).validate()
            except (UnpredictError, TypeError, ValueError) as exc:
                bad = next((k for k in keys if k in str(exc)), "name")
                raise loc.fail(f"{exc} (in {values})", bad, "experiment", index) from None
            formats = {k.split("_")[0]: v for k, v in side.items() if k.endswith("_format")}
            requests = {k.split("_")[0]: v for k, v in side.items() if k.endswith("_request")}
            if "mix" in mixed and "alpha" not in mixed:
                raise loc.fail("mix chooses the kind of mixed side: give alpha too", "mix", "experiment", index)
            items.append(SweepItem(pair, name, params, formats, requests, mixed.get("alpha"), mixed.get("mix", "auto")))
    return items


def parse_sweep(text: str, path: Path | str = "<sweep>") -> Sweep:
    """The sweep described by `text` (the contents of `path`), expanded to its items."""
    path = Path(path)
    loc = _Locator(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SweepFileError(f"{path}: not valid TOML: {exc}") from None  # names line and column
    for key in data:
        if key not in TOP_KEYS:
            raise loc.fail(f"unknown top-level key. Known: {', '.join(TOP_KEYS)}", key)
    if "pairs" not in data:
        raise SweepFileError(f"{path}: no 'pairs' key: name at least one pair, e.g. pairs = [\"default\"]")
    seeds = None
    if "seeds" in data:
        seeds = _axis(data["seeds"], loc, "seeds", None, 0)
        for seed in seeds:  # the seed's one declared range (params.seed_param)
            try:
                SEED.check("seed", seed)
            except UnpredictError as exc:
                raise loc.fail(str(exc), "seeds") from None
    defaults = {"pairs": _pairs(data["pairs"], loc, None, 0), "seeds": seeds}
    blocks = data.get("experiment", [])
    if not isinstance(blocks, list) or not blocks:
        raise SweepFileError(f'{path}: no [[experiment]] table: add at least one, e.g. name = "random-integers"')
    items: list[SweepItem] = []
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            raise SweepFileError(f"{path}: each [[experiment]] must be a table")
        items += _experiment_items(block, i, defaults, loc, MAX_ITEMS - len(items))
    device = data.get("device", "auto")
    if device not in ("auto", "cpu", "cuda"):
        raise loc.fail("device is auto, cpu or cuda", "device")
    return Sweep(path, items, device)


def load_sweep(path: Path | str) -> Sweep:
    """Read and parse a sweep file; only a regular file of at most MAX_FILE_BYTES (a FIFO or a
    device such as /dev/zero would never end)."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise SweepFileError(f"The sweep file {path} is not a regular file (a device, a pipe or a folder).")
        if info.st_size > MAX_FILE_BYTES:
            raise SweepFileError(
                f"The sweep file {path} is {info.st_size:,} bytes; a sweep file is at most {MAX_FILE_BYTES:,}."
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise SweepFileError(f"The sweep file {path} grew past {MAX_FILE_BYTES:,} bytes while it was read.")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SweepFileError(f"Cannot read the sweep file {path}: {exc}") from None
    return parse_sweep(text, path)
