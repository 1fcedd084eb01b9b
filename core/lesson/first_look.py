"""Steps 1-10: the lecture's first look at a network, from the device to the test accuracy."""

from __future__ import annotations

import re

from core.lesson import lecture
from core.lesson.estimate import describe_estimate, training_estimate
from core.lesson.snippet import NOTHING_PRINTED, Printed, other_data, same_numbers, same_text
from core.lesson.types import Exercise, LessonContext, Opens, Outcome, Step

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

images = {"train": torch.tensor(train_images), "test": torch.tensor(test_images)}
print(type(images["train"]))
for split, stack in images.items():
    print(f"{split}_images: {stack.shape}, {len(stack)} samples")
"""

LOAD = Step(
    key="load-mnist",
    title="Loading MNIST: 60,000 + 10,000 digits",
    explanation=(
        "MNIST is 70,000 handwritten digits, each a 28x28 grid of grey levels, split into "
        "60,000 for training and 10,000 kept aside for testing. Each image comes with its "
        "label: the digit it shows, 0 to 9. In machine-learning words the images are samples, "
        "the ten digits are classes, and a sample's class is its label (or target).\n\n"
        "Loaded, each split is one tensor: the training images stack into (60000, 28, 28), "
        "one 28x28 matrix per sample along the first axis."
    ),
    code=LOAD_CODE,
    lecture=lecture.LOADED,
    needs="data",
    compute=Printed(LOAD_CODE, lecture.LOADED, judge=same_numbers),
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
        "An image is only numbers. Indexing the stack with one integer takes one sample out: "
        "a 28x28 matrix of unsigned bytes, 0 for the black background up to 255 for the "
        "brightest stroke.\n\n"
        "Read the non-zero block in the middle: the strokes of a digit are already visible in "
        "the numbers, before any drawing."
    ),
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
        "of one column, darker characters for brighter pixels.\n\n"
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
        "Printed whole it would be 60,000 numbers, so PyTorch shows the first three and the "
        "last three. Image 10, seen in the last step, has label 3."
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
        "A dense layer from n inputs to m outputs holds an (m, n) weight matrix and m biases: "
        "784 x 512 + 512 = 401,920 and 512 x 10 + 10 = 5,130, so 407,050 numbers to learn."
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

from core.model import SimpleNN

torch.manual_seed(0)
net = SimpleNN()
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
    print(f"Epoch : {e.epoch}  Loss : {e.train_loss:.6f}  Acc : {e.train_acc:.6f}")
model = result.model
"""
ACC_TOLERANCE = 0.01  # per epoch: another seed, shuffle and device than the lecture's
LOSS_TOLERANCE = 0.03


def epoch_line(event) -> str:
    """An EpochEnd as the lecture prints its epochs (six decimals, as its output shows)."""
    return f"Epoch : {event.epoch}  Loss : {event.train_loss:.6f}  Acc : {event.train_acc:.6f}"


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
        "differ from the lecture's in the third decimal: the starting weights and the shuffle "
        "are random. This step opens Train with the lecture's recipe, or reuses the last run."
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
on_train = accuracy(train_images, train_labels)
print(f"Test set Accuracy : {on_test:.2f}%")
print(f"training images: {on_train:.2f}%, a gap of {on_train - on_test:.2f} points")
"""
TEST_TOLERANCE = 0.5  # percentage points: another seed moves the test accuracy by about this


def judge_test(value: str, printed: str | None) -> tuple[bool | None, str | None]:
    ours = float(re.search(r"Accuracy : ([\d.]+)%", value).group(1))
    theirs = float(re.search(r"Accuracy : ([\d.]+)%", printed or "").group(1))
    if abs(ours - theirs) <= TEST_TOLERANCE:
        return True, f"within {TEST_TOLERANCE} points of the lecture's {theirs}% (another seed)"
    return False, f"{ours - theirs:+.2f} points from the lecture's {theirs}%"


TEST = Step(
    key="test-accuracy",
    title="Test accuracy and overfitting",
    explanation=(
        "Training accuracy says how well the network fits images it has seen. The question "
        "that matters is how it does on the 10,000 it never saw: the test split.\n\n"
        "The test accuracy comes out a little below the training accuracy (the lecture: 97.97% "
        "against 99.1%). A model doing better on its training data than on new data is "
        "overfitting; the gap measures by how much."
    ),
    code=TEST_CODE,
    lecture=lecture.TEST_ACCURACY,
    needs="model",
    compute=Printed(TEST_CODE, lecture.TEST_ACCURACY, "model", judge_test),
    opens=Opens("evaluate", "Evaluate the model"),
)

STEPS = (DEVICE, LOAD, IMAGE, DIGIT, LABELS, NETWORK, LOSS, PIPELINE, TRAINING, TEST)
