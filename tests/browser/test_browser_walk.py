"""The running app in headless Chromium, on two tiny local models typed into the pair picker (so
the path confinement is exercised in a real browser and no real model is loaded):

- walk every page of the sidebar, run one experiment, play three rock-paper-scissors throws,
  generate poems and cast one blind vote, and fail on any exception text or console error;
- kill -9 the dashboard process in the middle of a run: the database reopens cleanly with every
  earlier run intact, and a restarted dashboard runs again.
"""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.store.test_kill import integrity
from tests.support.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOT_DIR,
    collect_console_errors,
    start_streamlit,
    stop_streamlit,
)
from tests.support.scripted_pair import PAIR, ScriptedLoader
from tests.support.tiny_model import save_tiny
from unpredict_core.experiments.random_integers import Params
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

pytestmark = pytest.mark.browser
STEP_MS = 120_000


@pytest.fixture(scope="module")
def tiny_pair(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("models")
    return str(save_tiny(folder / "tiny-base", chat_template=False)), str(save_tiny(folder / "tiny-chat"))


def start_server(db: Path, models: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """The app with the tiny models' folder as the only allowed model folder besides the defaults."""
    return start_streamlit(db, log, UNPREDICT_MODEL_DIRS=str(models))


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def settled(page) -> None:
    """Wait until the script run triggered last has finished (Streamlit's running indicator)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=STEP_MS)


def assert_clean(page, console_errors: list[str], where: str) -> None:
    body = page.inner_text("body")
    assert "Traceback" not in body, f"{where}: {body[:2000]}"
    assert page.get_by_test_id("stException").count() == 0, where
    assert console_errors == [], f"{where}: {console_errors}"


def pick_tiny_pair(page, tiny_pair: tuple[str, str]) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=re.compile("^Custom")).click()
    settled(page)
    for label, path in zip(("Base model", "Aligned model"), tiny_pair, strict=True):
        field = sidebar.get_by_label(label)
        field.fill(path)
        field.press("Enter")
        settled(page)
    sidebar.get_by_text("Base: tiny-base").wait_for(timeout=STEP_MS)
    assert sidebar.get_by_test_id("stAlertContentError").count() == 0, sidebar.inner_text()


def open_page(page, name: str) -> None:
    """Click a page's link and wait until the browser is on that page (on a loaded machine a click
    can land while the previous page still runs; the URL says when the switch really happened)."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(href, timeout=STEP_MS, wait_until="commit")
    settled(page)


def test_walk_every_page_run_play_and_vote(tmp_path, tiny_pair, browser):
    process, url = start_server(tmp_path / "walk.duckdb", Path(tiny_pair[0]).parent, tmp_path / "server.log")
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    try:
        console_errors = collect_console_errors(page)
        page.goto(url)
        page.get_by_text("How to read the numbers").wait_for(timeout=STEP_MS)
        settled(page)
        links = page.get_by_test_id("stSidebarNav").get_by_role("link")
        names = [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]  # after the icon
        assert len(names) >= 7, names  # home and every page in pages/
        for name in names:
            open_page(page, name)
            page.locator("h1").first.wait_for(timeout=STEP_MS)
            assert_clean(page, console_errors, f"page {name}")

        open_page(page, "Random Numbers")  # the last page walked may have no pair picker
        pick_tiny_pair(page, tiny_pair)
        page.get_by_role("button", name="Run").click()
        page.get_by_text("Measured here on").wait_for(timeout=STEP_MS)
        assert_clean(page, console_errors, "random numbers run")

        open_page(page, "Rock Paper Scissors")
        page.get_by_text("Play yourself").click()
        page.get_by_text("Make your move to start").wait_for(timeout=STEP_MS)
        for index, move in enumerate(("Rock", "Paper", "Scissors"), start=1):
            page.get_by_role("button", name=move).click()
            page.get_by_role("heading", name=f"Round {index}: you threw").wait_for(timeout=STEP_MS)
        assert_clean(page, console_errors, "rock-paper-scissors play")

        open_page(page, "Poetry")
        topics = page.locator('textarea[aria-label="Topics, one per line"]')
        topics.fill("the sea\nautumn")
        topics.press("Control+Enter")
        settled(page)
        page.get_by_text("Embedding-diversity proxy").click()
        settled(page)
        page.get_by_role("button", name="Generate").click()
        # Wait for the poems themselves: on a slow machine the run may not have started 300 ms after
        # the click, and switching mode then would rerun the page and abort the generation.
        page.get_by_text("Poems measured here on").wait_for(timeout=STEP_MS)
        settled(page)
        page.get_by_text("Rate (blind)").click()
        settled(page)
        rater = page.locator('input[aria-label="Your name (rater)"]')
        rater.wait_for(timeout=STEP_MS)
        rater.fill("walker")
        rater.press("Enter")
        settled(page)
        form = page.get_by_test_id("stForm")
        for index in range(3):
            form.get_by_test_id("stRadio").nth(index).get_by_text("Poem A").click()
        page.get_by_role("button", name="Submit vote").click()
        page.get_by_text("Vote stored").wait_for(timeout=STEP_MS)
        assert_clean(page, console_errors, "poetry vote")
    finally:
        page.screenshot(path=str(SCREENSHOT_DIR / "unpredict_walk.png"), full_page=True)  # last state, pass or fail
        stop_streamlit(process)
    votes = Store(tmp_path / "walk.duckdb").vote_rows()
    assert {v["rater"] for v in votes} == {"walker"} and len(votes) == 3


def test_dashboard_killed_mid_run_loses_nothing_and_runs_again(tmp_path, tiny_pair, browser):
    db, models = tmp_path / "dash.duckdb", Path(tiny_pair[0]).parent
    store = Store(db)
    earlier = [
        run_experiment("random-integers", PAIR, Params(seed=s), store=store, load=ScriptedLoader())["run_id"]
        for s in range(3)
    ]
    process, url = start_server(db, models, tmp_path / "first.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        page.goto(url)
        page.get_by_text("How to read the numbers").wait_for(timeout=STEP_MS)
        settled(page)
        pick_tiny_pair(page, tiny_pair)
        open_page(page, "Random Numbers")
        page.get_by_text("Sampled: n answers").click()
        settled(page)
        n = page.locator('input[aria-label="n: valid answers to sample"]')
        n.fill("100000")  # far more than can finish: the kill lands mid-run
        n.press("Enter")
        settled(page)
        page.get_by_role("button", name="Run").click()
        page.get_by_test_id("stProgress").wait_for(timeout=STEP_MS)
        page.wait_for_timeout(1500)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        page.close()
    finally:
        stop_streamlit(process)
    assert process.returncode == -signal.SIGKILL
    assert integrity(db) == 3
    assert [Store(db).find_run_by_id(run_id) is not None for run_id in earlier] == [True] * 3

    process, url = start_server(db, models, tmp_path / "second.log")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        console_errors = collect_console_errors(page)
        page.goto(url)
        page.get_by_text("How to read the numbers").wait_for(timeout=STEP_MS)
        settled(page)
        pick_tiny_pair(page, tiny_pair)
        open_page(page, "Random Numbers")
        page.get_by_role("button", name="Run").click()
        page.get_by_text("Measured here on").wait_for(timeout=STEP_MS)
        assert_clean(page, console_errors, "run after the restart")
    finally:
        stop_streamlit(process)
    assert integrity(db) == 4
