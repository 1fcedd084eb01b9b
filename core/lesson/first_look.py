"""The first steps: the device, then MNIST as tensors: its shapes, image 10, the labels."""

from __future__ import annotations

import re

from core.lesson import lecture
from core.lesson.snippet import NOTHING_PRINTED, Printed, same_numbers, same_text
from core.lesson.types import Exercise, Opens, Step

PIXEL_TOLERANCE = 2  # the shared training images are a reconstruction, off by one here and there

# --- The device ---------------------------------------------------------------------------------

DEVICE_CODE = """\
import torch

where = "cuda" if torch.cuda.is_available() else "cpu"
print("Current device is", where)
"""


def judge_device(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    if value == printed:
        return True, None
    return None, f"no CUDA GPU on this machine; the lecture ran on a {lecture.GPU}"


DEVICE = Step(
    key="device",
    title="The device: GPU or CPU",
    explanation=(
        "PyTorch runs a network on a device: the CPU, or a CUDA GPU when one is present. "
        f"The lecture's notebook had a {lecture.GPU} and torch {lecture.TORCH_VERSION}, so its "
        "model and batches went to `cuda`.\n\n"
        "Nothing else in the recipe changes with the device; only the speed does. This app "
        "trains on the GPU when it finds one and on the CPU otherwise."
    ),
    code=DEVICE_CODE,
    lecture=lecture.DEVICE,
    needs="none",
    compute=Printed(DEVICE_CODE, lecture.DEVICE, "none", judge_device, data_dependent=False),
)

# --- Loading MNIST ------------------------------------------------------------------------------

LOAD_CODE = """\
import torch
from torchvision import datasets

from core.loaders import notebook_dataset

print(repr(torch.__version__))
# torchvision's datasets.MNIST, given the files this app has read
# (the lecture's download=True fetches them instead)
splits = {
    "train": notebook_dataset(train_images, train_labels),
    "test": notebook_dataset(test_images, test_labels, train=False),
}
assert all(isinstance(s, datasets.MNIST) for s in splits.values())
print(type(splits["train"].data))  # .data: images; .targets: labels
for name, split in splits.items():
    shape, count = split.data.shape, len(split.targets)
    print(f"{name}_images: {shape}, {count} samples")
"""
LOAD_LECTURE = f"{lecture.TORCH_VERSION}\n{lecture.LOADED}"
LECTURE_TORCH = lecture.TORCH_VERSION.strip("'")  # printed as a repr: '2.8.0+cu126'


def judge_loaded(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    """The shapes by their numbers; the torch version (the first line) only named if it differs."""
    ours, _, shapes = value.partition("\n")
    theirs, _, their_shapes = (printed or "").partition("\n")
    agrees, reason = same_numbers(shapes, their_shapes or None)
    if agrees and ours != theirs:
        version = ours.strip("'")
        reason = (
            f"torch {version} here, {LECTURE_TORCH} in the lecture; the shapes do not depend on it"
        )
    return agrees, reason


LOAD = Step(
    key="load-mnist",
    title="Loading MNIST: 60,000 + 10,000 digits",
    explanation=(
        "MNIST is 70,000 handwritten digits, each a 28x28 grid of grey levels, split into "
        "60,000 for training and 10,000 kept aside for testing. Each image comes with its "
        "label: the digit it shows, 0 to 9. In machine-learning words the images are samples, "
        "the ten digits are classes, and a sample's class is its label (or target).\n\n"
        "Loaded, each split is one tensor: its images stacked along a new first axis.\n\n"
        "The lecture loads the splits with torchvision's datasets.MNIST, which downloads the "
        "files and keeps the images as one uint8 tensor (.data) and the labels as another "
        "(.targets). The code makes the same torchvision objects from the files this app has "
        "already read, and prints the torch version first: the lecture ran "
        f"{LECTURE_TORCH}."
    ),
    after=(
        "The training images stack into (60000, 28, 28): one 28x28 matrix per sample along "
        "the first axis, and the test images likewise into (10000, 28, 28)."
    ),
    code=LOAD_CODE,
    lecture=LOAD_LECTURE,
    needs="data",
    compute=Printed(LOAD_CODE, LOAD_LECTURE, judge=judge_loaded),
    exercise=Exercise(
        question="The test split holds 10,000 images. Predict the shape of test_images.",
        answer="(10000, 28, 28)",
        hint="a tuple of three sizes: (samples, rows, columns)",
        why="One 28x28 matrix per test image, stacked along the first axis: (10000, 28, 28).",
        mistakes=(
            ("(60000, 28, 28)", "That is the training split; the test split has 10,000."),
            ("(28, 28)", "That is one image; the split stacks 10,000 of them in a first axis."),
            ("(10000, 784)", "Flattened, yes; but as loaded each image is still 28x28."),
        ),
    ),
)

# --- train_images[10] as numbers ----------------------------------------------------------------

IMAGE_CODE = """\
import torch

image = torch.tensor(train_images[10])
print(image)
print(image.shape)
"""


def ink_rows(text: str) -> list[list[int]]:
    """The non-zero pixels of each printed row that has any, row by row.

    Rows are found by their opening bracket, so a row the printer wrapped onto two lines (or
    the export re-wrapped) still counts as one; where its zeros were lost does not matter.
    """
    rows = []
    matrix = text.split("dtype")[0]  # not the torch.Size([28, 28]) printed after it
    for chunk in matrix.split("[")[1:]:
        ink = [int(n) for n in re.findall(r"\d+", chunk.split("]")[0]) if int(n)]
        if ink:
            rows.append(ink)
    return rows


def judge_image(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    """The digit's ink row by row, each pixel within PIXEL_TOLERANCE of the lecture's."""
    if printed is None:
        return None, NOTHING_PRINTED
    ours, theirs = ink_rows(value), ink_rows(printed)
    if len(ours) != len(theirs):
        return False, f"{len(ours)} inked rows against the lecture's {len(theirs)}"
    for row, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if len(a) != len(b):
            return False, f"inked row {row} has {len(a)} pixels against the lecture's {len(b)}"
    pairs = zip(ours, theirs, strict=True)
    gap = max(abs(p - q) for a, b in pairs for p, q in zip(a, b, strict=True))
    if lecture.IMAGE_10_SHAPE not in value:
        return False, "the shape differs from the lecture's torch.Size([28, 28])"
    if gap == 0:
        return True, None
    if gap <= PIXEL_TOLERANCE:
        return True, (
            f"every inked pixel within {gap} of the lecture's (these training images are a "
            "reconstruction of MNIST's)"
        )
    return False, f"a pixel differs by {gap} from the lecture's"


IMAGE = Step(
    key="train-image-10",
    title="train_images[10] as numbers",
    explanation=(
        "An image is only numbers: unsigned bytes, 0 for the black background up to 255 for "
        "the brightest stroke. Indexing the stack with one integer takes one sample out.\n\n"
        "Read the non-zero block in the middle: the strokes of a digit are already visible in "
        "the numbers, before any drawing."
    ),
    after="The integer index drops the samples axis and leaves one 28x28 matrix: (28, 28).",
    code=IMAGE_CODE,
    lecture=f"{lecture.IMAGE_10}\n{lecture.IMAGE_10_SHAPE}",
    needs="data",
    compute=Printed(IMAGE_CODE, f"{lecture.IMAGE_10}\n{lecture.IMAGE_10_SHAPE}", judge=judge_image),
    exercise=Exercise(
        question="Predict train_images[10].shape.",
        answer="(28, 28)",
        hint="one integer index removes the first axis",
        why="One integer picks one sample and drops the samples axis: a (28, 28) matrix.",
        mistakes=(
            (
                "(60000, 28, 28)",
                "That is the whole stack; a single integer index takes one image out of it.",
            ),
            ("(1, 28, 28)", "An integer index drops the axis; train_images[10:11] would keep it."),
            ("(784,)", "Nothing flattens it: the image keeps its 28 rows and 28 columns."),
        ),
    ),
    opens=Opens("browse", "Browse at image 10", index=10),
)

# --- train_images[10] as a digit ----------------------------------------------------------------

DIGIT_CODE = """\
from core.render import ascii_art

print(ascii_art(train_images[10], rows_per_line=2))
print("label:", train_labels[10])
"""

DIGIT = Step(
    key="train-image-10-digit",
    title="train_images[10] as a digit",
    explanation=(
        "Drawn as grey levels, the same 784 numbers are a handwritten 3, and its label says 3. "
        "The lecture plots it with matplotlib; here each character stands for two pixel rows "
        "of one column, denser characters for brighter pixels.\n\n"
        "Browse (key 1) shows any image this way; the lesson opens it at image 10."
    ),
    code=DIGIT_CODE,
    lecture=None,
    needs="data",
    compute=Printed(DIGIT_CODE, None, judge=same_text),
    opens=Opens("browse", "Browse at image 10", index=10),
    digit_index=10,
)


# --- The labels ---------------------------------------------------------------------------------

LABELS_CODE = """\
import torch

labels = torch.tensor(train_labels)
print(labels)
print(labels.shape)
"""

LABELS = Step(
    key="labels",
    title="The labels: one digit per image",
    explanation=(
        "The labels are a second tensor, one entry per training image, in the same order: "
        "label i belongs to image i. Each is the digit the writer meant, 0 to 9.\n\n"
        "Image 10, seen in the last step, has label 3."
    ),
    after=(
        "Printed whole it would be 60,000 numbers, one per image on a single axis, so PyTorch "
        "shows the first three and the last three."
    ),
    code=LABELS_CODE,
    lecture=lecture.LABELS,
    needs="data",
    compute=Printed(LABELS_CODE, lecture.LABELS),
    exercise=Exercise(
        question="Predict train_labels.shape.",
        answer="(60000,)",
        hint="one axis; a one-axis shape is written (n,)",
        why="One label per training image and nothing else: a single axis of 60,000.",
        mistakes=(
            ("(60000, 10)", "That would be one-hot labels; here each label is a single digit."),
            ("(60000, 28, 28)", "That is the images; the labels hold one number per image."),
        ),
    ),
)


STEPS = (DEVICE, LOAD, IMAGE, DIGIT, LABELS)
