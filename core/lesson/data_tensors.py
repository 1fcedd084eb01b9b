"""Steps on tensors as data: ranks 0 to 3, key attributes, and real-world shapes (video)."""

from __future__ import annotations

import numpy as np

from core.lesson import lecture
from core.lesson.snippet import Printed, same_numbers
from core.lesson.types import Exercise, LessonContext, Opens, Step
from core.tensorlab.lessons import LECTURE_MATRIX

MATRIX = np.array(LECTURE_MATRIX)


def fixed(code: str, printed: str | None) -> Printed:
    """A step over the lecture's own small arrays: it agrees whatever dataset is loaded."""
    return Printed(code, printed, "none", data_dependent=False)


# --- Ranks 0 to 3 -------------------------------------------------------------------------------

SCALAR_CODE = """\
import numpy as np

scalar = np.array(12)
print(repr(scalar))
print(scalar.ndim)
"""
SCALAR = Step(
    key="rank-0",
    title="Rank 0: a scalar",
    explanation=(
        "A tensor is a container of numbers, and its rank is how many axes it has (NumPy calls "
        "it ndim). The smallest holds a single number: a scalar, with no axes at all.\n\n"
        "The arrays of the next steps are the lecture's own small examples; the MNIST tensors "
        "come back after them."
    ),
    code=SCALAR_CODE,
    lecture=lecture.SCALAR,
    needs="none",
    compute=fixed(SCALAR_CODE, lecture.SCALAR),
    opens=Opens("tensors", "Rank panel with ()", panel="rank", expression="()"),
)

VECTOR_CODE = """\
import numpy as np

vector = np.array([12, 3, 6, 14, 5])
print(repr(vector))
print(vector.ndim)
"""
VECTOR = Step(
    key="rank-1",
    title="Vectors: a list of numbers",
    explanation=(
        "A list of numbers is a vector. The word dimension counts two different things: the "
        "entries along an axis, and the axes themselves."
    ),
    after=(
        "A vector has one axis. With five entries this one counts as a 5-dimensional vector, "
        "yet it is a rank-1 tensor: its ndim is 1."
    ),
    code=VECTOR_CODE,
    lecture=lecture.VECTOR,
    needs="none",
    compute=fixed(VECTOR_CODE, lecture.VECTOR),
    exercise=Exercise(
        question="np.array([12, 3, 6, 14, 5]) has five entries. What is its ndim?",
        answer="1",
        hint="count the axes, not the entries",
        why="Five entries along one axis: a 5-dimensional vector, but a rank-1 tensor.",
        mistakes=(("5", "5 is the number of entries; ndim counts something else: the axes."),),
    ),
    opens=Opens("tensors", "Rank panel with (5,)", panel="rank", expression="(5,)"),
)

MATRIX_CODE = """\
import numpy as np

matrix = np.array([[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]])
print(repr(matrix))
print(matrix.ndim)
print(matrix.shape)
"""
MATRIX_STEP = Step(
    key="rank-2",
    title="Rank 2: a matrix",
    explanation=(
        "Stack vectors of the same length and you get a matrix: two axes, rows and columns. "
        "Its shape lists the length of each axis, rows first: three rows of five numbers are "
        "(3, 5).\n\n"
        "One MNIST image is such a matrix, (28, 28)."
    ),
    code=MATRIX_CODE,
    lecture=lecture.MATRIX,
    needs="none",
    compute=fixed(MATRIX_CODE, lecture.MATRIX),
    opens=Opens("tensors", "Rank panel with (3, 5)", panel="rank", expression="(3, 5)"),
)

CUBE_CODE = """\
import numpy as np

matrix = np.array([[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]])
cube = np.stack([matrix, matrix, matrix])  # three copies along a new first axis
print(cube.ndim)
print(cube.shape)
"""


def cube_picture(ctx: LessonContext) -> str:
    return "cube =\n" + repr(np.stack([MATRIX] * 3))


