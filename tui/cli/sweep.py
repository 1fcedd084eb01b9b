"""`mnist-tui sweep`: many configurations trained as recorded runs, from comma lists or ranges.

Every TrainConfig field is a flag taking a comma list (a grid: every combination) or, with
--random K, a MIN:MAX[:log] range to draw from. Bad input is refused in one line that names the
flag before torch is imported; nothing trains and nothing is recorded. Ctrl-C stops the sweep:
finished members stay finished, running ones are recorded as stopped, and the exit status is 130.
No textual and no torch at module level: this runs on GPU boxes without the UI.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from core.config import TrainConfig, flag, settings
from core.sweep.plan import (
    CONFIRM_ABOVE,
    Range,
    SweepError,
    SweepPlan,
    check_size,
    grid,
    grid_size,
    parse_axis,
    random_draws,
    show,
)
from core.sweep.printer import SweepPrinter, percent
from core.sweep.rules import bench_problem, device_problem
from core.wording import counted
from tui.cli.common import add_runs_folder, fail, import_torch, non_empty, whole_number

if TYPE_CHECKING:
    from core.sweep.runner import SweepResult

BACKENDS = ("local", "ray")
RANDOM_MAX = 1_000_000  # check_size refuses anything past MAX_MEMBERS with one line anyway
NOTE_ON_STOP = b"stopping the sweep after the current step (Ctrl-C again: at once)\n"


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    """Every flag of `sweep`: one per TrainConfig field (generated), then the sweep's own."""
    fields = parser.add_argument_group(
        "the recipe: each field takes one value, a comma list (a grid), or with --random a "
        "range MIN:MAX or MIN:MAX:log"
    )
    for setting in settings():
        default = setting.default
        details = [f"one of {', '.join(map(str, setting.choices))}"] if setting.choices else []
        if default is not None:
            details.append(f"default: {show(default)}")
        help_text = setting.help + (f" ({'; '.join(details)})" if details else "")
        numeric = setting.kind in (int, float) and setting.choices is None
        fields.add_argument(
            setting.flag,
            default=argparse.SUPPRESS,
            metavar="LIST|MIN:MAX[:log]" if numeric else "LIST",
            help=help_text,
        )
        if setting.kind is bool:  # the same switch `train` has, as a one-value list
            fields.add_argument(
                setting.off_flag,
                dest=setting.name,
                action="store_const",
                const="off",
                default=argparse.SUPPRESS,
                help=f"turn off: {setting.help}",
            )
    own = parser.add_argument_group("the sweep")
    own.add_argument(
        "--random",
        type=whole_number(1, RANDOM_MAX),
        metavar="K",
        help="draw K members from the ranges and lists instead of training every combination",
    )
    own.add_argument(
        "--random-seed",
        type=whole_number(0, 2**63 - 1),
        default=0,
        metavar="N",
        help="seeds the --random draws: the same seed draws the same members (default: 0)",
    )
    own.add_argument(
        "--yes", action="store_true", help=f"train a sweep of more than {CONFIRM_ABOVE} members"
    )
    own.add_argument("--name", type=non_empty, help="put in front of each member's run name")
    own.add_argument(
        "--bench",
        action="store_true",
        help="time the first group batched against one run after another, record nothing",
    )
    own.add_argument(
        "--backend",
        choices=BACKENDS,
        default="local",
        help="local: this machine; ray: Ray Tune trials, one group each (default: local)",
    )
    own.add_argument(
        "--ray-address",
        type=non_empty,
        metavar="ADDR",
        help="a running Ray cluster (default: start one here)",
    )
    own.add_argument(
        "--early-stop", action="store_true", help="stop weak members early (Tune's ASHA; ray)"
    )

    add_runs_folder(parser)


def run_sweep_command(args: argparse.Namespace) -> int:
    """Plan, check, train and report; 0 done, 1 a failure, 2 bad input, 130 stopped by Ctrl-C."""

    try:
        plan = plan_from_args(args)
        check_sweep_flags(args)
    except SweepError as err:
        fail(str(err))
        return 2  # as `train` does for a bad setting
    try:
        if args.bench:
            return run_bench(plan)
        return run_plan(plan, args)
    except KeyboardInterrupt:  # a second Ctrl-C, or one during torch's import
        fail("interrupted")
        return 130


