"""The tournament page in real Chromium: a field of 10 RoShamBo bots against the tiny pair, with
progress, then the table and the heat map."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_browser_walk import (  # noqa: F401  (fixtures)
    STEP_MS,
    assert_clean,
    browser,
    open_page,
    pick_tiny_pair,
    settled,
    start_server,
    tiny_pair,
)
from tests.support.browser_support import SCREENSHOT_DIR, collect_console_errors, stop_streamlit
from unpredict_core.experiments.games import roshambo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(roshambo.unavailable_reason() is not None, reason="open-spiel is not installed"),
]


def test_tournament_of_ten_bots_shows_its_table_and_heat_map(tmp_path, tiny_pair, browser):  # noqa: F811
    process, url = start_server(tmp_path / "t.duckdb", Path(tiny_pair[0]).parent, tmp_path / "server.log")
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    try:
        console_errors = collect_console_errors(page)
        page.goto(url)
        page.get_by_text("How to read the numbers").wait_for(timeout=STEP_MS)
        settled(page)
        open_page(page, "RPS Tournament")
        pick_tiny_pair(page, tiny_pair)
        page.get_by_text("Choose…").click()  # the first 10 bots are preselected
        settled(page)
        rounds = page.get_by_label("Rounds")
        rounds.fill("3")
        rounds.press("Enter")
        settled(page)
        assert page.get_by_text("10 opponents").count() >= 1
        page.get_by_role("button", name="Run").click()
        page.get_by_test_id("stProgress").first.wait_for(timeout=STEP_MS)
        page.get_by_text("Measured here: 10 opponents × 3 rounds").wait_for(timeout=STEP_MS)
        settled(page)
        heatmap = page.locator(".js-plotly-plot").filter(has_text="Net score per opponent")
        heatmap.locator("g.hm").wait_for(timeout=STEP_MS)  # plotly drew the heat map trace
        assert page.get_by_test_id("stDataFrame").first.is_visible()
        page.wait_for_timeout(1500)  # the tables paint their canvas
        page.screenshot(path=str(SCREENSHOT_DIR / "tournament.png"), full_page=True)
        assert_clean(page, console_errors, "tournament run")
    finally:
        page.close()
        stop_streamlit(process)
