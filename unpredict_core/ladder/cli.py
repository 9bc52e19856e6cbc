"""`python -m unpredict_core ladder build|list`: the alignment ladder from the command line.

Progress (with an estimate of the time left) goes to stderr; with --json stdout holds one object.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from unpredict_core.ladder.recipe import DEFAULT_RECIPE, RESPONDERS, Recipe


def add_ladder_command(commands: Any) -> None:
    ladder = commands.add_parser("ladder", help="train the base model into SFT and DPO stages here (the ladder)")
    actions = ladder.add_subparsers(dest="action", required=True)
    build = actions.add_parser("build", help="build (or find) the ladder's stages and check them on held-out prompts")
    build.add_argument("--base", default="default", help="'default' (the default pair's base) or a local model folder")
    build.add_argument("--stages", default="sft,dpo", help="sft, or sft,dpo (DPO is trained from SFT)")
    build.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    build.add_argument("--responder", default=DEFAULT_RECIPE.responder,
                       help=f"who writes the candidate replies: {', '.join(RESPONDERS)} or a model folder")  # fmt: skip
    counts = (("train-prompts", "training prompts"), ("heldout-prompts", "held-out prompts"),
              ("candidates", "replies sampled per training prompt"), ("seed", "the recipe's seed"))  # fmt: skip
    for flag, help_text in counts:
        build.add_argument(
            f"--{flag}", type=int, help=f"{help_text} (default {getattr(DEFAULT_RECIPE, flag.replace('-', '_'))})"
        )
    build.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    listing = actions.add_parser("list", help="the ladders built here, their stages and held-out scores")
    listing.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def recipe_from(args: Any) -> Recipe:
    changes: dict[str, Any] = {"responder": args.responder}
    for name in ("train_prompts", "heldout_prompts", "candidates", "seed"):
        value = getattr(args, name)
        if value is not None:
            if value < (0 if name == "seed" else 1):
                from unpredict_core.ladder.recipe import LadderError

                raise LadderError(
                    f"--{name.replace('_', '-')} must be {'≥ 0' if name == 'seed' else 'at least 1'} (got {value})."
                )
            changes[name] = value
    return replace(DEFAULT_RECIPE, **changes)


def cmd_ladder(args: Any) -> int:
    from unpredict_core.progress import stderr_progress

    if args.action == "list":
        from unpredict_core.ladder.listing import ladders

        found = ladders()
        print(json.dumps({"ladders": found}) if args.json else _list_text(found))
        return 0
    from unpredict_core.ladder.build import build, plan
    from unpredict_core.ladder.recipe import check_stages

    stages = check_stages(args.stages)
    progress = stderr_progress()
    result = build(plan(args.base, recipe_from(args), args.device, progress), stages, progress)
    print(json.dumps(result, allow_nan=False) if args.json else _build_text(result))
    return 0


def _percent(score: dict[str, Any]) -> str:
    low, high = score.get("ci") or (0.0, 0.0)
    return f"{100 * (score['prompt_strict'] or 0):.1f} % [{100 * low:.1f}–{100 * high:.1f}] of {score['trials']}"


def _build_text(result: dict[str, Any]) -> str:
    lines = [f"ladder {result['recipe']} ({'from the cache' if result['cached'] else 'built'}, {result['seconds']} s)",
             f"  base  held-out strict {_percent(result['heldout_base'])}"]  # fmt: skip
    for stage in result["stages"]:
        low, high = stage["heldout"]["diff_ci"]
        lines.append(
            f"  {stage['stage']:<5} held-out strict {_percent(stage['heldout'])}; minus the base: "
            f"[{100 * low:+.1f}, {100 * high:+.1f}] points · {stage['path']}"
        )
    return "\n".join(lines)


def _list_text(found: list[dict[str, Any]]) -> str:
    if not found:
        return "No ladder built here yet: run `python -m unpredict_core ladder build`."
    lines = []
    for ladder in found:
        lines.append(f"ladder {ladder['recipe']}{'  (default recipe)' if ladder.get('default') else ''}")
        for stage in ladder["stages"]:
            lines.append(f"  {stage['stage']:<5} {stage['status']:<8} {stage.get('path', '')}")
        if ladder.get("problem"):
            lines.append(f"  problem: {ladder['problem']}")
    return "\n".join(lines)
