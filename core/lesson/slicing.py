"""Steps on selecting parts of a tensor: slices, crops, negative indices, batches."""

from __future__ import annotations

from core.lesson import lecture
from core.lesson.pictures import crop_picture
from core.lesson.snippet import Printed
from core.lesson.types import Exercise, LessonContext, Opens, Step


def slicing_panel(expression: str) -> Opens:
    return Opens("tensors", "Slicing panel", panel="slicing", expression=expression)


SLICES_CODE = """\
for part in (
    train_images[10:100],
    train_images[10:100, :, :],  # a bare colon keeps a whole axis
    train_images[10:100, 0:28, 0:28],
):
    print(part.shape)
"""
SLICES = Step(
    key="slicing",
    title="Slicing: train_images[10:100]",
    explanation=(
        "Picking part of a tensor is slicing. train_images[i] took one image; a range "
        "start:stop takes the images from start up to, but not including, stop.\n\n"
        "Each axis can be sliced, separated by commas. A bare colon keeps the whole axis, and "
        "0:28 on a 28-long axis is the same as the colon, so all three slices here are one and "
        "the same block."
    ),
    after="That block holds 100 - 10 = 90 images, each still 28x28.",
    code=SLICES_CODE,
    lecture=lecture.SLICES,
    needs="data",
    compute=Printed(SLICES_CODE, lecture.SLICES),
    exercise=Exercise(
        question="Predict the shape of train_images[10:100].",
        answer="(90, 28, 28)",
        hint="stop minus start images, each still 28x28",
        why="Images 10 to 99: 100 - 10 = 90 of them, each untouched at 28x28.",
        mistakes=(
            ("(100, 28, 28)", "The slice starts at 10 and stops before 100: 90 images."),
            ("(91, 28, 28)", "The stop index is not included: 10 to 99 is 90 images."),
            ("(90,)", "Only the first axis is sliced; each image keeps its 28x28 pixels."),
        ),
    ),
    opens=slicing_panel("train_images[10:100]"),
)


def corner_picture(ctx: LessonContext) -> str:
    return crop_picture(ctx.train.images, ctx.train.labels, slice(14, None), slice(14, None))


CORNER_CODE = """\
corner = train_images[:, 14:, 14:]  # rows 14-27, columns 14-27 of every image
print(corner.shape)
"""
CORNER = Step(
    key="crop-corner",
    title="Cropping: the bottom-right corner",
    after="Each axis keeps 28 - 14 = 14: a 14 by 14 quarter, for all 60,000 images.",
    explanation=(
        "Slicing the second and third axes crops every image at once. 14: keeps the rows from "
        "14 to the end, and the same on the columns: the bottom-right quarter of each "
        "image.\n\n"
        "The drawing is corner[4] (the lecture's my_slice[4]): the lower right quarter of "
        "image 4, a 9, with only the foot of its stroke."
    ),
    code=CORNER_CODE,
    lecture=lecture.CORNER,
    needs="data",
    compute=Printed(CORNER_CODE, lecture.CORNER),
    exercise=Exercise(
        question="Predict the shape of train_images[:, 14:, 14:].",
        answer="(60000, 14, 14)",
        hint="the colon keeps all images; 14: keeps 28 - 14 rows",
        why="All 60,000 images, rows 14-27 and columns 14-27: (60000, 14, 14).",
        mistakes=(
            ("(60000, 28, 28)", "That is the shape before cropping: 14: drops the first 14."),
            ("(14, 14)", "The first axis is a colon: every image is cropped, not one."),
            ("(60000, 14)", "Both the rows and the columns are cropped; each keeps 14."),
        ),
    ),
    opens=slicing_panel("train_images[:, 14:, 14:]"),
    picture=corner_picture,
)


def centre_picture(ctx: LessonContext) -> str:
    return crop_picture(ctx.train.images, ctx.train.labels, slice(7, -7), slice(7, -7))


NEGATIVE_CODE = """\
import numpy as np

counts = np.arange(6)  # 0, 1, ..., 5
print(repr(counts[-2]))
centre = train_images[:, 7:-7, 7:-7]  # 7 pixels off each edge
print(centre.shape)
"""
NEGATIVE = Step(
    key="negative-indices",
    title="Negative indices: the centre",
    explanation=(
        "A negative index counts from the end of its axis: -1 is the last element, -2 the "
        "one before it. In a slice, 7:-7 starts 7 in from the front and stops 7 before the "
        "end.\n\n"
        "The drawing is centre[4], the lecture's my_slice[4] again."
    ),
    after=(
        "On 28 pixels 7:-7 keeps 7 to 20, a 14x14 patch in the middle of each image, where "
        "most of the ink is."
    ),
    code=NEGATIVE_CODE,
    lecture=lecture.NEGATIVE,
    needs="data",
    compute=Printed(NEGATIVE_CODE, lecture.NEGATIVE),
    exercise=Exercise(
        question="Predict the shape of train_images[:, 7:-7, 7:-7].",
        answer="(60000, 14, 14)",
        hint="7:-7 on 28 pixels drops 7 at each end",
        why="28 - 7 - 7 = 14 rows and 14 columns, for every one of the 60,000 images.",
        mistakes=(
            (
                "(60000, 28, 28)",
                "That is the shape before cropping: 7:-7 drops 7 pixels from each side.",
            ),
            ("(60000, 21, 21)", "-7 also cuts: 7 pixels go at the start and 7 at the end."),
            ("(60000, 7, 7)", "The slice keeps rows 7 to 20, which is 14 of them, not 7."),
            ("(14, 14)", "The first axis is a colon: all 60,000 images are cropped."),
        ),
    ),
    opens=slicing_panel("train_images[:, 7:-7, 7:-7]"),
    picture=centre_picture,
)

BATCHES_CODE = """\
from core.loaders import notebook_loader

n = 3
print("batch 3 by slicing:", train_images[128 * n : 128 * (n + 1)].shape)
loader = notebook_loader(train_images, train_labels, batch_size=128)
xb, yb = next(iter(loader))
print("xb:", tuple(xb.shape), xb.dtype, " yb:", tuple(yb.shape), yb.dtype)
full, rest = divmod(len(train_images), 128)
print(f"{len(loader)} batches an epoch: {full} of 128 and a last one of {rest}")
"""
BATCHES = Step(
    key="batches",
    title="The samples axis and batches",
    explanation=(
        "In data tensors the first axis is almost always the samples axis (also called the "
        "batch axis): index i along it is sample i. Models never take the whole dataset in "
        "one go; they take a batch, a slice along that axis.\n\n"
        "By hand that is train_images[128 * n : 128 * (n + 1)]. A DataLoader does it for "
        "you: shuffled, converted to float32 in [0, 1], flattened to 784, and with a last, "
        "smaller batch for the leftovers."
    ),
    code=BATCHES_CODE,
    lecture=None,
    needs="data",
    compute=Printed(BATCHES_CODE, None),
    exercise=Exercise(
        question="With batch_size=128, how many batches make one epoch of 60,000 images?",
        answer="469",
        hint="divide, and count the leftovers as one more batch",
        why="468 full batches take 59,904 images; the 96 left make a 469th batch.",
        mistakes=(
            ("468", "468 full batches leave 96 images, which the loader keeps as a last batch."),
            ("468.75", "Batches are whole: 468 full ones and a smaller last one."),
        ),
    ),
    opens=slicing_panel("train_images[384:512]"),
)

STEPS = (SLICES, CORNER, NEGATIVE, BATCHES)
