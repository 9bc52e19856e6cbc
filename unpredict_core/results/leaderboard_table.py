"""The Open LLM Leaderboard v2 scores of the paper's models, from the shipped reference table.

`reference/leaderboard_scores.csv` holds, per model, the leaderboard's average and its six
sub-scores (0–100), each row with its source and a note; it was read from a public copy of the
leaderboard's `open-llm-leaderboard/contents` dataset (reference/README.md says how). Some models
were evaluated twice (two precisions, or with and without the chat template); the note names each
entry (`eval_name=…`). **Rule:** the bfloat16 entry is used, as the leaderboard's own default
precision and as the local-copy reader does; the other entry is kept and shown beside it. A row
without an entry name that repeats a known score (a second source for the same number) is kept as
corroboration. A row that cannot be read — a missing, non-numeric or out-of-range score, an unknown
column, a second different score for the same entry — is reported with its line and skipped, so
the other rows are still placed.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from unpredict_core.errors import UnpredictError
from unpredict_core.paths import PROJECT_ROOT

LEADERBOARD_CSV = PROJECT_ROOT / "reference" / "leaderboard_scores.csv"
COLUMNS = {  # the table's benchmark names → the leaderboard's column names
    "Open LLM Leaderboard v2 average": "average",
    "OLL v2 IFEval": "IFEval",
    "OLL v2 BBH": "BBH",
    "OLL v2 MATH Lvl 5": "MATH Lvl 5",
    "OLL v2 GPQA": "GPQA",
    "OLL v2 MuSR": "MuSR",
    "OLL v2 MMLU-PRO": "MMLU-PRO",
}
ENTRY = re.compile(r"eval_name=([^\s;]+)")
SAME = 0.005  # scores agree when they round to the same hundredth


@dataclass
class Entry:
    """One leaderboard evaluation of one model: its scores by column, and where each came from."""

    model: str
    name: str  # eval_name, e.g. "allenai_Llama-3.1-Tulu-3-8B_bfloat16"
    scores: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # column → source URL and line
    chat_template: bool = False  # evaluated with the model's chat template (the note says so)

    @property
    def precision(self) -> str:
        return self.name.rsplit("_", 1)[-1] if "_" in self.name else ""


@dataclass
class LeaderboardTable:
    chosen: dict[str, Entry] = field(default_factory=dict)  # hub id → the entry used
    others: dict[str, list[Entry]] = field(default_factory=dict)  # hub id → entries shown beside it
    problems: list[str] = field(default_factory=list)  # rows that were skipped, each with its line

    def score(self, model: str, column: str) -> tuple[float, str] | None:
        entry = self.chosen.get(model)
        if entry is None or column not in entry.scores:
            return None
        source = f"entry {entry.name}, {entry.sources[column]}"
        if not entry.chat_template and not is_base_model(model):
            source += "; evaluated WITHOUT its chat template, which likely lowers an instruct model's score"
        for other in self.others.get(model, []):
            if column in other.scores:
                source += f"; the other entry, {other.name}, scored {other.scores[column]:g} (not used: bfloat16 rule)"
        return entry.scores[column], source


def is_base_model(model: str) -> bool:
    """A pretrained model, whose leaderboard entries run without a chat template by design."""
    name = model.split("/")[-1]
    return not any(tag in name for tag in ("Instruct", "Tulu", "-it", "Chat", "SFT", "DPO"))


def parse_table(text: str, name: str = "leaderboard table") -> LeaderboardTable:
    rows = list(csv.DictReader(text.splitlines()))
    missing = {"model", "benchmark", "score", "source_url", "note"} - set(rows[0] if rows else ())
    if not rows or missing:
        raise UnpredictError(
            f"{name}: needs a header with model, benchmark, score, source_url, note (missing: {sorted(missing)})."
        )
    entries: dict[str, dict[str, Entry]] = {}  # model → entry name → entry, in the table's order
    table = LeaderboardTable()
    for line, row in enumerate(rows, 2):
        problem = _add_row(entries, row, name, line)
        if problem:
            table.problems.append(problem)
    for model, by_name in entries.items():
        listed = list(by_name.values())
        chosen = next((e for e in listed if e.precision == "bfloat16"), listed[0])
        table.chosen[model] = chosen
        table.others[model] = [e for e in listed if e is not chosen]
    return table


def _add_row(entries: dict[str, dict[str, Entry]], row: dict[str, str], name: str, line: int) -> str:
    """File one row under its model and entry; the reason it cannot be, or ""."""
    model = (row.get("model") or "").strip()
    benchmark = (row.get("benchmark") or "").strip()
    raw = (row.get("score") or "").strip()
    where = f"{name}, line {line} ({model or 'no model'}, {benchmark or 'no benchmark'})"
    if not model:
        return f"{where}: the model is empty."
    column = COLUMNS.get(benchmark)
    if column is None:
        return f"{where}: unknown column '{benchmark}' (known: {', '.join(COLUMNS)})."
    try:
        score = float(raw)
    except ValueError:
        return f"{where}: the score '{raw}' is not a number." if raw else f"{where}: the score is missing."
    if not math.isfinite(score) or not 0 <= score <= 100:
        return f"{where}: the score {raw} is outside the leaderboard's 0–100 scale."
    source = f"{(row.get('source_url') or '').strip()} (via {name}, line {line})"
    found = ENTRY.search(row.get("note") or "")
    if found is None:  # a second source for a score already read: it must agree with the one used
        known = [e for e in entries.get(model, {}).values() if column in e.scores]
        if any(abs(e.scores[column] - score) < SAME for e in known):
            return ""
        if not known:
            return f"{where}: no entry name (eval_name=…) in its note, and no named entry of {model} before it."
        return f"{where}: a duplicate of {model}'s {column} without an entry name (eval_name=…) and a different score."
    entry = entries.setdefault(model, {}).setdefault(found.group(1), Entry(model, found.group(1)))
    entry.chat_template = entry.chat_template or "Chat Template=False" not in (row.get("note") or "")
    if column in entry.scores and abs(entry.scores[column] - score) >= SAME:
        return f"{where}: a duplicate of {model}'s {column} in entry {entry.name} with a different score."
    entry.scores.setdefault(column, score)
    entry.sources.setdefault(column, source)
    return ""


def load_table(path: Path | str = LEADERBOARD_CSV) -> LeaderboardTable:
    path = Path(path)
    try:
        return parse_table(path.read_text(encoding="utf-8"), str(path.name))
    except (OSError, UnicodeDecodeError) as exc:
        raise UnpredictError(f"Cannot read the leaderboard table {path}: {exc}") from None
