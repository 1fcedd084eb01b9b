"""A run and the runs it continued: `train --resume` and Continue make chains of runs, each
training on from its parent's checkpoint, and their epochs read as one curve on one axis."""

from __future__ import annotations

from core.runs.errors import RunStoreError
from core.runs.records import EpochRecord, RunRecord
from core.runs.store import RunStore

MAX_LINEAGE = 100  # resumes of resumes; a loop in damaged records must not hang a listing


def lineage(store: RunStore, run: RunRecord) -> list[RunRecord]:
    """The run and the runs it continued, oldest first; a parent no longer recorded ends it."""
    chain = [run]
    while (parent := chain[-1].parent) is not None and len(chain) < MAX_LINEAGE:
        if any(r.id == parent for r in chain):
            break
        try:
            chain.append(store.get(parent))
        except RunStoreError:  # deleted since
            break
    return chain[::-1]


def lineage_epochs(
    store: RunStore, chain: list[RunRecord]
) -> list[tuple[RunRecord, list[EpochRecord]]]:
    """Each run of a lineage with the epochs it alone trained: an ancestor's epochs up to where
    its child took over."""
    out = []
    for run, child in zip(chain, [*chain[1:], None], strict=True):
        epochs = store.history(run.id)
        if child is not None:
            start = child.details.get("start_epoch")
            if isinstance(start, int):
                epochs = [e for e in epochs if e.epoch < start]
        out.append((run, epochs))
    return out


def lineage_history(store: RunStore, run_id: str) -> list[tuple[RunRecord, EpochRecord]]:
    """Every epoch of the run's lineage up to its own last one, oldest first, each with the
    run that trained it: each ancestor's epochs until its child took over, then the run's own.
    Epoch numbers go on across it. A run deleted since has none: what continues it still
    trains and shows, on its own."""
    try:
        chain = lineage(store, store.get(run_id))
    except RunStoreError:
        return []
    return [(run, epoch) for run, epochs in lineage_epochs(store, chain) for epoch in epochs]
