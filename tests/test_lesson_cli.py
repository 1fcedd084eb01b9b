"""`mnist-tui lesson --list --json` and `lesson --check STEP[.K] ANSWER...`: the lesson's
exercises for scripts and teachers, listed as JSON and checked, with their exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.lesson import STEPS
from tests.datasets import ROOT, mnist_dir
from tui.cli import main


def step_number(key: str) -> int:
    return next(i for i, step in enumerate(STEPS, start=1) if step.key == key)


def test_list_json_gives_every_step_with_its_exercises_questions_and_kinds(capsys):
    assert main(["lesson", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [entry["step"] for entry in listed] == list(range(1, len(STEPS) + 1))
    assert [entry["title"] for entry in listed] == [step.title for step in STEPS]
    video = listed[step_number("video") - 1]
    assert video["exercises"] == [
        {"question": STEPS[step_number("video") - 1].exercise.question, "kind": "number"}
    ]
    kinds = {ex["kind"] for entry in listed for ex in entry["exercises"]}
    assert {"number", "shape", "vector", "choice"} <= kinds
    assert kinds <= {"number", "shape", "vector", "choice", "puzzle"}


def test_check_prints_right_or_wrong_for_each_answer_and_exits_1_when_one_is_wrong(capsys):
    video = str(step_number("video"))
    assert main(["lesson", "--check", video, "106,168,320", "4*240*144*256*3", "10"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["right", "right", "wrong"]
    assert "too small" in lines[2] and "Hint:" in lines[2]


def test_check_exits_0_when_every_answer_is_right(capsys):
    step = f"{step_number('rotation-order')}.1"
    assert main(["lesson", "--check", step, "array([0, -2])", "[0, -2]"]) == 0
    assert all(line.startswith("right") for line in capsys.readouterr().out.splitlines())


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("99", "there is no step 99"),
        ("nine", "not a step number"),
        ("1", "has no exercise"),  # the device step
        (f"{step_number('video')}.2", "there is no exercise 2"),
        ("3.x", "not a step number"),
    ],
)
def test_a_bad_step_is_one_line_on_stderr_and_status_2(capsys, target, says):
    assert main(["lesson", "--check", target, "(1, 2)"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1 and says in captured.err


def test_json_without_list_is_refused_with_status_2(capsys):
    assert main(["lesson", "--json"]) == 2
    assert "works only with --list" in capsys.readouterr().err


def test_check_without_an_answer_is_refused_with_status_2(capsys):
    assert main(["lesson", "--check", "21"]) == 2
    assert "give at least one answer" in capsys.readouterr().err


def test_check_takes_data_dir_and_starts_without_torch_or_textual():
    """A script checking many answers pays for neither: the answers need no tensor."""
    probe = (
        "import sys\n"
        "from tui.cli import main\n"
        f"argv = ['lesson', '--data-dir', {str(mnist_dir())!r}, '--check', "
        f"'{step_number('video')}', '106168320']\n"
        "code = main(argv)\n"
        "heavy = [m for m in ('torch', 'textual') if m in sys.modules]\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"


def test_an_answer_that_starts_with_a_minus_sign_is_an_answer_not_a_flag(capsys):
    step = f"{step_number('rotation-order')}.1"
    assert main(["lesson", "--check", step, "-2,0", "0,-2", "-.5"]) == 1  # one is wrong
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["wrong", "right", "wrong"]
