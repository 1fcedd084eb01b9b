"""`mnist-tui lesson --list [--json]` and `lesson --check`: the lesson for scripts, no UI."""

from __future__ import annotations

import argparse

from tui.cli.common import fail


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

    target, *answers = (word.strip() for word in args.check)  # see answers_as_values
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
