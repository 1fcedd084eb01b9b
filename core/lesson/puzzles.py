"""Tensor puzzles: make a target from a given tensor with one index expression.

The answer is written in the Tensors lab's safe syntax (core/tensorlab/index_expr.py: a name
and one [...] of whole numbers, slices and ...; parsed, never evaluated) and checked as a
property, not as text: it runs on several inputs of different shapes filled with distinct
random values, and must give exactly what the reference expression gives on each. So
`x[:, 7]` for "the last column" passes on an 8-column input and fails on a 9-column one, and
`x[:, -1]` and `x[..., -1]` are both right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.lesson.types import Exercise, LessonContext, Outcome, Step

SEED = 0  # the same inputs every time: a verdict can be reproduced


@dataclass(frozen=True)
class Puzzle:
    """One input tensor, named `name`, tried at each of `shapes`; `reference` makes the target."""

    name: str
    shapes: tuple[tuple[int, ...], ...]
    reference: str

    def check(self, given: str, why: str) -> tuple[bool, str]:
        import numpy as np

        from core.tensorlab.index_expr import IndexExpressionError, IndexingFailed, apply_index

        rng = np.random.default_rng(SEED)
        passed: list[tuple[int, ...]] = []
        for shape in self.shapes:
            values = rng.permutation(math.prod(shape)).reshape(shape)  # distinct: order shows
            tensors = {self.name: values}
            _, want = apply_index(self.reference, tensors)
            try:
                _, got = apply_index(given, tensors)
            except IndexingFailed as error:
                return False, f"On a {shape_text(shape)} input NumPy refuses it: {error}."
            except IndexExpressionError as error:
                return False, str(error) + ("" if str(error).endswith(".") else ".")
            before = f"Right on {shape_text(passed[0])}, but on " if passed else "On "
            if got.shape != want.shape:
                return False, (
                    f"{before}a {shape_text(shape)} input it gives shape "
                    f"{shape_text(got.shape)}; the target's is {shape_text(want.shape)}."
                )
            if not np.array_equal(got, want):
                return False, (
                    f"{before}a {shape_text(shape)} input the shape is right but the values "
                    "are other ones: other rows, columns or order."
                )
            passed.append(shape)
        return True, why


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


MATRICES = ((6, 8), (5, 9), (7, 7), (4, 10))
BATCHES = ((4, 5, 6), (3, 6, 7), (5, 4, 8))


def puzzle(question: str, reference: str, hint: str, why: str, batch: bool = False) -> Exercise:
    name, shapes = ("t", BATCHES) if batch else ("x", MATRICES)
    return Exercise(
        question=question,
        answer=reference,
        hint=hint,
        why=why,
        kind="puzzle",
        puzzle=Puzzle(name, shapes, reference),
    )


PUZZLES: tuple[Exercise, ...] = (
    puzzle(
        "x is a matrix of any size. Write x's last column, as a vector (one axis).",
        "x[:, -1]",
        "every row, then one column counted from the end",
        "A colon keeps every row; -1 picks the last column whatever the width.",
    ),
    puzzle(
        "Write x's first row, as a vector.",
        "x[0]",
        "one integer index takes one row and drops that axis",
        "x[0] takes row 0 and drops the rows axis.",
    ),
    puzzle(
        "Write x's first row, keeping two axes: shape (1, columns).",
        "x[:1]",
        "a slice keeps its axis, even when it holds one element",
        "x[:1] (or x[0:1]) slices one row and keeps the rows axis.",
    ),
    puzzle(
        "Write every other row of x, starting with the first.",
        "x[::2]",
        "a slice takes a step after a second colon",
        "x[::2] steps through the rows two at a time from row 0.",
    ),
    puzzle(
        "Write x with its rows in reverse order.",
        "x[::-1]",
        "a negative step walks an axis backwards",
        "x[::-1] reads the rows from the last to the first.",
    ),
    puzzle(
        "Write x turned half a turn: its rows and its columns both reversed.",
        "x[::-1, ::-1]",
        "a backwards step on each axis",
        "Reversing both axes turns the matrix by 180 degrees.",
    ),
    puzzle(
        "Write the bottom-right 2x2 corner of x.",
        "x[-2:, -2:]",
        "negative starts count from the end: the last two of each axis",
        "x[-2:, -2:] keeps the last two rows and the last two columns, whatever the size.",
    ),
    puzzle(
        "Write x without its border: the first and last row and column dropped.",
        "x[1:-1, 1:-1]",
        "start at 1 and stop one before the end, on both axes",
        "1:-1 drops one element at each end of an axis.",
    ),
    puzzle(
        "Write the columns of x at odd positions (1, 3, 5, ...).",
        "x[:, 1::2]",
        "every row; columns from 1 in steps of 2",
        "x[:, 1::2] starts at column 1 and steps by two.",
    ),
    puzzle(
        "t is a batch of matrices, samples first. Write its first two samples, whole.",
        "t[:2]",
        "slice the samples axis only",
        "t[:2] keeps samples 0 and 1 and all of their rows and columns.",
        batch=True,
    ),
    puzzle(
        "Write the last column of every matrix in t: shape (samples, rows).",
        "t[:, :, -1]",
        "keep the first two axes whole; pick on the last",
        "t[:, :, -1], or t[..., -1]: the last column of each sample.",
        batch=True,
    ),
    puzzle(
        "Write the top-left element of every matrix in t: one number per sample.",
        "t[:, 0, 0]",
        "keep the samples axis; one integer on each of the other two",
        "t[:, 0, 0] keeps the samples and drops the rows and columns axes.",
        batch=True,
    ),
    puzzle(
        "Write the last row of t's last sample, as a vector.",
        "t[-1, -1]",
        "two integers from the end; the columns stay",
        "t[-1, -1]: the last sample, then its last row.",
        batch=True,
    ),
)

PUZZLES_CODE = """\
import numpy as np

from core.tensorlab.index_expr import apply_index

x = np.arange(6 * 8).reshape(6, 8)  # a puzzle's x: one of several sizes it is tried on
expression, view = apply_index("x[1:3, ::4]", {"x": x})
print(expression.describe(), "->", view.shape)
print(view)
"""


def puzzles_outcome(_ctx: LessonContext) -> Outcome:
    return Outcome(f"{len(PUZZLES)} puzzles", None, "the lecture has no puzzles to compare with")


PUZZLES_STEP = Step(
    key="puzzles",
    title="Puzzles: make a tensor by indexing",
    explanation=(
        "Each puzzle gives a tensor and a target to make from it with one index expression, "
        "as the Tensors lab takes them: the name, then one [...] of whole numbers, slices "
        "start:stop:step and ... . Nothing else runs.\n\n"
        "An answer is not compared as text. It is run on several inputs of different sizes "
        "filled with random values, and it is right when it gives exactly the target on every "
        "one; so a size written in where the end was meant is caught."
    ),
    code=PUZZLES_CODE,
    lecture=None,
    needs="none",
    compute=puzzles_outcome,
    exercise=PUZZLES[0],
    quiz=PUZZLES[1:],
)
