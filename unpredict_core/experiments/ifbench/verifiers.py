"""IFBench's instruction verifiers (`if_verifiable.ifbench`), loaded offline, and the NLTK data four
of its types need at check time (read off the verifiers' code). The loading and checking are
shared with IFEval: `unpredict_core.experiments.instructions.verifiers`."""

from __future__ import annotations

from unpredict_core.experiments.instructions import verifiers as shared
from unpredict_core.experiments.instructions.prompts import InstructionPrompt
from unpredict_core.experiments.instructions.verifiers import Verdict

MODULE = "if_verifiable.ifbench.instructions_registry"
NLTK_NEEDS: dict[str, tuple[str, ...]] = {
    "ratio:stop_words": ("corpora/stopwords",),
    "words:start_verb": ("tokenizers/punkt_tab", "taggers/averaged_perceptron_tagger_eng"),
    "format:title_case": ("tokenizers/punkt_tab",),
    "words:words_position": ("tokenizers/punkt_tab",),
}


def registry() -> dict[str, type]:
    return shared.load_registry(MODULE, "IFBench")


def missing_nltk_data() -> dict[str, list[str]]:
    return shared.missing_nltk_data(NLTK_NEEDS)


def verify(prompt: InstructionPrompt, response: str, excluded: dict[str, str]) -> list[Verdict]:
    return shared.verify(prompt, response, excluded, registry())
