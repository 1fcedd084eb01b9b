"""The command line: `mnist-tui` and its commands, parsed in tui.cli.parser, each run by a
module of its own (show, train, bench, evaluate, runs, sweep, lesson, open_app for the app and
`serve`), sharing tui.cli.common.

Nothing here imports textual or torch at module level: `train --headless` and `bench` run on
GPU boxes without the UI, and a mistyped flag is refused before torch's seconds-long import.
"""

from __future__ import annotations

import sys

from tui.cli.bench import run_bench
from tui.cli.common import drop_standard_output, fail, is_output_error
from tui.cli.evaluate import run_evaluate
from tui.cli.lesson import run_lesson_check, run_lesson_list
from tui.cli.open_app import run_app, run_serve
from tui.cli.parser import build_parser, parse
from tui.cli.runs import run_runs_command
from tui.cli.show import run_show
from tui.cli.sweep import run_sweep_command
from tui.cli.train import run_train


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
            return run_runs_command(args)
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
