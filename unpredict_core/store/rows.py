"""How a result becomes table rows: pure functions, kept apart from the SQL that writes them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def round_row(run_id: str, side: str, index: int, r: Mapping[str, Any]) -> list:
    """One game round in game-neutral columns (RPS names moves, hide-and-seek names spots)."""
    model_move = r.get("model_move", r.get("hide"))
    opponent_move = r.get("adversary_move", r.get("seek"))
    outcome = r.get("outcome") or ("loss" if r.get("found") else "win")
    return [run_id, side, index, json.dumps(r["p"]), r.get("coverage"), model_move, opponent_move, outcome]


def poem_id(run_id: str, side: str, index: int) -> str:
    """A poem's stable id: its run, side and place in that side's list (cached runs keep it)."""
    return f"{run_id}/{side}/{index}"


def poem_row(result: Mapping[str, Any], side: str, index: int, poem: Mapping[str, Any]) -> list:
    """One poem with what produced it: its exact prompt and the run's sampling settings."""
    settings = json.dumps(poem.get("settings") or result["params"], sort_keys=True)
    return [
        poem_id(result["run_id"], side, index), result["run_id"], side, poem["topic"], poem["sample"],
        poem["text"], poem.get("raw"), poem.get("prompt"), settings,
    ]  # fmt: skip


def benchmark_prompt_row(run_id: str, side: str, row: Mapping[str, Any]) -> list:
    """One benchmark prompt: its response, each instruction's verdict, and whether all were
    followed (None when one could not be checked: then nobody knows)."""
    verdicts = row["instructions"]
    checked = all(v["status"] == "checked" for v in verdicts)
    followed = {mode: (all(v[mode] for v in verdicts) if checked else None) for mode in ("strict", "loose")}
    return [
        run_id, side, row["key"], row["prompt"], row["response"], json.dumps(verdicts),
        followed["strict"], followed["loose"],
    ]  # fmt: skip