def plan_from_args(args: argparse.Namespace) -> SweepPlan:
    """The members the flags ask for; SweepError (one line naming the flag) if they cannot be."""
    names = {setting.name for setting in settings()}
    # The namespace holds the fields in the order they were typed (their default is SUPPRESS),
    # so the grid nests as typed: the last flag varies fastest.
    axes = {
        name: parse_axis(name, str(value)) for name, value in vars(args).items() if name in names
    }
    varying = [n for n, a in axes.items() if isinstance(a, Range) or len(a) > 1]
    if not varying:
        raise SweepError(
            "nothing to sweep: give a field two or more values (--lr 1e-4,1e-3), "
            "or a range with --random K (--lr 1e-4:1e-2:log --random 8)"
        )
    # A sweep has no UI to leave a core to (TrainConfig's default keeps one free): a batched
    # group deals its members to every core, and a lone member's step uses them all.
    base = TrainConfig(threads=os.cpu_count() or 1)
    if args.random is not None:
        check_size(args.random, args.yes, "random sweep")
        return random_draws(base, axes, args.random, args.random_seed)
    ranged = next((n for n, a in axes.items() if isinstance(a, Range)), None)
    if ranged is not None:
        raise SweepError(
            f"{flag(ranged)}: a range ({axes[ranged]}) is drawn from only with --random K"
        )
    check_size(grid_size(axes), args.yes)
    return grid(base, axes)


def check_sweep_flags(args: argparse.Namespace) -> None:
    """The sweep's own flags: a name the store can keep, and the Ray flags only with Ray."""
    if args.name is not None and not args.name.isprintable():
        raise SweepError("--name: one line of printable characters")
    if args.backend != "ray":
        for name in ("ray_address", "early_stop"):
            if getattr(args, name):
                raise SweepError(f"{flag(name)}: works only with --backend ray")
    if args.bench and args.backend == "ray":
        raise SweepError("--bench: times this machine; it does not run on --backend ray")


def run_plan(plan: SweepPlan, args: argparse.Namespace) -> int:
    from core.runs import RunStore, RunStoreError

    try:
        store = RunStore.open(args.runs)
    except RunStoreError as err:
        return fail(str(err))
    with store:
        if args.backend == "local":
            problem = device_problem(plan)
            if problem:
                fail(problem)
                return 2
        else:
            # Refused before the sweep's first line: Ray missing, or an address that is
            # malformed or refused (a head that answers wrongly is found when joining it).
            from core.sweep.ray_backend import RayUnavailable, check_address, import_ray

            try:
                import_ray()
                if args.ray_address is not None:
                    check_address(args.ray_address)
            except RayUnavailable as err:
                return fail(str(err))
        return train_and_report(plan, args, store)


def train_and_report(plan: SweepPlan, args: argparse.Namespace, store) -> int:

    printer = SweepPrinter(plan)  # says what it is doing from here on, not silent for seconds
    printer.starting("importing torch ...")
    try:
        import_torch()
    finally:
        printer.close()  # a Ctrl-C here ends the command: no status left spinning
    from core.data import DataError
    from core.sweep.runner import new_sweep_id, run_sweep

    ray_errors: tuple[type[BaseException], ...] = ()
    if args.backend == "ray":
        from core.sweep.ray_backend import RayUnavailable

        ray_errors = (RayUnavailable,)
    sweep_id = new_sweep_id(store)
    print(headline(plan, sweep_id, args), flush=True)
    where = "starting Ray" if args.backend == "ray" else "building the groups"
    printer.starting(f"loading the data and {where} ...")
    stop, interrupted = threading.Event(), threading.Event()
    try:
        with ctrl_c_stops(stop, interrupted), contextlib.closing(printer):
            result = run_sweep(
                plan,
                store=store,
                sweep_id=sweep_id,
                stop=stop,
                on_member_event=printer,
                backend=args.backend,
                ray_address=args.ray_address,
                early_stop=args.early_stop,
                name=args.name,
            )
    except DataError as err:  # loaded before any member is recorded
        return fail(str(err))
    except ray_errors as err:
        return fail(str(err))
    except (KeyboardInterrupt, BrokenPipeError):  # both end the command in cli.main
        raise
    except Exception as err:  # a bug; the running members are recorded as interrupted
        return fail(f"{type(err).__name__}: {err}")
    print_results(result)
    return exit_status(result, interrupted.is_set())


