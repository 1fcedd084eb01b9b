"""`mnist-tui train --headless` and `mnist-tui bench`: the training core from a terminal.

No Textual here: these run on machines (a GPU box, CI) that only have torch and rich.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from core.config import DEVICES, LOADERS, OPTIMIZERS, ConfigError, TrainConfig
from core.data import DATASETS
from core.events import BatchProgress, EpochEnd, Event, RunFailed, RunFinished, RunStarted


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", choices=DATASETS, default="mnist")
    parser.add_argument("--data-dir", metavar="DIR", help="folder with the four IDX files")
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, help="CPU threads for torch (default: cores - 1, at least 1)"
    )
    parser.add_argument(
        "--no-cuda-graph",
        dest="cuda_graph",
        action="store_false",
        help="on cuda, launch every step from Python instead of replaying a captured graph",
    )
    parser.add_argument(
        "--no-cpu-kernels",
        dest="cpu_kernels",
        action="store_false",
        help="on the cpu, train with plain torch ops instead of the step in C",
    )


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--headless", action="store_true", help="train in the terminal, no UI")
    _add_common(parser)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="rmsprop")
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument(
        "--loader",
        choices=LOADERS,
        default="device",
        help="device: the fast path; torchvision: the notebook's DataLoader pipeline",
    )
    parser.add_argument("--save", metavar="PATH", help="write a checkpoint after every epoch")
    parser.add_argument("--resume", metavar="PATH", help="continue from a checkpoint")
    parser.add_argument("--metrics", metavar="PATH", help="append events as JSON Lines")


def add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    _add_common(parser)
    parser.add_argument("--epochs", type=int, default=5, help="fast-path epochs (the recipe's 5)")
    parser.add_argument(
        "--notebook-epochs",
        type=int,
        default=1,
        help="epochs of the notebook pipeline to time (about 8 s each on a CPU core; 0 skips it)",
    )
    parser.add_argument("--json", metavar="PATH", help="where to write the figures as JSON")


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """A TrainConfig from whichever of its fields the namespace carries."""
    fields = (
        "dataset",
        "data_dir",
        "epochs",
        "batch_size",
        "lr",
        "optimizer",
        "hidden",
        "seed",
        "device",
        "loader",
        "threads",
        "cuda_graph",
        "cpu_kernels",
    )
    values = {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}
    return TrainConfig(**values)


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


class _Printer:
    """Turns events into the notebook's lines, with a Rich progress bar on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console()
        self.progress: Any = None
        self.task: Any = None
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("epoch {task.fields[epoch]}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]:.3f}  acc {task.fields[acc]:.3f}"),
                TextColumn("{task.fields[rate]:,.0f} samples/s"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._line(
                f"Training {event.parameters:,} parameters on {event.device}: "
                f"{event.config.dataset} {event.train_size:,} train / {event.test_size:,} test"
                + (f", resuming at epoch {event.start_epoch}" if event.start_epoch else "")
            )
            for note in event.notes:
                self._line(f"note: {note}")
        elif isinstance(event, BatchProgress) and self.progress is not None:
            if self.task is None:
                self.progress.start()
                self.task = self.progress.add_task(
                    "train", total=event.batches, epoch=event.epoch, loss=0.0, acc=0.0, rate=0.0
                )
            self.progress.update(
                self.task,
                completed=event.batch,
                epoch=event.epoch,
                loss=event.loss,
                acc=event.acc,
                rate=event.samples_per_s,
            )
        elif isinstance(event, EpochEnd):
            # The notebook's own line, so the two can be compared side by side.
            self._line(
                f"Epoch : {event.epoch}  Loss : {event.train_loss:.3f}  Acc : {event.train_acc:.3f}"
            )
            if self.task is not None:
                self.progress.reset(self.task)
        elif isinstance(event, RunFinished):
            self.close()
            if event.stopped:
                self._line(f"stopped after {event.epochs_done} epoch(s)")
            self._line(f"Test set Accuracy : {event.test_acc:.2%}")
        elif isinstance(event, RunFailed):
            self.close()

    def _line(self, text: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.console.print(text, highlight=False, markup=False)
        else:
            print(text, flush=True)

    def close(self) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.stop()
            self.task = None


def run_train(args: argparse.Namespace) -> int:
    """Train headless; 0 on success, 1 with a one-line reason on failure, 130 on Ctrl-C."""
    try:
        config = config_from_args(args)
    except ConfigError as err:
        _error(str(err))
        return 2
    from core.train import fit  # only now: a mistyped option should not wait 2 s for torch

    printer = _Printer()
    stop = threading.Event()
    try:
        result = fit(
            config,
            printer,
            stop,
            save=args.save,
            resume=args.resume,
            metrics=args.metrics,
        )
    except KeyboardInterrupt:
        printer.close()
        _error("interrupted")
        return 130
    except Exception as err:  # a bug; still one line, as promised
        printer.close()
        _error(f"{type(err).__name__}: {err}")
        return 1
    if not result.ok:
        _error(result.outcome.reason)
        return 1
    if args.save:
        print(f"checkpoint: {args.save}")
    return 0


def run_bench(args: argparse.Namespace) -> int:
    """Run the benchmark, print the figures and write them as JSON."""
    if args.notebook_epochs < 0:
        _error(f"--notebook-epochs must be 0 (skip) or more, got {args.notebook_epochs}")
        return 2
    try:
        config = config_from_args(args)
    except ConfigError as err:
        _error(str(err))
        return 2
    from core.bench import run_benchmark, write_json

    try:
        result = run_benchmark(config, notebook_epochs=args.notebook_epochs)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as err:  # DataError, ConfigError, a failed run: one line each
        _error(str(err) or type(err).__name__)
        return 1
    device = "cuda" if result.device.startswith("cuda") else "cpu"
    try:
        path = write_json(result, args.json or Path("runs") / f"bench-{device}.json")
    except OSError as err:  # the figures are already on screen above
        _error(f"cannot write the figures to {err.filename}: {err.strerror}")
        return 1
    print(f"figures written to {path}")
    return 0
