"""Running a step's code on the loaded data, and judging what it prints against the lecture.

A step's `code` is what computes its value: it runs in a namespace holding the loaded splits
(and the trained model), and what it prints is the value shown beside the lecture's. So the
code on screen cannot drift from the number it claims to produce.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from core.lesson.types import LessonContext, Outcome

# What every snippet may assume, runnable on its own: `python -c "$PREAMBLE; <snippet>"`.
PREAMBLE = """\
from core.data import load_splits

train, test = load_splits("mnist")  # or "synthetic", or a folder: load_splits("mnist", DIR)
train_images, train_labels = train.images, train.labels  # NumPy: (60000, 28, 28) uint8
test_images, test_labels = test.images, test.labels
model = None  # the trained network, once the training step has made one
device = "cpu"
"""

NEEDS_MODEL = Outcome("(train first)", None, "needs a trained network")

NOTHING_PRINTED = "the lecture printed nothing here"

# (value printed now, the lecture's text or None) -> (agrees, reason)
Judge = Callable[[str, str | None], tuple[bool | None, str | None]]


def namespace(ctx: LessonContext) -> dict[str, object]:
    """The names PREAMBLE defines, bound to the context's data and model."""
    return {
        "__name__": "__lesson__",
        "train": ctx.train,
        "test": ctx.test,
        "train_images": ctx.train.images,
        "train_labels": ctx.train.labels,
        "test_images": ctx.test.images,
        "test_labels": ctx.test.labels,
        "model": ctx.model,
        "device": ctx.device,
    }


def run_code(code: str, names: dict[str, object]) -> str:
    """Execute a snippet in `names` and return what it printed, without the final newline.

    The snippet's `print` writes to a buffer of its own, rather than sys.stdout being swapped
    (contextlib.redirect_stdout): the Lesson screen computes steps on worker threads, and a
    swapped global stdout would catch other threads' output, or stay swapped when two overlap.
    """
    out = io.StringIO()

    def lesson_print(*values: object, **options) -> None:
        options.setdefault("file", out)
        print(*values, **options)

    names["print"] = lesson_print
    exec(compile(code, "<lesson step>", "exec"), names)
    return out.getvalue().rstrip("\n")


def squeeze(text: str) -> str:
    """Text with every run of whitespace made one space: the exported lecture lost its padding."""
    return " ".join(text.split())


def same_text(value: str, lecture: str | None) -> tuple[bool | None, str | None]:
    """Equal but for spacing (the lecture's export collapsed runs of spaces)."""
    if lecture is None:
        return None, NOTHING_PRINTED
    if squeeze(value) == squeeze(lecture):
        return True, None
    return False, "differs from what the lecture printed"


def numbers_in(text: str) -> list[str]:
    """The numbers in a text, in order ("torch.Size([60000, 28, 28])" -> 60000, 28, 28)."""
    plain = re.sub(r"(?<=\d)[,_](?=\d{3}(?!\d))", "", text)  # 106,168,320 is one number
    return re.findall(r"-?\d+(?:\.\d+)?", plain)


def same_numbers(value: str, lecture: str | None) -> tuple[bool | None, str | None]:
    """The same numbers in the same order; the words around them are ours, not the lecture's."""
    if lecture is None:
        return None, NOTHING_PRINTED
    ours, theirs = numbers_in(value), numbers_in(lecture)
    if ours == theirs:
        return True, None
    return False, f"the numbers differ: {' '.join(ours)} against {' '.join(theirs)}"


def other_data(ctx: LessonContext) -> str | None:
    """Why data-dependent values cannot match the lecture's, or None for MNIST itself."""
    if ctx.train.is_synthetic:
        return "synthetic digits, not MNIST"
    if ctx.train.name != "mnist":
        return f"{ctx.train.name} data, not the lecture's MNIST"
    return None


@dataclass(frozen=True)
class Printed:
    """A step's compute: run its code, then judge the printed text against the lecture's."""

    code: str
    lecture: str | None
    needs: Literal["none", "data", "model"] = "data"
    judge: Judge = same_text
    # Whether the value depends on the dataset loaded (shapes, pixels): then it can only
    # agree on MNIST. Steps over fixed arrays (the rank examples) agree on any data.
    data_dependent: bool = True

    def __call__(self, ctx: LessonContext) -> Outcome:
        if self.needs == "model" and ctx.model is None:
            return NEEDS_MODEL
        try:
            value = run_code(self.code, namespace(ctx))
        except Exception as err:  # a step must show why, not take the screen down
            return Outcome(f"{type(err).__name__}: {err}", False, "the step's code failed")
        reason = other_data(ctx) if self.data_dependent else None
        if reason is not None:
            return Outcome(value, None, reason)
        agrees, why = self.judge(value, self.lecture)
        return Outcome(value, agrees, why)
