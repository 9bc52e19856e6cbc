"""Talk mode and the audience app in headless Chromium, on the scripted pair rehearsed by the real
command (`python -m unpredict_core warm --talk`): every slide fits 1280×720 and 1920×1080 with no
scrolling and no Streamlit toolbar, ← → step through them, a reload stays on the slide; and a vote
cast in the audience app (a second browser context) shows up in the dashboard's Poetry analysis."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.browser_support import (  # noqa: F401 (fixtures)
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SCREENSHOT_DIR,
    collect_console_errors,
    start_streamlit,
    stop_streamlit,
)
from unpredict_core.talk_rehearsal import SLIDES

pytestmark = pytest.mark.browser
SCRIPTED = {"UNPREDICT_SCRIPTED_PAIRS": "1"}
NO_SCROLL = "document.scrollingElement.scrollHeight <= window.innerHeight"


def rehearse(db) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "unpredict_core", "warm", "--talk", "--pair", "scripted", "--json"],
        cwd=ROOT, env=os.environ | SCRIPTED | {"UNPREDICT_DB": str(db)}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def chromium():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def rehearsed(tmp_path):
    db = tmp_path / "talk.duckdb"
    runs = rehearse(db)
    process, url = start_streamlit(db, tmp_path / "app.log", **SCRIPTED)
    try:
        yield db, url, runs
    finally:
        stop_streamlit(process)


CHARTS = {"integers": 2, "rps": 1, "hide": 1, "figure": 1}


IDLE = "document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'"


def _idle(page) -> None:
    page.wait_for_function(IDLE, timeout=60_000)
    page.wait_for_timeout(300)


def _settled(page, slide) -> None:
    """The slide drawn in full: its heading, no element left over from the last slide (Streamlit
    marks those stale), and each of its charts drawn (plotly loads lazily), so the height is final."""
    page.get_by_role("heading", name=slide.title).wait_for(timeout=60_000)
    page.wait_for_function(
        f"""document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning' &&
        document.querySelectorAll('[data-stale=true]').length === 0 &&
        document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot .main-svg').length >=
        {CHARTS.get(slide.key, 0)}""",
        timeout=60_000,
    )
    page.wait_for_timeout(500)


def test_the_rehearsed_talk_fits_the_screen_slide_by_slide(rehearsed, chromium):
    _, url, _ = rehearsed
    for width, height in ((1280, 720), (1920, 1080)):
        page = chromium.new_page(viewport={"width": width, "height": height})
        errors = collect_console_errors(page)
        page.goto(f"{url}/?talk=1&pair=scripted")
        for index, slide in enumerate(SLIDES):
            _settled(page, slide)
            body = page.inner_text("body")
            assert "not rehearsed" not in body and "Traceback" not in body, slide.key
            assert page.evaluate(NO_SCROLL), f"{slide.key} scrolls at {width}×{height}"
            assert not page.get_by_test_id("stToolbar").is_visible()
            assert f"slide={slide.key}" in page.url
            if width == 1280:
                page.screenshot(path=str(SCREENSHOT_DIR / f"unpredict_talk_{index}_{slide.key}.png"))
            if index == 2:  # a reload stays on the slide
                page.reload()
                _settled(page, slide)
            page.evaluate("document.activeElement && document.activeElement.blur()")  # keys to the page
            page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowLeft")
        _settled(page, SLIDES[-2])
        assert errors == []
        page.close()


def test_an_audience_vote_appears_in_the_poetry_analysis(rehearsed, chromium, tmp_path):
    db, url, runs = rehearsed
    poem_run = next(r["run_id"] for r in runs["runs"] if r["slide"] == "poem")
    audience, audience_url = start_streamlit(db, tmp_path / "audience.log", script="audience/app.py")
    try:
        phone = chromium.new_context(viewport={"width": 420, "height": 900}).new_page()
        phone.goto(f"{audience_url}/?run={poem_run}")
        phone.get_by_text("Rated 0 of").wait_for(timeout=60_000)
        _idle(phone)  # the first run also writes the rater into the address
        assert phone.get_by_test_id("stSidebarNav").count() == 0  # no other page is offered
        questions = phone.get_by_role("radiogroup").all()
        assert len(questions) == 3
        for question in questions:
            question.get_by_text("Poem A").click()
        for question in questions:
            assert question.get_by_role("radio", name="Poem A").is_checked()
        phone.get_by_role("button", name="Submit vote").click()
        phone.get_by_text("Revealed: Poem A was written by the").wait_for(timeout=60_000)
        phone.get_by_text("Rated 1 of").wait_for(timeout=60_000)

        dashboard = chromium.new_context(viewport={"width": 1400, "height": 2000}).new_page()
        dashboard.goto(url)
        dashboard.get_by_test_id("stSidebarNav").get_by_role("link", name="Poetry").click()
        dashboard.get_by_text("Analysis").click()
        dashboard.get_by_text("by 1 rater").wait_for(timeout=60_000)
        assert "No votes on these poems yet" not in dashboard.inner_text("body")
    finally:
        stop_streamlit(audience)


def test_the_audience_port_serves_only_its_vote_page(chromium, tmp_path):
    """Streamlit registers every file of a `pages/` folder beside the main script as a route of that
    server until the script's own st.navigation runs: the first request after the start decides. So
    the server is fresh and the first path opened is a dashboard page's; every other follows."""
    paths = ["Results", "Home", "Random_Numbers", "Poetry", "Benchmark_vs_Unpredictability", "IFEval", "IFBench",
             "RPS_Tournament", "Alignment_Dial", "Rock_Paper_Scissors", "Hide_and_Seek", "app", "audience"]  # fmt: skip
    audience, audience_url = start_streamlit(
        tmp_path / "empty.duckdb", tmp_path / "audience.log", script="audience/app.py"
    )
    try:
        for path in paths:
            phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
            phone.goto(f"{audience_url}/{path}")
            phone.get_by_role("heading", name="Which poem is better?").wait_for(timeout=60_000)
            _idle(phone)
            body = phone.inner_text("body")
            assert phone.get_by_test_id("stSidebarNav").count() == 0, path
            for dashboard_only in ("Model pair", "Delete", "Export", "Run"):
                assert dashboard_only not in body.split(), (path, dashboard_only)
            phone.context.close()
    finally:
        stop_streamlit(audience)
