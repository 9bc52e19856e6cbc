"""Fixtures for the real-browser tests: `streamlit run app.py` on a free port with its own database,
and a headless Debian Chromium page (`playwright install` cannot download browsers here).

Test modules import the fixtures by name: `from browser_support import browser_page, server`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


def closed_port_url() -> str:
    """A localhost URL nobody listens on (the port is released before it is used)."""
    return f"http://127.0.0.1:{free_port()}"


def start_streamlit(db: Path, log: Path, script: str = "app.py", **env: str) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` (or `script`) on a free localhost port with database `db` (and any
    other environment variables), waited for until healthy; its output goes to `log`."""
    port = free_port()
    with log.open("w") as out:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, env=os.environ | env | {"UNPREDICT_DB": str(db)}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    if not became_healthy(f"{url}/_stcore/health", process, 60):
        stop_streamlit(process)
        pytest.fail(f"streamlit did not start:\n{log.read_text()}")
    return process, url


def became_healthy(health_url: str, process: subprocess.Popen, timeout_s: float) -> bool:
    """Poll a server process's health URL until it answers 200 (True), or the process exits or
    `timeout_s` passes (False; the caller says why, with the server's log)."""
    deadline = time.monotonic() + timeout_s
    while process.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(health_url, timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:  # refused while starting, or an HTTP error such as 503 while loading
            time.sleep(0.3)
    return False


def stop_streamlit(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def server(tmp_path):
    """The app with its own database; always stopped afterwards."""
    process, url = start_streamlit(tmp_path / "browser.duckdb", tmp_path / "streamlit.log")
    try:
        yield url
    finally:
        stop_streamlit(process)


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


def collect_console_errors(page) -> list[str]:
    """A list that fills with the page's console errors and uncaught exceptions."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return errors
