"""Break it: four changes to the recipe, each predicted first and then trained for real.

Each step asks what one change does to the test accuracy, then (on a key) trains the recipe
and the broken version the same short way through core.train.fit and shows both results.
"""

from __future__ import annotations

from dataclasses import replace

from core.lesson.experiment import RunStep, on_request
from core.lesson.short_runs import (
    CHOICES,
    HIDDEN_FOUR,
    LR_ONE,
    NO_BIASES,
    RECIPE,
    SHUFFLED_LABELS,
    TRAIN_IMAGES,
    Recipe,
)
from core.lesson.types import Exercise

OPTIONS = "  ".join(f"{letter}) {text}" for letter, text in CHOICES)
HOW = (
    f"Guess first (a). Then x trains the recipe and the broken version on the first "
    f"{TRAIN_IMAGES:,} training images, one epoch each, seed 0, and tests both on all 10,000 "
    "test images: seconds on a CPU."
)
HINT = "answer with one letter, a to d"


def lettered(exercise: Exercise) -> Exercise:
    """The exercise with each option also read as its own words ("the loss explodes, far
    above the recipe's", or "d) the loss explodes …"), as people copy them: the right one's
    words are right, a wrong one's words get that letter's explanation."""
    right = {exercise.answer, *exercise.accept}
    words = {letter: (text, f"{letter}) {text}") for letter, text in CHOICES}
    accept = [*exercise.accept, *(w for letter in right if letter in words for w in words[letter])]
    mistakes = [
        (form, why)
        for letter, why in exercise.mistakes
        for form in (letter, *words.get(letter, ()))
    ]
    return replace(exercise, accept=tuple(accept), mistakes=tuple(mistakes))


def run_code(broken: Recipe) -> str:
    """The code x runs, as it runs: names from core.lesson.short_runs."""
    name = {
        NO_BIASES.key: "NO_BIASES",
        SHUFFLED_LABELS.key: "SHUFFLED_LABELS",
        LR_ONE.key: "LR_ONE",
        HIDDEN_FOUR.key: "HIDDEN_FOUR",
    }[broken.key]
    return f"""\
from core.lesson.short_runs import RECIPE, {name}, short_run

# fit() itself, on the first 6,000 training images for one epoch
recipe = short_run(train, test, RECIPE)
broken = short_run(train, test, {name})
print(recipe.line())
print(broken.line())
"""


def question(change: str) -> str:
    return f"{change} After one short epoch, the test result is: {OPTIONS}"


NO_BIASES_STEP = RunStep(
    key="break-biases",
    title="Break it: biases kept at zero",
    explanation=(
        "Each dense layer computes W · x + b before its activation. The vector b holds the "
        "biases: 512 in the hidden layer, 10 in the output layer. Set every one to zero and "
        "keep it there while training, so each layer computes W · x alone.\n\n" + HOW
    ),
    code=run_code(NO_BIASES),
    lecture=None,
    needs="data",
    compute=on_request,
    exercise=lettered(
        Exercise(
            question=question("Biases set to zero and frozen."),
            answer="a",
            kind="choice",
            hint=HINT,
            why=(
                "About the same. The weights carry nearly all the work: 522 biases against "
                "406,528 weights. A hidden unit without a bias still fires for some strokes and "
                "not others, and the ten classes are about equally common, so the output biases "
                "had little to say."
            ),
            mistakes=(
                ("b", "Count what is removed: 522 numbers out of 407,050. Think again."),
                ("c", "The weights still see every pixel and still learn. Think again."),
                ("d", "Nothing grows without limit when numbers are held at zero. Think again."),
            ),
            accept=("about the same", "same"),
        )
    ),
    after=(
        "The bias moves the point where a ReLU unit starts to fire. Without it every unit's "
        "boundary passes through the origin, all-black image; with 512 units pointing in "
        "different directions that costs little on MNIST."
    ),
    recipes=(RECIPE, NO_BIASES),
)

