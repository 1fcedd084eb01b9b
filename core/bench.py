"""The notebook's pipeline against the fast path: same data, device, model, recipe and process."""

from __future__ import annotations

import json
import platform
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch

from core.config import TrainConfig
from core.cpu_step import unavailable_reason
from core.events import EpochEnd, Event, RunFailed, RunStarted
from core.train import fit
from core.wording import counted


@dataclass(frozen=True)
class PipelineTiming:
    """Training time of one pipeline; evaluation is excluded, as in EpochEnd.seconds."""

    name: str
    epochs: int
    seconds_per_epoch: float  # mean over the timed epochs
    samples_per_s: float
    epoch_seconds: tuple[float, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BenchResult:
    dataset: str
    data_source: str
    device: str
    threads: int
    batch_size: int
    optimizer: str
    notebook: PipelineTiming | None  # None when skipped or it could not run (Pillow missing)
    notebook_error: str | None
    # On the cpu with the C step: the fast loader with the plain torch step (autograd, no
    # per-step reads), to show how much of the speed-up is the C step's own.
    plain_step: PipelineTiming | None
    fast: PipelineTiming
    # The fast path again, recorded in a run store (a temp folder) with a checkpoint each epoch.
    recorded: PipelineTiming | None
    recorded_run_seconds: float | None  # the whole recorded run, evaluations and saves included
    recording_share: float | None  # recorder calls + a checkpoint save, over a fast epoch
    speedup: float | None  # notebook seconds per epoch / fast seconds per epoch
    test_acc: float  # the fast path's full recipe, after fast.epochs epochs
    fast_run_seconds: float  # the whole fast run, evaluations included
    torch_version: str
    machine: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _timed(
    config: TrainConfig,
    data: Any,
    name: str,
    record: Any = None,
    on_event: Callable[[Event], None] | None = None,
) -> tuple[PipelineTiming, Any, RunStarted]:
    events: list[Any] = []

    def keep(event: Event) -> None:
        events.append(event)
        if on_event is not None:
            on_event(event)

    result = fit(config, keep, data=data, record=record)
    if isinstance(result.outcome, RunFailed):  # not result.ok, spelled so that mypy narrows
        raise RuntimeError(result.outcome.reason)
    started = next(e for e in events if isinstance(e, RunStarted))
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    seconds = tuple(e.seconds for e in epochs)
    per_epoch = statistics.fmean(seconds)
    timing = PipelineTiming(
        name=name,
        epochs=len(epochs),
        seconds_per_epoch=per_epoch,
        samples_per_s=started.train_size / per_epoch,
        epoch_seconds=seconds,
        notes=started.notes,
    )
    return timing, result, started


def run_benchmark(
    config: TrainConfig,
    notebook_epochs: int = 1,
    say: Callable[[str], None] = print,
    record: bool = True,
    on_event: Callable[[Event], None] | None = None,
) -> BenchResult:
    """Time the notebook pipeline for `notebook_epochs`, then the fast path for config.epochs.

    `say` gets each line of the report; `on_event`, every timed run's events (a progress bar).
    """
    from core.data import load_splits

    data = load_splits(config.dataset, config.data_dir)
    source = data[0].source
    device = config.resolved_device()
    config = replace(config, device=device)
    say(
        f"bench: {config.dataset} ({source}) on {device}, {config.threads} CPU thread(s), "
        f"batch {config.batch_size}, {config.optimizer} lr {config.lr:g}"
    )
    if device == "cuda":
        # Warm-up: CUDA context, cuBLAS handles and kernels load here, not in a timed epoch.
        fit(replace(config, epochs=1), data=data)

    notebook, notebook_error = None, None
    if notebook_epochs > 0:
        say(
            "notebook pipeline (torchvision MNIST + PIL + ToTensor + DataLoader, "
            f"torch.optim.RMSprop, loss read every step), {counted(notebook_epochs, 'epoch')} ..."
        )
        try:
            notebook, _, _ = _timed(
                replace(config, loader="torchvision", epochs=notebook_epochs),
                data,
                "notebook",
                on_event=on_event,
            )
            say(
                f"  notebook: {notebook.seconds_per_epoch:.2f} s/epoch, "
                f"{notebook.samples_per_s:,.0f} samples/s"
            )
        except (ImportError, RuntimeError) as err:
            notebook_error = f"{type(err).__name__}: {err}"
            say(f"  notebook pipeline could not run: {notebook_error}")

    plain_step = None
    c_step = config.cpu_kernels and unavailable_reason(config.optimizer, config.batch_size) is None
    if device == "cpu" and c_step and notebook_epochs > 0:
        say(f"plain torch step (device loader, autograd), {counted(notebook_epochs, 'epoch')} ...")
        plain_step, _, _ = _timed(
            replace(config, loader="device", cpu_kernels=False, epochs=notebook_epochs),
            data,
            "plain step",
            on_event=on_event,
        )
        say(f"  plain step: {plain_step.seconds_per_epoch:.3f} s/epoch")

    say(f"fast path (device loader), {counted(config.epochs, 'epoch')} ...")
    fast, result, started = _timed(replace(config, loader="device"), data, "fast", None, on_event)
    for note in fast.notes:
        say(f"  note: {note}")
    say(
        f"  fast: {fast.seconds_per_epoch:.3f} s/epoch, {fast.samples_per_s:,.0f} samples/s, "
        f"{sum(fast.epoch_seconds):.3f} s for {counted(fast.epochs, 'epoch')} (training only)"
    )
    speedup = notebook.seconds_per_epoch / fast.seconds_per_epoch if notebook else None
    if speedup is not None:
        say(f"speed-up per epoch: {speedup:.1f}x")
    if notebook is not None and plain_step is not None:  # both pipelines ran
        data_part = notebook.seconds_per_epoch / plain_step.seconds_per_epoch
        step_part = plain_step.seconds_per_epoch / fast.seconds_per_epoch
        say(
            f"  of which: the device loader and plain loop {data_part:.1f}x, "
            f"then the step in C {step_part:.1f}x"
        )
    test_acc = result.outcome.test_acc
    say(f"test accuracy after {counted(fast.epochs, 'epoch')} (fast path): {test_acc:.2%}")
    recorded, recorded_seconds, recording_share = None, None, None
    if record:
        recorded, recorded_seconds, recording_share = _time_recorded(
            config, data, fast, result.outcome.seconds, say, on_event
        )
    return BenchResult(
        dataset=config.dataset,
        data_source=source,
        device=started.device,
        threads=config.threads,
        batch_size=config.batch_size,
        optimizer=config.optimizer,
        notebook=notebook,
        notebook_error=notebook_error,
        plain_step=plain_step,
        fast=fast,
        recorded=recorded,
        recorded_run_seconds=recorded_seconds,
        recording_share=recording_share,
        speedup=speedup,
        test_acc=test_acc,
        fast_run_seconds=result.outcome.seconds,
        torch_version=torch.__version__,
        machine=f"{platform.machine()} {platform.processor() or platform.platform()}",
    )


def _time_recorded(
    config: TrainConfig,
    data: Any,
    fast: PipelineTiming,
    plain_seconds: float,
    say: Callable[[str], None],
    on_event: Callable[[Event], None] | None = None,
) -> tuple[PipelineTiming, float, float]:
    """The fast path once more, recorded, and what recording costs an epoch.

    Two runs a few seconds long differ by several percent on a busy 2-core machine, more than
    recording costs, so the cost is also taken directly: the time spent in the recorder's
    calls, plus one checkpoint save (fit saves one per recorded epoch), timed three times.
    """
    import tempfile
    import time

    from core import checkpoint
    from core.runs import RunRecorder, RunStore

    class TimedRecorder(RunRecorder):
        seconds = 0.0

        def __call__(self, event: Any) -> None:
            start = time.perf_counter()
            super().__call__(event)
            self.seconds += time.perf_counter() - start

    say(f"fast path recorded in a run store (temp folder), {counted(config.epochs, 'epoch')} ...")
    with tempfile.TemporaryDirectory() as folder, RunStore.open(folder) as store:
        recorder = TimedRecorder(store, "python", name="bench")
        recorded, result, _ = _timed(
            replace(config, loader="device"), data, "recorded", recorder, on_event
        )
        # _timed raised unless the run trained, and a recorded run saves after every epoch
        assert result.checkpoint is not None
        saved = checkpoint.load(result.checkpoint)
        saves = []
        for _ in range(3):
            start = time.perf_counter()
            checkpoint.save(Path(folder) / "timed.pt", saved)
            saves.append(time.perf_counter() - start)
    seconds = result.outcome.seconds
    cost = recorder.seconds / recorded.epochs + statistics.median(saves)
    share = cost / fast.seconds_per_epoch
    say(
        f"  recording costs {cost * 1000:.1f} ms an epoch ({share:.1%} of "
        f"{fast.seconds_per_epoch:.3f} s): recorder {recorder.seconds / recorded.epochs * 1000:.1f}"
        f" ms, checkpoint save {statistics.median(saves) * 1000:.1f} ms; the recorded run took "
        f"{seconds:.3f} s against {plain_seconds:.3f} s ({seconds / plain_seconds - 1:+.1%}, noise "
        "included)"
    )
    return recorded, seconds, share


def write_json(result: BenchResult, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8")
    return path
