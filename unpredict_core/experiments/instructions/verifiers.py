"""The benchmarks' instruction verifiers, as `if-verifiable` (Apache-2.0) ships them without spacy.

Three things stand between those verifiers and an offline machine, and each is handled here:
- the package's `__init__` imports `datasets` for a hub loader we never use, so only the
  benchmark's subpackage (`if_verifiable.ifbench`, `if_verifiable.ifeval`) is loaded, under a bare
  parent package;
- IFBench's verifiers call `nltk.download` at import, which cannot work offline (and may hang on a
  closed network): the download is switched off for the import;
- some instruction types need NLTK data at check time. They run when the data are installed
  (`nltk.data.find` finds them, e.g. under NLTK_DATA) and are otherwise *excluded* up front, by
  name, with the reason; a verifier that still fails or raises on a response is an *error* for that
  instruction. Neither ever counts as a pass or a fail.
Strict and loose checks follow IFEval's and IFBench's own `evaluation_lib`: strict checks the
response as is; loose passes when any of eight variants (first/last line removed, `*` removed) passes.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.instructions.prompts import InstructionPrompt

VERIFIER_PACKAGE = "if-verifiable==0.1.2"


@dataclass(frozen=True)
class Verdict:
    """One instruction's outcome: `status` is "checked" (strict/loose are booleans), "excluded"
    (the verifier cannot run on this machine) or "error" (it raised on this response)."""

    id: str
    status: str
    strict: bool | None = None
    loose: bool | None = None
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": self.status, "strict": self.strict, "loose": self.loose}
        return out | ({"reason": self.reason} if self.reason else {})


@cache
def load_registry(module: str, benchmark: str) -> dict[str, type]:
    """`module`'s INSTRUCTION_DICT (instruction id → checker class), loaded offline, once."""
    spec = importlib.util.find_spec("if_verifiable")
    if spec is None or not spec.submodule_search_locations:
        raise UnpredictError(
            f"{benchmark}'s verifiers are missing: install them with `pip install --no-deps {VERIFIER_PACKAGE}` "
            "(scripts/install.sh does)."
        )
    try:
        import nltk
    except ImportError:
        raise UnpredictError(f"{benchmark}'s verifiers need nltk: `pip install -r requirements.txt`.") from None
    if "if_verifiable" not in sys.modules:
        parent = types.ModuleType("if_verifiable")
        parent.__path__ = list(spec.submodule_search_locations)
        parent.__spec__ = spec
        sys.modules["if_verifiable"] = parent
    download, nltk.download = nltk.download, (lambda *args, **kwargs: False)
    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:
        raise UnpredictError(
            f"{benchmark}'s verifiers cannot load ({exc}): `pip install -r requirements.txt`."
        ) from None
    finally:
        nltk.download = download
    return dict(loaded.INSTRUCTION_DICT)


def missing_nltk_data(needs: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Instruction type → the NLTK data it needs that this machine lacks (empty: all can run)."""
    import nltk

    def found(resource: str) -> bool:
        try:
            nltk.data.find(resource)
            return True
        except LookupError:
            return False

    missing = {}
    for kind, data in needs.items():
        absent = [resource for resource in data if not found(resource)]
        if absent:
            missing[kind] = absent
    return missing


def excluded_types(
    prompts: Iterable[InstructionPrompt], known: Mapping[str, type], needs: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    """Instruction types of these prompts that cannot be checked here, each with its reason."""
    reasons = {
        kind: "needs NLTK data not installed here: " + ", ".join(data)
        for kind, data in missing_nltk_data(needs).items()
    }
    for prompt in prompts:
        for kind in prompt.instruction_ids:
            if kind not in known:
                reasons[kind] = "no verifier for this type in if-verifiable"
    return reasons


def loose_variants(response: str) -> list[str]:
    """The eight loose variants of a response, in the benchmarks' order."""
    lines = response.split("\n")
    cut = ["\n".join(lines[1:]).strip(), "\n".join(lines[:-1]).strip(), "\n".join(lines[1:-1]).strip()]
    return [response, response.replace("*", "")] + cut + [text.replace("*", "") for text in cut]


def verify(
    prompt: InstructionPrompt, response: str, excluded: Mapping[str, str], known: Mapping[str, type]
) -> list[Verdict]:
    """Each instruction of `prompt` checked on `response`, strict and loose."""
    verdicts = []
    variants = loose_variants(response)
    for kind, kwargs in zip(prompt.instruction_ids, prompt.kwargs):
        if kind in excluded:
            verdicts.append(Verdict(kind, "excluded", reason=excluded[kind]))
            continue
        try:
            checker = known[kind](kind)
            checker.build_description(**kwargs)
            args = checker.get_instruction_args()
            if args and "prompt" in args:
                checker.build_description(prompt=prompt.prompt)
            strict = bool(response.strip() and checker.check_following(response))
            loose = any(text.strip() and checker.check_following(text) for text in variants)
        except Exception as exc:  # a verifier's own bug or missing data: never a pass or a fail
            verdicts.append(Verdict(kind, "error", reason=f"{type(exc).__name__}: {str(exc).strip()[:200]}"))
            continue
        verdicts.append(Verdict(kind, "checked", strict, bool(loose)))
    return verdicts
