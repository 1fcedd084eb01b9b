"""How an exception becomes the one line a user reads."""

from __future__ import annotations


def first_line(err: BaseException) -> str:
    """The first non-empty line of the error's text, or its type's name when it has none."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def last_line(err: BaseException) -> str:
    """The most specific line of a chained, multi-line error (torchvision names the cause last)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__