CUBE = Step(
    key="rank-3",
    title="Rank 3 and higher",
    explanation=(
        "Stack matrices of one shape and you get a rank-3 tensor, a cube of numbers. The "
        "lecture stacks its matrix three times.\n\n"
        "Stacking again gives rank 4, and so on. Deep learning mostly uses ranks 0 to 4, and "
        "5 for video. The training images are rank 3: a stack of 60,000 matrices."
    ),
    after="The new first axis has length 3, in front of the matrix's own (3, 5).",
    code=CUBE_CODE,
    lecture=lecture.CUBE,
    needs="none",
    compute=fixed(CUBE_CODE, lecture.CUBE),
    exercise=Exercise(
        question="Stack three (3, 5) matrices with np.stack: predict the shape.",
        answer="(3, 3, 5)",
        hint="np.stack adds a new first axis",
        why="The new axis counts the matrices and comes first: (3, 3, 5).",
        mistakes=(
            ("(9, 5)", "That is np.concatenate, which joins the rows; np.stack adds an axis."),
            ("(3, 5, 3)", "np.stack puts the new axis first, not last."),
        ),
    ),
    opens=Opens("tensors", "Rank panel with (3, 3, 5)", panel="rank", expression="(3, 3, 5)"),
    picture=cube_picture,
)

# --- Key attributes -----------------------------------------------------------------------------

ATTRIBUTES_CODE = """\
print(train_images.ndim)
print(train_images.shape)
print(train_images.dtype)
"""
ATTRIBUTES = Step(
    key="attributes",
    title="ndim, shape and dtype of the training set",
    explanation=(
        "Three facts describe any tensor: its rank (ndim), its shape (the length of each "
        "axis) and its dtype (the kind of number stored: uint8, float32, float64, ...).\n\n"
        "The training images, as NumPy holds them, are a rank-3 tensor of 8-bit unsigned "
        "integers: 60,000 matrices of 28x28 values from 0 to 255. The digit beside this step "
        "is image 4, which the lecture draws next."
    ),
    code=ATTRIBUTES_CODE,
    lecture=lecture.ATTRIBUTES,
    needs="data",
    compute=Printed(ATTRIBUTES_CODE, lecture.ATTRIBUTES),
    exercise=Exercise(
        question="How many bytes does one 28x28 uint8 image take?",
        answer="784",
        hint="uint8 is one byte per value",
        why="784 values of one byte each; all 60,000 images take 47,040,000 bytes.",
        mistakes=(
            ("3136", "That is float32, four bytes a value; uint8 takes one."),
            ("28", "28 is one row; the image has 28 rows of 28."),
        ),
    ),
    digit_index=4,
)

# --- Real-world data tensors --------------------------------------------------------------------

SHAPES_CODE = """\
from core.tensorlab import DATA_TENSORS

for kind, example, shape in DATA_TENSORS:
    print(f"{kind}: rank {len(shape)}, {shape}  ({example})")
channels_last = (128, 256, 256, 3)
samples, height, width, channels = channels_last
print("channels-last:", channels_last, " channels-first:", (samples, channels, height, width))
"""
SHAPES = Step(
    key="data-tensors",
    title="Real-world data tensors",
    explanation=(
        "Most data fits a few layouts, always with samples first. Vector data, one row of "
        "features per sample, is rank 2: (samples, features). Timeseries add a time axis: "
        "(samples, timesteps, features). Images are rank 4: height, width and colour "
        "channels. Video adds frames: rank 5.\n\n"
        "Images have two conventions: channels-last, (samples, height, width, channels), as "
        "TensorFlow uses by default, and channels-first, (samples, channels, height, width), "
        "as PyTorch does."
    ),
    code=SHAPES_CODE,
    lecture=None,
    needs="none",
    compute=fixed(SHAPES_CODE, None),
    exercise=Exercise(
        question=(
            "128 colour images of 256x256 are (128, 256, 256, 3) channels-last. "
            "Write their channels-first shape."
        ),
        answer="(128, 3, 256, 256)",
        hint="the samples axis stays first; the channels move next to it",
        why="Samples first, then the 3 channels, then height and width.",
        mistakes=(
            (
                "(128, 256, 256, 3)",
                "That is channels-last; channels-first puts the 3 right after the samples.",
            ),
            ("(3, 128, 256, 256)", "The samples axis always stays first; the channels go second."),
        ),
    ),
    opens=Opens("tensors", "Data tensors panel", panel="data", expression="(128, 256, 256, 3)"),
)

