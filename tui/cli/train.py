"""`mnist-tui train --headless`: the recipe trained in this terminal, recorded in the run store."""

from __future__ import annotations

import argparse
import dataclasses
import os
from pathlib import Path

from core.config import RUN_FIELDS, ConfigError, TrainConfig, data_dir_here, with_run_settings
from tui.cli.common import fail, import_torch, is_output_error
from tui.cli.config_flags import checked_config


def run_train(args: argparse.Namespace) -> int:
    """Train headless; 0 on success, 1 with a one-line reason on failure, 2 for a bad setting."""
    import threading

    config = checked_config(args)
    if config is None:
        return 2
    from core.runs import RunRecorder, RunStore, RunStoreError

    try:
        store = RunStore.open(args.runs) if args.record else None
    except RunStoreError as err:
        return fail(f"{err} (--no-record trains without the run store)")
    try:
        if store is None and names_a_run(args.resume, args.runs):
            # --no-record records nothing, but a run named by its id or name is still found.
            with RunStore.open(args.runs) as lookup:
                resume, _ = resume_source(args.resume, lookup)
            parent = None
        else:
            resume, parent = resume_source(args.resume, store)
    except RunStoreError as err:  # an unknown run, or one without a checkpoint
        return fail(str(err))
    recorder = RunRecorder(store, "headless", name=args.name, parent=parent) if store else None

    from core.events import RunFailed
    from core.printer import EventPrinter

    printer = EventPrinter()  # says what it is doing from here on, not silent for seconds
    try:
        printer.starting("importing torch ...")
        import_torch()  # only now: a mistyped option should not wait 2 s for torch
        from core.train import fit

        if resume is not None and Path(resume).is_file():
            from core.checkpoint import CheckpointError

            try:
                config = resumed_config(args, config, resume)
            except (CheckpointError, ConfigError) as err:
                printer.close()
                return fail(str(err))
        printer.starting(f"loading {config.dataset} and building the model ...")
        result = fit(
            config,
            printer,
            threading.Event(),
            save=args.save,
            resume=resume,
            metrics=args.metrics,
            record=recorder,
        )
    except (KeyboardInterrupt, BrokenPipeError):
        printer.close()
        raise
    except Exception as err:  # a bug, or standard output failing; still one line
        printer.close()
        if isinstance(err, OSError) and is_output_error(err):
            raise  # main() names standard output
        return fail(f"{type(err).__name__}: {err}")
    if isinstance(result.outcome, RunFailed):
        return fail(result.outcome.reason)
    if args.save:
        print(f"checkpoint: {args.save}")
    if recorder is not None and recorder.error:
        # The weights are kept; say where, and fail, so a script does not take it as recorded.
        kept = result.checkpoint
        where = f"its checkpoint is {kept}" if kept else "no checkpoint"
        return fail(f"the run trained but was not fully recorded ({recorder.error}); {where}")
    if recorder is not None and recorder.run_id:
        print(f"recorded as run {recorder.run_id} (mnist-tui runs show {recorder.run_id})")
    return 0


def names_a_run(resume: str | None, folder: str | None) -> bool:
    """Whether --resume can only mean a recorded run: it names no file, and a store is there
    to look in (without one, the missing file is what the error names)."""
    from core.runs.paths import store_path

    if resume is None or Path(resume).exists() or os.sep in resume:
        return False
    return store_path(folder).is_file()


def resume_source(resume: str | None, store) -> tuple[str | None, str | None]:
    """The checkpoint to continue from, and the recorded run it belongs to, if any: --resume
    names a run (its id, start or name) or a file (a run's own, beside the store, counts)."""
    if resume is None or store is None:
        return resume, None
    from core.runs import RunStoreError, SweepIdError, UnknownRunError

    if Path(resume).exists() or os.sep in resume:
        path = Path(resume)
        if path.parent.resolve() != store.folder.resolve():
            return resume, None
        try:
            run = store.get(path.stem) if path.suffix == ".pt" else None
        except RunStoreError:
            return resume, None
        # Only a run's own file: get() also takes names and id prefixes (best.pt, run "best").
        return resume, run.id if run is not None and run.id == path.stem else None
    try:
        run = store.get(resume)
    except SweepIdError:
        raise  # a sweep's id: said as such, not as a missing file
    except UnknownRunError:
        return resume, None  # not a run either: fit() names the missing file
    if run.checkpoint is None:
        raise RunStoreError(
            f"run {run.id} has no checkpoint to continue from: {run.no_checkpoint_because()}"
        )
    return run.checkpoint, run.id


def resumed_config(args: argparse.Namespace, config: TrainConfig, path: str) -> TrainConfig:
    """`config` with the checkpoint's settings for every RUN_FIELDS flag not given.

    Raises CheckpointError (unreadable) or ConfigError (settings this version refuses).
    """
    from core.checkpoint import load

    saved = load(path).config
    # What the run computes, bar the epochs (a resume asks for more): kept unless a flag says.
    names = [name for name in RUN_FIELDS if name != "epochs" and name not in vars(args)]
    config = with_run_settings(config, saved, names)
    if "data_dir" not in vars(args):  # the folder it trained from, when this machine has it
        config = dataclasses.replace(config, data_dir=data_dir_here(saved))
    return config
