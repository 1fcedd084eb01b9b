"""The app's current run (tui.state.TrainedModel) made from what the run store holds.

Each function reads files and imports torch: call them on a worker thread, and hand the result
to the UI thread in a ModelOpened message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.state import TrainedModel, run_source

if TYPE_CHECKING:
    from core.runs import RunRecord, RunStore


def from_record(store: RunStore, run: RunRecord) -> TrainedModel:
    """A recorded run as the current run: its checkpoint's network, settings and epochs.

    Raises CheckpointError when the checkpoint is gone or damaged, RunStoreError for the store.
    """
    from core.checkpoint import CheckpointError
    from core.evaluation import load_model

    if run.checkpoint is None:
        raise CheckpointError(f"run {run.id} has no checkpoint")
    model, _ = load_model(run.checkpoint)
    return TrainedModel(
        model,
        run_source(run.id, run.epochs_done, run.test_acc),
        run_id=run.id,
        checkpoint=run.checkpoint,
        config=run.train_config(),
        history=tuple(record.to_event() for record in store.history(run.id)),
    )


def newest_recorded(folder: str | None) -> TrainedModel | None:
    """The newest finished run with a readable checkpoint, or None when there is none."""
    from core.checkpoint import CheckpointError
    from core.runs import RunStore, RunStoreError

    try:
        with RunStore.open(folder) as store:
            run = store.newest_finished()
            return None if run is None else from_record(store, run)
    except (RunStoreError, CheckpointError):  # no usable store or file: nothing to adopt
        return None


def recorded(folder: str | None, run_id: str) -> TrainedModel:
    """Run `run_id` of the store in `folder` as the current run (see from_record)."""
    from core.runs import RunStore

    with RunStore.open(folder) as store:
        return from_record(store, store.get(run_id))
