"""The OpenAI-compatible server backend against a real server: llama.cpp's HTTP server (from the
`xllamacpp` wheel) started here on CPU, serving the default pair's own GGUF files. No mocks: the
one helper server below is a real HTTP proxy in front of the real server that drops
log-probabilities, i.e. a server that cannot give them.
"""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.support.browser_support import became_healthy, closed_port_url
from tests.support.server_support import ANSWERS, default_prompt, scores_beside_transformers
from tests.support.ui_support import clear_streamlit_caches, open_page, texts  # noqa: F401  (autouse fixture)
from unpredict_core.backends.base import parse_choice
from unpredict_core.backends.models import DEFAULT_PAIR, gguf_path, identity, server_spec, with_servers
from unpredict_core.backends.server.client import ServerInfo, capability_note
from unpredict_core.backends.server.dialects import connect
from unpredict_core.errors import ServerTimeout, ServerUnavailable
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.random_integers.metrics import chi2_consistency
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

# max |server - transformers| per answer probability. Measured on the default pair: 1.4e-2 (gemma,
# whose 262k vocabulary leaves up to 8e-3 of end-of-answer mass outside llama.cpp's top 1,000) and
# 1e-3 (SmolLM2); llama.cpp multiplies with 8-bit activations, we with float32 weights.
TOLERANCE = 0.03
LAUNCHER = Path(__file__).resolve().parents[1] / "support" / "llama_server.py"
NO_SERVER = importlib.util.find_spec("xllamacpp") is None
server_test = pytest.mark.server
skip_without_server = pytest.mark.skipif(
    NO_SERVER, reason="xllamacpp is not installed (pip install -r requirements-dev.txt): it runs the real server"
)


# -- bad input without any server ------------------------------------------------------------------
def test_unreachable_server_is_a_clear_error_and_stores_nothing():
    url = closed_port_url()
    pair = with_servers(DEFAULT_PAIR, {"base": (url, "gemma")})
    store = Store()
    with pytest.raises(ServerUnavailable, match="Cannot reach the model server"):
        run_experiment("random-integers", pair, ri.Params(), store=store, load=lambda spec, p: None)
    assert store.count_runs() == 0


def test_cli_names_the_unreachable_server(capsys):
    from unpredict_core.cli import main

    url = closed_port_url()
    assert main(["run", "random-integers", "--aligned-server", url, "--json"]) == 2
    err = capsys.readouterr().err
    assert url in err and "Traceback" not in err


def test_the_pair_says_beforehand_when_a_server_will_not_score_exactly():
    info = ServerInfo("http://h:1", "m", "vllm", "f", logprobs=True, top_logprobs=1000, chat_template=None)
    assert capability_note(info) is None
    assert "top 20 candidates" in capability_note(replace(info, top_logprobs=20)) and "--max-logprobs 1000" in (
        capability_note(replace(info, top_logprobs=20))
    )
    assert "--max-logprobs" not in capability_note(replace(info, flavour="llama.cpp", top_logprobs=20))
    assert "no log-probabilities" in capability_note(replace(info, logprobs=False, top_logprobs=0))
    assert "neither vLLM nor llama.cpp" in capability_note(replace(info, flavour="openai", top_logprobs=5))


# -- the real server ---------------------------------------------------------------------------------
def _gguf(role: str) -> Path:
    """The default pair's GGUF for `role`; UNPREDICT_TEST_SERVER_GGUF serves another file on both
    sides (a developer aid to try the plumbing on a tiny model while the machine is busy)."""
    override = os.environ.get("UNPREDICT_TEST_SERVER_GGUF")
    return Path(override) if override else gguf_path(DEFAULT_PAIR.side(role))


def _start(path: Path, alias: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, str(LAUNCHER), str(path), "0", alias],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()  # blocks until the model is loaded (a few seconds)
    if not line.startswith("READY"):
        process.kill()
        pytest.fail(f"llama.cpp server for {alias} did not start: {line!r}")
    url = line.split()[1]
    url = url if url.startswith("http") else f"http://{url}"
    if became_healthy(url + "/health", process, 120):  # 503 while loading, 200 {"status": "ok"} after
        return process, url
    process.kill()
    pytest.fail(f"llama.cpp server for {alias} never became healthy")


@pytest.fixture(scope="session")
def servers():
    """Both sides of the default pair, each on its own llama.cpp server process."""
    started = {role: _start(_gguf(role), role) for role in ("base", "aligned")}
    yield {role: url for role, (_, url) in started.items()}
    for process, _ in started.values():
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def server_backends(servers):
    return {role: connect(url, role) for role, url in servers.items()}


