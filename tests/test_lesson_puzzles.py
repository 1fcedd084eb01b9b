"""The tensor puzzles: an index expression in the Tensors lab's syntax, checked by running it on
inputs of several sizes against the reference (a property check), never by comparing text."""

from __future__ import annotations

import pytest

from core.lesson import STEPS
from core.lesson.puzzles import PUZZLES
from tui.cli import main

BY_ANSWER = {exercise.answer: exercise for exercise in PUZZLES}
STEP = next(i for i, step in enumerate(STEPS, start=1) if step.key == "puzzles")


def test_there_are_at_least_12_puzzles_each_right_by_its_own_reference():
    assert len(PUZZLES) >= 12
    for exercise in PUZZLES:
        assert exercise.form == "puzzle"
        assert exercise.check(exercise.answer)[0], exercise.question


@pytest.mark.parametrize(
    ("reference", "other"),
    [
        ("x[:, -1]", "x[..., -1]"),
        ("x[:1]", "x[0:1]"),
        ("x[:1]", "x[0:1, :]"),
        ("x[::2]", "x[0::2]"),
        ("t[:, :, -1]", "t[..., -1]"),
        ("t[-1, -1]", "t[-1, -1, :]"),
        ("x[0]", "x[0, ...]"),
    ],
)
def test_another_expression_that_makes_the_same_tensor_is_right(reference, other):
    right, said = BY_ANSWER[reference].check(other)
    assert right, said


@pytest.mark.parametrize(
    ("reference", "given", "says"),
    [
        # right on the first size only: the width was written in where "the end" was meant
        ("x[:, -1]", "x[:, 7]", "Right on (6, 8), but on a (5, 9) input"),
        ("x[-2:, -2:]", "x[4:, 6:]", "Right on (6, 8), but on a (5, 9) input"),
        ("x[:, -1]", "x[-1]", "gives shape (8,); the target's is (6,)"),
        ("x[:1]", "x[0]", "gives shape (8,); the target's is (1, 8)"),
        ("x[::-1]", "x[:, ::-1]", "the values are other ones"),
        ("x[:, -1]", "x[:, 10]", "NumPy refuses it: index 10 is out of bounds"),
        ("x[:, -1]", "y[:, -1]", "unknown name 'y'"),
        ("x[:, -1]", "x.T[-1]", "refused"),
        ("x[:, -1]", "__import__('os').system('true')", "refused"),
        ("x[:, -1]", "x[:, 1.5]", "whole numbers"),
        ("x[:, -1]", "", "Type an answer first"),
    ],
)
def test_a_wrong_expression_is_explained_on_the_input_that_shows_it(reference, given, says):
    right, said = BY_ANSWER[reference].check(given)
    assert not right
    assert says in said
    assert "\n" not in said


def test_list_json_names_the_puzzles_kind(capsys):
    import json

    assert main(["lesson", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    kinds = [exercise["kind"] for exercise in listed[STEP - 1]["exercises"]]
    assert kinds == ["puzzle"] * len(PUZZLES)


def test_check_runs_a_puzzle_answer_from_the_command_line(capsys):
    last = len(PUZZLES)
    code = main(["lesson", "--check", f"{STEP}.{last}", PUZZLES[-1].answer, "t[-1]"])
    assert code == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("right") and lines[1].startswith("wrong")
