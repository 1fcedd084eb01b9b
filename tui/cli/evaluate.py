"""`mnist-tui evaluate --checkpoint PATH | --run ID [--json]`: a trained network on the test split,
headless, for scripts and SSH sessions: the accuracy, each class's precision, recall and F1, and
the confusion matrix. The Evaluate screen shows the same figures (core.evaluation computes both).

No textual here: this runs on GPU boxes without the UI.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from tui.cli.common import (
    RUN_ID_HELP,
    add_command,
    add_runs_folder,
    fail,
    import_torch,
    non_empty,
)
from tui.cli.runs import print_table


def add_evaluate_command(commands) -> None:
    evaluate = add_command(
        commands, "evaluate", "a trained network's test accuracy, per-class scores and confusion"
    )
    which = evaluate.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--checkpoint", type=non_empty, metavar="PATH", help="a checkpoint file to evaluate"
    )
    which.add_argument("--run", type=non_empty, metavar="ID", help=f"a recorded run: {RUN_ID_HELP}")
    evaluate.add_argument(
        "--data-dir",
        type=non_empty,
        metavar="DIR",
        help="folder with the four IDX files of the dataset the network was trained on "
        "(default: the folder it was trained from, else the places the README lists)",
    )
    evaluate.add_argument(
        "--json",
        action="store_true",
        help="one JSON object: test_acc (a fraction), per_class, confusion",
    )
    add_runs_folder(evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """0 with the figures printed; 1 with one line when the network or the data cannot be read."""
    run_id, path = None, args.checkpoint
    if args.run is not None:
        from core.runs import RunStore, RunStoreError

        try:
            with RunStore.open(args.runs) as store:
                run = store.get(args.run)
        except RunStoreError as err:
            return fail(str(err))
        if run.checkpoint is None:
            because = run.no_checkpoint_because()
            return fail(f"run {run.id} has no checkpoint to evaluate: {because}")
        run_id, path = run.id, run.checkpoint
    import_torch()
    from core.checkpoint import CheckpointError
    from core.config import data_dir_here
    from core.data import DataError, load
    from core.evaluation import classify_split, load_model

    try:
        model, config = load_model(path)
        dataset = str(config.get("dataset", "mnist"))
        # Unless told otherwise, the folder the network was trained from, when it is here.
        test = load(dataset, "test", root=args.data_dir or data_dir_here(config))
    except (CheckpointError, DataError) as err:
        return fail(str(err))
    evaluation = classify_split(model, test.images, test.labels)
    report = {
        "checkpoint": str(path),
        "run": run_id,
        "dataset": dataset,
        "data_source": test.source,
        "hidden": config.get("hidden"),
        "test_acc": evaluation.accuracy,
        "correct": int((evaluation.predictions == evaluation.labels).sum()),
        "total": len(evaluation.labels),
        "per_class": per_class(evaluation, test.classes),
        "confusion": evaluation.confusion.tolist(),
    }
    if args.json:
        print(json.dumps(report))
    else:
        print_report(report, test.classes)
    return 0


def per_class(evaluation: Any, classes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Each class's scores; a score with no images to judge it by (NaN) is null."""
    scores = evaluation.scores()

    def figure(value: float) -> float | None:
        return None if math.isnan(value) else float(value)

    return [
        {
            "class": index,
            "name": name,
            "precision": figure(scores.precision[index]),
            "recall": figure(scores.recall[index]),
            "f1": figure(scores.f1[index]),
            "support": int(scores.support[index]),
        }
        for index, name in enumerate(classes)
    ]


def print_report(report: dict[str, Any], classes: tuple[str, ...]) -> None:
    run = f" (run {report['run']})" if report["run"] else ""
    print(f"{report['checkpoint']}{run}: 784-{report['hidden']}-10 on {report['dataset']} test")
    print(
        f"test accuracy {report['test_acc']:.2%} "
        f"({report['correct']:,} of {report['total']:,} images)"
    )
    print()

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    rows = [
        [c["name"], shown(c["precision"]), shown(c["recall"]), shown(c["f1"]), str(c["support"])]
        for c in report["per_class"]
    ]
    print_table(("class", "precision", "recall", "f1", "images"), rows, "no classes")
    print()
    print("confusion: a row per true class, a column per predicted class")
    labels = [str(index) for index in range(len(classes))]
    print_table(
        ("true", *labels),
        [[name, *map(str, row)] for name, row in zip(classes, report["confusion"], strict=True)],
        "no classes",
    )