def _needs_server(test):
    return pytest.mark.server(skip_without_server(test))


@_needs_server
@pytest.mark.real_models
@pytest.mark.parametrize("role", ["base", "aligned"])
def test_exact_scores_match_the_transformers_backend(server_backends, real_backends, role, record_property):
    """Same GGUF, two engines: llama.cpp computes with the quantised weights (and 8-bit
    activations in its matrix products), we with the weights dequantised to float32. The scores
    agree to within what that rounding moves (measured: README, "Model servers")."""
    server, local = server_backends[role], real_backends[role]
    ours, theirs, diff = scores_beside_transformers(server, local, role)
    record_property("max_abs_diff", diff)
    print(f"{role}: max |server - transformers| = {diff:.2e}, unresolved {theirs.unresolved:.1e}")
    assert theirs.method == "logprobs" and theirs.unresolved < 0.02
    assert diff < TOLERANCE
    assert theirs.coverage == pytest.approx(ours.coverage, abs=0.05)


@_needs_server
def test_random_integers_runs_end_to_end_through_servers(servers):
    pair = with_servers(DEFAULT_PAIR, {role: (url, role) for role, url in servers.items()})
    store = Store()
    first = run_experiment("random-integers", pair, ri.Params(), store=store, load=_server_loader)
    for role, side in first["sides"].items():
        assert side["identity"].startswith(f"server:{servers[role]}|{role}|llama.cpp|")
        assert sum(side["answers"].values()) == pytest.approx(1.0)
        assert "scoring" not in side  # exact: llama.cpp gives log-probabilities
        assert 0.0 <= side["unresolved"] < 0.02  # what its top 1,000 candidates left unlisted
    assert (
        first["sides"]["aligned"]["format"] == "chat" and "<|im_start|>assistant" in first["sides"]["aligned"]["prompt"]
    )
    again = run_experiment("random-integers", pair, ri.Params(), store=store, load=_server_loader)
    assert again["cached"] and again["run_id"] == first["run_id"]


def _server_loader(spec, progress=None):
    from unpredict_core.backends.loading import load_backend

    return load_backend(spec)


@_needs_server
def test_sampling_with_n_agrees_with_the_exact_distribution(server_backends):
    backend = server_backends["base"]
    prompt = default_prompt(backend, "base")
    exact = backend.score_choices(prompt, ANSWERS)
    texts = backend.sample(prompt, 200, seed=5, settings=ri.SINGLE_SAMPLING)
    assert len(texts) == 200 and len(set(texts)) > 5
    parsed = [parse_choice(t, ANSWERS) for t in texts]
    counts = np.array([parsed.count(a) for a in ANSWERS])
    assert counts.sum() / len(texts) == pytest.approx(exact.coverage, abs=0.1)
    assert chi2_consistency(counts, [exact.raw[a] for a in ANSWERS]).pvalue > 1e-3


@_needs_server
def test_wrong_model_name_is_a_clear_error_and_stores_nothing(servers):
    with pytest.raises(ServerUnavailable, match="does not serve a model named 'gpt-5'.*base"):
        connect(servers["base"], "gpt-5")
    pair = with_servers(DEFAULT_PAIR, {"base": (servers["base"], "gpt-5")})
    store = Store()
    with pytest.raises(ServerUnavailable):
        run_experiment("random-integers", pair, ri.Params(), store=store, load=_server_loader)
    assert store.count_runs() == 0