TWEETS_CODE = """\
import numpy as np

from core.tensorlab import format_bytes, tensor_size

length, alphabet = 280, 128  # characters a tweet holds; ASCII's 128
tweets = ["MNIST is the hello world of deep learning", "all tensors"]
onehot = np.zeros((len(tweets), length, alphabet), dtype=np.uint8)
for t, text in enumerate(tweets):
    for place, character in enumerate(text[:length]):
        onehot[t, place, ord(character)] = 1  # one 1 among 128 zeros
ones = int(onehot.sum())
print(f"{len(tweets)} tweets: {onehot.shape}, {ones} ones: one a character")
first = int(onehot[0, 0].argmax())
print("tweet 0, position 0:", repr(tweets[0][0]), "-> the 1 at", first)
padding = onehot[1, len(tweets[1]) :]
print("positions past a tweet's end stay all zeros:", not padding.any())
shape = (1_000_000, *onehot.shape[1:])
count, size = tensor_size(shape, "uint8")
print(f"a million tweets: {shape}, {count:,} values")
print(f"as uint8, one byte a value: {format_bytes(size)}")
"""
TWEETS = Step(
    key="tweets",
    title="Tweets: text as a tensor",
    explanation=(
        "Text is sequence data too: a tweet is a sequence of characters. Fix a length, "
        "280 characters, and an alphabet of 128 characters (ASCII). Each character becomes "
        "a vector of 128 zeros with a single 1 at its place in the alphabet, a one-hot "
        "vector; a tweet shorter than 280 is padded with rows of zeros.\n\n"
        "The lecture lists a dataset of tweets among its examples; the sizes here are the "
        "ones of the textbook it follows: a million tweets, 280 characters, 128 symbols. "
        "The code encodes two short tweets and works out the size of a million."
    ),
    after=(
        "One tweet is a (280, 128) matrix, and a million of them stack into "
        "(1000000, 280, 128): samples, then timesteps (the characters in order), then "
        "features (the one-hot vector), the timeseries layout. As bytes that is about 33 GB, "
        "almost all of it zeros."
    ),
    code=TWEETS_CODE,
    code_reveals=True,
    lecture=None,
    needs="none",
    compute=fixed(TWEETS_CODE, None),
    exercise=Exercise(
        question=(
            "A million tweets, each 280 characters, each character one-hot over 128 "
            "symbols: write the dataset's shape."
        ),
        answer="(1000000, 280, 128)",
        hint="samples first, then the characters in order, then each character's vector",
        why="Samples, then timesteps (280 characters), then features (128): rank 3.",
        mistakes=(
            ("(1000000, 280)", "That stores one code per character; one-hot gives each 128."),
            (
                "(1000000, 128, 280)",
                "The characters come in order along the second axis; each one's vector is last.",
            ),
            ("(280, 128)", "That is one tweet; the samples axis of a million comes first."),
            ("(1000000, 35840)", "Flattened, that would lose the order of the characters."),
        ),
        kind="shape",
    ),
    opens=Opens("tensors", "Data tensors panel", panel="data"),  # no shape: it is the answer
)

VIDEO_CODE = """\
from core.tensorlab import format_bytes, tensor_size

frames = 60 * 4  # a 60-second clip at 4 frames a second
shape = (4, frames, 144, 256, 3)  # 4 clips of 144x256 colour frames
count, size = tensor_size(shape, "float32")
print(f"{shape}: {count:,} values; as float32, {format_bytes(size)}")
"""
VIDEO = Step(
    key="video",
    title="Video: a batch of clips, rank 5",
    explanation=(
        "A video is a sequence of frames, each a colour image, so a batch of videos is "
        "rank 5: (samples, frames, height, width, channels).\n\n"
        "Take four one-minute clips of 144x256 pixels sampled at 4 frames a second: 240 "
        "frames each. Multiplying the shape out gives the number of values."
    ),
    after=(
        "4 x 240 x 144 x 256 x 3 is 106,168,320 values. At 4 bytes a float32 that is "
        "424,673,280 bytes, about 405 MB (counting 1 MB as 1024 x 1024 bytes)."
    ),
    code=VIDEO_CODE,
    lecture=lecture.VIDEO,
    needs="none",
    compute=Printed(VIDEO_CODE, lecture.VIDEO, "none", same_numbers, data_dependent=False),
    exercise=Exercise(
        question="How many values does a (4, 240, 144, 256, 3) tensor hold?",
        answer="106168320",
        hint="multiply all five axis lengths",
        why="4 x 240 x 144 x 256 x 3 = 106,168,320 values.",
        mistakes=(
            ("35389440", "That leaves out the 3 colour channels of each pixel."),
            ("424673280", "That is bytes at 4 bytes a float32 value; the question asks values."),
            ("26542080", "That leaves out the 4 clips of the batch."),
        ),
    ),
    opens=Opens("tensors", "Data tensors panel", panel="data", expression="(4, 240, 144, 256, 3)"),
)

STEPS_RANK = (SCALAR, VECTOR, MATRIX_STEP, CUBE, ATTRIBUTES)
STEPS_REAL = (SHAPES, TWEETS, VIDEO)
