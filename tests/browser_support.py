"""A real dashboard server (`pmo serve`) and Debian's chromium driven by Playwright, for the browser tests.

No sleeps: the server is ready when it prints its URL; a page is ready when its title is there, Streamlit's
script state is "notRunning" and every Plotly chart has drawn its SVG.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
requires_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                       reason=f"{CHROMIUM} not installed (apt-get install chromium)")
SERVER_START_SECONDS = 90
TITLE = '[data-testid="stMain"] h1'
READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAIN_HEIGHT = """() => Math.max(...['stMain', 'stSidebarContent']
    .map(id => document.querySelector(`[data-testid="${id}"]`)?.scrollHeight ?? 0))"""
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(chart => chart.querySelector('.main-svg'))"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard_server(db: Path, *, wait: bool = True) -> Iterator[str]:
    """`pmo serve` on a free port against `db`; yields its base URL (once it listens, unless not `wait`) and stops
    the whole process group after."""
    port = free_port()
    env = {**os.environ, "PMO_DB": str(db), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    ready, output = threading.Event(), []

    def drain() -> None:  # read the log to the end so the pipe never fills; flag the line that means "listening"
        for line in server.stdout:  # type: ignore[union-attr]
            output.append(line)
            if f"127.0.0.1:{port}" in line and "URL" in line:
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        if wait and not ready.wait(SERVER_START_SECONDS):
            raise RuntimeError("the dashboard did not start:\n" + "".join(output))
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url: str):
    """A new tab on `url`, waited until Streamlit is done; returns (page, console errors seen so far)."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    harmless = harmless_404(url)
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not harmless(message) else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    wait_until_ready(page)
    return page, errors


def harmless_404(url: str):
    """Opened at a page's own URL (/schedule), Streamlit's frontend first asks /schedule/_stcore/health and
    /schedule/_stcore/host-config, gets 404, then uses /_stcore/…: exactly those two 404s on this server are not
    errors (anything else, on any other URL, still is)."""
    parts = urlsplit(url)
    probe = re.compile(rf"{re.escape(parts.scheme)}://{re.escape(parts.netloc)}/[\w-]+/_stcore/(?:health|host-config)")

    def check(message) -> bool:
        return "404" in message.text and bool(probe.fullmatch(message.location.get("url", "")))

    return check


def wait_until_ready(page) -> None:
    """Every page starts with its title: once it is there the script has run, then wait for the run to end."""
    page.wait_for_selector(TITLE, timeout=SERVER_START_SECONDS * 1000)
    page.wait_for_selector(READY, timeout=SERVER_START_SECONDS * 1000)
    page.wait_for_function(CHARTS_DRAWN, timeout=SERVER_START_SECONDS * 1000)


def metric_value(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]', has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main area, so grow the viewport until that area fits."""
    for _ in range(3):
        height = page.evaluate(MAIN_HEIGHT)
        if height <= page.viewport_size["height"]:
            break
        page.set_viewport_size({"width": 1440, "height": min(height, 12_000)})
        wait_until_ready(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path)
