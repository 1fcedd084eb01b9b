"""The command line, parsed in this one place: the app's options, `show`, `train`, `serve`...

Training options are generated from TrainConfig's fields (core/config.py), so a new field is a
new flag with its help, choices, bounds and default without an edit here. Nothing here imports
textual or torch at module level: `train --headless` and `bench` run on GPU boxes without the UI,
and a mistyped flag is refused before torch's seconds-long import.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import gc
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from core.config import (
    RUN_FIELDS,
    ConfigError,
    Setting,
    TrainConfig,
    data_dir_here,
    flag,
    setting_named,
    settings,
    with_run_settings,
)
from core.data import SPLITS
from core.render import MODES, PALETTES
from tui.evaluate_command import add_evaluate_command, run_evaluate
from tui.runs_commands import add_runs_commands
from tui.serve import ServeError, add_serve_arguments, serve
from tui.subcommands import (
    PROG,
    add_command,
    add_runs_folder,
    fail,
    import_torch,
    non_empty,
    whole_number,
)
from tui.sweep_command import add_sweep_arguments, run_sweep_command

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


def number_parser(setting: Setting):
    """An argparse type that refuses anything outside the field's range, naming the range."""

    def parse(text: str) -> int | float:
        try:
            return setting.parse(text)
        except ConfigError:
            raise argparse.ArgumentTypeError(
                f"must be {setting.range_text()}, got {text!r}"
            ) from None

    parse.__name__ = setting.name  # argparse names the type in some messages
    return parse


def add_config_arguments(
    parser: argparse._ActionsContainer, *, headless: bool, exclude: tuple[str, ...] = ()
) -> None:
    """One flag per TrainConfig field; only the flags given land in the namespace."""
    for setting in settings():
        if setting.name in exclude or (setting.headless_only and not headless):
            continue
        if setting.kind is bool:
            parser.add_argument(
                setting.off_flag,
                dest=setting.name,
                action="store_false",
                default=argparse.SUPPRESS,
                help=f"turn off: {setting.help} (default: on)",
            )
            continue
        default = setting.default
        help_text = setting.help + ("" if default is None else f" (default: {default})")
        options: dict[str, Any] = {"default": argparse.SUPPRESS, "help": help_text}
        if setting.choices:
            options["choices"] = setting.choices
        elif setting.kind is str:  # a folder or a name: "" would mean "here"
            options["type"] = non_empty
        elif setting.bounds:
            options["type"] = number_parser(setting)
            options["metavar"] = "N" if setting.kind is int else "X"
        if setting.metavar:
            options["metavar"] = setting.metavar
        parser.add_argument(setting.flag, **options)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The recipe, with the fields given on the command line replaced."""
    names = {setting.name for setting in settings()}
    given = {name: value for name, value in vars(args).items() if name in names}
    cores = os.cpu_count() or 1
    if given.get("threads", 0) > cores:
        print(
            f"{PROG}: note: --threads {given['threads']} is more than the {cores} cores here; "
            f"using {cores}",
            file=sys.stderr,
        )
        given["threads"] = cores
    return dataclasses.replace(TrainConfig(), **given)


def checked_config(args: argparse.Namespace) -> TrainConfig | None:
    """The flags' TrainConfig, or None once the reason it cannot be built is printed."""

    try:
        return config_from_args(args)
    except ConfigError as err:
        fail(str(err))
        return None


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
    args = parser.parse_args(argv)
    check_placement(parser, argv, args)
    return args


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


