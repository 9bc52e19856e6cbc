"""Every item of a stored run, one row each: the answers of a random-numbers run with their
probabilities, each round of a game with the request the model saw, each poem, each benchmark
prompt — with its prompt and what the model said. The Results drill-down shows these rows and the
"items" export writes them. Pure functions of the stored result (no SQL, no page)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

COLUMNS = (
    "run_id", "experiment", "pair", "side", "model", "kind", "index", "prompt", "output", "probability", "count",
    "detail", "provenance",
)  # fmt: skip
GAMES = ("rps", "hide-and-seek", "rps-play-yourself", "hide-and-seek-play-yourself")


def item_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for role, side in (result.get("sides") or {}).items():
        common = {
            "run_id": result["run_id"],
            "experiment": result["experiment"],
            "pair": result.get("pair"),
            "side": role,
            "model": side.get("model"),
            "provenance": result.get("provenance", "measured here"),
        }
        for item in _side_items(result, side):
            row = {key: None for key in COLUMNS} | common | item
            row["detail"] = json.dumps(row["detail"], sort_keys=True) if row["detail"] is not None else None
            rows.append(row)
    return rows


def items_frame(results: Sequence[Mapping[str, Any]]):
    import pandas as pd

    return pd.DataFrame([row for result in results for row in item_rows(result)], columns=list(COLUMNS))


def _side_items(result: Mapping[str, Any], side: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    experiment = result["experiment"]
    if side.get("skipped"):
        return
    if experiment == "random-integers":
        yield from _answers(side)
    elif experiment in GAMES:
        yield from _rounds(experiment, result.get("params", {}), side, side.get("rounds") or [])
    elif experiment == "rps-tournament":
        for game in side.get("games", []):
            for row in _rounds("rps", result.get("params", {}), side, game.get("rounds") or []):
                yield row | {"kind": f"round vs {game['opponent']}"}
    elif experiment == "poetry":
        for index, poem in enumerate(side.get("poems", [])):
            yield {
                "kind": "poem",
                "index": index + 1,
                "prompt": poem.get("prompt"),
                "output": poem.get("text"),
                "detail": {"topic": poem.get("topic"), "sample": poem.get("sample"), "raw": poem.get("raw")},
            }
    elif experiment == "ifbench":
        for index, row in enumerate(side.get("prompts", [])):
            yield {
                "kind": "benchmark prompt",
                "index": index + 1,
                "prompt": row.get("prompt"),
                "output": row.get("response"),
                "detail": {"key": row.get("key"), "instructions": row.get("instructions")},
            }


def _answers(side: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    counts = side.get("counts") or {}
    raw = side.get("raw") or {}
    intervals = side.get("answer_intervals") or {}
    for index, (answer, p) in enumerate((side.get("answers") or {}).items()):
        detail = {"unnormalised": raw.get(answer), "interval_95": intervals.get(answer)}
        yield {
            "kind": "answer (all values pooled)" if "sequences" in side else "answer",
            "index": index,
            "prompt": side.get("prompt"),
            "output": answer,
            "probability": p,
            "count": counts.get(answer),
            "detail": {k: v for k, v in detail.items() if v is not None} or None,
        }
    for index, sequence in enumerate(side.get("sequences") or []):
        yield {
            "kind": "sequence",
            "index": index + 1,
            "prompt": side.get("prompt"),
            "output": ", ".join(str(v) for v in sequence),
            "detail": {"repetitions": len(sequence) - len(set(sequence))},
        }
    for index, text in enumerate(side.get("invalid_examples") or []):
        yield {"kind": "invalid example", "index": index + 1, "prompt": side.get("prompt"), "output": text}


def _rounds(
    experiment: str, params: Mapping[str, Any], side: Mapping[str, Any], rounds: list[dict]
) -> Iterator[dict[str, Any]]:
    from unpredict_core.experiments.games.replay import round_requests

    requests = round_requests(experiment, params, side, rounds)
    for index, (entry, request) in enumerate(zip(rounds, requests, strict=True)):
        move = entry.get("model_move", entry.get("hide"))
        detail = {k: v for k, v in entry.items() if k not in ("model_move", "hide")}
        yield {
            "kind": "round",
            "index": index + 1,
            "prompt": request,
            "output": move,
            "probability": (entry.get("p") or {}).get(move),
            "detail": detail,
        }
