"""The command line's grammar, in this one place: the app's options and every command's flags.

The training flags are generated from TrainConfig's fields (tui.cli.config_flags), so a new
field is a new flag with its help, choices, bounds and default without an edit here. Options
may come before or after the command (parse). Nothing here imports textual or torch at module
level: a mistyped flag is refused before torch's seconds-long import.
"""

from __future__ import annotations

import argparse
import re
from typing import NoReturn

from core.config import flag, setting_named, settings
from core.data import SPLITS
from core.render import MODES, PALETTES
from tui.cli.common import (
    PROG,
    add_command,
    add_runs_folder,
    non_empty,
    whole_number,
)
from tui.cli.config_flags import add_config_arguments
from tui.cli.evaluate import add_evaluate_command
from tui.cli.runs import add_runs_commands
from tui.cli.sweep import add_sweep_arguments
from tui.serve import add_serve_arguments

COMMANDS = ("show", "train", "bench", "evaluate", "runs", "lesson", "sweep", "serve")


# The app's screens in the order of their keys 1-6: MnistApp.MODES, not imported here because
# textual costs the commands that do not open the app their start-up time.
SCREENS = ("browse", "tensors", "train", "evaluate", "runs", "lesson")


# Flags of `train` that only a headless run reads, besides the config's headless-only fields.
HEADLESS_FILES = ("save", "resume", "metrics", "name")


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad option in one line, without the usage block above it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: {message} (see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        # argparse reports words left over at the top, pointing at `mnist-tui --help`; the
        # subcommand they were given to is the one whose help says what it takes.
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.chosen(parsed).error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def chosen(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        """The innermost subcommand's parser that `parsed` went through (this one if none)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                name = getattr(parsed, action.dest, None)
                sub = action.choices.get(name) if isinstance(name, str) else None
                if isinstance(sub, Parser):
                    return sub.chosen(parsed)
        return self


def package_version() -> str:
    """The installed distribution's version, the one pyproject.toml names."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mnist-tui")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


def theme_name(name: str) -> str:
    """An argparse type: one of Textual's built-in themes, the names the command palette lists."""
    from textual.theme import BUILTIN_THEMES  # only when --theme is given: textual is slow

    if name not in BUILTIN_THEMES:
        raise argparse.ArgumentTypeError(
            f"unknown theme {name!r} (one of {', '.join(list(BUILTIN_THEMES)[:6])}, ...)"
        )
    return name


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG,
        description="The first neural network, in the terminal: browse, tensors, train, evaluate.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {package_version()}")
    add_app_arguments(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    show = add_command(commands, "show", "print one digit to stdout")
    add_config_arguments(show, headless=False, exclude=names_except("dataset", "data_dir"))
    show.add_argument("--index", type=int, default=0, help="sample number (default: 0)")
    show.add_argument("--split", choices=SPLITS, default="train", help="(default: train)")
    show.add_argument(
        "--mode", choices=(*MODES, "matrix"), default="halfblock", help="(default: halfblock)"
    )
    show.add_argument("--palette", choices=PALETTES, default="dark", help="(default: dark)")

    train = add_command(
        commands,
        "train",
        "train the network (--headless: no UI)",
        description="Train the 784-512-10 network: on the app's Train screen, or with --headless "
        "in this terminal. Every run is recorded in the run store unless --no-record.",
    )
    train.add_argument(
        "--headless",
        action="store_true",
        help="train in the terminal, no UI (default: the app's Train screen)",
    )
    add_config_arguments(train, headless=True)
    add_theme(train)
    train.add_argument(
        "--save",
        type=non_empty,
        metavar="PATH",
        help="also write the checkpoint here after every epoch (default: the run store only)",
    )
    train.add_argument(
        "--resume",
        type=non_empty,
        metavar="PATH|ID",
        help="continue from a checkpoint, or from a recorded run (default: a fresh start)",
    )
    train.add_argument(
        "--metrics",
        type=non_empty,
        metavar="PATH",
        help="append events as JSON Lines (default: none)",
    )
    add_runs_folder(train)
    train.add_argument(
        "--no-record",
        dest="record",
        action="store_false",
        help="do not record the run (default: recorded)",
    )
    train.add_argument(
        "--name", type=non_empty, help="the recorded run's name (default: none; its id names it)"
    )

    bench = add_command(commands, "bench", "notebook pipeline against the fast path")
    add_config_arguments(bench, headless=True, exclude=("loader",))
    bench.add_argument(
        "--notebook-epochs",
        type=whole_number(0, 1000),
        default=1,
        metavar="N",
        help="epochs of the notebook pipeline to time, about 8 s each on a CPU core; 0 skips it "
        "(default: 1)",
    )
    bench.add_argument(
        "--json",
        type=non_empty,
        metavar="PATH",
        help="where to write the figures as JSON (default: the run store's folder, as "
        "bench-cpu.json or bench-cuda.json)",
    )

    add_evaluate_command(commands)

    runs = add_command(commands, "runs", "recorded runs: list, show, rename, rm, export")
    add_runs_folder(runs)
    add_runs_commands(runs, Parser)

    sweep = add_command(
        commands, "sweep", "train many configurations at once (comma lists or ranges of any flag)"
    )
    add_sweep_arguments(sweep)

    lesson = add_command(commands, "lesson", "walk the lecture step by step, on the real data")
    lesson.add_argument("--list", action="store_true", help="print the steps' titles and exit")
    lesson.add_argument(
        "--json",
        action="store_true",
        help="with --list: every step as JSON, with its exercises' questions and kinds",
    )
    lesson.add_argument(
        "--check",
        nargs="+",
        metavar=("STEP[.K]", "ANSWER"),
        help="check answers to step STEP's exercise K (default 1): one line each, `right` or "
        "`wrong` with the feedback; exit 0 when all are right, 1 otherwise, 2 for a bad STEP",
    )
    add_app_arguments(lesson, screen=False)

    web = add_command(
        commands,
        "serve",
        "the app in a web browser, one app per tab (the app's options apply)",
        description="Serve the app to web browsers; each tab runs its own copy, started with "
        "the options given here.",
    )
    add_serve_arguments(web)
    add_app_arguments(web)
    return parser


def add_app_arguments(parser: argparse.ArgumentParser, screen: bool = True) -> None:
    """The app's own options: on `mnist-tui` itself, on `lesson` (which names its screen
    itself), and on `serve`, which passes them on."""
    parser.add_argument(
        "--checkpoint",
        type=non_empty,
        metavar="PATH",
        help="open a trained model to evaluate (default: none)",
    )
    if screen:
        parser.add_argument(
            "--screen",
            choices=SCREENS,
            help="the screen to open on (default: browse, or evaluate with --checkpoint)",
        )
    add_theme(parser)
    add_runs_folder(parser)
    group = parser.add_argument_group("the data and the Train screen's starting values")
    add_config_arguments(group, headless=False)


def add_theme(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--theme",
        type=theme_name,
        metavar="NAME",
        help="a Textual theme, e.g. nord or textual-light (default: the one chosen last time)",
    )


def names_except(*kept: str) -> tuple[str, ...]:
    return tuple(setting.name for setting in settings() if setting.name not in kept)


def command_position(parser: argparse.ArgumentParser, argv: list[str]) -> int | None:
    """Where the command is in argv: the first word that is not an option's value (`--screen
    train` opens the app on its Train screen; it is not the train command)."""
    takes_value = value_flags(parser)
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in takes_value:
            i += 2
        elif token.startswith("-"):
            i += 1
        else:
            return i if token in COMMANDS else None
    return None


def value_flags(parser: argparse.ArgumentParser) -> set[str]:
    """The flags that take a value, of `parser` and of every command below it: whichever
    command an option belongs to, its value is not the command's name."""
    flags = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                flags |= value_flags(sub)
        elif action.nargs is None:
            flags.update(action.option_strings)
    return flags


def parse(parser: Parser, argv: list[str]) -> argparse.Namespace:
    """The command line, options before a command read as if they came after it.

    `mnist-tui --data-dir D lesson` is `mnist-tui lesson --data-dir D`: both forms work, and an
    option the command does not take is named against that command's help, never by pointing
    at the other form. (Left where they are, argparse would let the command's own defaults
    silently replace them.)
    """
    i = command_position(parser, argv)
    if i is not None and any(token.startswith("-") for token in argv[:i]):
        argv = [*argv[i:], *argv[:i]]  # at the end: after `runs list`, not between its words
    args = parser.parse_args(answers_as_values(argv))
    check_placement(parser, argv, args)
    return args


# An answer that starts with a minus sign: a number, a point, a list (-2,0  -.5  -[1, 2]).
NEGATIVE_ANSWER = re.compile(r"-[\d.(\[]")


def answers_as_values(argv: list[str]) -> list[str]:
    """`lesson --check 30 -2,0`: argparse takes any word that starts with "-" for an option,
    bar a plain negative number, so an answer like -2,0 was refused as an unknown flag. After
    --check, such words get a leading space, which keeps them values (no flag starts with a
    digit); the checker strips it."""
    if "--check" not in argv:
        return argv
    at = argv.index("--check") + 1
    return [*argv[:at], *(f" {t}" if NEGATIVE_ANSWER.match(t) else t for t in argv[at:])]


def check_placement(parser: Parser, argv: list[str], args) -> None:
    """Refuse what argparse would silently drop: flags for the other kind of `train`."""
    command = parser.chosen(args)  # its --help is the one that says what it takes
    if args.command == "train" and args.headless and getattr(args, "theme", None):
        command.error("--theme: works only without --headless (the app's colours)")
    if args.command == "train" and not args.headless:
        headless_only = [setting.name for setting in settings() if setting.headless_only]
        given = [name for name in headless_only if name in vars(args)]
        given += [name for name in HEADLESS_FILES if getattr(args, name) is not None]
        given += [] if args.record else ["record"]
        if given:
            flags = [flag_for(name) for name in sorted(given, key=argv_order(argv))]
            command.error(f"{', '.join(flags)}: these work only with train --headless")


def flag_for(name: str) -> str:
    """The flag a user typed for `name`: a switch's --no- flag, or the field's own."""
    if name == "record":
        return "--no-record"
    setting = setting_named(name)
    if setting is None:  # --save, --resume, ...: train's own flags
        return flag(name)
    return setting.off_flag if setting.kind is bool else setting.flag


def argv_order(argv: list[str]):
    """Sort flags in the order the user typed them."""

    def position(name: str) -> int:
        flag = flag_for(name)
        return next((i for i, token in enumerate(argv) if token.split("=")[0] == flag), len(argv))

    return position
