"""`ladder build`: prompts → sampled, graded replies → SFT → DPO, each stage checked on held-out
prompts against the base; every phase's output kept in the recipe's folder, so a second build is
answered from it and a killed one resumes where it stopped (sampling by batch, training from its
last checkpoint). What each phase writes appears by rename once complete (`recipe.write_json`).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unpredict_core.backends.loading import Device, dtype_for
from unpredict_core.backends.models import DEFAULT_PAIR, ModelSpec, identity, spec_from_path
from unpredict_core.ladder import candidates, heldout, resources
from unpredict_core.ladder.prompts import split
from unpredict_core.ladder.recipe import (
    DEFAULT_RECIPE,
    RESPONDERS,
    STAGE_MARKER,
    LadderError,
    LadderFolders,
    Recipe,
    ladder_root,
    read_json,
    read_jsonl,
    recipe_id,
    samples_file,
    write_json,
    write_jsonl,
)  # fmt: skip
from unpredict_core.ladder.training import stop_ids, train_stage, with_template
from unpredict_core.progress import ProgressFn, no_progress, scaled, time_left

SAMPLE_CHUNK = 16  # prompts per sampled batch, the unit a killed build resumes from
PHASES = {"sample": (0.0, 0.3), "heldout:base": (0.3, 0.4), "sft": (0.4, 0.6), "heldout:sft": (0.6, 0.7),
          "dpo": (0.7, 0.9), "heldout:dpo": (0.9, 1.0)}  # fmt: skip


@dataclass(frozen=True)
class Plan:
    recipe: Recipe
    base: ModelSpec
    base_folder: Path
    responder: ModelSpec
    folders: LadderFolders
    device: str
    samples: Path  # the sampled, graded replies to the training prompts (shared across training settings)


def base_spec(text: str) -> ModelSpec:
    if text == "default":
        return DEFAULT_PAIR.base
    path = Path(text).expanduser()
    if not path.is_dir():
        raise LadderError(f"Unknown base '{text}': give 'default' (the default pair's base) or a local model folder.")
    return spec_from_path(str(path), role="base")


def responder_spec(text: str, base: ModelSpec) -> ModelSpec:
    if text == "default-aligned":
        return DEFAULT_PAIR.aligned
    if text == "base":
        return base
    if not Path(text).expanduser().is_dir():
        raise LadderError(f"Unknown responder '{text}': give {', '.join(RESPONDERS)} or a local model folder.")
    return spec_from_path(text, role="aligned")


def plan(base: str = "default", recipe: Recipe = DEFAULT_RECIPE, device: Device = "auto",
         progress: ProgressFn = no_progress) -> Plan:  # fmt: skip
    """Where this recipe's ladder lives; resolving the base converts a GGUF once, loads nothing."""
    from unpredict_core.backends.loading import pick_device, weights_folder

    spec = base_spec(base)
    folder = weights_folder(spec, progress)
    if not any((folder / name).is_file() for name in ("tokenizer.json", "tokenizer.model", "tokenizer_config.json")):
        raise LadderError(f"The base {spec.label} ({folder}) has no tokenizer: a stage needs the base's tokenizer.")
    responder = responder_spec(recipe.responder, spec)
    key = recipe_id(recipe, identity(spec), identity(responder))
    samples = samples_file(recipe, identity(responder))
    return Plan(recipe, spec, folder, responder, LadderFolders(ladder_root() / key), pick_device(device), samples)


def build(plan_: Plan, stages: tuple[str, ...], progress: ProgressFn = no_progress) -> dict[str, Any]:
    """Every asked stage built (or found), checked on the held-out prompts; the JSON of `ladder build`."""
    began, folders = time.monotonic(), plan_.folders
    cached = all((folders.stage(s) / STAGE_MARKER).is_file() for s in stages) and folders.manifest.is_file()

    def phase(name: str) -> ProgressFn:
        start, stop = PHASES[name]

        def report(fraction: float, message: str) -> None:
            overall = start + (stop - start) * fraction
            estimate = time_left(overall, time.monotonic() - began)
            progress(overall, f"{message}" + (f" · ladder: {estimate}" if estimate else ""))

        return report

    if not cached:
        resources.check(plan_, stages)
    train, held = split(plan_.recipe.seed, plan_.recipe.train_prompts, plan_.recipe.heldout_prompts)
    graded = _graded(plan_, train, phase("sample"))
    rows = {"sft": candidates.sft_rows(train, graded), "dpo": candidates.preference_rows(train, graded)}
    for name, stage_rows in rows.items():
        write_jsonl(folders.data / f"{name}.jsonl", stage_rows)
    base_score = _heldout(plan_, "base", plan_.base_folder, held, phase("heldout:base"))
    out_stages, start = [], plan_.base_folder
    for name in stages:
        train_info = _stage(plan_, name, start, rows[name], phase(name))
        score = _heldout(plan_, name, folders.stage(name), held, phase(f"heldout:{name}"))
        score["diff_ci"] = heldout.paired_difference_interval(score.pop("passed"), base_score["passed"])
        out_stages.append({"stage": name, "path": str(folders.stage(name)), "train": train_info, "heldout": score})
        start = folders.stage(name)
    base_score.pop("passed")
    result = {
        "recipe": folders.root.name,
        "base": {"label": plan_.base.label, "path": str(plan_.base_folder)},
        "responder": plan_.responder.label,
        "stages": out_stages,
        "heldout_base": base_score,
        "data": {name: str(folders.data / f"{name}.jsonl") for name in stages},
        "cached": cached,
        "seconds": round(time.monotonic() - began, 1),
    }
    write_json(folders.manifest, _manifest(plan_, result, train, held, rows))
    progress(1.0, "ladder ready")
    return result


