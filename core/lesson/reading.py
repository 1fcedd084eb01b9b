"""Reading a typed guess in the forms people write it: counts, shapes, points and yes/no.

Each reader returns what the text can mean, most likely first, so a check can accept any
reading that is right and explain a wrong one by the reading closest to the question
("10,000 x 28 x 28" is three axes, not the four its comma alone would make).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from core.lesson.arithmetic import NotArithmetic, evaluate

Shape = tuple[str, ...]
Vector = tuple[float, ...]

_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen "
_WORDS += "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
NUMBER_WORDS = {word: value for value, word in enumerate(_WORDS.split())}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b")
_THOUSANDS = re.compile(r"(?<=\d)[,_](?=\d{3}(?!\d))")  # 60,000 and 60_000
# "about 938", "rank 1": words, each starting with a letter, so ".002" keeps its point
_LEADING_WORDS = re.compile(r"^(?:[a-z][a-z'.:=]*\s*)+?(?=[\d(+\-.])")
_TRAILING_WORDS = re.compile(r"(?<=[\d)])\s*-?\s*[a-z][a-z\s\-'.]*$")  # "938 steps", "1D"
_TIMES = re.compile(r"(?<=[\d)])\s*[x\u00d7]\s*(?=[\d(])")  # 4 x 240, and the multiplication sign

_PRODUCT = re.compile(r"-?\d+(\*-?\d+)*")
_SYMBOL = re.compile(r"[a-z_][a-z0-9_]*")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?")


def read_number(text: str) -> list[float]:
    """A count or arithmetic on counts, with units, words or separators around it."""
    t = text.strip().lower().replace("\u2212", "-")
    t = _NUMBER_WORD.sub(lambda m: str(NUMBER_WORDS[m.group(1)]), t)
    t = _THOUSANDS.sub("", t)
    t = re.sub(r"\brank[\s-]*", "", t)  # "rank 1", "rank-1": not minus one
    t = _TRAILING_WORDS.sub("", t)
    if not re.match(r"^(ceil|floor|round|math\.|np\.)", t):
        t = _LEADING_WORDS.sub("", t)
    t = _TIMES.sub("*", t).replace("^", "**").replace("\u00b7", "*")
    try:
        value = evaluate(t)
    except NotArithmetic:
        return []
    return [int(value) if float(value).is_integer() else value]


def shape_tokens(text: str) -> Shape | None:
    """The axes of a typed shape as strings ("784", "a"); None if it is not a shape."""
    t = text.strip().lower()
    t = re.sub(r"torch\.size|np\.shape|shape|size|[=:]", " ", t)
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
    return tuple(axes) if axes else None


def read_shape(text: str) -> list[Shape]:
    """A shape's readings: with its commas as thousands separators, and as axis separators."""
    collapsed = shape_tokens(_THOUSANDS.sub("", text.replace("_", ",")))
    plain = shape_tokens(re.sub(r"(?<=\d)_(?=\d)", "", text))
    # "10,000 x 28" or "(10,000, 28)": a comma before three digits is a thousands separator
    thousands_first = bool(re.search(r"(?<![\d,])\d{1,3}(,\d{3})+(?![\d])", text))
    readings = [collapsed, plain] if thousands_first else [plain, collapsed]
    return unique([reading for reading in readings if reading is not None])


def read_vector(text: str) -> list[Vector]:
    """A point or a small array: (0.0, 2.0), [0, -2], array([ 0, -2]), tensor([0., 2.])."""
    t = text.strip().lower().replace("\u2212", "-")
    t = re.sub(r"dtype\s*=\s*[\w.]+", " ", t)
    t = re.sub(r"\b(np|numpy|torch)\.", " ", t)
    t = re.sub(r"\b(array|tensor|vector|point)\b", " ", t)
    t = re.sub(r"\b[a-z]\s*=", " ", t)  # x=0, y=2
    t = re.sub(r"[()\[\]{}]", " ", t)
    tokens = [token for token in re.split(r"[,;\s]+", t) if token]
    if not tokens or not all(_FLOAT.fullmatch(token) for token in tokens):
        return []
    return [tuple(float(token) + 0.0 for token in tokens)]


NO_WORDS = frozenset(
    {"no", "nope", "never", "impossible", "cannot", "cant", "wont", "error", "valueerror"}
    | {"fails", "fail", "failed", "raises", "exception", "refuses", "false"}
)
YES_WORDS = frozenset({"yes", "yep", "yeah", "sure", "possible", "can", "works", "true", "ok"})


def read_choice(text: str) -> list[str]:
    """A word, with yes and no read from the ways people say them ("cannot", "it errors")."""
    words = re.sub(r"[^a-z0-9]+", " ", text.strip().lower().replace("'", "")).split()
    if not words:
        return []
    phrase = " ".join(words)
    if words[0] in ("no", "nope", "n"):
        return ["no"]
    if words[0] in ("yes", "yep", "yeah", "y"):
        return ["yes"]
    if "not" in words or "can not" in phrase or any(word.startswith("error") for word in words):
        return ["no"]
    if any(word in NO_WORDS for word in words):
        return ["no"]
    if any(word in YES_WORDS for word in words):
        return ["yes"]
    return [phrase]


READERS: dict[str, Callable[[str], list[Any]]] = {
    "number": read_number,
    "shape": read_shape,
    "vector": read_vector,
    "choice": read_choice,
}


def unique(items: list) -> list:
    seen: list = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
