"""In a real Chromium: a stored poem topic and a model label written as markdown images pointing at
a local beacon are shown as text on the blind Rate view and on Results, and no browser request
ever reaches the beacon."""

from __future__ import annotations

import pytest

from tests.support.browser_support import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop_streamlit
from tests.support.fake_server import FakeServer
from unpredict_core.backends.models import ModelPair, ModelSpec
from unpredict_core.backends.scripted import ScriptedBackend
from unpredict_core.experiments import poetry
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

pytestmark = pytest.mark.browser
STEP_MS = 120_000


def test_no_browser_fetches_a_beacon_written_into_stored_text(tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with FakeServer("ok") as beacon:
        image = f"![x]({beacon.url}/beacon.png)"
        pair = ModelPair(
            "beacon", ModelSpec(f"{image} base", "scripted", "b"), ModelSpec(f"{image} al", "scripted", "a")
        )
        poet = ScriptedBackend(lambda prompt: {"A quiet poem\nof two lines\n": 1.0}, "poet")
        params = poetry.Params(topics=(image,), samples=1, embeddings=False)
        run_experiment("poetry", pair, params, store=Store(tmp_path / "b.duckdb"), load=lambda s, p=None: poet)
        process, url = start_streamlit(tmp_path / "b.duckdb", tmp_path / "streamlit.log")
        try:
            with playwright_api.sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 2000})
                page.goto(url)
                page.get_by_role("link", name="Poetry").first.click()
                page.get_by_text("Rate (blind)").click()
                page.get_by_text("Topic:").wait_for(timeout=STEP_MS)
                page.wait_for_timeout(1500)  # time for any image request to go out
                shown_as_text = page.get_by_text(f"Topic: {image}").count()
                page.get_by_role("link", name="Results").first.click()
                page.get_by_text("Poems measured here on").wait_for(timeout=STEP_MS)
                page.wait_for_timeout(1500)
                browser.close()
        finally:
            stop_streamlit(process)
    assert not [path for _, path, _ in beacon.requests if "beacon" in path], beacon.requests
    assert shown_as_text == 1
