"""What a reader must know beside a run's numbers, as sentences: the CLI prints them and the pages
show them (a run that stopped short of n, a mixed side, a server's scoring, IFBench's exclusions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unpredict_core.records import RunRecord, SideRecord


def side_notes(side: SideRecord) -> list[str]:
    """What a reader must know beside a side's numbers: the CLI prints these and the pages show them."""
    notes = [side["format_note"]] if side.get("format_note") else []
    short = side.get("stopped_short")
    if short:
        notes.append(_stopped_short(short))
    mixed: dict[str, Any] = dict(side)  # a dial's mixed side (unpredict_core/dial.py) adds these keys
    if mixed.get("mixture"):  # a mixed side always says which kind of mixture it is
        from unpredict_core.backends.mixture import TITLES

        notes.insert(0, f"{TITLES[mixed['mixture']]} at α={mixed['alpha']:g}: {mixed.get('mixture_claim', '')}")
    excluded = side.get("excluded")
    if excluded and excluded.get("prompts"):
        notes.append(
            f"{excluded['prompts']} of {excluded['of_prompts']} prompts ({excluded['instructions']} instructions) "
            f"excluded: their types cannot be checked here ({', '.join(excluded['types'])})"
        )
    errors = (side.get("verdicts") or {}).get("error")
    if errors:
        notes.append(f"{errors} instruction checks raised an error; counted apart, never as pass or fail")
    repaired = side.get("repaired_characters")
    if repaired:
        notes.append(f"the server's text held {repaired} invalid character(s) (lone surrogates), shown as \ufffd")
    return notes


def scoring_notes(result: RunRecord) -> list[tuple[str, str]]:
    """(level, text) per side whose numbers need a warning or a caption: a run that stopped short
    of n, a server without log-probabilities (estimated from draws), or one that listed only its
    top candidates. The pages show them as warnings and captions; the CLI prints the same (the
    stopped-short one among each side's notes, `side_notes`)."""
    return _stopped_short_notes(result) + server_scoring_notes(result)


def _stopped_short(short: Mapping[str, Any]) -> str:
    return (
        f"stopped short: {short['valid']:,} valid of the {short['asked']:,} asked for, after "
        f"{short['attempts']:,} attempts (the cap)"
    )


def _stopped_short_notes(result: RunRecord) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []
    for role, record in result.get("sides", {}).items():
        side: Mapping[str, Any] = record
        short = side.get("stopped_short")
        if short:
            advice = "Its numbers rest on these; raise the cap or change the prompt for more."
            notes.append(("warning", f"{role.capitalize()} side {_stopped_short(short)}. {advice}"))
    return notes


def server_scoring_notes(result: RunRecord) -> list[tuple[str, str]]:
    """A side scored by a server: from draws (no log-probabilities), or from its top candidates."""
    notes: list[tuple[str, str]] = []
    for role, side in result.get("sides", {}).items():
        if side.get("scoring"):
            notes.append(("warning", f"{role.capitalize()} side: {side['scoring']}."))
        elif side.get("unresolved") is not None:
            missed = f"{side['unresolved']:.2%}"
            notes.append(
                (
                    "caption",
                    f"{role.capitalize()} side was scored from a model server's top candidates per "
                    f"token: at most {missed} of the probability of an answer set was not listed and is left out.",
                )
            )
    return notes
