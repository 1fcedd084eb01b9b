"""Steps on the network: its layers and parameters, loss and optimizer, batches, training, test."""

from __future__ import annotations

import re

from core.lesson import lecture
from core.lesson.estimate import describe_estimate, training_estimate
from core.lesson.snippet import Printed, other_data
from core.lesson.types import Exercise, LessonContext, Opens, Outcome, Step

# --- The network --------------------------------------------------------------------------------

NETWORK_CODE = """\
from core.model import SimpleNN

net = SimpleNN()
for name, layer in net.named_children():
    count = sum(p.numel() for p in layer.parameters())
    if count:  # ReLU has nothing to learn
        print(f"{name}: {layer}  {count:,}")
total = sum(p.numel() for p in net.parameters())
trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
print(f"total {total:,}, trainable {trainable:,}, frozen {total - trainable}")
"""


def grouped_numbers(text: str) -> list[str]:
    """The numbers written with thousands separators: the parameter counts of a summary."""
    return re.findall(r"\d{1,3}(?:,\d{3})+", text)


def judge_parameters(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    ours, theirs = grouped_numbers(value), grouped_numbers(printed or "")
    if ours == theirs:
        return True, None
    return False, f"counts {', '.join(ours)} against the lecture's {', '.join(theirs)}"


NETWORK = Step(
    key="network",
    title="The network: 407,050 parameters",
    explanation=(
        "The network is two fully connected (dense) layers. fc1 maps the 784 pixels to 512 "
        "hidden values, a ReLU zeroes the negative ones, and fc2 maps those 512 to 10 scores, "
        "one per digit. The scores are logits, not probabilities: the loss turns them into "
        "probabilities with a softmax while training.\n\n"
        "Each layer's output is a representation of the image: fc1's 512 values are a new "
        "description of the digit, and training makes them more useful for telling the ten "
        "digits apart. fc2 reads its scores off that representation, not off the pixels.\n\n"
        "A dense layer from n inputs to m outputs holds an (m, n) weight matrix and m biases."
    ),
    after=(
        "So fc1 holds 784 x 512 + 512 = 401,920 and fc2 512 x 10 + 10 = 5,130: 407,050 "
        "numbers to learn."
    ),
    code=NETWORK_CODE,
    lecture=lecture.SUMMARY,
    needs="none",
    compute=Printed(NETWORK_CODE, lecture.SUMMARY, "none", judge_parameters, data_dependent=False),
    exercise=Exercise(
        question="How many parameters does fc2 = Linear(512, 10) hold?",
        answer="5130",
        hint="weights (inputs x outputs) plus one bias per output",
        why="512 x 10 weights and 10 biases: 5,130.",
        mistakes=(
            ("5120", "That counts the weights only; each of the 10 outputs also has a bias."),
            ("5632", "One bias per output, not per input: 512 x 10 + 10."),
            ("522", "Inputs and outputs multiply: every input meets every output."),
        ),
    ),
)

# --- Loss, optimizer and accuracy ---------------------------------------------------------------

LOSS_CODE = """\
import math

import torch
from torch import nn

from core.tensorlab.dense import fresh_model

net = fresh_model(seed=0)  # an untrained SimpleNN
criterion = nn.CrossEntropyLoss()  # softmax and negative log-likelihood in one
optimizer = torch.optim.RMSprop(net.parameters(), lr=1e-3)

x = torch.tensor(train_images[:64]).flatten(1).float() / 255
y = torch.tensor(train_labels[:64])
logits = net(x)
hits = (logits.argmax(dim=1) == y).float().mean().item()
print("logits:", tuple(logits.shape))
print(f"untrained loss {criterion(logits, y).item():.3f} (chance: ln 10 = {math.log(10):.3f})")
print(f"untrained accuracy {hits:.3f} (chance: 0.100)")
"""

LOSS = Step(
    key="loss-optimizer",
    title="Loss, optimizer and accuracy",
    explanation=(
        "Three more pieces make the network trainable. The loss scores how wrong the logits "
        "are: cross-entropy, which is low when the right digit gets a high probability. The "
        "optimizer uses the loss's gradient to nudge all 407,050 parameters: RMSprop with a "
        "learning rate of 0.001. Accuracy, the share of arg-max predictions that hit the label, "
        "is what we watch.\n\n"
        "Before training, the network guesses: the loss sits near ln 10 = 2.303, the value "
        "for a uniform guess over ten classes, and about one image in ten is right."
    ),
    code=LOSS_CODE,
    lecture=None,
    needs="data",
    compute=Printed(LOSS_CODE, None),
)

# --- The data pipeline --------------------------------------------------------------------------

PIPELINE_CODE = """\
from core.loaders import notebook_dataset

dataset = notebook_dataset(train_images, train_labels)  # torchvision: ToTensor, then flatten
pixels, label = dataset[10]
print(f"one sample: {tuple(pixels.shape)} {pixels.dtype}, in [{pixels.min()}, {pixels.max()}]")
print(f"label: {label}")
full, rest = divmod(len(dataset), 64)
print(f"batches of 64: {full} full and one of {rest}, {full + (rest > 0)} steps an epoch")
"""

PIPELINE = Step(
    key="pipeline",
    title="The data pipeline: batches of 64",
    explanation=(
        "Training does not take the 60,000 images at once. A Dataset hands out one sample "
        "at a time, converted on the fly: ToTensor turns the bytes 0-255 into float32 values "
        "in [0, 1] (it divides by 255), and a flatten turns the 28x28 grid into 784 inputs.\n\n"
        "A DataLoader then shuffles the samples and groups them into mini-batches of 64, one "
        "optimizer step each; the last batch of an epoch is whatever is left over."
    ),
    code=PIPELINE_CODE,
    lecture=None,
    needs="data",
    compute=Printed(PIPELINE_CODE, None),
    exercise=Exercise(
        question="With 60,000 images and batches of 64, how many optimizer steps per epoch?",
        answer="938",
        hint="divide, and keep the batch made of what is left over",
        why="937 full batches use 59,968 images; the last 32 make a 938th, smaller batch.",
        mistakes=(
            ("937", "937 full batches leave 32 images; the loader keeps them as a last batch."),
            ("937.5", "Batches are whole: 937 full ones and one of the 32 left over."),
        ),
    ),
)

# --- Training -----------------------------------------------------------------------------------

TRAIN_CODE = """\
from core.config import TrainConfig
from core.train import fit

result = fit(TrainConfig(dataset=train.name, epochs=5), data=(train, test))
for e in result.history:
    print(f"epoch {e.epoch + 1}: training loss {e.train_loss:.6f}, accuracy {e.train_acc:.6f}")
model = result.model
"""
ACC_TOLERANCE = 0.01  # per epoch: another seed, shuffle and device than the lecture's
LOSS_TOLERANCE = 0.03


def epoch_line(event) -> str:
    """An EpochEnd worded as the lecture's figures are beside it (six decimals, as they are)."""
    return lecture.epoch_summary(event.epoch, event.train_loss, event.train_acc)


def compute_training(ctx: LessonContext) -> Outcome:
    """The last run's epoch lines against the lecture's five, within a tolerance."""
    if not ctx.epochs:
        seconds = ctx.seconds_per_epoch or training_estimate(ctx.device)
        return Outcome("(train first)", None, f"no run yet: {describe_estimate(seconds)}")
    value = "\n".join(epoch_line(event) for event in ctx.epochs)
    reason = other_data(ctx)
    if reason is not None:
        return Outcome(value, None, reason)
    figures = [(event.train_loss, event.train_acc) for event in ctx.epochs]
    pairs = list(zip(figures, lecture.EPOCH_FIGURES, strict=False))
    loss_gap = max(abs(ours[0] - theirs[0]) for ours, theirs in pairs)
    acc_gap = max(abs(ours[1] - theirs[1]) for ours, theirs in pairs)
    if len(figures) != len(lecture.EPOCH_FIGURES):
        return Outcome(value, None, f"the last run trained {len(figures)} epochs, the lecture 5")
    if acc_gap <= ACC_TOLERANCE and loss_gap <= LOSS_TOLERANCE:
        return Outcome(
            value,
            True,
            f"each epoch within {ACC_TOLERANCE} accuracy and {LOSS_TOLERANCE} loss of the "
            "lecture's (another seed and shuffle)",
        )
    return Outcome(
        value,
        False,
        f"up to {acc_gap:.3f} accuracy and {loss_gap:.3f} loss from the lecture's, more than "
        "another seed explains",
    )


TRAINING = Step(
    key="training",
    title="Five epochs of training",
    explanation=(
        "An epoch is one pass over the 60,000 training images, 938 optimizer steps. Each step "
        "runs a batch forward, measures the loss, back-propagates its gradient and lets "
        "RMSprop update the parameters. After each epoch the run prints the mean loss and "
        "accuracy over that epoch's batches.\n\n"
        "Five epochs take the training accuracy from about 94% to 99%. Your numbers will "
        "differ from the lecture's in the third decimal: its run drew the starting weights "
        "and the shuffle at random, while this app draws them from a seed (0 unless you set "
        "another), so a run here repeats itself exactly but not the lecture's. This step "
        "opens Train with the lecture's recipe, or reuses the last run."
    ),
    code=TRAIN_CODE,
    lecture=lecture.EPOCHS,
    needs="model",
    compute=compute_training,
    opens=Opens("train", "Train with the lecture's recipe"),
)

# --- Test accuracy ------------------------------------------------------------------------------

TEST_CODE = """\
import torch

def accuracy(images, labels):
    where = next(model.parameters()).device
    hits = 0
    with torch.no_grad():
        for start in range(0, len(images), 10000):  # in slices, to keep memory small
            x = torch.tensor(images[start : start + 10000], device=where)
            scores = model(x.flatten(1).float() / 255)
            y = torch.tensor(labels[start : start + 10000], device=where)
            hits += (scores.argmax(dim=1) == y).sum().item()
    return 100 * hits / len(labels)

model.eval()
on_test = accuracy(test_images, test_labels)
on_train = accuracy(train_images[:10000], train_labels[:10000])  # as many as the test split
print(f"Test set Accuracy : {on_test:.2f}%")
print(f"first 10,000 training images: {on_train:.2f}%, a gap of {on_train - on_test:.2f} points")
"""
TEST_TOLERANCE = 0.5  # percentage points: another seed moves the test accuracy by about this


def judge_test(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    ours, theirs = printed_accuracy(value), printed_accuracy(printed or "")
    if abs(ours - theirs) <= TEST_TOLERANCE:
        return True, f"within {TEST_TOLERANCE} points of the lecture's {theirs}% (another seed)"
    return False, f"{ours - theirs:+.2f} points from the lecture's {theirs}%"


def printed_accuracy(text: str) -> float:
    """The percentage in a "Test set Accuracy : 97.97%" line: TEST_CODE prints one, and the
    lecture's output (lecture.TEST_ACCURACY) is one."""
    found = re.search(r"Accuracy : ([\d.]+)%", text)
    if found is None:
        raise ValueError(f"no test accuracy in {text!r}")
    return float(found.group(1))


TEST = Step(
    key="test-accuracy",
    title="Test accuracy and overfitting",
    explanation=(
        "Training accuracy says how well the network fits images it has seen. The question "
        "that matters is how it does on the 10,000 it never saw: the test split.\n\n"
        "The test accuracy comes out a little below the training accuracy (the lecture: 97.97% "
        "against 99.1%). A model doing better on its training data than on new data is "
        "overfitting; the gap measures by how much. Here both sides are measured the same "
        "way after training: the test split, and as many training images."
    ),
    code=TEST_CODE,
    lecture=lecture.TEST_ACCURACY,
    needs="model",
    compute=Printed(TEST_CODE, lecture.TEST_ACCURACY, "model", judge_test),
    opens=Opens("evaluate", "Evaluate the model"),
)

STEPS = (NETWORK, LOSS, PIPELINE, TRAINING, TEST)
