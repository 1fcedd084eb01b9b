"""Messages of the Runs screen's sweep parts, from their worker threads to the UI thread.

Kept beside the widgets rather than in tui/messages.py, which another part of the app owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tui.widgets.runs.members import MemberView


@dataclass
class SweepRead(Message):
    """The sweep view read its sweep: members in the order they started, or why it could not."""

    members: list[MemberView]
    stop_requested: bool
    problem: str | None = None  # the store's one-line error; members is then empty


@dataclass
class SweepStopAsked(Message):
    """`s` wrote a sweep's stop request (text says what happens next), or could not."""

    text: str
    failed: bool = False
