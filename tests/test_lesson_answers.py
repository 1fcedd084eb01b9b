"""The lesson's answer checker, table-driven: the forms people type, read right or explained.

Each row is (the step's key, what was typed, right?, words the feedback must contain). The
exercises are the lesson's own, so a changed question or answer shows up here.
"""

from __future__ import annotations

import pytest

from core.lesson import STEPS
from core.lesson.arithmetic import NotArithmetic, evaluate
from core.lesson.types import Exercise

EXERCISES = {step.key: step.exercise for step in STEPS if step.exercise is not None}

RIGHT = [
    # thousands separators, in shapes and counts
    ("load-mnist", "10,000 x 28 x 28"),
    ("load-mnist", "(10,000, 28, 28)"),
    ("load-mnist", "10000\u00d728\u00d728"),
    ("load-mnist", "torch.Size([10000, 28, 28])"),
    ("labels", "60,000"),
    ("labels", "(60000,)"),
    ("labels", "torch.Size([60000])"),
    ("video", "106,168,320"),
    ("video", "106168320 values"),
    ("video", "4*240*144*256*3"),
    ("video", "4 x 240 x 144 x 256 x 3"),
    # units after a number
    ("pipeline", "938 steps"),
    ("pipeline", "ceil(60000/64)"),
    ("batches", "469 batches"),
    ("attributes", "784 bytes"),
    ("attributes", "28*28"),
    ("network", "5130 parameters"),
    ("network", "5,130"),
    # arithmetic
    ("network", "512*10+10"),
    ("network", "512 x 10 + 10"),
    ("network", "(512 + 1) * 10"),
    # number words, 1D, rank 1
    ("rank-1", "one"),
    ("rank-1", "1D"),
    ("rank-1", "1-d"),
    ("rank-1", "rank 1"),
    ("rank-1", "rank-1"),
    ("rank-1", "One"),
    # yes/no words where the answer is that it fails
    ("reshape-error", "no"),
    ("reshape-error", "No."),
    ("reshape-error", "impossible"),
    ("reshape-error", "cannot"),
    ("reshape-error", "can't"),
    ("reshape-error", "error"),
    ("reshape-error", "it raises a ValueError"),
    ("reshape-error", "not possible"),
    # points and arrays
    ("geometry", "(0.0, 2.0)"),
    ("geometry", "[0, 2]"),
    ("geometry", "0, 2"),
    ("rotation-order", "array([0, -2])"),
    ("rotation-order", "array([ 0, -2])"),
    ("rotation-order", "[0, -2]"),
    ("rotation-order", "(0.0, -2.0)"),
    ("rotation-order", "tensor([0., -2.])"),
    # shapes, as before
    ("crop-corner", "60000x14x14"),
    ("reshape", "(60000, 28*28)"),
    ("tensor-product", "(a, b, c, e)"),
]


@pytest.mark.parametrize(("key", "typed"), RIGHT, ids=[f"{k}:{t}" for k, t in RIGHT])
def test_a_form_people_type_reads_as_the_right_answer(key, typed):
    right, feedback = EXERCISES[key].check(typed)
    assert right, feedback


WRONG = [
    # explained in the exercise's own terms, never by the separator's commas
    ("load-mnist", "10,000 x 28", "has 2 axes; the result has 3"),
    ("load-mnist", "(10,000, 28, 14)", "axis 2 is off"),
    ("crop-corner", "60,000 x 28 x 14", "axis 1 is off"),
    ("pipeline", "937 steps", "937 full batches"),  # the exercise's own mistake
    ("pipeline", "60000/64", "whole"),
    ("batches", "60000/128", "whole"),
    ("attributes", "780.5 bytes", "not a whole number"),
    ("pipeline", "1,000 steps", "too large"),
    ("video", "424,673,280 values", "bytes"),
    ("video", "212336640", "exactly 2 times too large"),
    ("network", "512*10", "bias"),
    ("rank-1", "five", "number of entries"),
    ("rank-1", "2D", "too large"),
    ("reshape-error", "yes", "12 values"),
    ("reshape-error", "maybe", "neither yes nor no"),
    ("rotation-order", "array([0, 2])", "dot(R, x)"),
    ("rotation-order", "(-2, 0)", "wrong order"),
    ("rotation-order", "[0, 2, 0]", "3 coordinates"),
    ("geometry", "(0, 3)", "y is off"),
    ("transpose", "(300, 20, 1)", "3 axes"),
    ("data-tensors", "(128, 256, 3, 256)", "wrong order"),
]


