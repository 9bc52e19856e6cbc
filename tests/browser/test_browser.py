"""The running app in headless Chromium: navigate like a user, press Run on the default pair, see
both distributions, and no traceback or console error on the way."""

from __future__ import annotations

import pytest

from tests.support.browser_support import RUN_TIMEOUT_MS, SCREENSHOT_DIR, browser_page, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.real_models]


def test_run_default_pair_in_the_browser(server, browser_page):  # noqa: F811 (the imported fixtures)
    page = browser_page
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))

    page.goto(server)
    page.get_by_text("How to read the numbers").wait_for(timeout=60_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Random Numbers").click()
    page.get_by_role("heading", name="Random numbers").wait_for(timeout=60_000)

    page.get_by_role("button", name="Run").click()
    page.get_by_text("Measured here on").wait_for(timeout=RUN_TIMEOUT_MS)
    charts = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
    charts.nth(1).wait_for(timeout=60_000)
    assert charts.count() == 2
    for index in range(2):
        assert charts.nth(index).is_visible()
    page.wait_for_timeout(1500)  # let plotly finish drawing before the screenshot
    page.screenshot(path=str(SCREENSHOT_DIR / "unpredict_random_numbers.png"), full_page=True)

    body = page.inner_text("body")
    assert "Traceback" not in body
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentError").count() == 0
    assert "Coverage" in body and "Statistics" in body
    assert console_errors == []
