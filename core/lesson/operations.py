"""Steps on tensor operations: element-wise, broadcasting, the tensor product, a dense layer."""

from __future__ import annotations

import inspect

import numpy as np

from core import tensorlab as lab
from core.lesson import lecture
from core.lesson.snippet import NOTHING_PRINTED, Printed, squeeze
from core.lesson.types import Exercise, LessonContext, Opens, Step


def panel(panel_id: str, expression: str | None, name: str) -> Opens:
    return Opens("tensors", f"{name} panel", panel=panel_id, expression=expression)


# --- Element-wise -------------------------------------------------------------------------------

ELEMENTWISE_CODE = """\
import numpy as np

from core import tensorlab as lab

rng = np.random.default_rng(0)
x, y = rng.random((100, 100)) - 0.5, rng.random((100, 100))
for c in (
    lab.compare("relu", lambda: lab.naive_relu(x), lambda: np.maximum(x, 0.0)),
    lab.compare("add", lambda: lab.naive_add(x, y), lambda: x + y),
):
    print(
        f"{c.name} on (100, 100): loop {c.naive_seconds * 1e3:.1f} ms, "
        f"NumPy {c.vectorized_seconds * 1e6:.0f} µs ({c.ratio:,.0f}x), same result: {c.same}"
    )
"""


def loops_picture(ctx: LessonContext) -> str:
    """The Python loops that the timing compares against NumPy, as core.tensorlab writes them."""
    return inspect.getsource(lab.naive_relu) + "\n" + inspect.getsource(lab.naive_add)


ELEMENTWISE = Step(
    key="elementwise",
    title="Element-wise operations: relu and +",
    explanation=(
        "A dense layer computes relu(dot(W, input) + b): a dot product, an addition and a "
        "ReLU. The last two are element-wise: each output element depends only on the "
        "element at the same position in the input(s).\n\n"
        "Written as Python loops (beside this text) they visit one element at a time. NumPy "
        "and PyTorch run the same operation in compiled, vectorised code (BLAS and friends), "
        "often a thousand times faster; the timing is measured now, on the shapes it names."
    ),
    code=ELEMENTWISE_CODE,
    lecture=None,
    needs="none",
    compute=Printed(ELEMENTWISE_CODE, None, "none", data_dependent=False),
    opens=panel("elementwise", "(100, 100)", "Element-wise"),
    picture=loops_picture,
)

# --- Broadcasting -------------------------------------------------------------------------------

BROADCAST_CODE = """\
import numpy as np

rng = np.random.default_rng(0)
X, y = rng.random((32, 10)), rng.random((10,))
Y = np.broadcast_to(y[np.newaxis, :], X.shape)  # y repeated 32 times, without copying
print("y", y.shape, "-> y[np.newaxis, :]", y[np.newaxis, :].shape, "-> Y", Y.shape)
print("every Y[i, :] == y:", bool((Y == y).all()), " Y's strides:", Y.strides)
print("X + y", (X + y).shape, "equals X + Y:", np.array_equal(X + y, X + Y))
z = np.maximum(rng.random((64, 3, 32, 10)), y)
print("np.maximum on (64, 3, 32, 10) and (10,) ->", z.shape)
print(y)
"""


