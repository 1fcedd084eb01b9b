"""Watch it learn: a short real run, with the weights and the hidden layer redrawn each epoch."""

from __future__ import annotations

from core.lesson.experiment import PROJECTED, UNITS_SHOWN, RunStep, on_request
from core.lesson.short_runs import RECIPE

WATCH_EPOCHS = 8
WATCH_IMAGES = 1_000  # small epochs, so each redraw comes within a second or so

WATCH_CODE = f"""\
from core.lesson.experiment import take_frame
from core.lesson.short_runs import RECIPE, short_run

frames = []  # what the screen draws: the network untrained, then after each epoch


def at_start(model):  # fit() calls these in the training thread
    frames.append(take_frame(model, test, 0, {WATCH_EPOCHS}))


def after_epoch(epoch, model):
    frames.append(take_frame(model, test, epoch + 1, {WATCH_EPOCHS}))


result = short_run(train, test, RECIPE, images={WATCH_IMAGES}, epochs={WATCH_EPOCHS},
                   on_start=at_start, on_epoch=after_epoch)
print(f"{{len(frames)}} pictures; test accuracy {{result.test_acc:.1%}}")
"""

WATCH = RunStep(
    key="watch-it-learn",
    title="Watch it learn",
    explanation=(
        f"Press x to train the recipe for {WATCH_EPOCHS} short epochs of {WATCH_IMAGES:,} "
        "images each and watch two pictures change as it goes.\n\n"
        f"The first picture: the incoming weights of {UNITS_SHOWN} hidden units, one 28x28 "
        "image per unit, a weight for each pixel; red pixels excite the unit, blue ones "
        "inhibit it. They start as random noise; training carves strokes into them, the "
        "patterns each unit has learnt to look for.\n\n"
        f"The second: {PROJECTED} test images placed by the first two principal components of "
        "their 512 hidden values, each drawn as its digit. This is the network's "
        "representation of the images: as it learns, the hidden layer pulls each class "
        "together, uncrumpling the manifold on which the digits lie."
    ),
    code=WATCH_CODE,
    lecture=None,
    needs="data",
    compute=on_request,
    recipes=(RECIPE,),
    epochs=WATCH_EPOCHS,
    images=WATCH_IMAGES,
    live=True,
)
