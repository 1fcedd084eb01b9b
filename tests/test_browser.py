"""`mnist-tui serve` in a real browser: Chromium, driven by Playwright, shows the app and obeys
its keys.

The page draws the terminal on a canvas, so the DOM holds no text. textual-serve keeps its
xterm.js terminal to itself; the test serves the page's script with the terminal also set on
`window`, then reads the screen the way the user sees it: the terminal's buffer, row by row.
Skips without Chromium or Playwright, except under CI=true, which must have both.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.datasets import ROOT
from tests.test_serve import first_line, wait_until_listening

# Chromium, a served app and an app process per tab take both cores for seconds: alone, after
# the parallel pass.
pytestmark = [
    pytest.mark.serial,
    pytest.mark.slow(reason="starts Chromium, `mnist-tui serve` and the tab's app process"),
]

CHROMIUM = Path("/usr/bin/chromium")
# Where textual-serve's script creates its terminal; the hook names it on `window` there.
TERMINAL_OPENED = "this.terminal.open("
HOOKED = "(window.mnistTerminal=this.terminal).open("
SCREEN_JS = """() => {
    const terminal = window.mnistTerminal;
    if (!terminal) return "";
    const rows = [];
    for (let y = 0; y < terminal.rows; y++) {
        rows.push(terminal.buffer.active.getLine(y).translateToString(true));
    }
    return rows.join("\\n");
}"""


def require_browser():
    """Playwright's sync API, or a skip (a failure under CI=true) naming what is missing."""
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "playwright (pip install -e '.[test]')"
    if missing is None and not CHROMIUM.exists():
        missing = f"Chromium at {CHROMIUM} (apt-get install chromium)"
    if missing is None:
        return sync_playwright
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing} not found; CI must have it")
    pytest.skip(f"{missing} not found")


class Served:
    """A running `mnist-tui serve`, and what it printed once stopped."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url = process, url

    def stop(self) -> str:
        """Ctrl-C, as a user stops it; fails unless it exits 0 and says nothing more."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        said = out + err
        assert self.process.returncode == 0, said
        # Neither a traceback nor asyncio's "Loop ... that handles pid ... is closed" warning.
        assert "Traceback" not in said and "WARNING" not in said, said
        assert "GET /" not in out  # no access log: a line per request buries what matters
        return said


@pytest.fixture
def served():
    """`mnist-tui serve` as the user starts it, on a free port; stopped by Ctrl-C afterwards."""
    import socket

    require_browser()  # before starting a server that nothing would connect to
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = ["serve", "--port", str(port), "--dataset", "synthetic", "--theme", "nord"]
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"http://\S+", first_line(process)).group()
        wait_until_listening(port)
        server = Served(process, url)
        yield server
        if process.poll() is None:
            server.stop()
    finally:
        process.kill()
        process.wait()


def open_tab(playwright, url: str):
    """A Chromium page on the served app, its terminal readable by SCREEN_JS."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.route("**/static/js/textual.js", hook_terminal)
    page.goto(url)
    return browser, page


def hook_terminal(route) -> None:
    """Serve textual-serve's script with its terminal reachable from the page."""
    script = route.fetch().text()
    assert script.count(TERMINAL_OPENED) == 1, "textual-serve's script changed; update the hook"
    route.fulfill(
        body=script.replace(TERMINAL_OPENED, HOOKED), content_type="application/javascript"
    )


def wait_for_text(page, text: str, timeout_s: float = 60) -> str:
    """The screen, once it shows text; fails with the last screen seen."""
    deadline = time.monotonic() + timeout_s
    screen = ""
    while time.monotonic() < deadline:
        screen = page.evaluate(SCREEN_JS)
        if text in screen:
            return screen
        time.sleep(0.25)
    pytest.fail(f"{text!r} did not appear in the browser; the screen was:\n{screen}")


def test_the_served_app_runs_in_chromium_and_answers_keys(served):
    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        browser, page = open_tab(playwright, served.url)
        try:
            wait_for_text(page, "mnist-tui · Browse")
            wait_for_text(page, "synthetic (not MNIST)")  # the option given to `serve` arrived
            page.evaluate("window.mnistTerminal.focus()")
            page.keyboard.press("2")
            wait_for_text(page, "mnist-tui · Tensors")
        finally:
            browser.close()


def test_ctrl_c_with_a_tab_open_is_quiet_and_ends_its_app(served):
    """The server waits for each tab's app process on the way out: left to the garbage
    collector, its pipes were closed after the event loop, which printed a warning (or a
    traceback) after Ctrl-C, and the app could outlive the server."""
    import psutil

    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        browser, page = open_tab(playwright, served.url)
        try:
            wait_for_text(page, "mnist-tui · Browse")
            apps = psutil.Process(served.process.pid).children(recursive=True)
            assert apps, "the tab's app runs as a child of the server"
            served.stop()
            _, alive = psutil.wait_procs(apps, timeout=10)
            assert not alive, f"app processes outlived the server: {alive}"
        finally:
            browser.close()