def judge_broadcast(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    if printed is None:
        return None, NOTHING_PRINTED
    return None, "the lecture printed a random y; ours is another draw (the shapes are the point)"


def virtual_copy_picture(ctx: LessonContext) -> str:
    """y (10,) and the (32, 10) Y made from it: 32 rows, all the same 80 bytes."""
    rng = np.random.default_rng(0)
    rng.random((32, 10))  # X, drawn first in BROADCAST_CODE: the same y follows
    y = rng.random(10)
    big = np.broadcast_to(y[np.newaxis, :], (32, 10))
    row = " ".join(f"{v:.2f}" for v in y[:6]) + " ..."
    lines = [f"y  (10,)     [{row}]", "Y  (32, 10)"]
    for i in (0, 1, 2):
        lines.append(f"   Y[{i:>2}, :]  [{row}]  <- y itself, read again")
    lines.append("   ...")
    lines.append(f"   Y[31, :]  [{row}]")
    lines.append(
        f"Y looks like {big.size * big.itemsize:,} bytes, but its row stride is "
        f"{big.strides[0]}: every row is y's {y.nbytes} bytes. The copy is virtual."
    )
    return "\n".join(lines)


BROADCAST = Step(
    key="broadcasting",
    title="Broadcasting: (32, 10) + (10,)",
    explanation=(
        "Adding a (10,) vector to a (32, 10) matrix needs the shapes to agree, and NumPy makes "
        "them agree by broadcasting, in two moves. First the smaller tensor gets new axes on "
        "the left until the ranks match: y becomes (1, 10). Then it is repeated along those "
        "axes to the larger shape: 32 copies of y.\n\n"
        "The repetition is virtual: no copy is made, the same row is read 32 times (a stride "
        "of 0). In general (a, ..., n, ..., m) and (n, ..., m) combine, repeating over the "
        "leading axes, which is how np.maximum takes (64, 3, 32, 10) and (10,)."
    ),
    code=BROADCAST_CODE,
    lecture=lecture.BROADCAST_Y,
    needs="none",
    compute=Printed(BROADCAST_CODE, lecture.BROADCAST_Y, "none", judge_broadcast, False),
    exercise=Exercise(
        question="X has shape (32, 10) and y has shape (10,). Predict the shape of X + y.",
        answer="(32, 10)",
        hint="y is lined up with X's last axis, then repeated",
        why="y gains a first axis, (1, 10), and is repeated 32 times: (32, 10).",
        mistakes=(
            ("(10,)", "Broadcasting grows the smaller tensor to the larger shape, never shrinks."),
            ("(32,)", "The vector lines up with the last axis, the 10, not the 32."),
            ("(32, 10, 10)", "No axis is added to the result: y's 10 matches X's 10."),
        ),
    ),
    opens=panel("broadcast", "(32, 10), (10,)", "Broadcasting"),
    picture=virtual_copy_picture,
)

# --- Broadcasting by hand -----------------------------------------------------------------------

ROW_LOOPS_CODE = """\
import numpy as np

from core import tensorlab as lab

def add_row_by_loops(matrix, row):
    \"\"\"matrix (m, n) plus row (n,), entry by entry, by hand.\"\"\"
    if matrix.ndim != 2 or row.shape != matrix.shape[1:]:
        raise ValueError(f"{row.shape} cannot join {matrix.shape}")
    out = matrix.copy()  # the input stays as it was
    rows, cols = matrix.shape
    for i in range(rows):
        for j in range(cols):
            out[i, j] += row[j]  # row[j] again for each i: the repeat
    return out

rng = np.random.default_rng(0)
X, y = rng.random((32, 10)), rng.random((10,))
by_hand = add_row_by_loops(X, y)
same = np.array_equal(by_hand, X + y)
print("loops:", by_hand.shape, " equal to X + y:", same)
reads = X.shape[0] * X.shape[1]
print("y read", reads, "times by the loops; it holds", y.size, "values")
t = lab.compare("add", lambda: add_row_by_loops(X, y), lambda: X + y)
slow, fast = t.naive_seconds * 1e6, t.vectorized_seconds * 1e6
print(f"loops {slow:.0f} µs, broadcasting {fast:.1f} µs")
"""

ROW_LOOPS = Step(
    key="broadcast-loops",
    title="Broadcasting by hand: a loop over rows",
    explanation=(
        "What broadcasting does for X + y can be written out with two loops: visit every "
        "entry (i, j) of the matrix and add entry j of the vector. The vector is never "
        "copied; the loop over rows just reads it again for each row, which is the virtual "
        "repetition of the last step.\n\n"
        "The code runs the loops on the (32, 10) and (10,) of the last step, checks that "
        "they give exactly what the + operator gives, and times the two. Unlike the "
        "operator, the loops only cover a matrix and a vector, so they check that first."
    ),
    code=ROW_LOOPS_CODE,
    lecture=None,
    needs="none",
    compute=Printed(ROW_LOOPS_CODE, None, "none", data_dependent=False),
    opens=panel("broadcast", "(32, 10), (10,)", "Broadcasting"),
)

# --- The tensor product -------------------------------------------------------------------------

DOT_CODE = """\
import numpy as np

from core import tensorlab as lab

rng = np.random.default_rng(0)
a, b, c, d, e = 2, 3, 4, 5, 6
letter = {2: "a", 3: "b", 4: "c", 5: "d", 6: "e"}

def named(shape):
    return "(" + ", ".join(letter[n] for n in shape) + ("," if len(shape) == 1 else "") + ")"

x = rng.random((a, b, c, d))
for y in (rng.random((d,)), rng.random((d, e))):
    print(named(x.shape), ".", named(y.shape), "->", named(np.dot(x, y).shape))
m, v = rng.random((3, 4)), rng.random(4)
print("loops equal np.dot:", np.allclose(lab.naive_matrix_vector_dot(m, v), np.dot(m, v)))
p, q = rng.random((2, 3)), rng.random((3, 2))
print("dot(p, q):", np.dot(p, q).shape, " dot(q, p):", np.dot(q, p).shape)
t = lab.compare_dot((32, 64), (64, 32))
loops, fast = t.naive_seconds * 1e3, t.vectorized_seconds * 1e6
print(f"(32, 64) . (64, 32): loops {loops:.0f} ms, np.dot {fast:.0f} µs")
"""


def dot_loops_picture(ctx: LessonContext) -> str:
    """The loops the code above runs (for the matrix-vector check and the timing), as
    core.tensorlab writes them: until now they ran without being seen."""
    loops = (lab.naive_vector_dot, lab.naive_matrix_vector_dot, lab.naive_matrix_dot)
    return "\n".join(inspect.getsource(loop) for loop in loops).rstrip()


def judge_rule(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    """The shapes np.dot gives now, named by letters, against the lecture's stated rule."""
    if printed is None:
        return None, NOTHING_PRINTED
    if squeeze(value).startswith(squeeze(printed)):
        return True, None
    return False, "np.dot's shapes differ from the rule the lecture states"


DOT = Step(
    key="tensor-product",
    title="The tensor product and its shape rule",
    explanation=(
        "The dot product (tensor product) is the workhorse. For two vectors it multiplies "
        "matching entries and sums them: one number. For a matrix and a vector, each row of "
        "the matrix is dotted with the vector. For two matrices x and y, entry (i, j) is row i "
        "of x dotted with column j of y, so x.shape[1] must equal y.shape[0] and the result is "
        "(x.shape[0], y.shape[1]). It is not symmetric: dot(x, y) and dot(y, x) differ.\n\n"
        "Higher ranks follow the same rule: the last axis of the first tensor meets the first "
        "(or second-to-last) axis of the second, is summed over and disappears; the other "
        "axes stay, in order.\n\n"
        "The Python loops the code checks and times against np.dot are drawn with the "
        "values: one multiply-add at a time, a matrix product built from vector products."
    ),
    code=DOT_CODE,
    lecture=lecture.DOT_RULE,
    needs="none",
    compute=Printed(DOT_CODE, lecture.DOT_RULE, "none", judge_rule, data_dependent=False),
    exercise=Exercise(
        question="Predict the shape of (a, b, c, d) · (d, e).",
        answer="(a, b, c, e)",
        hint="the shared axis d is summed over; write letters: (a, b, ...)",
        why="d meets d and is summed away; a, b, c stay and the matrix's e is added.",
        mistakes=(
            ("(a, b, c, d, e)", "d is the shared axis: it is summed over and disappears."),
            ("(a, b, c)", "That is the rule for · (d,); the matrix's e axis stays."),
            ("(a, e)", "Only the shared d goes: a, b and c all stay."),
            ("(a, b, c, d)", "The product sums over d and brings in the matrix's e."),
        ),
    ),
    opens=panel("dot", "(2, 3, 4, 5), (5, 6)", "Dot product"),
    picture=dot_loops_picture,
)

# --- A dense layer on one real batch ------------------------------------------------------------

DENSE_CODE = """\
import torch

from core.tensorlab.dense import fresh_model

net = model if model is not None else fresh_model(seed=0)  # the trained one, once there is one
where = next(net.parameters()).device
x = torch.tensor(train_images[:64], device=where).flatten(1).float() / 255
W, b = net.fc1.weight, net.fc1.bias  # PyTorch stores W as (out, in): (512, 784)
with torch.no_grad():
    product = x @ W.T  # (64, 784) . (784, 512)
    shifted = product + b  # b, (512,), broadcast over the 64 rows
    hidden = torch.relu(shifted)
    scores = net.fc2(hidden)
    same = torch.allclose(hidden, net.relu(net.fc1(x)), atol=1e-5)
print("x", tuple(x.shape), ". W.T", tuple(W.T.shape), "->", tuple(product.shape))
print("+ b", tuple(b.shape), "broadcast ->", tuple(shifted.shape))
print("relu ->", tuple(hidden.shape), f"with {(hidden == 0).float().mean().item():.0%} zeros")
print("fc2 ->", tuple(scores.shape), ": ten scores per image")
print("by hand == fc1 then ReLU:", same)
"""


def judge_dense(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    """The lecture's formula holds when computing it by hand gives exactly the layer's output."""
    if value.endswith("by hand == fc1 then ReLU: True") and "(64, 512)" in value:
        return True, None
    return False, "relu(x W.T + b) by hand differs from the layer's own output"


DENSE = Step(
    key="dense-layer",
    title="A dense layer, one real batch",
    explanation=(
        "The operations of the last steps are all a dense layer does. Take the first "
        "64 training images, flattened and scaled: x is (64, 784). fc1 holds W, (512, 784), "
        "and b, (512,). First the dot product x · Wᵀ; then b is added to each of its rows "
        "by broadcasting; then ReLU zeroes the negatives, element by element.\n\n"
        "The lecture writes dot(W, input), with the input as a column; PyTorch keeps a batch "
        "as rows, so it computes x · Wᵀ, the same numbers transposed. fc2 repeats the "
        "pattern down to (64, 10), without the ReLU. The code computes fc1 "
        "by hand and checks it against the layer itself, on the trained network if there "
        "is one."
    ),
    after="x · Wᵀ is (64, 784) · (784, 512) -> (64, 512): the 784 axis is summed away.",
    code=DENSE_CODE,
    lecture=lecture.DENSE,
    needs="data",
    compute=Printed(DENSE_CODE, lecture.DENSE, "data", judge_dense, data_dependent=False),
    exercise=Exercise(
        question="x is (64, 784) and Wᵀ is (784, 512). Predict the shape of x · Wᵀ.",
        answer="(64, 512)",
        hint="(m, n) · (n, p) -> (m, p)",
        why="The 784 pixels are summed away; each of 64 images gets 512 hidden values.",
        mistakes=(
            ("(64, 784)", "The 784 axis is the one summed over; the 512 outputs remain."),
            ("(784, 512)", "That is Wᵀ itself; the batch axis, 64, comes first in the result."),
            ("(512, 64)", "x comes first, so its 64 rows come first: (64, 512)."),
        ),
    ),
    digit_index=0,
)

# --- Reshaping and transposition ----------------------------------------------------------------

RESHAPE_CODE = """\
import numpy as np

from core import tensorlab as lab

pairs = np.array([[0, 1], [2, 3], [4, 5]])  # integers, as in the lecture
print(pairs.shape)
print(lab.reshape(pairs, (6, 1)))
print(lab.reshape(pairs, (2, 3)))
"""
RESHAPE = Step(
    key="reshape",
    title="Reshaping: (3, 2) to (6, 1) and (2, 3)",
    explanation=(
        "Reshaping lays the same values out in a new shape, read in order, row by row. The "
        "six values of a (3, 2) matrix fit (6, 1), a column, or (2, 3), two rows of three; "
        "the order never changes."
    ),
    after=(
        "The network's input was made this way: each 28x28 image reshaped into one row of "
        "784, turning (60000, 28, 28) into (60000, 784)."
    ),
    code=RESHAPE_CODE,
    lecture=lecture.RESHAPE,
    needs="none",
    compute=Printed(RESHAPE_CODE, lecture.RESHAPE, "none", data_dependent=False),
    exercise=Exercise(
        question="Predict the shape of train_images.reshape((60000, 28 * 28)).",
        answer="(60000, 784)",
        hint="28 * 28 is one number",
        why="Each image's 28 x 28 = 784 pixels become one row: (60000, 784).",
        mistakes=(
            ("(60000, 28, 28)", "That is the shape before: reshape makes 784 values one row."),
            ("(784,)", "The 60,000 images stay; each one becomes a row of 784."),
            ("(47040000,)", "That flattens everything; the target shape keeps 60,000 rows."),
        ),
    ),
    opens=panel("reshape", "(2, 3)", "Reshape"),
)

RESHAPE_ERROR_CODE = """\
import numpy as np

six = np.array([[0, 1, 2], [3, 4, 5]])
try:
    six.reshape((3, 4))
except ValueError as err:
    print(f"{type(err).__name__}: {err}")
"""
RESHAPE_ERROR = Step(
    key="reshape-error",
    title="Reshaping to (3, 4)?",
    explanation=(
        "A reshape keeps every value: it lays the same numbers out anew, never inventing or "
        "dropping any. Here a (2, 3) array is asked to take the shape (3, 4)."
    ),
    after=(
        "So the new shape must hold exactly as many values: the product of its sizes must "
        "equal the old one's. (3, 4) asks for 12 places for 6 values, and NumPy refuses with "
        "a ValueError."
    ),
    code_reveals=True,
    code=RESHAPE_ERROR_CODE,
    lecture=lecture.RESHAPE_ERROR,
    needs="none",
    compute=Printed(RESHAPE_ERROR_CODE, lecture.RESHAPE_ERROR, "none", data_dependent=False),
    exercise=Exercise(
        question="Can a (2, 3) array, six values, be reshaped to (3, 4)? Answer yes or no.",
        answer="no",
        hint="compare 3 x 4 with the number of values",
        why="(3, 4) holds 12 values and the array has 6: NumPy raises a ValueError.",
        mistakes=(("yes", "(3, 4) needs 12 values and there are 6; reshape never adds or drops."),),
        accept=("error", "value error", "valueerror", "no it fails", "it fails", "fails"),
    ),
    opens=panel("reshape", "(3, 4)", "Reshape"),
)

TRANSPOSE_CODE = """\
import numpy as np

tall = np.zeros((300, 20))
print(np.transpose(tall).shape)
m = np.arange(6).reshape((2, 3))
print("row 1 of m == column 1 of m.T:", bool((m[1, :] == m.T[:, 1]).all()))
"""


def judge_prefix(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    if printed is not None and squeeze(value).startswith(squeeze(printed)):
        return True, None
    return False, "differs from what the lecture printed"


TRANSPOSE = Step(
    key="transpose",
    title="Transposition: rows become columns",
    after="A (300, 20) matrix becomes (20, 300): the two axes swap places.",
    explanation=(
        "Transposing is a special reshape that swaps rows and columns: row i becomes column "
        "i. Unlike reshape, it changes which values are neighbours.\n\n"
        "The dense layer used it: PyTorch stores fc1's weights as (512, 784), and the batch "
        "is multiplied by their transpose, (784, 512)."
    ),
    code=TRANSPOSE_CODE,
    lecture=lecture.TRANSPOSE,
    needs="none",
    compute=Printed(TRANSPOSE_CODE, lecture.TRANSPOSE, "none", judge_prefix, False),
    exercise=Exercise(
        question="Predict the shape of np.transpose(np.zeros((300, 20))).",
        answer="(20, 300)",
        hint="rows and columns swap",
        why="300 rows of 20 become 20 rows of 300.",
        mistakes=(("(300, 20)", "Transposing swaps the axes: rows become columns."),),
    ),
)

# The dense layer comes last: it uses the dot, the broadcast, the ReLU and the transpose.
STEPS = (ELEMENTWISE, BROADCAST, ROW_LOOPS, DOT, RESHAPE, RESHAPE_ERROR, TRANSPOSE, DENSE)
