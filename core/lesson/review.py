"""The last step: the score, the exercises missed, a quiz over the whole lecture, the reading.

The score and the missed list are the learner's own, so the screen draws them from the saved
progress; this module holds what is the same for everyone: the quiz and the reading.
"""

from __future__ import annotations

from core.lesson.types import Exercise, LessonContext, Outcome, Step

REVIEW_KEY = "review"

# The lecture closes by assigning two sections of a free online book; named, not quoted.
READING = (
    'Sections 2.1 (data manipulation) and 2.3 (linear algebra) of the book "Dive into Deep '
    'Learning" (Zhang, Lipton, Li and Smola), which the lecture assigns as its reading.'
)

QUIZ: tuple[Exercise, ...] = (
    Exercise(
        question="How many images does MNIST hold in all, training and test together?",
        answer="70000",
        hint="add the two splits",
        why="60,000 for training and 10,000 for testing: 70,000.",
        mistakes=(("60000", "That is the training split alone; add the test split."),),
    ),
    Exercise(
        question="One batch of 64 images, flattened for the network: predict its shape.",
        answer="(64, 784)",
        hint="samples first, then one row of pixels each",
        why="64 samples, each a row of 28 x 28 = 784 pixel values: (64, 784).",
        mistakes=(
            ("(64, 28, 28)", "That is before flattening; the network takes rows of 784."),
            ("(784, 64)", "The samples axis comes first."),
        ),
    ),
    Exercise(
        question="How many parameters does fc1 = Linear(784, 512) hold?",
        answer="401920",
        hint="a weight for every input and output pair, and a bias for every output",
        why="784 x 512 weights and 512 biases: 401,920.",
        mistakes=(
            ("401408", "Those are the weights; each of the 512 outputs has a bias too."),
            ("402192", "One bias per output (512), not per input (784)."),
        ),
    ),
    Exercise(
        question="A batch of video clips is (4, 240, 144, 256, 3). What is its ndim?",
        answer="5",
        hint="count the axes, not the values",
        why="Samples, frames, height, width and channels: five axes, rank 5.",
        mistakes=(("4", "4 is the length of the first axis; ndim counts the axes."),),
    ),
    Exercise(
        question="Predict the shape of train_images[100:164, 7:21, :].",
        answer="(64, 14, 28)",
        hint="each slice keeps stop minus start; a bare colon keeps the whole axis",
        why="164 - 100 = 64 images, rows 7 to 20 (14 of them), all 28 columns.",
        mistakes=(("(64, 14, 14)", "The last axis is a bare colon: all 28 columns stay."),),
    ),
    Exercise(
        question="Can a (4, 3) array be reshaped to (2, 6)? Answer yes or no.",
        answer="yes",
        hint="compare the number of values before and after",
        why="4 x 3 = 12 = 2 x 6: the same twelve values, laid out anew.",
        mistakes=(("no", "Count them: 4 x 3 and 2 x 6 are both 12, so the values all fit."),),
    ),
    Exercise(
        question="X is (64, 3, 32, 10) and y is (32, 10). Predict np.maximum(X, y).shape.",
        answer="(64, 3, 32, 10)",
        hint="y is lined up with X's last axes and repeated over the others",
        why="y gains two leading axes and is repeated over them: the result is X's shape.",
        mistakes=(
            ("(32, 10)", "Broadcasting grows the smaller tensor, never shrinks the larger."),
        ),
    ),
    Exercise(
        question="q is (3, 2) and p is (2, 3). Predict the shape of np.dot(q, p).",
        answer="(3, 3)",
        hint="(m, n) · (n, k) gives (m, k)",
        why="The shared 2 is summed over; q's 3 rows and p's 3 columns stay: (3, 3).",
        mistakes=(("(2, 2)", "That is np.dot(p, q): the order of the product matters."),),
    ),
    Exercise(
        question="Rotate p = (0, 3) a quarter turn anticlockwise. Where does it land?",
        answer="(-3, 0)",
        kind="vector",
        hint="write the point as (x, y); anticlockwise from the y axis goes left",
        why="A quarter turn anticlockwise takes the y axis onto the negative x axis: (-3, 0).",
        mistakes=(("(3, 0)", "That is a quarter turn clockwise."),),
    ),
    Exercise(
        question="As float32, 4 bytes a value, how many bytes does one flattened image take?",
        answer="3136",
        hint="784 values at 4 bytes each",
        why="784 x 4 = 3,136 bytes, four times its 784 bytes as uint8.",
        mistakes=(("784", "That is as uint8, one byte a value; float32 takes four."),),
    ),
    Exercise(
        question="Five epochs on 60,000 images in batches of 64: how many optimizer steps?",
        answer="4690",
        hint="steps per epoch (a smaller last batch counts) times the epochs",
        why="938 steps an epoch, the last batch holding the 32 left over, times 5: 4,690.",
        mistakes=(("4685", "Each epoch has a last, smaller batch: 938 steps, not 937."),),
    ),
)

REVIEW_CODE = """\
from core.lesson.review import QUIZ, READING

print(f"{len(QUIZ)} questions from the whole lecture")
print("reading:", READING)
"""


def review_outcome(_ctx: LessonContext) -> Outcome:
    return Outcome(f"{len(QUIZ)} questions", None, "the review compares nothing with the lecture")


REVIEW = Step(
    key=REVIEW_KEY,
    title="Review: your score and a quiz",
    explanation=(
        "The end of the lecture. Above: how many steps you have seen and how many exercises "
        "you got right. Below: the ones you missed, which m takes you back to, and a quiz of "
        "questions drawn from every part of the lecture, checked like the others."
    ),
    code=REVIEW_CODE,
    lecture=None,
    needs="none",
    compute=review_outcome,
    exercise=QUIZ[0],
    quiz=QUIZ[1:],
)
