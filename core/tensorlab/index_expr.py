"""Index expressions such as `train_images[10:100, 7:-7, 7:-7]`, parsed with `ast`, never evaluated.

Only a name, one subscript, and inside it integers (negative too), slices, `...` and tuples of
those pass the whitelist; anything else is refused with an `IndexExpressionError` before any
array is touched. Indexing follows NumPy on the NumPy arrays the app has loaded, so negative
steps (`[::-1]`) work, although torch tensors refuse them. When NumPy itself refuses (an index
out of range, too many indices) the error is an `IndexingFailed` carrying NumPy's own message.
Both are ValueErrors, the only exceptions `parse_shape`, `parse_index`, `index_array` and
`apply_index` raise (with `sizes.TooLarge`, also a ValueError, for a shape over a limit).

Shapes such as `(64, 3, 32, 10)` go through the same whitelist: tuples of non-negative integers,
then `sizes.check_shape`: at most MAX_DIMS axes, sizes NumPy could make, and at most `limit`
elements where the caller will allocate the shape. Nothing is allocated to check a shape.

Every message is one line, and quotes at most a few dozen characters of what was typed.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from types import EllipsisType

import numpy as np

from core.tensorlab.sizes import MAX_COUNT, check_shape, count_text

MAX_LENGTH = 200  # longer text is refused before parsing: deep nesting can exhaust the parser

IndexPart = int | slice | EllipsisType
IndexKey = IndexPart | tuple[IndexPart, ...] | None  # None: the bare name, no subscript


class IndexExpressionError(ValueError):
    """The text is not an index expression this lab accepts; the message says why."""


class IndexingFailed(IndexExpressionError):
    """A well-formed expression that NumPy refused; the message is NumPy's own."""


@dataclass(frozen=True)
class IndexExpression:
    """`name[key]` as parsed: the tensor's name and a key NumPy indexing accepts."""

    name: str
    key: IndexKey

    def describe(self) -> str:
        if self.key is None:
            return self.name
        parts = self.key if isinstance(self.key, tuple) else (self.key,)
        if not parts:
            return f"{self.name}[()]"
        return f"{self.name}[{', '.join(format_part(p) for p in parts)}]"


def format_part(part: IndexPart) -> str:
    if part is Ellipsis:
        return "..."
    if isinstance(part, slice):
        text = ":".join("" if v is None else str(v) for v in (part.start, part.stop))
        return text + (f":{part.step}" if part.step is not None else "")
    return str(part)


def quoted(node: ast.expr, limit: int = 40) -> str:
    """A piece of the typed text, in backticks, cut short: messages stay one short line."""
    text = " ".join(ast.unparse(node).split())
    return f"`{text if len(text) <= limit else text[: limit - 1] + '…'}`"


def parse_tree(text: str, example: str = "an expression such as train_images[4]") -> ast.expr:
    if len(text) > MAX_LENGTH:
        raise IndexExpressionError(f"too long: at most {MAX_LENGTH} characters")
    if not text.strip():
        raise IndexExpressionError(f"empty: type {example}")
    try:
        with warnings.catch_warnings():  # invalid escapes in junk warn; the user sees our message
            warnings.simplefilter("ignore")
            return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as error:
        message = " ".join((getattr(error, "msg", None) or str(error) or "").split())
        raise IndexExpressionError(f"not valid Python syntax: {message}") from None


def integer(node: ast.expr) -> int:
    """An int literal, or minus one; bools are refused because NumPy reads them as masks."""
    negative = False
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        negative, node = True, node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return -node.value if negative else node.value
    raise IndexExpressionError(f"only whole numbers are allowed here, not {quoted(node)}")


def index_part(node: ast.expr) -> IndexPart:
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return Ellipsis
    if isinstance(node, ast.Slice):
        start, stop, step = (
            None if n is None else integer(n) for n in (node.lower, node.upper, node.step)
        )
        if step == 0:
            raise IndexExpressionError("slice step cannot be zero")
        return slice(start, stop, step)
    index = integer(node)
    if abs(index) > MAX_COUNT:  # NumPy would say only that it is not an index
        raise IndexExpressionError(
            f"index {index if len(str(index)) <= 24 else count_text(index)} is out of bounds: "
            f"no axis is longer than {MAX_COUNT:,}"
        )
    return index


def parse_index(text: str, names: tuple[str, ...] | list[str]) -> IndexExpression:
    """Parse `name` or `name[...]` where name is one of `names`; raise IndexExpressionError."""
    node = parse_tree(text)
    subscript = None
    if isinstance(node, ast.Subscript):
        subscript, node = node.slice, node.value
    if not isinstance(node, ast.Name):
        raise IndexExpressionError(
            f"refused {quoted(node)}: only a tensor name, then one [...] of numbers, slices and ..."
        )
    if node.id not in names:
        name = node.id if len(node.id) <= 40 else node.id[:39] + "…"
        raise IndexExpressionError(f"unknown name {name!r}: use one of {', '.join(names)}")
    if subscript is None:
        return IndexExpression(node.id, None)
    if isinstance(subscript, ast.Tuple):
        key: IndexKey = tuple(index_part(element) for element in subscript.elts)
    else:
        key = index_part(subscript)
    return IndexExpression(node.id, key)


def index_array(expression: IndexExpression, array: np.ndarray) -> np.ndarray:
    """NumPy's basic indexing: a view, never a copy; NumPy's own message if it refuses."""
    if expression.key is None:
        return array
    try:
        result = array[expression.key]
    except (IndexError, ValueError, TypeError, OverflowError) as error:
        raise IndexingFailed(str(error)) from error
    return np.asarray(result)


def apply_index(text: str, tensors: dict[str, np.ndarray]) -> tuple[IndexExpression, np.ndarray]:
    """Parse and index in one step: the expression and the view it selects."""
    expression = parse_index(text, tuple(tensors))
    return expression, index_array(expression, tensors[expression.name])


def parse_shape(text: str, limit: int = MAX_COUNT) -> tuple[int, ...]:
    """`(64, 3, 32, 10)`, `64, 3` or `10` as a tuple of non-negative ints; `()` is a scalar.

    Refused, with a message naming the limit: more than MAX_DIMS axes, sizes NumPy cannot make,
    and more than `limit` elements (pass the caller's allocation cap when it will allocate).
    """
    node = parse_tree(text, "a shape such as (64, 784)")
    elements = node.elts if isinstance(node, ast.Tuple) else [node]
    shape = []
    for element in elements:
        if not (isinstance(element, ast.Constant) and type(element.value) is int):
            raise IndexExpressionError(
                f"a shape is non-negative whole numbers, such as (64, 784); not {quoted(element)}"
            )
        shape.append(element.value)
    check_shape(tuple(shape), limit)
    return tuple(shape)


def parse_shapes(text: str, count: int) -> tuple[tuple[int, ...], ...]:
    """Exactly `count` shapes separated by commas: `(32, 10), (10,)`."""
    node = parse_tree(text, f"{count} shapes such as {', '.join(['(32, 10)'] * count)}")
    elements = node.elts if isinstance(node, ast.Tuple) else [node]
    if len(elements) != count or not all(isinstance(e, ast.Tuple) for e in elements):
        raise IndexExpressionError(
            f"expected {count} shapes in parentheses, such as {', '.join(['(32, 10)'] * count)}"
        )
    return tuple(parse_shape(ast.unparse(element)) for element in elements)
