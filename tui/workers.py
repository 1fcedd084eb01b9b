"""Failures of worker threads reach the user in one place: the app's WorkerFailed handler."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from tui.messages import WorkerFailed

F = TypeVar("F", bound=Callable[..., Any])


def reports_failure(title: str) -> Callable[[F], F]:
    """Post WorkerFailed(title, error) from a worker method that raises, then re-raise.

    Textual's Worker.StateChanged does not bubble, so without this each screen would need its
    own handler; the message does bubble, from the widget or screen up to the app.
    """

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def run(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except Exception as error:
                self.post_message(WorkerFailed(title, error))
                raise

        return run  # type: ignore[return-value]

    return decorate