def run_show(args: argparse.Namespace) -> int:
    from rich.console import Console

    from core.data import DataError, load
    from core.show import print_digit

    config = config_from_args(args)  # only --dataset and --data-dir are on `show`
    try:
        split = load(config.dataset, args.split, root=config.data_dir)
    except DataError as error:
        return fail(str(error))
    if not -len(split) <= args.index < len(split):
        return fail(
            f"index {args.index} is out of range for {config.dataset} {args.split} "
            f"(0-{len(split) - 1})"
        )
    print_digit(split, args.index, args.mode, args.palette, Console(highlight=False))
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Train headless; 0 on success, 1 with a one-line reason on failure, 2 for a bad setting."""
    import threading

    config = checked_config(args)
    if config is None:
        return 2
    from core.runs import RunRecorder, RunStore, RunStoreError

    try:
        store = RunStore.open(args.runs) if args.record else None
        resume, parent = resume_source(args.resume, store)
    except RunStoreError as err:
        return fail(f"{err} (--no-record trains without the run store)")
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


def resume_source(resume: str | None, store) -> tuple[str | None, str | None]:
    """The checkpoint to continue from, and the recorded run it belongs to, if any: --resume
    names a run (its id, start or name) or a file (a run's own, beside the store, counts)."""
    if resume is None or store is None:
        return resume, None
    from core.runs import RunStoreError, UnknownRunError

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
    except UnknownRunError:
        return resume, None  # not a run either: fit() names the missing file
    if run.checkpoint is None:
        raise RunStoreError(f"run {run.id} has no checkpoint to continue from")
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


def run_bench(args: argparse.Namespace) -> int:
    """Run the benchmark, print the figures and write them as JSON."""
    config = checked_config(args)
    if config is None:
        return 2
    from core.printer import EventPrinter

    bars = EventPrinter(lines=False)  # the report's own lines say what is timed
    try:
        bars.starting("importing torch ...")
        import_torch()
        from core.bench import run_benchmark, write_json
        from core.runs.paths import runs_dir

        bars.starting(f"loading {config.dataset} ...")
        result = run_benchmark(
            config, notebook_epochs=args.notebook_epochs, say=bars.line, on_event=bars
        )
    except KeyboardInterrupt:
        bars.close()
        raise
    except Exception as err:  # DataError, ConfigError, a failed run: one line each
        bars.close()
        if isinstance(err, OSError) and is_output_error(err):
            raise  # main() names standard output
        return fail(str(err) or type(err).__name__)
    device = "cuda" if result.device.startswith("cuda") else "cpu"
    try:
        # Unless asked, beside the runs: not ./runs in whatever folder the user stands in.
        path = write_json(result, args.json or runs_dir() / f"bench-{device}.json")
    except OSError as err:  # the figures are already on screen above
        return fail(f"cannot write the figures to {err.filename}: {err.strerror}")
    print(f"figures written to {path}")
    return 0


def has_terminal() -> bool:
    """Whether the app can draw: a terminal on both ends, or a driver (textual-serve's) that
    brings its own. Without one Textual would spin a core for as long as it ran."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_runs(args: argparse.Namespace) -> int:
    from core.runs import RunStore, RunStoreError
    from tui.runs_commands import run_runs as run

    try:
        with RunStore.open(args.runs) as store:
            return run(args, store)
    except RunStoreError as err:
        return fail(str(err))
    except BrokenPipeError:
        raise  # the reader left (`| head`): main() ends quietly with 141, as for every command
    except OSError as err:  # an --out the user named, or standard output, that cannot be written
        named = err.filename or getattr(args, "out", None) or "standard output"
        return fail(f"cannot write {named}: {err.strerror}")


def run_lesson_list(args: argparse.Namespace) -> int:
    from core.lesson import STEPS, titles

    if args.json:
        import json

        from core.lesson.scripted import listing

        print(json.dumps(listing(STEPS), indent=2, ensure_ascii=False))
        return 0
    print("\n".join(titles()))  # one title a line, in the lecture's order: pipe-friendly
    return 0


def run_lesson_check(args: argparse.Namespace) -> int:
    """`lesson --check STEP[.K] ANSWER...`: no torch and no data (the answers need neither)."""
    from core.lesson import STEPS
    from core.lesson.scripted import TargetError, check_answers, find_exercise

    target, *answers = args.check
    if not answers:
        fail(f"--check {target}: give at least one answer after the step")
        return 2
    try:
        exercise = find_exercise(STEPS, target)
    except TargetError as err:
        fail(f"--check: {err}")
        return 2
    lines, all_right = check_answers(exercise, answers)
    print("\n".join(lines))
    return 0 if all_right else 1


def run_serve(args: argparse.Namespace) -> int:
    if checked_config(args) is None:  # refused here once, not in every browser tab
        return 2
    try:
        return serve(args)
    except ServeError as err:
        return fail(str(err))


def start_mode(args: argparse.Namespace) -> str:
    if getattr(args, "screen", None):  # `train` and `lesson` name their screen themselves
        return args.screen
    if args.checkpoint:
        return "evaluate"
    return {"train": "train", "lesson": "lesson"}.get(args.command, "browse")


def run_app(args: argparse.Namespace) -> int:
    if not has_terminal():
        return fail(
            "the app needs a terminal on stdin and stdout; in a pipe or cron, use "
            f"`{PROG} show` for a digit or `{PROG} train --headless` to train"
        )
    training = checked_config(args)
    if training is None:
        return 2
    # Importing the app makes objects that all live as long as it does: collecting them on the
    # way is wasted, and once frozen the collector never walks them again (python -m
    # scripts.startup: the first frame about 40 ms sooner).
    gc.disable()
    try:
        from tui.app import run_app as run
        from tui.state import Options
    finally:
        gc.freeze()
        gc.enable()

    options = Options(
        training=training, checkpoint=args.checkpoint, runs=args.runs, theme=args.theme
    )
    return run(options, start_mode(args))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(build_parser(), argv)
    try:
        if args.command == "show":
            return run_show(args)
        if args.command == "train" and args.headless:
            return run_train(args)
        if args.command == "bench":
            return run_bench(args)
        if args.command == "evaluate":
            return run_evaluate(args)
        if args.command == "runs":
            return run_runs(args)
        if args.command == "sweep":
            return run_sweep_command(args)
        if args.command == "lesson" and args.json and not args.list:
            fail("--json: works only with --list (`lesson --list --json`)")
            return 2
        if args.command == "lesson" and args.check:
            return run_lesson_check(args)
        if args.command == "lesson" and args.list:
            return run_lesson_list(args)
        if args.command == "serve":
            return run_serve(args)
        return run_app(args)
    except KeyboardInterrupt:  # Ctrl-C at any moment, torch's import included
        fail("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as a Unix filter does.
        drop_standard_output()
        return 141  # 128 + SIGPIPE, what a shell reports for a writer its reader left
    except OSError as err:
        if not is_output_error(err):
            raise
        drop_standard_output()
        return fail(f"cannot write standard output: {err.strerror}")


# What a write to a full or failing device raises. Every file a command writes is named where
# it is written (--out, --metrics, --save, --json), so one of these without a file name that
# reaches main() came from printing to standard output (`> /dev/full`, a full disk).
OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE})


def is_output_error(err: OSError) -> bool:
    return err.filename is None and err.errno in OUTPUT_ERRNOS


def drop_standard_output() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
