"""The Results page in headless Chromium at 1280×720, on stored runs of scripted pairs and one
play-yourself game: the chart names models, an items export is written into the exports folder,
and a game's round opens with its prompt, with no exception or console error on the way."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.browser.test_browser_walk import assert_clean, browser, open_page, settled  # noqa: F401 (fixture)
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
