"""Steps on the geometric view: transforms as tensor operations, affine maps, uncrumpling."""

from __future__ import annotations

import numpy as np

from core import tensorlab as lab
from core.lesson import lecture
from core.lesson.pictures import scatter, side_by_side
from core.lesson.snippet import NOTHING_PRINTED, Printed
from core.lesson.types import Exercise, LessonContext, Opens, Step

GEOMETRY_PANEL = Opens("tensors", "Geometry panel", panel="geometry")

# --- Translation, rotation, scaling -------------------------------------------------------------

TRANSFORMS_CODE = """\
import numpy as np

from core import tensorlab as lab

p = np.array([2.0, 1.0])
print("translation p + [3, 1]:", p + np.array([3.0, 1.0]))
print("rotation by 90°, R . p:", np.round(lab.rotation_matrix(np.pi / 2) @ p, 6) + 0.0)
print("scaling diag(2, 0.5) . p:", np.diag([2.0, 0.5]) @ p)
print("affine W . p + b:", lab.AFFINE_W @ p + lab.AFFINE_B)
"""
TRANSFORMS = Step(
    key="geometry",
    title="Tensor operations as geometry",
    explanation=(
        "Read a tensor's numbers as coordinates and every tensor operation moves points. "
        "Adding a vector translates them. A dot product with [[cos θ, -sin θ], [sin θ, cos θ]] "
        "rotates them by θ; with a diagonal matrix it scales each axis.\n\n"
        "A dot product with any matrix is a linear map (rotations, scalings, skews); adding a "
        "vector after it makes an affine map, W · p + b, which is exactly what a dense layer "
        "computes before its activation. The Geometry panel draws each on a small shape."
    ),
    code=TRANSFORMS_CODE,
    lecture=None,
    needs="none",
    compute=Printed(TRANSFORMS_CODE, None, "none", data_dependent=False),
    exercise=Exercise(
        question="Rotate p = (2, 0) a quarter turn anticlockwise. Where does it land?",
        answer="(0, 2)",
        kind="vector",
        hint="write the point as (x, y)",
        why="A quarter turn anticlockwise takes the x axis onto the y axis: (0, 2).",
        mistakes=(
            ("(0, -2)", "That is a quarter turn clockwise: x · rotation, not rotation · x."),
            ("(-2, 0)", "That is a half turn; a quarter turn lands on the y axis."),
            ("(2, 0)", "That is where it starts; the rotation moves it onto the y axis."),
        ),
    ),
    opens=GEOMETRY_PANEL,
)

ROTATION_CODE = """\
import numpy as np

from core.tensorlab import ROTATION as rotation  # [[0, -1], [1, 0]]: a quarter turn

x = np.array([2, 0])
print(np.dot(rotation, x))
print(repr(np.dot(x, rotation)))
print(repr(rotation * x))
print(repr(x * rotation))
"""
ROTATION = Step(
    key="rotation-order",
    title="Rotation: the order of the product",
    explanation=(
        "With R = [[0, -1], [1, 0]] and x = [2, 0], dot(R, x) turns x a quarter turn "
        "anticlockwise, to [0, 2]. Swap the arguments and NumPy treats x as a row.\n\n"
        "The * operator is no product of matrices at all: it multiplies element-wise, "
        "broadcasting x over R's rows, and gives the same matrix in either order."
    ),
    code=ROTATION_CODE,
    lecture=lecture.ROTATION,
    needs="none",
    compute=Printed(ROTATION_CODE, lecture.ROTATION, "none", data_dependent=False),
    after="dot(x, R) is [0, -2]: the clockwise turn.",
    exercise=Exercise(
        question="R = [[0, -1], [1, 0]], x = [2, 0]. Predict np.dot(x, R).",
        answer="(0, -2)",
        kind="vector",
        hint="x is read as a row: x's entries meet R's rows",
        why="Row times matrix: 2 x [0, -1] + 0 x [1, 0] = [0, -2], the clockwise turn.",
        mistakes=(("(0, 2)", "That is dot(R, x); with x first the product turns the other way."),),
    ),
    opens=GEOMETRY_PANEL,
)

# --- Two affine maps, and ReLU between them -----------------------------------------------------

AFFINE_CODE = """\
import numpy as np

from core import tensorlab as lab

p = lab.shape_points()  # (40, 2): a small arrow
w1, b1, w2, b2 = lab.AFFINE_W, lab.AFFINE_B, lab.AFFINE2_W, lab.AFFINE2_B
w, b = lab.compose_affine(w1, b1, w2, b2)  # W2 W1 and W2 b1 + b2
twice = lab.affine(lab.affine(p, w1, b1), w2, b2)
print("two affine maps == one affine map:", np.allclose(twice, lab.affine(p, w, b)))

bent = lab.affine(lab.relu(lab.affine(p, w1, b1)), w2, b2)
ones = np.hstack([p, np.ones((len(p), 1))])  # the best single affine map, by least squares
best, *_ = np.linalg.lstsq(ones, bent, rcond=None)
miss = np.abs(ones @ best - bent).max()
print(f"with relu between: the best single affine map misses by {miss:.2f}")
"""


