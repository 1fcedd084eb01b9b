"""Waiting on something outside the app's event loop (a thread, another process, a file): poll
until it holds, with a deadline that only guards against a hang. Under Pilot, the app's loop
must keep running while the test waits: tests.tui_helpers.wait_until."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll_until(condition: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """The first true value `condition()` returns; fails naming `what` once `timeout` passes."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout:g} s waiting for {what}"
        time.sleep(0.02)
    return value
