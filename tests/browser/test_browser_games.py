"""Play rock-paper-scissors yourself in headless Chromium against the real default pair: three
throws (the last with the keyboard's s), the score shows, and no traceback or console error on the way."""

from __future__ import annotations

import pytest

from tests.support.browser_support import RUN_TIMEOUT_MS, SCREENSHOT_DIR, browser_page, collect_console_errors, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.real_models]


def test_play_rock_paper_scissors_in_the_browser(server, browser_page):  # noqa: F811 (the imported fixtures)
    page = browser_page
    console_errors = collect_console_errors(page)

    page.goto(server)
    page.get_by_text("How to read the numbers").wait_for(timeout=60_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Rock Paper Scissors").click()
    page.get_by_role("heading", name="Rock-paper-scissors").wait_for(timeout=60_000)
    page.get_by_text("Play yourself").click()
    page.get_by_text("Make your move to start").wait_for(timeout=60_000)

    for index, move in enumerate(("Rock", "Paper", "Scissors"), start=1):
        if move == "Scissors":  # the keyboard: s throws scissors
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("s")
        else:
            page.get_by_role("button", name=move).click()
        page.get_by_role("heading", name=f"Round {index}: you threw").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_role("heading", name="Round 3: you threw").filter(has_text="Scissors").wait_for(timeout=60_000)

    body = page.inner_text("body")
    assert "Base: wins · ties · losses" in body and "Aligned: wins · ties · losses" in body
    assert "Net score (model's side)" in body
    charts = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
    charts.nth(1).wait_for(timeout=60_000)
    assert charts.count() == 2
    page.wait_for_timeout(1500)  # let plotly finish drawing before the screenshot
    page.screenshot(path=str(SCREENSHOT_DIR / "unpredict_rps_play.png"), full_page=True)

    assert "Traceback" not in body
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentError").count() == 0
    assert console_errors == []
