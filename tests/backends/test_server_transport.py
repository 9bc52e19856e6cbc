"""The server transport against a fake server that misbehaves on purpose (tests/support/fake_server.py):
redirects are not followed, a trickling server is cut off at the deadline, a huge reply at the
size cap, malformed replies and impossible log-probabilities end in messages with nothing stored,
a transient error during the probes is retried and never downgrades how a side is scored, and one
URL parser decides both what the dashboard allows and where requests go."""

from __future__ import annotations

import time

import pytest

from tests.support.fake_server import FakeServer
from unpredict_core.backends.model_dirs import PathNotAllowed, confined_server
from unpredict_core.backends.models import DEFAULT_PAIR, with_servers
from unpredict_core.backends.server import client as server_client
from unpredict_core.backends.server.client import ServerClient
from unpredict_core.backends.server.dialects import connect
from unpredict_core.backends.server.replies import ModelList
from unpredict_core.backends.server.url import InvalidServerURL, parse_server_url
from unpredict_core.errors import ServerProtocolError, ServerTimeout, UnpredictError
from unpredict_core.experiments import random_integers as ri
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store


@pytest.fixture(autouse=True)
def fresh_server_info():
    server_client._INFO_CACHE.clear()
    yield
    server_client._INFO_CACHE.clear()


def _server_loader(spec, progress=None):
    return connect(spec.location, spec.served_model, label=spec.label) if spec.source == "server" else None


def _run_on(url: str, store: Store) -> dict:
    pair = with_servers(DEFAULT_PAIR, {"base": (url, None), "aligned": (url, None)})
    return run_experiment("random-integers", pair, ri.Params(), store=store, load=_server_loader)


def test_a_healthy_server_is_scored_exactly_and_its_candidate_count_is_in_the_identity():
    with FakeServer("ok") as server:
        result = _run_on(server.url, Store())
    side = result["sides"]["base"]
    assert side["identity"].endswith("|logprobs-top1000") and "scoring" not in side
    assert side["answers"]["7"] == pytest.approx(2 / 3)  # P("7")·P(stop) against P("3")·P(stop)
    assert 0 <= side["unresolved"] <= 1


def test_a_redirect_is_not_followed_and_the_key_never_leaves(monkeypatch):
    monkeypatch.setenv(server_client.API_KEY_ENV, "secret-key")
    with FakeServer("ok") as elsewhere, FakeServer("redirect", redirect_to=elsewhere.url) as server:
        with pytest.raises(ServerProtocolError, match="redirect"):
            connect(server.url, None)
    assert elsewhere.requests == []
    assert server.requests[0][2]["Authorization"] == "Bearer secret-key"  # sent to the typed host only


@pytest.mark.parametrize("mode", ["nan", "positive"])
def test_impossible_log_probabilities_are_refused_and_nothing_is_stored(mode):
    store = Store()
    with FakeServer(mode) as server, pytest.raises(UnpredictError, match="log-probability"):
        _run_on(server.url, store)
    assert store.count_runs() == 0


def test_a_trickling_server_is_cut_off_at_the_deadline_not_at_each_read():
    with FakeServer("trickle") as server:
        started = time.monotonic()
        with pytest.raises(ServerTimeout, match="within 1 s"):
            ServerClient(server.url, timeout=1.0).get("/v1/models", ModelList)
        assert time.monotonic() - started < 2.5


def test_a_reply_over_the_size_cap_is_cut_off(monkeypatch):
    monkeypatch.setattr(server_client, "MAX_REPLY_BYTES", 1 << 20)
    with FakeServer("huge") as server, pytest.raises(ServerProtocolError, match="more than 1 MB"):
        connect(server.url, None)


@pytest.mark.parametrize(
    "mode,expect",
    [
        ("not_utf8", "broken answer"),
        ("not_object", "valid dictionary"),
        ("missing_field", "data: field required"),
        ("bad_status", "illegal status line"),
        ("short_body", "complete message body"),
    ],
)
def test_a_malformed_reply_is_a_message(mode, expect):
    with FakeServer(mode) as server, pytest.raises(ServerProtocolError, match=expect):
        connect(server.url, None)


def test_a_transient_error_during_the_probes_is_retried_not_taken_for_no_logprobs():
    with FakeServer("flaky_probe") as server:
        backend = connect(server.url, None)
    assert server.probe_failed and backend.info.exact and backend.info.top_logprobs == 1000


def test_a_server_that_keeps_failing_the_probe_is_an_error_not_a_sampled_side():
    with FakeServer("down_probe") as server, pytest.raises(ServerProtocolError, match="checking for log-probabilities"):
        connect(server.url, None)