def _graded(plan_: Plan, train: list[Any], progress: ProgressFn) -> list[list[candidates.Candidate]]:
    """The graded replies to every training prompt, sampled in chunks kept as they finish."""
    from unpredict_core.experiments.ifeval import SUITE

    path, known = plan_.samples, SUITE.registry()
    done = read_jsonl(path, "sampled replies") if path.is_file() else []
    if len(done) < len(train):
        from unpredict_core.backends.loading import load_backend

        backend = load_backend(plan_.responder, plan_.device)  # type: ignore[arg-type]
        for start in range(len(done), len(train), SAMPLE_CHUNK):
            chunk = train[start : start + SAMPLE_CHUNK]
            replies = candidates.sample_replies(
                backend, chunk, k=plan_.recipe.candidates, max_new_tokens=plan_.recipe.sample_tokens,
                temperature=plan_.recipe.temperature, seed=plan_.recipe.seed * 7919 + start,
            )  # fmt: skip
            done += [{"key": p.key, "replies": [[t, e] for t, e in r]} for p, r in zip(chunk, replies)]
            write_jsonl(path, done)
            progress(len(done) / len(train), f"sampled replies to {len(done)}/{len(train)} training prompts")
    if [row["key"] for row in done] != [p.key for p in train]:
        raise LadderError(f"The sampled replies in {path} belong to other prompts; delete the file and build again.")
    return [candidates.grade(p, [(t, bool(e)) for t, e in row["replies"]], known) for p, row in zip(train, done)]


def _stage(plan_: Plan, name: str, start: Path, rows: list[dict[str, Any]], progress: ProgressFn) -> dict[str, Any]:
    folders = plan_.folders
    target, marker = folders.stage(name), folders.stage(name) / STAGE_MARKER
    if marker.is_file():
        return read_json(marker, f"{name.upper()} stage record")["train"]
    if len(rows) < plan_.recipe.stage(name).batch_size:
        raise LadderError(
            f"Only {len(rows)} {name.upper()} rows passed the checkers (at least {plan_.recipe.stage(name).batch_size} "
            "are needed): raise train_prompts or candidates."
        )
    partial = folders.partial(name)
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)  # a folder without its marker is not a stage
    folders.heldout(name).unlink(missing_ok=True)  # replies of an earlier build of this stage
    try:
        info = train_stage(start, rows, plan_.recipe.stage(name), folders.work(name), partial, plan_.device, progress)
        write_json(partial / STAGE_MARKER, {"stage": name, "recipe": folders.root.name, "train": info})
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise LadderError(
            f"Training the {name.upper()} stage failed writing to {folders.root} ({exc.strerror or exc}). "
            "What was stored before is kept; free space and run `ladder build` again to resume."
        ) from None
    partial.replace(target)
    shutil.rmtree(folders.work(name), ignore_errors=True)
    return info


def _heldout(plan_: Plan, model: str, folder: Path, held: list[Any], progress: ProgressFn) -> dict[str, Any]:
    """A model's held-out accuracy, answered from its file when this folder's replies are kept."""
    from unpredict_core.experiments.ifeval import SUITE

    path = plan_.folders.heldout(model)
    if path.is_file():
        kept = read_json(path, f"{model} held-out replies")
    else:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        progress(0.0, f"held-out check: loading {model}")
        tokenizer = with_template(AutoTokenizer.from_pretrained(folder, trust_remote_code=False))
        dtype = getattr(torch, dtype_for(plan_.device))  # the app's rule: bf16 on CUDA, float32 on a CPU
        net = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, trust_remote_code=False, use_safetensors=True)
        net.to(plan_.device)  # type: ignore[arg-type]  # transformers' decorated `to` (as in loading.py)
        net.generation_config.eos_token_id = stop_ids(tokenizer)  # the base stops where the stages do
        replies = heldout.answer(net, tokenizer, held, max_new_tokens=plan_.recipe.heldout_tokens,
                                 progress=scaled(progress, 0.05, 1.0), label=model)  # fmt: skip
        kept = {"keys": [p.key for p in held], "replies": replies}
        write_json(path, kept)
    passed = heldout.passes(held, kept["replies"], SUITE.registry())
    return heldout.accuracy(passed) | {"passed": passed}


def _manifest(plan_: Plan, result: dict[str, Any], train: list[Any], held: list[Any],
              rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:  # fmt: skip
    from unpredict_core.ladder.resources import library_versions, sha256_text

    files = {name: plan_.folders.data / f"{name}.jsonl" for name in rows}
    return result | {
        "recipe_settings": plan_.recipe.as_dict(),
        "data_recipe": {
            "train_prompts": len(train),
            "heldout_prompts": len(held),
            "prompts_sha256": sha256_text("\n".join(p.prompt for p in train + held)),
            "rows": {name: len(r) for name, r in rows.items()},
            "rows_sha256": {name: sha256_text(path.read_text(encoding="utf-8")) for name, path in files.items()},
        },  # fmt: skip
        "libraries": library_versions(),
        "device": plan_.device,
    }
