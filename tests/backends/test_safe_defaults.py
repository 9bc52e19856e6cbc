"""Safe defaults for a laptop on a conference network: localhost only, no remote code,
no pickle weights unless asked, parameterised SQL only, and UI-typed model paths confined to the
allowed model directories (with `..` and symlink escapes)."""

from __future__ import annotations

import ast
import os
import tomllib
from pathlib import Path

import pytest

from tests.support.tiny_model import save_tiny
from unpredict_core.backends.loading import load_backend
from unpredict_core.backends.model_dirs import PathNotAllowed, allowed_model_dirs, confined_pair
from unpredict_core.backends.models import custom_pair, spec_from_path
from unpredict_core.errors import ModelNotFound

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_FILES = sorted((ROOT / "unpredict_core").rglob("*.py"))
STORE_FILES = sorted((ROOT / "unpredict_core" / "store").glob("*.py"))
APP_FILES = LIBRARY_FILES + sorted((ROOT / "unpredict_ui").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py"))


def test_the_server_binds_to_localhost_and_sends_no_usage_stats():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] in ("localhost", "127.0.0.1")
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False


def _calls(tree: ast.AST, name: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr == name) or (
                isinstance(func, ast.Name) and func.id == name
            ):
                yield node


def test_trust_remote_code_is_never_enabled():
    """Every from_pretrained passes trust_remote_code=False explicitly, and nothing passes True."""
    loaders = 0
    for path in APP_FILES:
        tree = ast.parse(path.read_text(), str(path))
        for call in _calls(tree, "from_pretrained"):
            loaders += 1
            flags = {k.arg: k.value for k in call.keywords}
            assert "trust_remote_code" in flags, f"{path.name}:{call.lineno} relies on the default"
            value = flags["trust_remote_code"]
            assert isinstance(value, ast.Constant) and value.value is False, f"{path.name}:{call.lineno}"
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "trust_remote_code":
                assert isinstance(node.value, ast.Constant) and node.value.value is False
    assert loaders >= 2, "the model and tokenizer loaders were not found: the check checks nothing"


def _dynamic_sql(arg: ast.AST) -> bool:
    """An f-string, `%` or `+` on strings, or `.format(...)` as the SQL text."""
    if isinstance(arg, ast.JoinedStr):  # only names checked by store._identifier may be spliced in
        return any(
            isinstance(v, ast.FormattedValue)
            and not (isinstance(v.value, ast.Call) and getattr(v.value.func, "id", "") == "_identifier")
            for v in arg.values
        )
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, (ast.Mod, ast.Add)):
        return True
    return isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format"


def test_every_query_is_parameterised_and_lives_in_the_store():
    """The store (unpredict_core/store/) never splices a value into SQL text; no other module sends SQL at all (an
    in-memory DuckDB writing a CSV through the relation API is not a query)."""
    for bad in ('f"SELECT {x}"', '"SELECT " + x', '"SELECT %s" % x', '"SELECT {}".format(x)'):
        assert _dynamic_sql(ast.parse(bad).body[0].value), bad  # the detector itself detects
    assert not _dynamic_sql(ast.parse('f"DELETE FROM {_identifier(t)}"').body[0].value)
    executes = 0
    for path in APP_FILES:
        tree = ast.parse(path.read_text(), str(path))
        for method in ("execute", "executemany", "sql", "query"):
            for call in _calls(tree, method):
                if not call.args:
                    continue
                if path not in STORE_FILES:
                    sql_like = isinstance(call.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp))
                    assert not sql_like, f"{path.name}:{call.lineno} sends SQL outside the store"
                    continue
                executes += 1
                assert not _dynamic_sql(call.args[0]), f"{path.name}:{call.lineno} builds SQL from values"
    assert executes >= 10


def test_pickle_only_weights_need_explicit_permission(tmp_path):
    import torch
    from safetensors.torch import load_file

    folder = save_tiny(tmp_path / "m")
    weights = folder / "model.safetensors"
    torch.save(load_file(weights), folder / "pytorch_model.bin")  # a real pickle checkpoint
    weights.unlink()
    with pytest.raises(ModelNotFound, match="pickle"):
        load_backend(spec_from_path(str(folder), role="base"), device="cpu")
    assert load_backend(spec_from_path(str(folder), role="base", allow_pickle=True), device="cpu").identity


