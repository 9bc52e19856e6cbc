"""A ladder of a tiny model, end to end in seconds: the recipe's real code path (sampling, grading,
TRL SFT and DPO with LoRA, merging, the held-out check), the cache, resume after a stop, and the
refusals. The base answers its own prompts (`--responder base`), as rejection sampling does."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.tiny_model import save_tiny
from unpredict_core.cli import main
from unpredict_core.errors import ModelNotFound
from unpredict_core.ladder import build as ladder_build
from unpredict_core.ladder import resources
from unpredict_core.ladder.recipe import DEFAULT_RECIPE, LadderError, check_stages

TINY = DEFAULT_RECIPE.__class__(train_prompts=96, heldout_prompts=16, responder="base")
FLAGS = ["--responder", "base", "--train-prompts", "96", "--heldout-prompts", "16", "--device", "cpu"]


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One cache and one tiny base for the module: the full ladder is built once."""
    root = tmp_path_factory.mktemp("ladder")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UNPREDICT_CACHE", str(root / "cache"))
        yield save_tiny(root / "tiny-base")


@pytest.fixture()
def tiny_base(shared_cache):
    return shared_cache


@pytest.fixture(scope="module")
def built(shared_cache):
    code, out = _run(["ladder", "build", "--base", str(shared_cache), *FLAGS, "--json"])
    assert code == 0
    return json.loads(out)


def _run(args):
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(args)
    return code, out.getvalue()


def cli_json(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_a_tiny_ladder_builds_both_stages_and_reports_them(tiny_base, built, capsys):
    result = built
    assert [s["stage"] for s in result["stages"]] == ["sft", "dpo"] and result["cached"] is False
    assert result["base"]["path"] == str(tiny_base)
    for stage in result["stages"]:
        train, held = stage["train"], stage["heldout"]
        assert train["examples"] >= 8 and train["steps"] >= 1 and train["seconds"] >= 0
        assert isinstance(train["loss_first"], float) and isinstance(train["loss_last"], float)
        assert held["trials"] == 16 and 0 <= held["successes"] <= 16
        assert held["ci"][0] <= held["prompt_strict"] <= held["ci"][1]
        low, high = held["diff_ci"]
        diff = held["prompt_strict"] - result["heldout_base"]["prompt_strict"]
        assert -1 <= low <= diff <= high <= 1
        folder = Path(stage["path"])
        assert (folder / "model.safetensors").is_file() and (folder / "ladder-stage.json").is_file()
        assert "start_of_turn" in (folder / "chat_template.jinja").read_text()
    assert "diff_ci" not in result["heldout_base"]
    rows = [json.loads(line) for line in Path(result["data"]["dpo"]).read_text().splitlines()]
    assert rows and all(r["prompt"][0]["role"] == "user" and r["chosen"] != r["rejected"] for r in rows)
    manifest = json.loads((Path(result["stages"][0]["path"]).parent / "manifest.json").read_text())
    assert manifest["libraries"]["trl"] != "not installed" and len(manifest["stages"][0]["train"]["loss_curve"]) >= 1
    assert set(manifest["data_recipe"]["rows_sha256"]) == {"sft", "dpo"}

    again = cli_json(["ladder", "build", "--base", str(tiny_base), *FLAGS, "--json"], capsys)
    assert again["cached"] is True and again["stages"] == result["stages"]
    listed = {entry["recipe"]: entry for entry in cli_json(["ladder", "list", "--json"], capsys)["ladders"]}
    assert [s["status"] for s in listed[result["recipe"]]["stages"]] == ["built", "built"]


def test_a_stage_loads_as_a_plain_transformers_folder(built):
    from unpredict_core.backends.loading import load_backend
    from unpredict_core.backends.models import spec_from_path

    result = built
    backend = load_backend(spec_from_path(result["stages"][0]["path"], role="aligned"), "cpu")
    prompt = backend.render("say hi", "chat")
    assert prompt.format == "chat" and "<start_of_turn>model" in prompt.text
    assert isinstance(backend.generate([prompt], max_new_tokens=4)[0], str)


def test_a_stopped_build_resumes_from_its_last_checkpoint(tiny_base):
    recipe = replace(TINY, seed=1, sft=replace(TINY.sft, save_steps=2))
    plan = ladder_build.plan(str(tiny_base), recipe, "cpu")

    def stop_in_sft(fraction, message):
        if message.startswith("SFT: step 3/"):
            raise KeyboardInterrupt  # Ctrl-C, or a kill, after the checkpoint of step 2

    with pytest.raises(KeyboardInterrupt):
        ladder_build.build(plan, ("sft",), stop_in_sft)
    assert not plan.folders.stage("sft").exists()  # nothing that loads half-written
    assert (plan.folders.work("sft") / "checkpoint-2").is_dir()
    result = ladder_build.build(plan, ("sft",))
    assert result["stages"][0]["train"]["resumed_from"] == "checkpoint-2"
    assert not plan.folders.work("sft").exists()


def test_stage_lists_out_of_order_or_unknown_are_refused():
    assert check_stages("sft,dpo") == ("sft", "dpo") and check_stages("SFT") == ("sft",)
    for text, words in (("dpo,sft", "out of order"), ("dpo", "out of order"), ("ppo", "Unknown stage"),
                        ("sft,sft", "twice"), ("", "Unknown stage")):  # fmt: skip
        with pytest.raises(LadderError, match=words):
            check_stages(text)


def test_a_base_that_is_unknown_or_has_no_tokenizer_is_refused(tmp_path, tiny_base):
    with pytest.raises(LadderError, match="Unknown base 'gpt-9'"):
        ladder_build.plan("gpt-9", TINY)
    bare = tmp_path / "bare"
    bare.mkdir()
    for path in tiny_base.iterdir():
        if "tokenizer" not in path.name:
            (bare / path.name).write_bytes(path.read_bytes())
    with pytest.raises(LadderError, match="has no tokenizer"):
        ladder_build.plan(str(bare), TINY)


def test_short_disk_or_memory_is_refused_before_training_with_the_numbers(tiny_base):
    plan = ladder_build.plan(str(tiny_base), TINY, "cpu")
    with pytest.raises(LadderError, match=r"Not enough disk .* GiB .* free"):
        resources.check(plan, ("sft", "dpo"), free_disk=0, free_memory=10**12)
    with pytest.raises(LadderError, match=r"Not enough memory .* GiB"):
        resources.check(plan, ("sft", "dpo"), free_disk=10**12, free_memory=0)


def test_a_full_disk_during_a_checkpoint_says_so_and_keeps_what_was_stored(tiny_base, monkeypatch):
    from transformers import Trainer

    plan = ladder_build.plan(str(tiny_base), replace(TINY, seed=2), "cpu")

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Trainer, "_save_checkpoint", full_disk)
    with pytest.raises(LadderError, match="No space left on device.*resume"):
        ladder_build.build(plan, ("sft",))
    assert plan.samples.is_file() and plan.folders.heldout("base").is_file()
    assert not plan.folders.stage("sft").exists() and not plan.folders.partial("sft").exists()


