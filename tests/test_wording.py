"""Counts in sentences."""

from __future__ import annotations


def test_counts_read_as_sentences():
    from core.wording import counted

    assert [counted(n, "epoch") for n in (0, 1, 2, 60000)] == [
        "0 epochs",
        "1 epoch",
        "2 epochs",
        "60,000 epochs",
    ]
    assert counted(1, "image") == "1 image" and counted(3, "match", "matches") == "3 matches"
