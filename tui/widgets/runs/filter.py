"""The Runs screen's `/` filter: `tag:NAME`, `status:WORD` and free text, all combined.

`tag:baseline tag:wide` keeps runs with both tags; `status:run status:fail` keeps runs whose
status starts with either word; what is left is looked for as one piece of text in every
column, the whole name, id, tags and note. Any case.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.widgets.runs.columns import RunRow, row_text
from tui.widgets.runs.sweeps import SweepRow, matches

PROMPT = "filter: tag:NAME status:WORD text, all combined · Escape clears"


@dataclass(frozen=True)
class RunFilter:
    """What the filter field asks for, read apart once per redraw."""

    tags: tuple[str, ...] = ()  # every one of them
    statuses: tuple[str, ...] = ()  # the status starts with any one of them
    text: str = ""  # found in the run's text

    @classmethod
    def parse(cls, typed: str) -> RunFilter:
        tags, statuses, words = [], [], []
        for word in typed.lower().split():
            kind, colon, value = word.partition(":")
            if colon and kind == "tag":
                tags += [value] if value else []
            elif colon and kind == "status":
                statuses += [value] if value else []
            else:
                words.append(word)
        return cls(tuple(tags), tuple(statuses), " ".join(words))

    @property
    def blank(self) -> bool:
        return not (self.tags or self.statuses or self.text)

    def keeps(self, row: RunRow) -> bool:
        run = row.run
        tags = {tag.lower() for tag in run.tags}
        return (
            all(tag in tags for tag in self.tags)
            and (not self.statuses or run.status.startswith(self.statuses))
            and (not self.text or self.text in row_text(row))
        )

    def keeps_sweep(self, sweep: SweepRow) -> bool:
        """Whether a sweep's own row matches as a whole. It has neither tags nor one status:
        with tag: or status: its runs are looked at one by one instead."""
        if self.tags or self.statuses:
            return False
        return not self.text or matches(sweep, self.text)
