"""Arithmetic typed as an answer ("512*10+10", "ceil(60000/64)"), worked out without eval().

The text is parsed into Python's syntax tree and only numbers, + - * / // % **, brackets and
ceil/floor/round are walked; anything else (a name, an attribute, a string) reads as no number.
Sizes are capped, so "9**9**9" is refused rather than computed.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

LIMIT = 1e30  # far past any count in the lecture; a bigger value is a typo, not an answer
MAX_EXPONENT = 64

BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
FUNCTIONS: dict[str, Callable[[float], float]] = {
    "ceil": math.ceil,
    "floor": math.floor,
    "round": round,
}


class NotArithmetic(ValueError):
    """The text is not plain arithmetic on numbers."""


def evaluate(text: str) -> float:
    """The value of an arithmetic expression; NotArithmetic when it is anything else."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise NotArithmetic(text) from error
    try:
        value = walk(tree.body)
    except (ZeroDivisionError, OverflowError, RecursionError, ValueError) as error:
        raise NotArithmetic(text) from error  # ValueError: a math domain error
    if not math.isfinite(value) or abs(value) > LIMIT:
        raise NotArithmetic(text)
    return value


def walk(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        if isinstance(node.value, bool):
            raise NotArithmetic("a truth value")
        if not math.isfinite(node.value) or abs(node.value) > LIMIT:  # 1e999 reads as inf
            raise NotArithmetic("too large")
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = walk(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        left, right = walk(node.left), walk(node.right)
        if isinstance(node.op, ast.Pow) and (abs(right) > MAX_EXPONENT or abs(left) > LIMIT):
            raise NotArithmetic("power too large")
        result = BINARY[type(node.op)](left, right)
        if isinstance(result, complex) or abs(result) > LIMIT:
            raise NotArithmetic("too large")
        return result
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        name = function_name(node.func)
        if name in FUNCTIONS:
            return FUNCTIONS[name](walk(node.args[0]))
    raise NotArithmetic(type(node).__name__)


def function_name(node: ast.AST) -> str | None:
    """ceil, or math.ceil / np.ceil: the module name a learner may add is ignored."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr
    return None