@pytest.mark.parametrize(
    "text,root",
    [
        ("HTTP://LocalHost:8000/v1/", "http://localhost:8000"),
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("https://gpu-box", "https://gpu-box:443"),
        ("http://[::1]:9", "http://[::1]:9"),
    ],
)
def test_one_parser_reads_every_spelling_of_a_server(text, root):
    assert parse_server_url(text).root == root


@pytest.mark.parametrize(
    "text",
    [
        "http://169.254.169.254\\@127.0.0.1:8000",  # backslash: clients disagree about the host
        "http://127.0.0.1:8000@169.254.169.254",  # userinfo
        "http://user:pw@localhost:8000",
        "file:///etc/passwd",
        "http://localhost:8000/admin",
        "http://localhost:99999",
        "http://local host:8000",
    ],
)
def test_urls_that_could_be_read_two_ways_are_refused(text):
    with pytest.raises(InvalidServerURL):
        parse_server_url(text)
    with pytest.raises(PathNotAllowed):
        confined_server(text + "#m", role="base")


def test_the_dashboard_connects_to_exactly_the_host_it_allowed(monkeypatch):
    monkeypatch.setenv("UNPREDICT_SERVERS", "http://GPU-box:8000")
    assert confined_server("HTTP://gpu-box:8000/#m", role="base").location == "http://gpu-box:8000"
    with pytest.raises(PathNotAllowed, match="not on this machine"):
        confined_server("http://gpu-box:8001#m", role="base")
    spec = confined_server("HTTP://LOCALHOST:1234#m", role="aligned")
    assert spec.location == "http://localhost:1234" and ServerClient(spec.location).url == spec.location


def _poems_on(url: str, store: Store) -> dict:
    from unpredict_core.experiments import poetry

    pair = with_servers(DEFAULT_PAIR, {"base": (url, None), "aligned": (url, None)})
    params = poetry.Params(topics=("sea",), samples=1, embeddings=False, max_new_tokens=32)
    return run_experiment("poetry", pair, params, store=store, load=_server_loader)


def test_a_lone_surrogate_from_a_server_is_repaired_where_it_enters_and_the_run_stored():
    store = Store()
    with FakeServer("surrogate") as server:
        result = _poems_on(server.url, store)
    side = result["sides"]["base"]
    assert side["poems"][0]["raw"] == "7\ufffd" and side["repaired_characters"] == 1
    assert store.count_runs() == 1 and store.find_run_by_id(result["run_id"])["sides"]["base"]["repaired_characters"]
    from unpredict_core.run_notes import side_notes

    assert any("lone surrogates" in note for note in side_notes(side))


def test_a_server_that_ignores_max_tokens_is_refused_with_its_name():
    store = Store()
    with FakeServer("long") as server, pytest.raises(ServerProtocolError, match="ignores max_tokens") as raised:
        _poems_on(server.url, store)
    assert server.url in str(raised.value) and store.count_runs() == 0


def test_each_run_counts_only_its_own_repairs_and_a_plain_openai_server_needs_no_tokenize():
    from unpredict_core.backends.loading import BackendCache

    store = Store()
    with FakeServer("surrogate") as server:
        cache = BackendCache("cpu")
        load = lambda spec, progress=None: _server_loader(spec, progress) or cache(spec, progress)  # noqa: E731
        pair = with_servers(DEFAULT_PAIR, {"base": (server.url, None), "aligned": (server.url, None)})
        from unpredict_core.experiments import poetry

        counts = []
        for topic in ("sea", "snow"):
            params = poetry.Params(topics=(topic,), samples=1, embeddings=False, max_new_tokens=32)
            result = run_experiment("poetry", pair, params, store=store, load=load)
            counts.append(result["sides"]["base"]["repaired_characters"])
    assert counts == [1, 1]  # not 1 then 2: a reused backend's count is not carried into the next run


def test_a_long_completion_from_a_server_without_tokenize_is_bounded_by_characters(monkeypatch):
    from unpredict_core.backends.server.texts import CHARACTERS_PER_TOKEN

    with FakeServer("long") as server:
        backend = connect(server.url, None)
        monkeypatch.setattr(backend.client, "post", _no_tokenize(backend.client.post))
        backend._entered("x" * 200, 32)  # 200 characters: within 32 × 32, so kept without a count
        with pytest.raises(ServerProtocolError, match="ignores max_tokens"):
            backend._entered("x" * (CHARACTERS_PER_TOKEN * 40), 32)


def _no_tokenize(post):
    def without(path, body, reply, *, what, optional=False):
        if path == "/tokenize":
            assert optional, "a text check must not need /tokenize"
            return None  # a plain OpenAI server: no such endpoint
        return post(path, body, reply, what=what, optional=optional)

    return without