class _NoLogprobs(http.server.BaseHTTPRequestHandler):
    """A real HTTP server in front of the real llama.cpp server that drops log-probabilities,
    like an OpenAI-compatible endpoint that does not offer them."""

    upstream = ""

    def _forward(self, body: bytes | None):
        request = urllib.request.Request(self.upstream + self.path, data=body, method=self.command)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        if self.path.endswith("/completions") and status == 200:
            answer = json.loads(payload)
            for choice in answer.get("choices", []):
                choice["logprobs"] = None
            payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self._forward(None)

    def do_POST(self):  # noqa: N802
        self._forward(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def log_message(self, *args):
        pass


@pytest.fixture
def no_logprobs_server(servers):
    handler = type("Handler", (_NoLogprobs,), {"upstream": servers["base"]})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{proxy.server_address[1]}"
    proxy.shutdown()


@_needs_server
def test_a_server_without_logprobs_falls_back_to_sampling_and_says_so(no_logprobs_server, server_backends):
    backend = connect(no_logprobs_server, "base")
    assert backend.scoring == "sampled" and backend.identity.endswith("|sampled")
    backend.sampled_n = 200
    prompt = default_prompt(backend, "base")
    estimate = backend.score_choices(prompt, ANSWERS)
    assert estimate.method == "sampled"
    again = backend.score_choices(prompt, ANSWERS)  # the same seeds; llama.cpp batches its slots
    assert max(abs(estimate.raw[a] - again.raw[a]) for a in ANSWERS) <= 0.03  # differently each time
    exact = server_backends["base"].score_choices(prompt, ANSWERS)
    assert estimate.coverage == pytest.approx(exact.coverage, abs=0.15)
    pair = with_servers(DEFAULT_PAIR, {"base": (no_logprobs_server, "base")})
    spec = pair.base
    assert identity(spec) != identity(server_spec(server_backends["base"].info.url, "base", role="base"))
    result = run_experiment(
        "random-integers", pair, ri.Params(), store=Store(), load=_sampled_loader(DEFAULT_PAIR.aligned)
    )
    assert result["sides"]["base"]["scoring"].startswith("sampled")
    assert "unresolved" not in result["sides"]["base"]  # no bound: nothing was scored exactly
    assert "scoring" not in result["sides"]["aligned"] and "unresolved" not in result["sides"]["aligned"]


def _sampled_loader(scripted_spec):
    """Server sides from their server (200 draws per score, to stay quick); the aligned side from
    a scripted backend, so this test needs only the one server behind the proxy."""
    from unpredict_core.backends.scripted import ScriptedBackend, constant

    def load(spec, progress=None):
        if spec.source != "server":
            return ScriptedBackend(constant({"3": 0.5, "7": 0.5}), label="scripted aligned")
        backend = connect(spec.location, spec.served_model, label=spec.label)
        backend.sampled_n = 200
        return backend

    return load


@_needs_server
def test_a_timeout_mid_run_is_a_clear_error_and_stores_nothing(servers):
    pair = with_servers(DEFAULT_PAIR, {role: (url, role) for role, url in servers.items()})

    def impatient(spec, progress=None):
        backend = connect(spec.location, spec.served_model, label=spec.label)
        return type(backend)(backend.info, label=spec.label, timeout=0.05)

    store = Store()
    params = ri.Params(mode="sequences", n=64, seed=9, max_attempts=64)  # 64 × 40 tokens: seconds
    with pytest.raises(ServerTimeout, match="did not answer within 0.05 s"):
        run_experiment("random-integers", pair, params, store=store, load=impatient)
    assert store.count_runs() == 0


@_needs_server
def test_the_dashboard_runs_a_pair_typed_as_two_local_servers(servers):
    """The sidebar's custom pair takes `URL#served-model`; Random Numbers runs through the servers."""
    at = open_page("pages/1_Random_Numbers.py", timeout=600)
    at.sidebar.selectbox(key="kept.pair.preset").select("Custom").run()
    at.sidebar.text_input(key="kept.pair.custom.base").input(f"{servers['base']}#base")
    at.sidebar.text_input(key="kept.pair.custom.aligned").input(f"{servers['aligned']}#aligned").run()
    assert not at.sidebar.error, [e.value for e in at.sidebar.error]
    at.button(key="random_numbers.run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Measured here on" in texts(at)
    notes = [c.value for c in at.caption if "model server's top candidates" in c.value]
    assert [n.split()[0] for n in notes] == ["Base", "Aligned"], notes  # each side says what it may miss
    stored = Store().list_runs("random-integers")
    hosts = [servers[role].split("://")[1] for role in ("base", "aligned")]
    assert len(stored) == 1 and f"base @ {hosts[0]}|aligned @ {hosts[1]}" in stored[0]["pair"]
    assert "http" not in stored[0]["pair"]  # no scheme for markdown to turn into one long link


@_needs_server
def test_the_sidebar_says_a_server_without_logprobs_will_be_sampled(no_logprobs_server, servers):
    at = open_page("pages/1_Random_Numbers.py", timeout=600)
    at.sidebar.selectbox(key="kept.pair.preset").select("Custom").run()
    at.sidebar.text_input(key="kept.pair.custom.base").input(f"{no_logprobs_server}#base")
    at.sidebar.text_input(key="kept.pair.custom.aligned").input(f"{servers['aligned']}#aligned").run()
    assert not at.sidebar.error, [e.value for e in at.sidebar.error]
    notes = [c.value for c in at.sidebar.caption if c.value.startswith("**")]
    assert len(notes) == 1 and notes[0].startswith("**Base side:**") and "scored by sampling" in notes[0], notes
    assert not at.button(key="random_numbers.run").disabled  # a warning, not a refusal
