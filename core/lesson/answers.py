"""Checking a typed guess: shapes, counts and words, in the forms people write them.

A shape may be written `(60000, 14, 14)`, `60000x14x14`, `[60000,14,14]`, `torch.Size([...])`,
with a trailing comma or `28*28` for 784; a count with or without thousands separators; a
word in any case. A wrong answer is explained: by the exercise's own list of common mistakes
first, then by what differs (the number of axes, which axis, too big or too small).
"""

from __future__ import annotations

import math
import re
from typing import Protocol


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


Shape = tuple[str, ...]
MAX_ANSWER = 200  # characters: every answer is a short shape, count or word
_PRODUCT = re.compile(r"-?\d+(\*-?\d+)*")
_SYMBOL = re.compile(r"[a-z_][a-z0-9_]*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?(e\d+)?")


def answer_kind(answer: str) -> str:
    """ "shape" for a tuple, "number" for a count, "word" for anything else."""
    text = answer.strip()
    if text.startswith("("):
        return "shape"
    return "number" if _NUMBER.fullmatch(text.replace(",", "")) else "word"


def normalise_shape(text: str) -> Shape | None:
    """The axes of a typed shape as strings ("784", "a"); None if it is not a shape."""
    t = text.strip().lower()
    t = re.sub(r"torch\.size|np\.shape|shape|size|[=:]", " ", t)
    t = re.sub(r"(?<=\d)_(?=\d)", "", t)  # 60_000
    t = re.sub(r"\s*\*\s*", "*", t)  # 28 * 28
    t = re.sub(r"(?<=\d)\s*[x\u00d7]\s*(?=\d)", ",", t)  # 60000x14x14
    t = re.sub(r"[()\[\]{}]", " ", t)
    tokens = [token for token in re.split(r"[,\s]+", t) if token]
    axes = []
    for token in tokens:
        if _PRODUCT.fullmatch(token):  # 784, 28*28, or a coordinate such as -2
            axes.append(str(math.prod(int(n) for n in token.split("*"))))
        elif _SYMBOL.fullmatch(token) and token != "x":
            axes.append(token)
        else:
            return None
    return tuple(axes)


def normalise_number(text: str) -> int | float | None:
    t = re.sub(r"[,_\s]|values?|elements?", "", text.strip().lower())
    if not _NUMBER.fullmatch(t):
        return None
    value = float(t)
    return int(value) if value.is_integer() else value


def normalise_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.strip().lower()).strip()


def is_numeric(shape: Shape) -> bool:
    return all(axis.lstrip("-").isdigit() for axis in shape)


NORMALISE = {"shape": normalise_shape, "number": normalise_number, "word": normalise_word}
WHAT = {
    "shape": "a shape such as (2, 3)",
    "number": "a whole number such as 1,024",
    "word": "a word",
}


def check_answer(exercise: Answerable, given: str) -> tuple[bool, str]:
    """(right?, why it is right or what the given answer misses), for Exercise.check."""
    hint = f" Hint: {exercise.hint}" if exercise.hint else ""
    if not given.strip():
        return False, f"Type an answer first.{hint}"
    if len(given) > MAX_ANSWER:
        return False, f"That is {len(given):,} characters; an answer here is a few.{hint}"
    kind = answer_kind(exercise.answer)
    normalise = NORMALISE[kind]
    guess, right = normalise(given), normalise(exercise.answer)
    # Letters stand for sizes only where the answer itself is written in letters.
    if guess in (None, "") or (kind == "shape" and letters_for_digits(guess, right)):
        return False, f"{given.strip()!r} does not read as {WHAT[kind]}.{hint}"
    if guess == right or guess in {normalise(a) for a in exercise.accept}:
        return True, exercise.why or f"Right: {exercise.answer}."
    for wrong, explanation in exercise.mistakes:
        if normalise(wrong) == guess:
            return False, explanation
    return False, explain_difference(kind, guess, right) + hint


def letters_for_digits(guess: object, right: object) -> bool:
    """A shape guessed in letters where the answer is written in digits."""
    # Both come from normalise_shape: the guess is not None (check_answer tests that first),
    # and an exercise's shape answer always reads as one.
    assert isinstance(guess, tuple) and isinstance(right, tuple)
    return is_numeric(right) and not is_numeric(guess)


def explain_difference(kind: str, guess, right) -> str:
    """What differs between a wrong guess and the answer, without giving the answer away."""
    if kind == "shape":
        if len(guess) != len(right):
            axes = "1 axis" if len(guess) == 1 else f"{len(guess)} axes"
            return f"That has {axes}; the result has {len(right)}."
        wrong = [i for i, (g, r) in enumerate(zip(guess, right, strict=True)) if g != r]
        axes = ", ".join(str(i) for i in wrong)
        which = f"axis {axes} is" if len(wrong) == 1 else f"axes {axes} are"
        return f"The number of axes is right, but {which} off (counting from 0)."
    if kind == "number":
        return f"{guess:,} is too {'large' if guess > right else 'small'}."
    return "Not that one."
