"""The request a stored game showed its model in each round, rebuilt from the stored rounds.

A game stores each round's probabilities, moves and outcome, and the first round's prompt; the
prompt of round t is the intro plus the t − 1 rounds before it (`engine.build_prompt`), so it is
rebuilt exactly from what is stored instead of storing a prompt that grows every round. The text is
the request before the chat template (for the plain format it is the prompt itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from unpredict_core.backends.base import PromptFormat
from unpredict_core.experiments.games import rps
from unpredict_core.experiments.games.engine import Round, Rules, build_prompt
from unpredict_core.experiments.games.hide_and_seek import HideAndSeekRules


def stored_round(index: int, entry: dict) -> Round:
    """A stored round (RPS keys or hide-and-seek keys) as the engine's `Round`."""
    if "hide" in entry:
        move, opponent, outcome = entry["hide"], entry["seek"], "loss" if entry.get("found") else "win"
    else:
        move, opponent, outcome = entry["model_move"], entry["adversary_move"], entry["outcome"]
    return Round(index, entry["p"], entry.get("coverage", 1.0), move, opponent, outcome, entry.get("expected_score", 0))


def rules_for(experiment: str, params: Mapping[str, Any]) -> Rules:
    if experiment.startswith("hide-and-seek"):
        return HideAndSeekRules(int(params.get("spots", 7)))
    return rps.RULES


def round_requests(
    experiment: str, params: Mapping[str, Any], side: Mapping[str, Any], rounds: list[dict] | None = None
) -> list[str]:
    """The request of every round of one side's game (`rounds`: a tournament game's own list)."""
    rules = rules_for(experiment, params)
    stored = list(side.get("rounds") or []) if rounds is None else rounds
    history = [stored_round(i + 1, entry) for i, entry in enumerate(stored)]
    fmt = cast(PromptFormat, side.get("requested_format") or side.get("format") or "plain")
    return [build_prompt(rules, side.get("request", ""), history[:i], fmt) for i in range(len(history))]