def judge_affine(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    """The stated identity holds when the composed map equals the chain, and ReLU breaks it."""
    if printed is None:
        return None, NOTHING_PRINTED
    lines = value.splitlines()
    if not lines[0].endswith("True"):
        return False, "the two maps do not collapse into W2 W1 and W2 b1 + b2"
    if float(lines[1].split()[-1]) < 0.01:
        return False, "with ReLU between them a single affine map still fits"
    return True, None


AFFINE = Step(
    key="affine-relu",
    title="Two affine maps collapse into one; ReLU",
    explanation=(
        "Chain two affine maps and you get another affine map: W2 (W1 p + b1) + b2 = "
        "(W2 W1) p + (W2 b1 + b2). So a stack of dense layers without activations, however "
        "deep, can do no more than a single dense layer.\n\n"
        "Put a ReLU between them and that collapse fails: the ReLU folds the plane along the "
        "axes, and no single affine map reproduces the fold. The code checks both: the chain "
        "equals its one-map form exactly, while with ReLU the best single affine fit misses."
    ),
    code=AFFINE_CODE,
    lecture=lecture.AFFINE,
    needs="none",
    compute=Printed(AFFINE_CODE, lecture.AFFINE, "none", judge_affine, data_dependent=False),
    opens=GEOMETRY_PANEL,
)

# --- Uncrumpling ---------------------------------------------------------------------------------

PAPER_CODE = """\
import numpy as np

from core.tensorlab import centroid_accuracy

rng = np.random.default_rng(0)
angle = rng.uniform(0, 2 * np.pi, 400)
blue = np.arange(400) >= 200  # two sheets: 200 red points inside, 200 blue around them
radius = np.where(blue, rng.uniform(1.5, 2.5, 400), rng.uniform(0.0, 1.0, 400))
ball = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
print(f"crumpled: the nearest sheet centre is right for {centroid_accuracy(ball, blue):.0%}")
flat = np.column_stack([ball, (ball**2).sum(axis=1)])  # add one coordinate: x² + y²
print(f"unfolded with x² + y²: {centroid_accuracy(flat, blue):.0%}")
"""


def paper_points() -> tuple[np.ndarray, np.ndarray]:
    """The same two sheets as PAPER_CODE, for the drawing."""
    rng = np.random.default_rng(0)
    angle = rng.uniform(0, 2 * np.pi, 400)
    blue = np.arange(400) >= 200
    radius = np.where(blue, rng.uniform(1.5, 2.5, 400), rng.uniform(0.0, 1.0, 400))
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]), blue


def paper_picture(ctx: LessonContext) -> str:
    points, blue = paper_points()
    drawing = scatter(points, blue.astype(int), width=40, height=16, marks="rb")
    return "r: the red sheet, b: the blue sheet\n" + drawing


PAPER = Step(
    key="paper-ball",
    title="Uncrumpling a paper ball",
    explanation=(
        "Take a red and a blue sheet of paper, one on the other, and crumple them into a "
        "ball. The ball is the input data, each sheet a class. A classifier's job is to find "
        "a transformation that uncrumples the ball until the two sheets lie apart and a flat "
        "cut separates them. Each sheet is a manifold: a continuous surface, however "
        "folded, inside a bigger space. The images of one digit are thought to lie on such "
        "a folded surface inside the 784-dimensional space of pixels.\n\n"
        "Deep learning does it in many small steps: each layer is a simple geometric "
        "transformation that untangles the data a little. The toy here: two sheets that no "
        "straight cut in the plane can part, and one added coordinate that does."
    ),
    code=PAPER_CODE,
    lecture=None,
    needs="none",
    compute=Printed(PAPER_CODE, None, "none", data_dependent=False),
    picture=paper_picture,
)

HIDDEN_CODE = """\
from core.tensorlab import centroid_accuracy, project_representations

pixels, hidden, labels = project_representations(model, test_images, test_labels, n=500)
print(f"pixels (784 values) in 2-D: nearest centre right {centroid_accuracy(pixels, labels):.0%}")
print(f"hidden layer (512 values) in 2-D: {centroid_accuracy(hidden, labels):.0%}")
"""


def hidden_picture(ctx: LessonContext) -> str:
    """The first 300 test images, projected: pixels on the left, hidden layer on the right.

    Seconds on a busy 2-core CPU (two SVDs), like the compute; the UI calls it off its thread.
    """
    if ctx.model is None:
        return "(train first: the hidden layer needs a trained network)"
    pixels, hidden, labels = lab.project_representations(
        ctx.model, ctx.test.images, ctx.test.labels, n=300
    )
    left = scatter(pixels, labels, width=36, height=14)
    right = scatter(hidden, labels, width=36, height=14)
    return "each point is drawn as its digit\n" + side_by_side(
        ("pixels", left), ("hidden layer", right)
    )


HIDDEN = Step(
    key="hidden-projection",
    title="Uncrumpled: hidden layer against pixels",
    explanation=(
        "The trained network did some uncrumpling: its hidden layer is a new representation "
        "of each image, in which the digits' folded manifolds lie further apart than in the "
        "pixels. Project the test images to two dimensions "
        "(their first two principal components), once as raw pixels and once as the 512 "
        "values of the hidden layer, and draw each point as its digit.\n\n"
        "In the pixels most classes overlap in one tangle; after fc1 and ReLU they spread "
        "into clusters that overlap less. Two dimensions squeeze 512 hard, so the untangling "
        "shows only in part. The numbers below measure it, on the data and the model loaded "
        "now: how often the nearest class centre in each 2-D picture is the right class, for "
        "the pixels and for the hidden layer."
    ),
    code=HIDDEN_CODE,
    lecture=None,
    needs="model",
    compute=Printed(HIDDEN_CODE, None, "model"),
    opens=Opens("tensors", "Uncrumpling panel", panel="uncrumple"),
    picture=hidden_picture,
)

STEPS = (TRANSFORMS, ROTATION, AFFINE, PAPER, HIDDEN)
