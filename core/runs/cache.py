"""Run histories kept between reads of the store, for screens that read it again every second.

A listing polls the store; most polls find most runs unchanged, and reading each run's epochs
again would cost the most of it. A history is read again only when its run changed since.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.runs.records import EpochRecord, RunRecord
from core.runs.store import RunStore


class HistoryCache:
    """Each run's epochs as last read, by run id. Reads are whole: a worker that builds the
    next state while an older one is cancelled never sees half of it."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple, tuple[EpochRecord, ...]]] = {}

    def histories(
        self, store: RunStore, runs: Iterable[RunRecord]
    ) -> dict[str, tuple[EpochRecord, ...]]:
        """The epochs of each of `runs`, read from `store` only for runs that changed since (an
        epoch recorded, another status). Runs not given are forgotten."""
        fresh = {}
        for run in runs:
            state = (run.epochs_done, run.status)  # a history grows with epochs_done
            known = self._known.get(run.id)
            if known is None or known[0] != state:
                known = (state, tuple(store.history(run.id)) if run.epochs_done else ())
            fresh[run.id] = known
        self._known = fresh
        return {run_id: epochs for run_id, (_, epochs) in fresh.items()}
