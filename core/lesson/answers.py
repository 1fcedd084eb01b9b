"""Checking a typed guess, and saying what a wrong one misses in the exercise's own terms.

The readers (core/lesson/reading.py) take the forms people type: "10,000 x 28 x 28",
"938 steps", "512*10+10", "rank 1", "impossible", "array([0, -2])". A guess is right when any
of its readings is the answer; a wrong one is explained by the exercise's own list of common
mistakes first, then by what differs (the number of axes, which axis, too big or too small,
which coordinate), always without giving the answer away.
"""

from __future__ import annotations

import math
from typing import Protocol

from core.lesson.reading import READERS, read_number

KINDS = ("number", "shape", "vector", "choice", "puzzle")
MAX_ANSWER = 200  # characters: every answer is a short shape, count, point or word


class Answerable(Protocol):
    """What checking reads of an exercise (core.lesson.types.Exercise is one): this module
    needs no more, so the exercise's type can call it without the two importing each other."""

    @property
    def answer(self) -> str: ...
    @property
    def hint(self) -> str: ...
    @property
    def why(self) -> str: ...
    @property
    def mistakes(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def accept(self) -> tuple[str, ...]: ...
    @property
    def kind(self) -> str: ...


def answer_kind(answer: str) -> str:
    """ "shape" for a tuple, "number" for a count, "choice" for a word (yes, no, ...)."""
    text = answer.strip()
    if text.startswith("("):
        return "shape"
    return "number" if read_number(text) else "choice"


def kind_of(exercise: Answerable) -> str:
    return exercise.kind or answer_kind(exercise.answer)


def checked_as(exercise: Answerable) -> str:
    """The reader for a guess: a puzzle refused before it runs (empty, too long) reads as text."""
    kind = kind_of(exercise)
    return "choice" if kind == "puzzle" else kind


WHAT = {
    "shape": "a shape such as (2, 3) or 60,000 x 28",
    "number": "a number such as 1,024, 938 steps or 512*10+10",
    "vector": "a point such as (1, -3) or [1, -3]",
    "choice": "yes or no",
}


def same(kind: str, a: object, b: object) -> bool:
    if kind == "number":
        assert isinstance(a, int | float) and isinstance(b, int | float)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if kind == "vector":
        assert isinstance(a, tuple) and isinstance(b, tuple)
        if len(a) != len(b):
            return False
        return all(math.isclose(p, q, abs_tol=1e-6) for p, q in zip(a, b, strict=True))
    return a == b


def check_answer(exercise: Answerable, given: str) -> tuple[bool, str]:
    """(right?, why it is right or what the given answer misses), for Exercise.check."""
    hint = f" Hint: {exercise.hint}" if exercise.hint else ""
    if not given.strip():
        return False, f"Type an answer first.{hint}"
    if len(given) > MAX_ANSWER:
        return False, f"That is {len(given):,} characters; an answer here is a few.{hint}"
    kind = checked_as(exercise)
    read = READERS[kind]
    readings = read(given)
    right = read(exercise.answer)[0]
    if kind == "shape":  # letters stand for sizes only where the answer is written in letters
        readings = [r for r in readings if not letters_for_digits(r, right)]
    if not readings:
        return False, f"{given.strip()!r} does not read as {WHAT[kind]}.{hint}"
    accepted = [right, *(reading for text in exercise.accept for reading in read(text))]
    if any(same(kind, guess, ok) for guess in readings for ok in accepted):
        return True, exercise.why or f"Right: {exercise.answer}."
    for wrong, explanation in exercise.mistakes:
        known = read(wrong)
        if any(same(kind, guess, mistake) for guess in readings for mistake in known):
            return False, explanation
    # The most likely reading: "10,000 x 28" is explained as the two axes it means.
    return False, explain_difference(kind, readings[0], right) + hint


def letters_for_digits(guess: object, right: object) -> bool:
    """A shape guessed in letters where the answer is written in digits."""
    assert isinstance(guess, tuple) and isinstance(right, tuple)
    return is_numeric(right) and not is_numeric(guess)


def is_numeric(shape: tuple) -> bool:
    return all(str(axis).lstrip("-").isdigit() for axis in shape)


def explain_difference(kind: str, guess, right) -> str:
    """What differs between a wrong guess and the answer, without giving the answer away."""
    if kind == "shape":
        return explain_shape(guess, right)
    if kind == "number":
        return explain_number(guess, right)
    if kind == "vector":
        return explain_vector(guess, right)
    if right in ("yes", "no") and guess not in ("yes", "no"):
        return f"{guess!r} reads as neither yes nor no."
    return f"Not {guess}."


def explain_shape(guess: tuple, right: tuple) -> str:
    if len(guess) != len(right):
        axes = "1 axis" if len(guess) == 1 else f"{len(guess)} axes"
        return f"{shape_text(guess)} has {axes}; the result has {len(right)}."
    wrong = [i for i, (g, r) in enumerate(zip(guess, right, strict=True)) if g != r]
    axes = ", ".join(str(i) for i in wrong)
    which = f"axis {axes} is" if len(wrong) == 1 else f"axes {axes} are"
    if sorted(guess) == sorted(right):
        return f"{shape_text(guess)} has the right sizes in the wrong order ({which} off)."
    return f"{shape_text(guess)} has the right number of axes, but {which} off (from 0)."


def shape_text(shape: tuple) -> str:
    return "(" + ", ".join(shape) + ("," if len(shape) == 1 else "") + ")"


def explain_number(guess: float, right: float) -> str:
    shown = f"{guess:,}" if float(guess).is_integer() else f"{guess:,.4g}"
    if float(right).is_integer() and not float(guess).is_integer():
        return f"{shown} is not a whole number, and the answer is one."
    direction = "large" if guess > right else "small"
    ratio = max(guess, right) / min(guess, right) if min(guess, right) > 0 else 0
    if 2 <= ratio <= 1000 and float(ratio).is_integer():  # a missed factor, e.g. 4 bytes
        return f"{shown} is exactly {ratio:.0f} times too {direction}: a factor is off."
    return f"{shown} is too {direction}."


def explain_vector(guess: tuple, right: tuple) -> str:
    names = ("x", "y", "z") if len(right) <= 3 else tuple(f"entry {i}" for i in range(len(right)))
    if len(guess) != len(right):
        return f"That has {len(guess)} coordinates; the answer has {len(right)}."
    pairs = list(zip(names, guess, right, strict=False))  # names may be longer than the point
    if all(math.isclose(abs(g), abs(r), abs_tol=1e-6) for _, g, r in pairs):
        flipped = [n for n, g, r in pairs if not math.isclose(g, r)]
        return f"The sizes are right, but the sign of {' and '.join(flipped)} is not."
    if sorted(guess) == sorted(right):
        return "Those are the right numbers in the wrong order."
    off = [n for n, g, r in pairs if not math.isclose(g, r, abs_tol=1e-6)]
    return f"{' and '.join(off)} {'is' if len(off) == 1 else 'are'} off."
