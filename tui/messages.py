"""Every message that crosses from a worker thread to the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import RenderableType
from textual.message import Message

from core.config import TrainConfig
from core.data import Split
from core.events import BatchProgress, Event

if TYPE_CHECKING:  # these import torch, which is not on the start-up path
    import numpy as np

    from core.evaluation import Evaluation
    from core.runs import EpochRecord, RunRecord
    from tui.state import TrainedModel
    from tui.widgets.runs.columns import RunRow


@dataclass
class DataLoaded(Message):
    """Both splits of a dataset are in memory."""

    train: Split
    test: Split
    notice: str | None = None  # why the requested dataset was replaced by synthetic digits
    requested: str = ""  # the dataset that was asked for


@dataclass
class DataNotice(Message):
    """Something the user should know while data loads (a download starting)."""

    text: str


@dataclass
class DataFailed(Message):
    """No data could be loaded, not even the synthetic fallback."""

    reason: str


@dataclass
class TrainingEvent(Message):
    """One event from core's training loop (run started, epoch end, finished, failed)."""

    event: Event


class BatchUpdate(Message):
    """Per-batch progress; a newer one replaces any still queued, so the UI never lags."""

    def __init__(self, event: BatchProgress) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BatchUpdate)


@dataclass
class RunRecorded(Message):
    """A run from the Train screen ended: its id in the run store and where its checkpoint is."""

    run_id: str | None  # None when the store could not be used
    checkpoint: Path | None
    problem: str | None = None  # why the run is not (fully) recorded


@dataclass
class ContinueReady(Message):
    """A recorded run's settings and checkpoint, read for the Train screen to continue it."""

    run_id: str
    config: TrainConfig
    checkpoint: str


@dataclass
class SystemInfo(Message):
    """What the Train screen shows before a run: device and model summary (needs torch)."""

    device: str
    summary_rows: list[tuple[str, str, int]]  # layer, output shape, parameters
    total_parameters: int


@dataclass
class ModelOpened(Message):
    """A network is ready to be the app's current run: a checkpoint opened, a followed run that
    ended, the newest recorded run after a restart. `said` is the notice, if any."""

    trained: TrainedModel
    said: str | None = None


@dataclass
class FollowingRun(Message):
    """The recorded run the Train screen follows, as the store has it when following starts."""

    run_id: str
    source: str  # where it trains: "headless", "sweep", "tui", "python"
    host: str
    config: TrainConfig


@dataclass
class LineageRead(Message):
    """The epochs the runs before a continued run trained, oldest first, each with its run:
    the charts draw them faintly where its own epochs go on from."""

    epochs: list[tuple[RunRecord, EpochRecord]]


@dataclass
class AdoptedRun(Message):
    """The newest recorded run, read for an app that had no current run: it is taken only if
    there still is none (a run trained meanwhile wins)."""

    trained: TrainedModel
    said: str


@dataclass
class CheckpointFailed(Message):
    """A checkpoint could not be used; reason is one line."""

    reason: str


@dataclass
class Evaluated(Message):
    """The evaluation worker finished one model on one test split."""

    trained: TrainedModel
    evaluation: Evaluation
    weights: np.ndarray  # the first layer's weights as (hidden, 28, 28) images
    test: Split  # the split it was computed on: results for an older model or split are dropped


@dataclass
class ProjectionDone(Message):
    """Test images projected to 2-D by their pixels and by a model's hidden layer."""

    trained: TrainedModel
    pixels: np.ndarray  # (N, 2)
    hidden: np.ndarray  # (N, 2)
    labels: np.ndarray  # (N,)


class TimingDone(Message):
    """A tensor-lab timing thread finished request number `request`."""

    def __init__(self, request: int, content: RenderableType) -> None:
        super().__init__()
        self.request = request
        self.content = content


@dataclass
class WorkerFailed(Message):
    """A worker raised something unexpected; it bubbles to the app, which shows it once."""

    title: str
    error: BaseException


@dataclass
class RunsListed(Message):
    """The Runs screen read the run store: its runs newest first, or why it could not."""

    rows: list[RunRow]
    problem: str | None = None  # the store's one-line RunStoreError; rows is then empty


@dataclass
class RunsCompared(Message):
    """The histories of the runs picked for comparison, by run id."""

    runs: list[RunRecord]
    histories: dict[str, list[EpochRecord]]
    problem: str | None = None  # the store's one-line RunStoreError


@dataclass
class RunEdited(Message):
    """A rename or delete from the Runs screen was written (done) or refused (problem)."""

    done: str
    problem: str | None = None