def test_the_presets_say_how_to_build_a_missing_or_unfinished_ladder(tmp_path, monkeypatch):
    from unpredict_core.backends.models import check_pair, get_pair
    from unpredict_core.ladder.listing import default_folders

    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path / "cache"))
    status = check_pair(get_pair("ladder-dpo"))
    assert status.base is None and "missing: run `python -m unpredict_core ladder build`" in status.aligned
    folders = default_folders()
    folders.stage("sft").mkdir(parents=True)  # a folder without its completion marker
    with pytest.raises(ModelNotFound, match="incomplete"):
        from unpredict_core.backends.sources import source_of

        spec = get_pair("ladder-sft").aligned
        source_of(spec).identity(spec)


def test_a_damaged_manifest_is_named_by_list(tiny_base, capsys):
    plan = ladder_build.plan(str(tiny_base), replace(TINY, train_prompts=97), "cpu")
    plan.folders.root.mkdir(parents=True)
    plan.folders.manifest.write_text("{not json")
    listed = {entry["recipe"]: entry for entry in cli_json(["ladder", "list", "--json"], capsys)["ladders"]}
    problem = listed[plan.folders.root.name]["problem"]
    assert "damaged" in problem and str(plan.folders.manifest) in problem


def test_a_damaged_stage_folder_is_refused_with_a_message_not_half_loaded(tmp_path, monkeypatch, built):
    import shutil

    from unpredict_core.backends.loading import weights_folder
    from unpredict_core.backends.models import get_pair
    from unpredict_core.errors import UnpredictError
    from unpredict_core.ladder.listing import default_folders

    monkeypatch.setenv("UNPREDICT_LADDER_DIR", str(tmp_path / "ladders"))
    folder = default_folders().stage("sft")
    shutil.copytree(built["stages"][0]["path"], folder)  # a complete stage, marker included
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])  # cut short, as a full disk would leave it
    with pytest.raises(UnpredictError, match="model.safetensors"):
        weights_folder(get_pair("ladder-sft").aligned)
