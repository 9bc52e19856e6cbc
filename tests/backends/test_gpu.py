"""The CUDA path of the transformers backend (bf16), and the GPU settings' user errors.

The CUDA tests are skipped without a GPU (CI has none); run them on a GPU machine with
`python3 -m pytest -m gpu`, or with bench/gpu_check.sh, which runs them and the GPU benchmarks
(tests/bench/test_gpu_check.py rehearses it on CPU). The settings tests run everywhere.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from tests.backends.test_scoring import ANSWERS, brute_force
from tests.support.tiny_model import save_tiny, tiny_backend, tiny_sliding_backend
from unpredict_core.backends.hf.backend import TransformersBackend
from unpredict_core.backends.hf.gpu import GpuOutOfMemory, device_map_setting, explain_oom
from unpredict_core.errors import UnpredictError

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def on_cuda(backend):
    """The same tiny backend moved to the GPU in bf16, as `load_backend` places real models."""
    model = backend.model.to("cuda", torch.bfloat16)
    return TransformersBackend(model, backend.tokenizer, label=backend.label, identity=backend.identity)


@pytest.mark.gpu
@cuda
@pytest.mark.parametrize("make", [tiny_backend, tiny_sliding_backend], ids=["llama", "gemma3-sliding"])
def test_bf16_tree_scoring_on_cuda_matches_float32_brute_force(make):
    reference = make()
    gpu = on_cuda(make())
    prompt = gpu.render("game:" + " r3 p s." * 6 + " next", "plain")
    got = gpu.score_choices(prompt, ANSWERS)
    assert gpu._tree_ok is True, "the tree path was dropped on CUDA"
    want = brute_force(reference, prompt, ANSWERS)
    got_p = np.array([got.raw[a] for a in ANSWERS]) / sum(got.raw.values())
    want_p = np.array([want[a] for a in ANSWERS]) / sum(want.values())
    assert np.abs(got_p - want_p).max() < 0.03  # bf16 keeps ~3 significant digits


@pytest.mark.gpu
@cuda
def test_cuda_sampling_is_seeded_and_batched():
    gpu = on_cuda(tiny_backend())
    prompt = gpu.render("pick a number from 0 to 10:", "plain")
    first = gpu.sample(prompt, 100, seed=3)
    assert first == gpu.sample(prompt, 100, seed=3)
    assert len(set(first)) > 1


@pytest.mark.gpu
@cuda
def test_device_map_auto_places_a_saved_model_and_scores(tmp_path):
    from unpredict_core.backends.loading import load_backend
    from unpredict_core.backends.models import spec_from_path

    folder = save_tiny(tmp_path / "tiny")
    backend = load_backend(spec_from_path(str(folder), role="base"), "cuda", device_map="auto")
    assert backend.device.type == "cuda"
    scores = backend.score_choices(backend.render("pick:", "plain"), ANSWERS)
    assert 0 < scores.coverage <= 1


@pytest.mark.gpu
@cuda
def test_a_real_cuda_out_of_memory_names_the_setting_to_change():
    with pytest.raises(GpuOutOfMemory, match="device_map='auto'"), explain_oom("allocating a petabyte"):
        torch.empty(2**50, dtype=torch.uint8, device="cuda")


def test_other_errors_pass_through_the_oom_guard_unchanged():
    with pytest.raises(KeyError), explain_oom("anything"):
        raise KeyError("not memory")


def test_an_unknown_device_map_is_a_user_error(monkeypatch):
    monkeypatch.delenv("UNPREDICT_DEVICE_MAP", raising=False)
    assert device_map_setting(None) is None
    with pytest.raises(UnpredictError, match="Unknown device map 'everywhere'"):
        device_map_setting("everywhere")
    monkeypatch.setenv("UNPREDICT_DEVICE_MAP", "auto")
    assert device_map_setting(None) == "auto"


def test_device_map_without_accelerate_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "accelerate", None)  # makes `import accelerate` fail
    with pytest.raises(UnpredictError, match="needs the accelerate package"):
        device_map_setting("auto")


def test_a_model_split_by_a_device_map_scores_and_samples_as_one_on_a_single_device(tmp_path):
    """The CPU analogue of a model spread over GPUs: accelerate keeps half the layers and the
    output head offloaded (on "meta" until a forward needs them) and moves tensors between
    placements with its hooks. Inputs must go where the embeddings run, not where the first
    parameter happens to be (that is "meta" here)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = save_tiny(tmp_path / "tiny")
    split = {"model.embed_tokens": "disk", "model.rotary_emb": "cpu", "model.layers.0": "cpu",
             "model.layers.1": "disk", "model.norm": "cpu", "lm_head": "disk"}  # fmt: skip
    tokenizer = AutoTokenizer.from_pretrained(folder)
    load = AutoModelForCausalLM.from_pretrained
    spread = TransformersBackend(load(folder, device_map=split), tokenizer, label="spread", identity="spread")
    whole = TransformersBackend(load(folder), tokenizer, label="whole", identity="whole")
    assert spread.model.get_input_embeddings().weight.device.type == "meta" and spread.device.type == "cpu"
    prompt = whole.render("pick:", "plain")
    ours, theirs = spread.score_choices(prompt, ANSWERS), whole.score_choices(prompt, ANSWERS)
    assert max(abs(ours.raw[a] - theirs.raw[a]) for a in ANSWERS) < 1e-6
    assert spread.sample(prompt, 20, seed=1) == whole.sample(prompt, 20, seed=1)
