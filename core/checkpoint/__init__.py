"""Checkpoints: plain tensors and primitives, written atomically, read with weights_only=True,
and checked whole before any of it is used (a run resumes from it, the C step indexes its
state without bounds checks). The format, the file I/O and the checks are modules of their own.
"""

from core.checkpoint.checks import check_checkpoint, check_compatible, check_model, saved_hidden
from core.checkpoint.files import load, save
from core.checkpoint.format import Checkpoint, CheckpointError

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "check_checkpoint",
    "check_compatible",
    "check_model",
    "load",
    "save",
    "saved_hidden",
]
