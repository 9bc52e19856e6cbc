"""The Results page in headless Chromium at 1280×720, on stored runs of scripted pairs and one
play-yourself game: the chart names models, an items export is written into the exports folder,
and a game's round opens with its prompt, with no exception or console error on the way. And a
long run on tiny local models, cancelled from the page, stores nothing."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.browser.test_browser_walk import (  # noqa: F401 (fixtures)
    assert_clean,
    browser,
    open_page,
    pick_tiny_pair,
    settled,
    tiny_pair,
)
from tests.support.browser_support import SCREENSHOT_DIR, collect_console_errors, start_streamlit, stop_streamlit
from tests.support.scripted_pair import PAIR, ScriptedLoader
from unpredict_core.backends import scripted_pairs
from unpredict_core.experiments import random_integers as ri
from unpredict_core.experiments.games import rps
from unpredict_core.experiments.games.play_yourself import new_game, play_move, store_game
from unpredict_core.runs import run_experiment
from unpredict_core.store.database import Store

pytestmark = pytest.mark.browser
STEP_MS = 120_000


def fill_store(db: Path) -> None:
    store, loader = Store(db), ScriptedLoader()
    for mode in ("exact", "sampled"):
        run_experiment(ri.NAME, PAIR, ri.Params(mode=mode, n=10), store=store, load=loader)
    games = scripted_pairs.ScriptedAwareLoader(loader)
    run_experiment(rps.NAME, scripted_pairs.PAIR, rps.Params(rounds=3), store=store, load=games)
    requests = {"base": rps.INTRO["plain"], "aligned": rps.INTRO["chat"]}
    game = new_game(rps.RULES, scripted_pairs.PAIR, {"base": "plain", "aligned": "chat"}, requests, 0, games, ())
    for move in ("rock", "paper"):
        play_move(game, move)
    store_game(game, scripted_pairs.PAIR, store)


def test_results_page_and_an_items_export_in_the_browser(tmp_path, browser):  # noqa: F811 (the fixture)
    db, cache = tmp_path / "results.duckdb", tmp_path / "cache"
    fill_store(db)
    process, url = start_streamlit(db, tmp_path / "server.log", UNPREDICT_CACHE=str(cache))
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        errors = collect_console_errors(page)
        page.goto(url)
        page.get_by_text("How to read the numbers").wait_for(timeout=STEP_MS)
        settled(page)
        open_page(page, "Results")
        page.get_by_text("4 runs").first.wait_for(timeout=STEP_MS)
        chart = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot").first
        chart.wait_for(timeout=STEP_MS)
        assert "scripted uniform vs scripted seven-lover" in chart.inner_text()
        page.screenshot(path=str(SCREENSHOT_DIR / "unpredict_results_top.png"))
        assert_clean(page, errors, "results page")

        page.get_by_text("Export the selection").click()
        page.get_by_text("Items: every answer").click()
        settled(page)
        page.get_by_role("button", name="Write CSV file").click()
        page.get_by_text("Wrote").wait_for(timeout=STEP_MS)
        (written,) = (cache / "exports").glob("items-*.csv")
        kinds = {row[0] for row in duckdb.connect().execute("SELECT kind FROM read_csv(?)", [str(written)]).fetchall()}
        assert {"answer", "round"} <= kinds
        assert_clean(page, errors, "items export")

        page.get_by_text("Every item of this run").scroll_into_view_if_needed()
        page.get_by_text("What the model said", exact=True).wait_for(timeout=STEP_MS)
        page.screenshot(path=str(SCREENSHOT_DIR / "unpredict_results.png"), full_page=True)
        assert_clean(page, errors, "drill-down")
    finally:
        page.close()
        stop_streamlit(process)


def test_cancel_stops_a_long_run_and_stores_nothing(tmp_path, browser, tiny_pair):  # noqa: F811 (fixtures)
    """Sampled mode with n = 100,000 on tiny models runs for minutes: the bar counts attempts, and
    Cancel stops it between two steps with nothing stored."""
    db = tmp_path / "cancel.duckdb"
    process, url = start_streamlit(
        db, tmp_path / "server.log", UNPREDICT_MODEL_DIRS=str(Path(tiny_pair[0]).parent), UNPREDICT_CACHE=str(tmp_path)
    )
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        errors = collect_console_errors(page)
        page.goto(url)
        page.get_by_text("How to read the numbers").wait_for(timeout=STEP_MS)
        settled(page)
        open_page(page, "Random Numbers")
        pick_tiny_pair(page, tiny_pair)
        page.get_by_text("Sampled: n answers").click()
        settled(page)
        field = page.get_by_role("spinbutton", name="n: valid answers to sample")
        field.fill("100000")
        field.press("Enter")
        settled(page)
        page.get_by_role("button", name="Run").click()
        page.get_by_text(re.compile(r"attempts \(cap [\d,]+\) · ")).first.wait_for(timeout=STEP_MS)
        page.get_by_role("button", name="Cancel").click()
        page.get_by_text("Cancelled: the run stopped between two steps").wait_for(timeout=STEP_MS)
        settled(page)
        assert_clean(page, errors, "cancelled run")
    finally:
        page.close()
        stop_streamlit(process)
    assert Store(db).count_runs() == 0
