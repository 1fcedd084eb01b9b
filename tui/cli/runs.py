"""`mnist-tui runs list|show|rename|tag|untag|note|rm|export`: the run store from a terminal
or a script.

Tables are drawn by Rich on a terminal and written as plain aligned text in a pipe; `--json`
prints what scripts should read. No textual here: this runs on GPU boxes without the UI.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from core.runs import RunRecord, RunStore, RunStoreError, clean_tag, export_csv, export_jsonl
from core.runs.lineage import lineage, lineage_epochs
from core.wording import counted
from tui.cli.common import (
    RUN_ID_HELP,
    RUNS_FOLDER_HELP,
    add_command,
    fail,
    non_empty,
    whole_number,
)
from tui.widgets.runs.columns import best_text
from tui.widgets.train.run_clock import duration

LIST_COLUMNS: tuple[str, ...] = ("id", "name", "status", "source", "started", "dataset")
LIST_COLUMNS += ("optimizer", "lr", "hidden", "epochs", "test acc", "best", "device", "tags")
EPOCH_COLUMNS = ("epoch", "loss", "acc", "test loss", "test acc", "seconds")
LIMIT_MAX = 2**31 - 1  # SQLite's LIMIT takes 64 bits; no listing needs more than this


def tag_word(text: str) -> str:
    """An argparse type: one tag, refused at the argument (exit 2) as the store would."""
    try:
        return clean_tag(text)
    except RunStoreError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


tag_word.__name__ = "tag"


def add_runs_commands(runs: argparse.ArgumentParser, parser_class: type) -> None:
    """`runs` and its subcommands; `parser_class` reports bad options in one line."""
    actions: argparse._SubParsersAction = runs.add_subparsers(
        dest="runs_command", metavar="ACTION", parser_class=parser_class
    )
    actions.required = True
    listing = add_command(actions, "list", "recorded runs, newest first")
    listing.add_argument("--json", action="store_true", help="a JSON array, newest first")
    listing.add_argument(
        "--limit", type=whole_number(1, LIMIT_MAX), metavar="N", help="only the newest N"
    )
    listing.add_argument(
        "--tag",
        action="append",
        type=tag_word,
        default=[],
        metavar="TAG",
        help="only runs tagged TAG; repeated, only runs with every one of them",
    )
    listing.add_argument(
        "--sweep",
        type=non_empty,
        metavar="ID",
        help="only the runs of one sweep (its id, as `sweep` printed it, or its start)",
    )
    show = add_command(actions, "show", "one run: its settings and every epoch")
    show.add_argument("id", type=non_empty, help=RUN_ID_HELP)
    show.add_argument("--json", action="store_true", help="the run as JSON, with its history")
    rename = add_command(actions, "rename", "give a run a name")
    rename.add_argument("id", type=non_empty, help=RUN_ID_HELP)
    rename.add_argument("name", type=non_empty, help="the new name, shown in place of the id")
    tag = add_command(actions, "tag", "add tags to a run (one word each) to find it by")
    tag.add_argument("id", type=non_empty, help=RUN_ID_HELP)
    tag.add_argument("tags", nargs="+", type=tag_word, metavar="TAG", help="tags to add")
    untag = add_command(actions, "untag", "take tags off a run")
    untag.add_argument("id", type=non_empty, help=RUN_ID_HELP)
    untag.add_argument("tags", nargs="+", type=tag_word, metavar="TAG", help="tags to remove")
    note = add_command(actions, "note", "write a one-line note on a run")
    note.add_argument("id", type=non_empty, help=RUN_ID_HELP)
    note.add_argument("text", help='the note, in quotes; empty ("") clears it')
    remove = add_command(actions, "rm", "delete runs and their checkpoints")
    remove.add_argument(
        "ids",
        nargs="+",
        type=non_empty,
        metavar="ID",
        help="runs' ids (or their starts), or their names",
    )
    remove.add_argument("--yes", action="store_true", help="do not ask")
    export = add_command(actions, "export", "runs' epochs as CSV, JSON Lines or TensorBoard")
    export.add_argument(
        "ids", nargs="+", type=non_empty, metavar="ID", help="runs' ids (or their starts), or names"
    )
    export.add_argument(
        "--format",
        choices=("csv", "jsonl", "tensorboard"),
        required=True,
        help="CSV or JSON Lines (a row an epoch), or TensorBoard event files",
    )
    export.add_argument(
        "--out",
        type=non_empty,
        metavar="PATH",
        help="file (csv, jsonl; default stdout) or folder (tensorboard)",
    )
    # --runs also after the action's name
    for action in (listing, show, rename, tag, untag, note, remove, export):
        action.add_argument(
            "--runs",
            type=non_empty,
            metavar="DIR",
            default=argparse.SUPPRESS,
            help=RUNS_FOLDER_HELP,
        )


def run_runs(args: argparse.Namespace, store: RunStore) -> int:
    """Carry out `mnist-tui runs ACTION`; RunStoreError reaches the caller as one line."""
    command = args.runs_command
    if command == "list":
        # A sweep's id may be given by its start: the one sweep it names, or a one-line refusal.
        sweep = store.sweep_members(args.sweep)[0].sweep if args.sweep else None
        runs = store.list(args.limit, sweep=sweep, tags=args.tag)
        if args.json:
            print(json.dumps([run.to_json() for run in runs], indent=2))
        else:
            tagged = " and ".join(args.tag)
            empty = f"no run is tagged {tagged}" if args.tag else "no runs recorded yet"
            print_table(LIST_COLUMNS, [list_row(run) for run in runs], empty)
        return 0
    if command == "show":
        run = store.get(args.id)
        history = store.history(run.id)
        chain = lineage(store, run)
        if args.json:
            shown = {**run.to_json(), "history": [e.to_json() for e in history]}
            print(json.dumps({**shown, "lineage": [r.id for r in chain]}))
            return 0
        # The parent is in the chain unless it was deleted since (runs rm): then say so.
        parent_gone = run.parent is not None and all(r.id != run.parent for r in chain)
        for key, value in describe(run):
            if key == "continues" and parent_gone:
                value += " (deleted since)"
            print(f"{key:<12} {value}")
        print()
        if len(chain) == 1:
            rows = [epoch_row(e.to_json()) for e in history]
            print_table(EPOCH_COLUMNS, rows, "no epoch finished")
            return 0
        # A resumed run: its ancestors' epochs first, on the same epoch axis.
        rows = [
            [r.id, *epoch_row(e.to_json())]
            for r, epochs in lineage_epochs(store, chain)
            for e in epochs
        ]
        print_table(("run", *EPOCH_COLUMNS), rows, "no epoch finished")
        return 0
    if command == "rename":
        run = store.rename(args.id, args.name)
        print(f"{run.id} is now {run.label!r}")
        return 0
    if command in ("tag", "untag"):
        edit = store.tag if command == "tag" else store.untag
        run = edit(args.id, args.tags)
        print(f"{run.id} is tagged {', '.join(run.tags)}" if run.tags else f"{run.id} has no tags")
        return 0
    if command == "note":
        run = store.set_note(args.id, args.text)
        print(f"{run.id}: {run.note}" if run.note else f"{run.id} has no note")
        return 0
    if command == "rm":
        return remove(store, args.ids, args.yes)
    return export(store, args)


def remove(store: RunStore, ids: Sequence[str], yes: bool) -> int:
    runs = [store.get(run_id) for run_id in ids]  # every id known before anything goes
    names = ", ".join(f"{run.id} ({run.label})" if run.name else run.id for run in runs)
    if not yes:
        if not sys.stdin.isatty():
            print(f"mnist-tui: not deleting {names} without --yes", file=sys.stderr)
            return 1
        answer = input(f"Delete {len(runs)} run(s) and their checkpoints: {names}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    gone = store.delete(*(run.id for run in runs))
    print(f"deleted {len(gone)} run(s)")
    return 0


def export(store: RunStore, args: argparse.Namespace) -> int:
    # Every id resolved before anything is written; each run once, in the order given.
    runs = list({run.id: run for run in (store.get(text) for text in args.ids)}.values())
    if args.format == "tensorboard":
        from core.runs import export_tensorboard

        for run in runs:
            folder = export_tensorboard(store, run.id, Path(args.out or "runs-tensorboard"))
            print(f"TensorBoard event files in {folder}")
        print(f"tensorboard --logdir {folder.parent}")
        return 0
    if args.out is None:
        write_runs(store, runs, args.format, sys.stdout)
        return 0
    with Path(args.out).open("w", encoding="utf-8", newline="") as file:
        epochs = write_runs(store, runs, args.format, file)
    which = runs[0].id if len(runs) == 1 else counted(len(runs), "run")
    print(f"{counted(epochs, 'epoch')} of {which} written to {args.out}", file=sys.stderr)
    return 0


def write_runs(store: RunStore, runs: list[RunRecord], kind: str, file) -> int:
    """The runs one after another in one CSV table or JSON Lines stream; the epochs written."""
    if kind == "csv":
        return sum(export_csv(store, run.id, file, header=i == 0) for i, run in enumerate(runs))
    return sum(export_jsonl(store, run.id, file) for run in runs)


def epoch_row(epoch: dict) -> list[str]:
    figures = ("train_loss", "train_acc", "test_loss", "test_acc")
    return [
        str(epoch["epoch"] + 1),  # counted from 1, as the screens and `best acc` count
        *(f"{epoch[key]:.4f}" for key in figures),
        f"{epoch['seconds']:.2f}",
    ]


def list_row(run: RunRecord) -> list[str]:
    config = run.config
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.started_at))
    accuracy = "" if run.test_acc is None else f"{run.test_acc:.2%}"
    return [
        run.id,
        run.name or "",
        run.status,
        run.source,
        started,
        str(config.get("dataset", "")),
        str(config.get("optimizer", "")),
        f"{config.get('lr', 0):g}",
        str(config.get("hidden", "")),
        f"{run.epochs_done}/{config.get('epochs', '?')}",
        accuracy,
        best_text(run),
        run.device,
        ",".join(run.tags),
    ]


def describe(run: RunRecord) -> list[tuple[str, str]]:
    accuracy = "—" if run.test_acc is None else f"{run.test_acc:.2%}"
    settings = " ".join(f"{key}={value}" for key, value in run.config.items())
    rows = [
        ("id", run.id),
        ("name", run.name or "—"),
        ("status", run.status + (f": {run.failure}" if run.failure else "")),
        ("source", run.source + (f" (sweep {run.sweep})" if run.sweep else "")),
        ("continues", run.parent or "—"),
        ("started", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.started_at))),
        ("device", run.device),
        ("data", run.data_source),
        ("test acc", accuracy),
        ("best acc", best_text(run, " at epoch ") or "—"),
        ("min loss", "—" if run.min_test_loss is None else f"{run.min_test_loss:.4f}"),
        ("duration", duration(run.duration)),
        ("samples/s", "—" if run.samples_per_s is None else f"{run.samples_per_s:,.0f}"),
        ("tags", ", ".join(run.tags) or "—"),
        ("note", run.note or "—"),
        ("checkpoint", run.checkpoint or "—"),
        ("config", settings),
    ]
    return rows


def print_table(columns: Sequence[str], rows: list[list[str]], empty: str) -> None:
    """A Rich table on a terminal; in a pipe, plain columns padded with spaces."""
    if not rows:
        print(empty)
        return
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns, box=None, header_style="bold", pad_edge=False)
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    widths = [max(len(cell) for cell in column) for column in zip(columns, *rows, strict=True)]
    for row in (list(columns), *rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def run_runs_command(args: argparse.Namespace) -> int:
    """`mnist-tui runs ACTION`: the store opened, the action run, its failures one line."""
    try:
        with RunStore.open(args.runs) as store:
            return run_runs(args, store)
    except RunStoreError as err:
        return fail(str(err))
    except BrokenPipeError:
        raise  # the reader left (`| head`): main() ends quietly with 141, as for every command
    except OSError as err:  # an --out the user named, or standard output, that cannot be written
        named = err.filename or getattr(args, "out", None) or "standard output"
        return fail(f"cannot write {named}: {err.strerror}")
