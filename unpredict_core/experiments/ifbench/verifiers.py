"""IFBench's instruction verifiers, as `if-verifiable` (Apache-2.0) ships them without spacy.

Three things stand between those verifiers and an offline machine, and each is handled here:
- the package's `__init__` imports `datasets` for a hub loader we never use, so only its
  `ifbench` subpackage is loaded, under a bare parent package;
- at import it calls `nltk.download` for four data sets, which cannot work offline (and may hang
  on a closed network): the download is switched off for the import;
- four instruction types need those NLTK data at check time. They run when the data are installed
  (`nltk.data.find` finds them, e.g. under NLTK_DATA) and are otherwise *excluded* up front, by
  name, with the reason; a verifier that still fails or raises on a response is an *error* for that
  instruction. Neither ever counts as a pass or a fail.
Strict and loose checks follow IFBench's own `evaluation_lib`: strict checks the response as is;
loose passes when any of eight variants (first/last line removed, `*` removed) passes.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from unpredict_core.errors import UnpredictError
from unpredict_core.experiments.ifbench.data import IFBenchPrompt

VERIFIER_PACKAGE = "if-verifiable==0.1.2"
# instruction type → the NLTK data it needs at check time (read off the verifiers' code)
NLTK_NEEDS: dict[str, tuple[str, ...]] = {
    "ratio:stop_words": ("corpora/stopwords",),
    "words:start_verb": ("tokenizers/punkt_tab", "taggers/averaged_perceptron_tagger_eng"),
    "format:title_case": ("tokenizers/punkt_tab",),
    "words:words_position": ("tokenizers/punkt_tab",),
}


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


@lru_cache(maxsize=1)
def registry() -> dict[str, type]:
    """IFBench's instruction id → checker class, loaded offline (see the module docstring)."""
    spec = importlib.util.find_spec("if_verifiable")
    if spec is None or not spec.submodule_search_locations:
        raise UnpredictError(
            f"IFBench's verifiers are missing: install them with `pip install --no-deps {VERIFIER_PACKAGE}` "
            "(scripts/install.sh does)."
        )
    try:
        import nltk
    except ImportError:
        raise UnpredictError("IFBench's verifiers need nltk: `pip install -r requirements.txt`.") from None
    if "if_verifiable" not in sys.modules:
        parent = types.ModuleType("if_verifiable")
        parent.__path__ = list(spec.submodule_search_locations)
        parent.__spec__ = spec
        sys.modules["if_verifiable"] = parent
    download, nltk.download = nltk.download, (lambda *args, **kwargs: False)
    try:
        from if_verifiable.ifbench.instructions_registry import INSTRUCTION_DICT
    except ImportError as exc:
        raise UnpredictError(f"IFBench's verifiers cannot load ({exc}): `pip install -r requirements.txt`.") from None
    finally:
        nltk.download = download
    return dict(INSTRUCTION_DICT)


def missing_nltk_data() -> dict[str, list[str]]:
    """Instruction type → the NLTK data it needs that this machine lacks (empty: all can run)."""
    import nltk

    def found(resource: str) -> bool:
        try:
            nltk.data.find(resource)
            return True
        except LookupError:
            return False

    missing = {}
    for kind, needs in NLTK_NEEDS.items():
        absent = [resource for resource in needs if not found(resource)]
        if absent:
            missing[kind] = absent
    return missing


def excluded_types(prompts: Iterable[IFBenchPrompt]) -> dict[str, str]:
    """Instruction types of these prompts that cannot be checked here, each with its reason."""
    known = registry()
    reasons = {
        kind: "needs NLTK data not installed here: " + ", ".join(data) for kind, data in missing_nltk_data().items()
    }
    for prompt in prompts:
        for kind in prompt.instruction_ids:
            if kind not in known:
                reasons[kind] = "no verifier for this type in if-verifiable"
    return reasons


def loose_variants(response: str) -> list[str]:
    """IFBench's eight loose variants of a response, in its order."""
    lines = response.split("\n")
    cut = ["\n".join(lines[1:]).strip(), "\n".join(lines[:-1]).strip(), "\n".join(lines[1:-1]).strip()]
    return [response, response.replace("*", "")] + cut + [text.replace("*", "") for text in cut]


def verify(prompt: IFBenchPrompt, response: str, excluded: dict[str, str]) -> list[Verdict]:
    """Each instruction of `prompt` checked on `response`, strict and loose."""
    verdicts = []
    variants = loose_variants(response)
    for kind, kwargs in zip(prompt.instruction_ids, prompt.kwargs):
        if kind in excluded:
            verdicts.append(Verdict(kind, "excluded", reason=excluded[kind]))
            continue
        try:
            checker = registry()[kind](kind)
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
