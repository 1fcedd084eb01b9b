"""`mnist-tui`: the app by default, plus headless `show`, `train --headless` and `bench`.

Textual is imported only when the app opens, so the headless commands run on a GPU box that
has torch but no textual.
"""

from __future__ import annotations

import argparse
import sys

from core.data import DATASETS, SPLITS
from core.render import MODES, PALETTES


def add_data_arguments(parser: argparse.ArgumentParser, default_dataset: str = "mnist") -> None:
    parser.add_argument("--dataset", choices=DATASETS, default=default_dataset)
    parser.add_argument(
        "--data-dir", metavar="DIR", help="folder with the four IDX files (gz or not)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mnist-tui",
        description="The first neural network, in the terminal: browse, tensors, train, evaluate.",
    )
    add_data_arguments(parser)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--checkpoint", metavar="PATH", help="open a trained model to evaluate")
    add_training_defaults(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    show = commands.add_parser("show", help="print one digit to stdout")
    add_data_arguments(show)
    show.add_argument("--index", type=int, default=0)
    show.add_argument("--split", choices=SPLITS, default="train")
    show.add_argument("--mode", choices=(*MODES, "matrix"), default="halfblock")
    show.add_argument("--palette", choices=PALETTES, default="dark")

    add_headless_commands(commands)
    return parser


def add_training_defaults(parser: argparse.ArgumentParser) -> None:
    """Training settings on the app's command line become the dashboard's starting values."""
    group = parser.add_argument_group("training defaults for the Train screen")
    group.add_argument("--epochs", type=int)
    group.add_argument("--batch-size", type=int)
    group.add_argument("--lr", type=float)
    group.add_argument("--optimizer", choices=("rmsprop", "sgd", "adam"))
    group.add_argument("--hidden", type=int)
    group.add_argument("--seed", type=int)


def add_headless_commands(commands) -> None:
    try:
        from core import headless
    except ImportError:  # the training core is optional until it lands
        return
    train = commands.add_parser("train", help="train the network (--headless: no UI)")
    headless.add_train_arguments(train)
    bench = commands.add_parser("bench", help="notebook pipeline against the fast path")
    headless.add_bench_arguments(bench)


COMMANDS = ("show", "train", "bench")
# (flag, argparse name, its default): what only `train --headless` reads; the app would drop it.
HEADLESS_ONLY = (
    ("--resume", "resume", None),
    ("--save", "save", None),
    ("--metrics", "metrics", None),
    ("--threads", "threads", None),
    ("--loader", "loader", "device"),
    ("--no-cuda-graph", "cuda_graph", True),
    ("--no-cpu-kernels", "cpu_kernels", True),
)


def check_placement(parser: argparse.ArgumentParser, argv: list[str], args) -> None:
    """Refuse what argparse would silently drop: options before a command, headless flags."""
    for i, token in enumerate(argv):
        if token in COMMANDS:
            if any(t.startswith("-") for t in argv[:i]):
                moved = " ".join([token, *argv[:i], *argv[i + 1 :]])
                parser.error(f"put options after the command: mnist-tui {moved}")
            break
    if args.command == "train" and not getattr(args, "headless", False):
        given = [flag for flag, name, default in HEADLESS_ONLY if getattr(args, name) != default]
        if given:
            parser.error(f"{', '.join(given)}: these work only with train --headless")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    check_placement(parser, argv, args)
    if args.command == "show":
        from core.show import show_digit

        return show_digit(args)
    if args.command == "train" and getattr(args, "headless", False):
        from core import headless

        return headless.run_train(args)
    if args.command == "bench":
        from core import headless

        return headless.run_bench(args)
    from tui.app import run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
