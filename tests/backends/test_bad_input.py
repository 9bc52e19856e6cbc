"""Bad model input gets a clear message (a ModelNotFound / UnpredictError), never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.tiny_model import save_tiny
from unpredict_core.backends.loading import BackendCache, load_backend
from unpredict_core.backends.models import ModelSpec, custom_pair, spec_from_path
from unpredict_core.errors import InvalidParameter, ModelNotFound
from unpredict_core.experiments.random_integers import Params
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


def test_a_missing_path_is_named():
    with pytest.raises(ModelNotFound, match="not found"):
        load_backend(spec_from_path("/no/such/model", role="base"))


def test_a_folder_that_is_not_a_causal_lm(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 32}))
    with pytest.raises(ModelNotFound, match="not a causal language model|Cannot load"):
        load_backend(spec_from_path(str(tmp_path), role="base"))


def test_a_folder_without_config(tmp_path):
    (tmp_path / "weights.safetensors").write_bytes(b"")
    with pytest.raises(ModelNotFound, match="no config.json"):
        load_backend(spec_from_path(str(tmp_path), role="base"))


def test_pickle_weights_are_refused_unless_allowed(tmp_path):
    folder = save_tiny(tmp_path / "m")
    for path in folder.glob("*.safetensors"):
        path.rename(path.with_suffix(".bin"))
    with pytest.raises(ModelNotFound, match="pickle"):
        load_backend(spec_from_path(str(folder), role="base"))


def test_a_gguf_with_a_wrong_checksum(tmp_path, monkeypatch):
    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path / "cache"))
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"GGUF" + b"\0" * 1000)
    spec = ModelSpec("bogus", "gguf", str(bogus), sha256="0" * 64)
    with pytest.raises(ModelNotFound, match="sha256"):
        load_backend(spec)


def test_a_file_that_is_not_gguf(tmp_path, monkeypatch):
    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path / "cache"))
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"definitely not gguf" * 10)
    with pytest.raises(ModelNotFound):
        load_backend(spec_from_path(str(bogus), role="base"))


def test_any_two_local_folders_run_end_to_end_and_a_missing_template_falls_back(tmp_path):
    base = save_tiny(tmp_path / "base")
    aligned = save_tiny(tmp_path / "aligned", chat_template=False)
    pair = custom_pair(str(base), str(aligned))
    result = run_experiment("random-integers", pair, Params(), store=Store(), load=BackendCache("cpu"))
    side = result["sides"]["aligned"]
    assert side["requested_format"] == "chat" and side["format"] == "plain"
    assert "no chat template" in side["format_note"]
    assert sum(side["answers"].values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "params",
    [Params(mode="sampled", n=0), Params(mode="sampled", n=-5), Params(mode="sampled", n=10**9), Params(mode="weird")],
)
def test_out_of_range_parameters(params):
    with pytest.raises(InvalidParameter):
        params.validate()


def test_the_library_never_imports_streamlit():
    code = (
        "import sys, unpredict_core, unpredict_core.cli, unpredict_core.runs, unpredict_core.backends.loading, "
        "unpredict_core.backends.hf.backend, unpredict_core.store.database, unpredict_core.experiments; "
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