@pytest.mark.parametrize(("key", "typed", "says"), WRONG, ids=[f"{k}:{t}" for k, t, _ in WRONG])
def test_a_wrong_answer_is_explained_in_the_exercises_terms(key, typed, says):
    right, feedback = EXERCISES[key].check(typed)
    assert not right
    assert says in feedback
    if EXERCISES[key].form != "choice":  # "no" is in any sentence; a shape or count is not
        assert EXERCISES[key].answer not in feedback  # a first miss never gives it away


UNREADABLE = [
    ("network", "__import__('os').system('true')", "does not read as a number"),
    ("network", "9**9**9", "does not read as a number"),
    ("network", "1/0", "does not read as a number"),
    ("load-mnist", "a big cube", "does not read as a shape"),
    ("geometry", "up there", "does not read as a point"),
    ("network", "", "Type an answer first"),
    ("network", "1" * 500, "500 characters"),
]


@pytest.mark.parametrize(
    ("key", "typed", "says"), UNREADABLE, ids=[f"{k}:{t[:20]}" for k, t, _ in UNREADABLE]
)
def test_what_reads_as_no_answer_says_what_form_is_wanted(key, typed, says):
    right, feedback = EXERCISES[key].check(typed)
    assert not right and says in feedback


@pytest.mark.parametrize(
    ("text", "value"),
    [("512*10+10", 5130), ("(512 + 1) * 10", 5130), ("2**10", 1024), ("ceil(60000/64)", 938)],
)
def test_arithmetic_is_worked_out(text, value):
    assert evaluate(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "open('x')",
        "[1, 2]",
        "'a' * 3",
        "9**9**9",
        "x + 1",
        "(" * 500,
        "ceil(1e999-1e999)",  # inf - inf is NaN, which ceil cannot take
        "floor(1e999*0)",
    ],
)
def test_anything_but_arithmetic_is_refused_without_running_it(text):
    with pytest.raises(NotArithmetic):
        evaluate(text)


def test_every_exercise_names_a_known_kind_and_accepts_its_own_answer():
    for step in STEPS:
        for exercise in step.exercises:
            assert isinstance(exercise, Exercise)
            assert exercise.form in ("number", "shape", "vector", "choice", "puzzle"), step.key
            assert exercise.check(exercise.answer)[0], (step.key, exercise.question)


# --- Nothing shown before the guess gives the answer away -----------------------------------------


def answer_forms(exercise: Exercise) -> list[str]:
    """How the answer could be written in a step's text: as the checker's own forms are."""
    answer = exercise.answer
    if exercise.form == "shape":
        axes = [axis.strip() for axis in answer.strip("()").split(",") if axis.strip()]
        thousands = [f"{int(a):,}" if a.isdigit() else a for a in axes]
        forms = [answer, "(" + ", ".join(thousands) + ")"]
        if len(axes) > 1:
            forms += ["x".join(axes), " x ".join(axes), " x ".join(thousands), "x".join(thousands)]
        return forms
    if exercise.form == "number" and not answer.isdigit():
        return [answer]  # a decimal, such as 0.002: one way to write it
    if exercise.form == "number":
        return [rf"\b{answer}\b", rf"\b{int(answer):,}\b", rf"rank-{answer}\b"]
    if exercise.form == "vector":
        numbers = answer.strip("()").split(", ")
        return ["(" + ", ".join(numbers) + ")", "[" + ", ".join(numbers) + "]"]
    if exercise.form == "puzzle":
        return [exercise.answer]
    return [r"\berror\b", r"\brefuses\b", "ValueError", r"\bcannot\b"]  # the answer "no"


def shown_before_the_guess(step) -> str:
    code = "" if step.code_reveals else step.code
    return "\n".join([step.title, step.explanation, step.exercise.question, code])


@pytest.mark.parametrize(
    "step", [s for s in STEPS if s.exercise is not None and s.key != "review"], ids=lambda s: s.key
)
def test_no_answer_is_in_the_title_or_the_text_shown_before_the_guess(step):
    import re

    shown = shown_before_the_guess(step)
    for form in answer_forms(step.exercise):
        pattern = form if "\\" in form else re.escape(form)
        if re.search(pattern, step.exercise.question):
            continue  # (32, 10) + (10,): the question names an operand that has the answer's shape
        assert not re.search(pattern, shown), (step.key, form)


def test_a_decimal_without_its_leading_zero_reads_as_itself():
    from core.lesson.reading import read_number

    assert read_number(".002") == [0.002]  # not 2: the point is no word to drop
    assert read_number("about 938") == [938]
