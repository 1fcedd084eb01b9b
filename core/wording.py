"""Counts in sentences: "1 epoch", "5 epochs", never "1 epochs" or "epoch(s)"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for exactly one: counted(1, "epoch") == "1 epoch"."""
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"
