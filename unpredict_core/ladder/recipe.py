"""The ladder's recipe (every number that decides what is trained), its identity, and its folders.

A recipe's id hashes the recipe, the base's identity and the data code's version, so a second build
of the same recipe is answered from its folder, and a change to any of them builds anew beside it.
The default recipe was chosen by held-out instruction following alone (README: the alignment
ladder); no unpredictability score was looked at while choosing it.

Folder `cache/models/ladder/<id>/`: `data/` (each stage's rows; the sampled replies they come from
are kept once per sampling setting in `ladder/samples/`, shared by recipes that differ in training),
`work/<stage>/` (checkpoints, removed once the stage is done), `<stage>/` (the finished stage, a
plain transformers folder: it appears by one rename once complete, with `ladder-stage.json`
inside), `heldout/` (each model's held-out replies) and `manifest.json`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from unpredict_core.errors import UnpredictError
from unpredict_core.ladder.training import StageSettings
from unpredict_core.paths import models_dir

DATA_VERSION = "1"  # bump when prompts.py, instructions.py or candidates.py change what they make
STAGES = ("sft", "dpo")  # in training order: DPO is trained from the SFT stage
STAGE_MARKER = "ladder-stage.json"
RESPONDERS = ("default-aligned", "base")  # or a local model folder


class LadderError(UnpredictError):
    """A ladder cannot be built or read as asked."""


@dataclass(frozen=True)
class Recipe:
    seed: int = 0
    train_prompts: int = 256
    heldout_prompts: int = 200
    candidates: int = 4  # replies sampled per training prompt
    sample_tokens: int = 48  # token cap of a sampled reply (one that reaches it is never chosen)
    temperature: float = 0.8
    heldout_tokens: int = 64
    responder: str = "default-aligned"
    sft: StageSettings = field(
        default_factory=lambda: StageSettings("sft", epochs=3, learning_rate=3e-4, batch_size=8, lora_rank=16)
    )
    dpo: StageSettings = field(
        default_factory=lambda: StageSettings("dpo", epochs=2, learning_rate=2e-5, batch_size=8, lora_rank=16, beta=0.1)
    )

    def stage(self, name: str) -> StageSettings:
        return replace(self.sft if name == "sft" else self.dpo, seed=self.seed)

    def as_dict(self) -> dict[str, Any]:
        plain = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in STAGES}
        return plain | {name: self.stage(name).as_dict() for name in STAGES}


DEFAULT_RECIPE = Recipe()


def recipe_id(recipe: Recipe, base_identity: str, responder_identity: str) -> str:
    """Everything that decides a stage: the recipe, both models, the data code and the chat template."""
    from unpredict_core.ladder.training import CHAT_TEMPLATE

    text = json.dumps(
        {"recipe": recipe.as_dict(), "base": base_identity, "responder": responder_identity, "data": DATA_VERSION,
         "template": CHAT_TEMPLATE},
        sort_keys=True,
    )  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()[:12]


SAMPLING = ("seed", "train_prompts", "candidates", "sample_tokens", "temperature")


def samples_file(recipe: Recipe, responder_identity: str) -> Path:
    """The sampled replies depend only on the prompts, the responder and the sampling settings, so
    recipes that differ in training alone share them (`ladder/samples/<id>.jsonl`)."""
    settings = {name: getattr(recipe, name) for name in SAMPLING}
    text = json.dumps({"sampling": settings, "responder": responder_identity, "data": DATA_VERSION}, sort_keys=True)
    return ladder_root() / "samples" / f"{hashlib.sha256(text.encode()).hexdigest()[:12]}.jsonl"


LADDER_DIR_ENV = "UNPREDICT_LADDER_DIR"  # where ladders live, if not under the model cache


def ladder_root() -> Path:
    import os

    moved = os.environ.get(LADDER_DIR_ENV)
    return Path(moved).expanduser() if moved else models_dir() / "ladder"


def check_stages(text: str) -> tuple[str, ...]:
    """`sft` or `sft,dpo`: known names, in training order, DPO never without the SFT it starts from."""
    names = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [name for name in names if name not in STAGES]
    if unknown or not names:
        raise LadderError(f"Unknown stage {', '.join(unknown) or '(none)'}: the stages are {', '.join(STAGES)}.")
    if len(set(names)) != len(names):
        raise LadderError(f"A stage is listed twice in '{text}'.")
    if names != STAGES[: len(names)]:
        raise LadderError(
            f"Stages out of order ('{text}'): DPO is trained from the SFT stage, so ask for sft or sft,dpo."
        )
    return names


@dataclass(frozen=True)
class LadderFolders:
    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    def stage(self, name: str) -> Path:
        return self.root / name

    def partial(self, name: str) -> Path:
        return self.root / f"{name}.partial"

    def work(self, name: str) -> Path:
        return self.root / "work" / name

    def heldout(self, model: str) -> Path:
        return self.root / "heldout" / f"{model}.json"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"


def write_json(path: Path, value: Any) -> None:
    """Written beside and renamed into place, so a kill never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LadderError(
            f"The ladder's {what} at {path} is damaged ({exc}); delete {path.parent} and run "
            "`python -m unpredict_core ladder build` again."
        ) from None


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    tmp.replace(path)


def read_jsonl(path: Path, what: str) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LadderError(f"The ladder's {what} at {path} is damaged ({exc}); delete it and build again.") from None