# -- model paths typed in the dashboard ------------------------------------------------------------
@pytest.fixture
def model_root(tmp_path, monkeypatch):
    """An allowed folder holding one model folder, and a secret folder beside it (not allowed)."""
    allowed = tmp_path / "allowed"
    (allowed / "good").mkdir(parents=True)
    (allowed / "good" / "config.json").write_text("{}")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "config.json").write_text("{}")
    monkeypatch.setenv("UNPREDICT_MODEL_DIRS", str(allowed))
    monkeypatch.setenv("UNPREDICT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    return allowed, secret


def test_the_allowed_dirs_are_the_cache_the_hub_cache_and_the_env_list(model_root, tmp_path):
    allowed, _ = model_root
    assert allowed_model_dirs() == [
        Path(os.path.realpath(p)) for p in (tmp_path / "cache" / "models", tmp_path / "hub", allowed)
    ]


def test_a_path_inside_the_allowed_dirs_is_accepted(model_root):
    allowed, _ = model_root
    pair = confined_pair(str(allowed / "good"), str(allowed / "good" / "sub" / ".." / ""))
    assert pair.base.location == str(allowed / "good")


@pytest.mark.parametrize(
    "typed",
    [
        "{secret}",
        "{allowed}/../secret",
        "{allowed}/good/../../secret",
        "{allowed}/link-out",
        "{allowed}/model.gguf",
        "/etc",
        "~",
        "../../../../etc/passwd.gguf",
        "..",
    ],
)
def test_a_path_that_escapes_is_refused(model_root, typed):
    allowed, secret = model_root
    (allowed / "link-out").symlink_to(secret, target_is_directory=True)
    (allowed / "model.gguf").symlink_to(secret / "config.json")
    text = typed.format(allowed=allowed, secret=secret)
    with pytest.raises(PathNotAllowed, match="allowed model folders"):
        confined_pair(str(allowed / "good"), text)
    custom_pair(str(allowed / "good"), text)  # the command line (the user's own shell) is not confined


def test_a_model_folder_with_a_file_linked_outside_is_refused(model_root):
    allowed, secret = model_root
    sneaky = allowed / "sneaky"
    sneaky.mkdir()
    (sneaky / "config.json").symlink_to(secret / "config.json")
    with pytest.raises(PathNotAllowed, match="link to"):
        confined_pair(str(allowed / "good"), str(sneaky))


@pytest.mark.parametrize("hub_id", ["meta-llama/Llama-3.1-8B", "gpt2"])
def test_hub_ids_stay_in_the_hub_cache(model_root, hub_id):
    pair = confined_pair(hub_id, hub_id)
    assert pair.base.source == "hf"


@pytest.mark.parametrize("hub_id", ["a/b/c", "owner/..", "x/y z", "owner/na\u00efve'; DROP TABLE runs; --"])
def test_strange_hub_ids_are_refused(model_root, hub_id):
    with pytest.raises(PathNotAllowed):
        confined_pair("gpt2", hub_id)


# -- model servers typed in the dashboard ----------------------------------------------------------
def test_a_server_on_localhost_is_accepted_with_its_served_model(model_root, monkeypatch):
    monkeypatch.delenv("UNPREDICT_SERVERS", raising=False)
    pair = confined_pair("http://127.0.0.1:8000/#base-model", "http://localhost:8001")
    assert (pair.base.source, pair.base.location, pair.base.served_model) == (
        "server",
        "http://127.0.0.1:8000",
        "base-model",
    )
    assert pair.aligned.served_model is None and pair.aligned.default_format == "chat"


@pytest.mark.parametrize(
    "typed", ["http://10.0.0.5:8000", "https://evil.example#gpt", "http://127.0.0.1.evil.example:8000", "http://"]
)
def test_a_server_elsewhere_is_refused_unless_listed(model_root, monkeypatch, typed):
    monkeypatch.setenv("UNPREDICT_SERVERS", "http://gpu-box:8000, https://other:9000")
    with pytest.raises(PathNotAllowed, match="UNPREDICT_SERVERS|server URL"):
        confined_pair(typed, "gpt2")
    pair = confined_pair("http://GPU-box:8000#llama", "https://other:9000")  # listed: allowed
    assert pair.base.location == "http://gpu-box:8000" and pair.aligned.source == "server"  # as connected to
    with pytest.raises(PathNotAllowed):
        confined_pair("http://gpu-box:8001", "gpt2")  # same host, another port: not listed


def test_model_servers_are_reached_only_through_the_one_httpx_client():
    """Redirects off and no proxies from the environment on the one HTTP client; nothing in the
    app opens another (urllib, requests, http.client), so no request can leave the typed host."""
    clients = 0
    for path in APP_FILES:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.startswith(("urllib.request", "requests", "http.client")) for n in names), path
        for call in _calls(tree, "Client"):
            clients += 1
            flags = {k.arg: k.value for k in call.keywords}
            for flag in ("follow_redirects", "trust_env"):
                assert isinstance(flags.get(flag), ast.Constant) and flags[flag].value is False, f"{path.name}: {flag}"
    assert clients == 1


def test_the_dashboard_writes_files_only_into_the_exports_folder():
    """No page or UI helper writes a file itself; exports go through export_to_exports_folder."""
    for path in sorted((ROOT / "unpredict_ui").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for name in ("export_frame", "write_text", "write_bytes", "open", "mkdir", "write_csv", "write_parquet"):
            assert not list(_calls(tree, name)), f"{path.name} calls {name}"
