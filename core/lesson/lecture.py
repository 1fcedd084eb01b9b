"""What the lecture printed, verbatim, for the steps to be compared against.

These are the notebook's outputs (numbers, shapes, reprs), not its prose or code; the text
export collapsed some runs of spaces and wrapped long rows, so steps compare them by their
numbers or with spacing ignored, never character for character.
"""


class Reworded(str):
    """A lecture output kept with its numbers as printed and its words in this project's own:
    the screen says so beside it, so that nothing reworded passes for a quotation."""

    __slots__ = ()
    reworded = True  # what the screen asks, without importing this module at start-up


TORCH_VERSION = "'2.8.0+cu126'"
GPU = "Tesla T4"
DEVICE = "Current device is cuda"

# The loading cell's four lines: its numbers as printed, its labels in this project's words
# (the step compares numbers only).
LOADED = Reworded("""\
<class 'torch.Tensor'>
train_images: torch.Size([60000, 28, 28]), 60000 samples
test_images: torch.Size([10000, 28, 28]), 10000 samples""")

# Out[18] and Out[19]: train_images[10] (the export wrapped and lost a few zeros per row).
IMAGE_10 = """\
tensor([[ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  42, 118, 219,
   166, 118, 118,  6,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 103, 242, 254, 254,
   254, 254, 254, 66,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 18, 232, 254, 254,
   254, 254, 254, 238, 70,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 104, 244, 254,
   224, 254, 254, 254, 141,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 207, 254,
   210, 254, 254, 254, 34,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 84, 206,
   254, 254, 254, 254, 41,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 24,
   209, 254, 254, 254, 171,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 91, 137,
   253, 254, 254, 254, 112,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 40, 214, 250, 254,
   254, 254, 254, 254, 34,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 81, 247, 254, 254,
   254, 254, 254, 254, 146,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 110, 246, 254,
   254, 254, 254, 254, 171,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 73, 89,
   89, 93, 240, 254, 171,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
   0,  1, 128, 254, 219, 31,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
   0,  7, 254, 254, 214, 28,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
   0, 138, 254, 254, 116,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0, 19, 177, 90,  0,  0,  0,  0,  0,
   25, 240, 254, 254, 34,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0, 164, 254, 215, 63, 36,  0, 51, 89,
   206, 254, 254, 139,  8,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0, 57, 197, 254, 254, 222, 180, 241, 254,
   254, 253, 213, 11,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0, 140, 105, 254, 254, 254, 254, 254,
   254, 236,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  7, 117, 117, 165, 254, 254,
   239, 50,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
   0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
   0,  0,  0,  0,  0,  0,  0,  0,  0,  0],
 [ 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
dtype=torch.uint8)"""
IMAGE_10_SHAPE = "torch.Size([28, 28])"

LABELS = """\
tensor([5, 0, 4, ..., 5, 6, 8])
torch.Size([60000])"""

# The lecture prints a torchinfo table here; kept in our words, with its numbers in their order
# (the step compares the numbers, not the table's layout).
SUMMARY = Reworded("""\
SimpleNN: two Linear layers with parameters, a ReLU between them
  the first Linear   401,920
  the second Linear    5,130
in all 407,050, all of them trained (407,050), none frozen (0)""")

# The lecture's training output: per epoch, the mean training loss and accuracy.
EPOCH_FIGURES = (
    (0.213554, 0.937883),
    (0.088478, 0.973264),
    (0.057449, 0.982276),
    (0.039944, 0.987623),
    (0.028961, 0.991005),
)


def epoch_summary(epoch: int, loss: float, accuracy: float) -> str:
    """One epoch's figures in this project's wording; epochs counted from 1, as the app does."""
    return f"epoch {epoch + 1}: training loss {loss:.6f}, accuracy {accuracy:.6f}"


# Shown beside the learner's own run, in the same wording so the two line up.
EPOCHS = Reworded(
    "\n".join(epoch_summary(e, loss, acc) for e, (loss, acc) in enumerate(EPOCH_FIGURES))
)

TEST_ACCURACY = "Test set Accuracy : 97.97%"

SCALAR = "array(12)\n0"
VECTOR = "array([12,  3,  6, 14,  5])\n1"
MATRIX = """\
array([[ 5, 78,  2, 34,  0],
       [ 6, 79,  3, 35,  1],
       [ 7, 80,  4, 36,  2]])
2
(3, 5)"""
CUBE = "3\n(3, 3, 5)"

ATTRIBUTES = "3\n(60000, 28, 28)\nuint8"

SLICES = "(90, 28, 28)\n(90, 28, 28)\n(90, 28, 28)"
CORNER = "(60000, 14, 14)"
NEGATIVE = "np.int64(4)\n(60000, 14, 14)"

# Stated in the lecture's text rather than printed by a cell.
VIDEO = "(4, 240, 144, 256, 3): 106,168,320 values; as float32, 405MB"

# Printed by the broadcasting example: y = np.random.random((10,)), a fresh draw every run.
BROADCAST_Y = """\
[0.80652492 0.85132886 0.13638803 0.55177141 0.06940284 0.90881542
 0.5270101  0.78581118 0.83440423 0.25812784]"""

RESHAPE = """\
(3, 2)
[[0]
 [1]
 [2]
 [3]
 [4]
 [5]]
[[0 1 2]
 [3 4 5]]"""
RESHAPE_ERROR = "ValueError: cannot reshape array of size 6 into shape (3,4)"
TRANSPOSE = "(20, 300)"

ROTATION = """\
[0 2]
array([ 0, -2])
array([[0, 0],
       [2, 0]])
array([[0, 0],
       [2, 0]])"""

# Stated in the lecture's text (formulas and shapes), not printed by a cell.
DENSE = "output = relu(dot(W, input) + b)"
DOT_RULE = "(a, b, c, d) . (d,) -> (a, b, c)\n(a, b, c, d) . (d, e) -> (a, b, c, e)"
# The lecture states the composition as a formula; kept as its content, in our words.
AFFINE = Reworded(
    "one affine map after another is a single affine map:\n"
    "  its weights the product of the two (second times first),\n"
    "  its bias the first bias through the second weights, plus the second bias"
)