def headline(plan: SweepPlan, sweep_id: str, args: argparse.Namespace) -> str:
    epochs = sorted({m.config.epochs for m in plan.members})
    each = (
        f"{counted(epochs[0], 'epoch')} each"
        if len(epochs) == 1
        else f"{epochs[0]}-{epochs[-1]} epochs"
    )
    how = f"{args.random} random draws" if args.random else "a grid"
    from core.sweep.runner import make_groups

    count = len(make_groups(plan.members, args.early_stop))
    where = "on Ray" if args.backend == "ray" else "here"
    groups = (
        "one trial a member, so ASHA can stop each (--early-stop)"
        if args.early_stop
        else f"in {count} batched group{'s' if count != 1 else ''}"
    )
    return (
        f"sweep {sweep_id}: {len(plan)} members ({how} over {', '.join(plan.swept)}), "
        f"{each}, {groups}, {where}"
    )


@contextmanager
def ctrl_c_stops(stop: threading.Event, interrupted: threading.Event) -> Iterator[None]:
    """The first Ctrl-C asks the sweep to stop after the current step; a second one quits now."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        interrupted.set()
        stop.set()
        # Not print(): the handler may run while the main thread is inside a print to stdout,
        # and the buffered writer refuses a reentrant call. A raw write to the fd cannot clash.
        with contextlib.suppress(OSError, ValueError):
            os.write(sys.stdout.fileno(), NOTE_ON_STOP)

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def print_results(result: SweepResult) -> None:
    """The members best first, then the best run's id."""
    from tui.cli.runs import print_table

    swept = sweep_fields(result)
    columns = ("rank", "run", "status", *swept, "epochs", "test acc")
    rows = []
    for rank, r in enumerate(result.ranked(), start=1):
        values = [show(getattr(r.member.config, name)) for name in swept]
        acc = percent(r.test_acc)
        rows.append([str(rank), r.run_id or "-", r.status, *values, str(r.epochs_done), acc])
    print()
    print_table(columns, rows, "no members")
    best = result.best
    if best is not None and best.run_id is not None:
        print(
            f"best: run {best.run_id} ({best.member.label}), test acc {best.test_acc:.2%}; "
            f"mnist-tui runs show {best.run_id}"
        )
    for r in result.members:
        if r.record_error:
            print(f"note: member {r.member.index + 1} was not fully recorded: {r.record_error}")


def sweep_fields(result: SweepResult) -> list[str]:
    """The fields that vary between the members, in the plan's order."""
    configs = [r.member.config for r in result.members]
    return [
        setting.name
        for setting in settings()
        if len({repr(getattr(c, setting.name)) for c in configs}) > 1
    ]


def exit_status(result: SweepResult, interrupted: bool) -> int:

    counts = ", ".join(
        f"{result.count(status)} {status}"
        for status in ("finished", "stopped", "failed", "interrupted", "not started")
        if result.count(status)
    )
    if interrupted:
        fail(f"sweep {result.sweep_id} stopped by Ctrl-C: {counts}")
        return 130
    if result.stopped:
        return fail(f"sweep {result.sweep_id} was stopped from the run store: {counts}")
    if not result.count("finished"):
        return fail(f"sweep {result.sweep_id}: no member finished ({counts})")
    return 0


def run_bench(plan: SweepPlan) -> int:
    """Time the whole plan batched (group by group) against its members one after another."""
    from core.data import DataError, load_splits
    from core.sweep import batched, bench

    problem = device_problem(plan) or bench_problem(plan)
    if problem:
        fail(problem)
        return 2
    configs = [m.config for m in plan.members]
    try:
        data = load_splits(configs[0].dataset, configs[0].data_dir)
    except DataError as err:
        return fail(str(err))
    count = len(batched.groups(plan.members))
    print(
        f"timing {counted(len(configs), 'member')} in {counted(count, 'batched group')}, "
        f"{counted(configs[0].epochs, 'epoch')} each: batched and one after another, "
        "twice, alternating; nothing is recorded",
        flush=True,
    )
    try:
        # Twice each, alternating, best of each: the first pass also pays for warming up.
        timed = bench.bench_sweep(configs, data=data, epochs=configs[0].epochs, repeats=2)
    except KeyboardInterrupt:
        raise
    except Exception as err:  # SweepBenchError: a member failed, its reason in one line
        return fail(str(err) or type(err).__name__)
    print(
        f"{counted(timed.members, 'member')} x {counted(timed.epochs, 'epoch')} on {timed.device}: "
        f"batched {timed.batched_s:.2f} s, sequential {timed.sequential_s:.2f} s, "
        f"{timed.ratio:.1f}x"
    )
    return 0