SHUFFLED_STEP = RunStep(
    key="break-labels",
    title="Break it: labels shuffled",
    explanation=(
        "Shuffle the training labels: every image keeps a label, but one taken at random "
        "from another image. The images, the network and the optimizer stay as they were, "
        "and the test labels stay right.\n\n" + HOW
    ),
    code=run_code(SHUFFLED_LABELS),
    lecture=None,
    needs="data",
    compute=on_request,
    exercise=lettered(
        Exercise(
            question=question("Training labels shuffled."),
            answer="c",
            kind="choice",
            hint=HINT,
            why=(
                "Chance: with random labels, nothing in an image tells which label it carries, "
                "so there is no rule to learn that holds for new images. On the test images the "
                "network can only guess, and ten classes give a guess about 10%."
            ),
            mistakes=(
                ("a", "The images are the same, but what they are paired with is not. Again."),
                ("b", "Ask what rule links an image to its shuffled label. Again."),
                ("d", "The loss stays near that of guessing; it has no reason to grow. Again."),
            ),
            accept=("chance", "guessing", "10%", "about 10%"),
        )
    ),
    after=(
        "Given many epochs, a network of this size can memorise random labels, one image at "
        "a time, and its training accuracy climbs; its test accuracy stays at chance. "
        "Learning is finding what the examples share, not recalling each."
    ),
    recipes=(RECIPE, SHUFFLED_LABELS),
)

LR_STEP = RunStep(
    key="break-lr",
    title="Break it: learning rate 1.0",
    explanation=(
        "The recipe's RMSprop steps with a learning rate of 0.001. Make it 1.0, a thousand "
        "times larger, and keep everything else.\n\n" + HOW
    ),
    code=run_code(LR_ONE),
    lecture=None,
    needs="data",
    compute=on_request,
    exercise=lettered(
        Exercise(
            question=question("Learning rate 1.0 instead of 0.001."),
            answer="d",
            kind="choice",
            hint=HINT,
            why=(
                "The loss explodes. RMSprop divides each gradient by the root of its recent mean "
                "square, so a weight moves by about the learning rate each step, ten times it at "
                "the first: steps near 1 against weights that start within ±0.04. The scores "
                "grow huge, and cross-entropy punishes a confident wrong score without limit. "
                "Accuracy falls too, if less: the largest score can still be the right one."
            ),
            mistakes=(
                ("a", "Think of how far one step moves a weight that starts near 0.04. Again."),
                ("c", "It does more than fail to learn: watch what the loss does. Again."),
            ),
            # The run shows both: accuracy clearly worse, and the loss far above the recipe's.
            accept=("b", "explodes", "diverges"),
        )
    ),
    recipes=(RECIPE, LR_ONE),
)

HIDDEN_STEP = RunStep(
    key="break-hidden",
    title="Break it: 4 hidden units",
    explanation=(
        "The recipe's hidden layer has 512 units. Keep 4: every image is squeezed through "
        "four numbers on its way to the ten class scores.\n\n" + HOW
    ),
    code=run_code(HIDDEN_FOUR),
    lecture=None,
    needs="data",
    compute=on_request,
    exercise=lettered(
        Exercise(
            question=question("4 hidden units instead of 512."),
            answer="b",
            kind="choice",
            hint=HINT,
            why=(
                "It learns, but clearly worse: four numbers still say something about a digit, "
                "far more than guessing, but they cannot keep ten classes apart as 512 can. The "
                "hidden layer is where the network builds its representation of the image; "
                "four dimensions leave it little room."
            ),
            mistakes=(
                ("a", "Squeeze ten classes through four numbers: is nothing lost? Again."),
                ("c", "Four numbers are few, but each still depends on the image. Again."),
                ("d", "A small layer makes small changes; nothing here grows. Again."),
            ),
            accept=("worse", "clearly worse"),
        )
    ),
    recipes=(RECIPE, HIDDEN_FOUR),
)

STEPS = (NO_BIASES_STEP, SHUFFLED_STEP, LR_STEP, HIDDEN_STEP)
