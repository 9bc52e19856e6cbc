"""Text from users, files, models and servers is shown as text: a poem topic, a model label or a
served-model name written as a markdown image or link reaches the page escaped, so no browser
fetches it (the rater's blind Rate view, the poems, Results and the sidebar)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.support.fake_server import FakeServer
from tests.support.ui_support import clear_streamlit_caches, open_page  # noqa: F401  (autouse fixture)
from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend
from unpredict_core.experiments import poetry
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

ROOT = Path(__file__).resolve().parents[2]
BEACON = "![x](http://127.0.0.1:9/beacon.png)"
MARKUP = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)<[a-z]")  # a link, an image or an HTML tag
KINDS = ("markdown", "caption", "error", "warning", "info", "success", "subheader", "header", "title")


def _hostile_run() -> dict:
    spec = ModelSpec(f"{BEACON} base", "scripted", "base")
    pair = ModelPair(f"pair {BEACON}", spec, ModelSpec(f"[link](http://127.0.0.1:9/) {BEACON}", "scripted", "al"))
    made = ScriptedBackend(lambda prompt: {f"A poem {BEACON}\nline two\n": 1.0}, "poet")
    params = poetry.Params(topics=(BEACON, "the sea"), samples=1, embeddings=False)
    return run_experiment("poetry", pair, params, store=Store(), load=lambda s, p=None: made)


def _assert_no_markup(at: AppTest) -> int:
    seen = 0
    for kind in KINDS:
        for element in getattr(at, kind):
            value = str(element.value)
            if "beacon" in value:
                seen += 1
                assert not MARKUP.search(value), (kind, value)
    return seen


def test_the_blind_rate_view_shows_a_hostile_topic_as_text():
    _hostile_run()
    at = open_page("pages/4_Poetry.py")
    at.radio(key="kept.poetry.mode").set_value("rate").run()
    while BEACON not in str(at.session_state["poetry.blind_pair"]["pair"]["topic"]):
        next(b for b in at.button if b.label == "Skip this pair").click().run()
    assert not at.exception and _assert_no_markup(at) >= 1


def test_results_shows_hostile_labels_topics_and_pair_names_as_text():
    result = _hostile_run()
    at = AppTest.from_file(str(ROOT / "pages/5_Results.py"), default_timeout=60).run()
    at.selectbox(key="kept.results.run").set_value(result["run_id"]).run()
    assert not at.exception and _assert_no_markup(at) >= 3


def test_the_sidebar_shows_a_hostile_served_model_name_as_text():
    with FakeServer("ok") as server:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.sidebar.selectbox(key="kept.pair.preset").select("Custom").run()
        at.sidebar.text_input(key="kept.pair.custom.base").input(f"{server.url}#{BEACON}")
        at.sidebar.text_input(key="kept.pair.custom.aligned").input(f"{server.url}#fake").run()
    assert not at.exception
    errors = [str(e.value) for e in at.sidebar.error]
    assert any("does not serve a model named" in e for e in errors), errors
    assert _assert_no_markup(at) >= 2  # the label in the sidebar and the error naming it
