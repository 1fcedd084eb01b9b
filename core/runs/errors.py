"""What can go wrong with the run store, as one line for the user."""

from __future__ import annotations


class RunStoreError(Exception):
    """The run store cannot do what was asked; the message is one line for the user."""


class UnknownRunError(RunStoreError):
    """No run has that id, or the text given is not a run id or a prefix of one."""


class SweepIdError(UnknownRunError):
    """The text given is a sweep's id where a run's was asked for."""
