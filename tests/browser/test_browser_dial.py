"""The alignment dial in headless Chromium on the real default pair: a sweep over α draws the
random-number and rock-paper-scissors scores of the mixed side against α, names the answer mixture
the default pair gets, and shows no traceback or console error. Two rounds a game keep it short."""

from __future__ import annotations

import pytest

from tests.support.browser_support import RUN_TIMEOUT_MS, SCREENSHOT_DIR, browser_page, collect_console_errors, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.real_models]
CURVES = "() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => [p.data[0].x, p.data[0].y])"


def test_dial_sweep_draws_both_scores_against_alpha(server, browser_page):  # noqa: F811 (the imported fixtures)
    page = browser_page
    console_errors = collect_console_errors(page)

    page.goto(server)
    page.get_by_text("How to read the numbers").wait_for(timeout=60_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Alignment Dial").click()
    page.get_by_role("heading", name="Alignment dial").wait_for(timeout=60_000)
    rounds = page.get_by_role("spinbutton", name="Rock-paper-scissors rounds")
    rounds.fill("2")
    rounds.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Sweep α").click()
    page.get_by_role("heading", name="Unpredictability against α").wait_for(timeout=RUN_TIMEOUT_MS)

    charts = page.locator("[data-testid='stPlotlyChart'] .js-plotly-plot")
    charts.nth(1).wait_for(timeout=60_000)
    assert charts.count() == 2
    curves = page.evaluate(CURVES)
    assert [x for x, _ in curves] == [[0, 0.25, 0.5, 0.75, 1]] * 2
    assert all(len(y) == 5 and all(isinstance(v, int | float) for v in y) for _, y in curves)
    body = page.inner_text("body")
    assert "Mixture: answer mixture." in body
    assert "Random integers 0–10: entropy of the answer" in body and "Rock-paper-scissors: net score" in body
    page.wait_for_timeout(1500)  # let plotly finish drawing before the screenshot
    page.screenshot(path=str(SCREENSHOT_DIR / "unpredict_dial.png"), full_page=True)

    assert "Traceback" not in body
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentError").count() == 0
    assert console_errors == []
