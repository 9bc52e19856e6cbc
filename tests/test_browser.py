"""The running app in headless Chromium: navigate like a user, press Run on the default pair, see
both distributions, and no traceback or console error on the way."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.real_models]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(os.environ.get("UNPREDICT_SCREENSHOTS", "/tmp"))
RUN_TIMEOUT_MS = 400_000  # first use converts the GGUFs (~100 s); later loads take seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """`streamlit run app.py` on a free port with its own database; always stopped afterwards."""
    port = free_port()
    log = (tmp_path / "streamlit.log").open("w")
    env = os.environ | {"UNPREDICT_DB": str(tmp_path / "browser.duckdb")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start:\n{(tmp_path / 'streamlit.log').read_text()}")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def browser_page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 2600})
        finally:
            browser.close()


def test_run_default_pair_in_the_browser(server, browser_page):
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
