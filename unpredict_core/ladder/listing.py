"""The ladders built here, read from their folders without loading a model: what `ladder list`,
the pair presets `ladder-sft` / `ladder-dpo` and the family view show."""

from __future__ import annotations

from functools import cache
from typing import Any

from unpredict_core.ladder.recipe import (
    DEFAULT_RECIPE,
    STAGE_MARKER,
    STAGES,
    LadderError,
    LadderFolders,
    ladder_root,
    read_json,
    recipe_id,
)  # fmt: skip

BUILD_HINT = "run `python -m unpredict_core ladder build`"


@cache
def _default_id() -> str:
    from unpredict_core.backends.models import DEFAULT_PAIR, identity

    return recipe_id(DEFAULT_RECIPE, identity(DEFAULT_PAIR.base), identity(DEFAULT_PAIR.aligned))


def default_folders() -> LadderFolders:
    """The default recipe's ladder on the default base (built or not)."""
    return LadderFolders(ladder_root() / _default_id())


def stage_status(folders: LadderFolders, stage: str) -> str:
    if (folders.stage(stage) / STAGE_MARKER).is_file():
        return "built"
    if folders.partial(stage).exists() or folders.work(stage).exists() or folders.stage(stage).exists():
        return "partial"
    return "missing"


def read_ladder(folders: LadderFolders) -> dict[str, Any]:
    entry: dict[str, Any] = {"recipe": folders.root.name, "path": str(folders.root), "stages": []}
    manifest: dict[str, Any] = {}
    if folders.manifest.is_file():
        try:
            manifest = read_json(folders.manifest, "manifest")
        except LadderError as exc:
            entry["problem"] = str(exc)
    by_stage = {s["stage"]: s for s in manifest.get("stages", []) if isinstance(s, dict) and "stage" in s}
    for stage in STAGES:
        row = {"stage": stage, "status": stage_status(folders, stage), "path": str(folders.stage(stage))}
        if stage in by_stage and row["status"] == "built":
            row |= {k: by_stage[stage][k] for k in ("train", "heldout") if k in by_stage[stage]}
        entry["stages"].append(row)
    if "heldout_base" in manifest:
        entry["heldout_base"] = manifest["heldout_base"]
    return entry


def ladders() -> list[dict[str, Any]]:
    root = ladder_root()
    if not root.is_dir():
        return []
    default = default_folders().root.name
    found = [read_ladder(LadderFolders(path)) | {"default": path.name == default}
             for path in sorted(root.iterdir()) if path.is_dir()]  # fmt: skip
    return sorted(found, key=lambda entry: not entry["default"])
