"""Steps on why training works, on the real numbers: the network and its step as this project's
own code, a gradient, backpropagation's shapes, RMSprop, epochs against steps, the learning rate.

The code beside the network and training-step explanations is read from the modules that
train (inspect.getsource), so it is the code every run executes, never a copy that could drift.
"""

from __future__ import annotations

import inspect
import textwrap

from core.lesson.snippet import Printed
from core.lesson.types import Exercise, LessonContext, Step

# --- The network as code ------------------------------------------------------------------------

MODEL_CODE = """\
import torch

from core.model import SimpleNN
from core.tensorlab.dense import fresh_model

net = fresh_model(seed=0)  # the class shown with this step, untrained
x = torch.tensor(train_images[:64]).float() / 255  # (64, 28, 28)
with torch.no_grad():
    hidden = net.relu(net.fc1(x.flatten(1)))
    scores = net(x)
print("class:", type(net).__name__, "from", SimpleNN.__module__)
print("batch", tuple(x.shape), "-> flatten", tuple(x.flatten(1).shape))
after_fc1, after_fc2 = tuple(hidden.shape), tuple(scores.shape)
print("fc1 then ReLU ->", after_fc1, " fc2 ->", after_fc2)
"""


def model_source(ctx: LessonContext) -> str:
    """SimpleNN as core/model.py defines it: the class every run of this app trains."""
    from core.model import SimpleNN

    return inspect.getsource(SimpleNN).rstrip()


MODEL = Step(
    key="network-code",
    title="The network as code",
    explanation=(
        "With this step comes the network's class exactly as this app defines it; every run, "
        "from the training step to the Train screen, builds one. Its constructor makes the "
        "three layers; forward says how an input flows through them: flatten, fc1, ReLU, "
        "fc2.\n\n"
        "The code below runs that class on the first 64 training images and prints the "
        "shape after each stage."
    ),
    code=MODEL_CODE,
    lecture=None,
    needs="data",
    compute=Printed(MODEL_CODE, None, data_dependent=False),
    picture=model_source,
)

# --- One training step as code ------------------------------------------------------------------

STEP_CODE = """\
import torch

from core.steps import EpochMetrics, NotebookStep
from core.tensorlab.dense import fresh_model

net = fresh_model(seed=0)
optimizer = torch.optim.RMSprop(net.parameters(), lr=1e-3)
record = EpochMetrics.zeros(5, torch.device("cpu"))
train_step = NotebookStep(net, optimizer, record)  # the step shown with this one
x = torch.tensor(train_images[:64]).flatten(1).float() / 255
y = torch.tensor(train_labels[:64]).long()
for b in range(5):  # five steps on one batch
    train_step((x, y), b)  # records the loss measured before its update
    loss, hits = record.losses[b].item(), record.corrects[b].item()
    print(f"step {b + 1}: loss {loss:.4f}, right {hits}/64")
"""


def step_source(ctx: LessonContext) -> str:
    """The training step's body as core/steps.py defines it (the notebook's loop body)."""
    from core.steps import NotebookStep

    return textwrap.dedent(inspect.getsource(NotebookStep.__call__)).rstrip()


TRAIN_STEP = Step(
    key="training-step-code",
    title="One training step as code",
    explanation=(
        "Training repeats one step, shown with this step as this app writes it: clear the "
        "old gradients, run the batch forward, score it with cross-entropy, back-propagate "
        "(loss.backward() fills every parameter's .grad), and let the optimizer move each "
        "parameter. The last lines keep the batch's loss and hits for the epoch's figures.\n\n"
        "This is the step a run takes with the lecture's own data pipeline. The faster paths "
        "make the same update in one captured CUDA graph on a GPU, or in C on the CPU. The "
        "code below takes five such steps on one real batch of 64."
    ),
    code=STEP_CODE,
    lecture=None,
    needs="data",
    compute=Printed(STEP_CODE, None),
    picture=step_source,
)

# --- A gradient, measured -----------------------------------------------------------------------

GRADIENT_CODE = """\
import torch
import torch.nn.functional as F

from core.tensorlab.dense import fresh_model

net = fresh_model(seed=0).double()  # float64: eps stays above rounding
x = torch.tensor(train_images[:64]).flatten(1).double() / 255
y = torch.tensor(train_labels[:64]).long()
F.cross_entropy(net(x), y).backward()  # autograd: every gradient
w = net.fc2.weight
steepest = int(w.grad.abs().argmax())  # the weight the loss feels most
i, j = divmod(steepest, w.shape[1])
eps = 1e-4
with torch.no_grad():
    start = w[i, j].item()
    w[i, j] = start + eps
    up = F.cross_entropy(net(x), y).item()
    w[i, j] = start - eps
    down = F.cross_entropy(net(x), y).item()
    w[i, j] = start
print(f"weight fc2.weight[{i}, {j}] = {start:+.6f}")
print(f"loss with it +eps: {up:.8f}, with it -eps: {down:.8f}")
slope = (up - down) / (2 * eps)
print(f"measured slope (up - down) / 2eps: {slope:+.6f} (eps {eps:g})")
print(f"autograd's gradient:               {w.grad[i, j].item():+.6f}")
"""

GRADIENT = Step(
    key="gradient",
    title="A gradient, measured on one weight",
    explanation=(
        "The loss is a function of all 407,050 parameters. A parameter's gradient is the "
        "slope of the loss along that one parameter: nudge it by a tiny amount ε, and the "
        "loss changes by about the gradient times ε. A positive gradient says the loss rises "
        "as the weight grows, so training moves the weight down, and a negative one up.\n\n"
        "The code measures it both ways on the untrained network and the first real batch of "
        "64: once by nudging one weight of fc2 by ±ε and dividing the change in the loss by "
        "2ε, and once as autograd computes it. The two agree to several decimals."
    ),
    code=GRADIENT_CODE,
    lecture=None,
    needs="data",
    compute=Printed(GRADIENT_CODE, None),
    exercise=Exercise(
        question=(
            "A weight's gradient is 0.2. Raise that weight by 0.01: by about how much does "
            "the loss change?"
        ),
        answer="0.002",
        hint="the change is about the slope times the size of the nudge",
        why="Slope times nudge: 0.2 x 0.01 = 0.002, a rise (the gradient is positive).",
        mistakes=(
            ("0.2", "0.2 is the slope, the change per unit; the nudge is only 0.01 of a unit."),
            ("0.01", "0.01 is the nudge; the loss changes by the slope times it."),
            ("20", "Divided, not multiplied: the change is the slope times the nudge."),
            ("-0.002", "A positive gradient means the loss rises as the weight grows."),
        ),
        kind="number",
    ),
)

# --- Backpropagation: a gradient per parameter --------------------------------------------------

BACKPROP_CODE = """\
import torch
import torch.nn.functional as F

from core.tensorlab.dense import fresh_model

net = fresh_model(seed=0)
x = torch.tensor(train_images[:64]).flatten(1).float() / 255
y = torch.tensor(train_labels[:64]).long()
F.cross_entropy(net(x), y).backward()  # one pass, from the loss to fc1
for name, p in net.named_parameters():
    grad, own = tuple(p.grad.shape), tuple(p.shape)
    print(f"{name}: gradient {grad}, like the parameter {own}")
total = sum(p.grad.numel() for p in net.parameters())
print(f"{total:,} gradient values from one batch of {len(y)}")
"""

BACKPROP = Step(
    key="backprop",
    title="Backpropagation: a gradient per parameter",
    explanation=(
        "Backpropagation computes all the gradients in one pass, backwards: from the loss "
        "to fc2's scores, through fc2 to the ReLU, through the ReLU (which passes the "
        "gradient where it let the value through and blocks it where it zeroed it) to fc1. "
        "Each layer applies the chain rule: the gradient arriving at its output, times how "
        "its output depends on its input and its parameters.\n\n"
        "Every parameter gets a gradient, one number for each number it holds. The code "
        "runs it on the first real batch of 64 and prints each gradient's shape."
    ),
    after=(
        "Each gradient has its parameter's shape: fc1.weight (512, 784), fc1.bias (512,), "
        "fc2.weight (10, 512) and fc2.bias (10,). The loss is a mean over the batch, so the "
        "64 images' contributions are averaged and no batch axis is left."
    ),
    code=BACKPROP_CODE,
    lecture=None,
    needs="data",
    compute=Printed(BACKPROP_CODE, None),
    exercise=Exercise(
        question="After loss.backward() on a batch of 64, what shape is fc1.weight.grad?",
        answer="(512, 784)",
        hint="a gradient holds one number for each number of its parameter",
        why="One slope for each weight of fc1, so the weight's own shape: (512, 784).",
        mistakes=(
            ("(64, 512)", "That is fc1's output for the batch; the gradient is per weight."),
            ("(64, 784)", "That is the batch of inputs; the gradient is per weight of fc1."),
            ("(64, 512, 784)", "The loss averages the batch: no batch axis is left."),
            ("(784, 512)", "PyTorch keeps fc1's weight as (outputs, inputs), and so its grad."),
        ),
        kind="shape",
    ),
)

# --- RMSprop ------------------------------------------------------------------------------------

RMSPROP_CODE = """\
import torch
import torch.nn.functional as F

from core.tensorlab.dense import fresh_model

net = fresh_model(seed=0)
lr, alpha, eps = 1e-3, 0.99, 1e-8  # the lecture's lr, torch's defaults
optimizer = torch.optim.RMSprop(
    net.parameters(), lr=lr, alpha=alpha, eps=eps
)
w = net.fc2.weight
print(" step  gradient g   average v  RMSprop step  plain SGD step")
for k in range(5):  # five real batches of 64
    rows = slice(64 * k, 64 * (k + 1))
    x = torch.tensor(train_images[rows]).flatten(1).float() / 255
    y = torch.tensor(train_labels[rows]).long()
    optimizer.zero_grad()
    F.cross_entropy(net(x), y).backward()
    g, before = w.grad[3, 0].item(), w[3, 0].item()
    optimizer.step()
    v = optimizer.state[w]["square_avg"][3, 0].item()
    moved = w[3, 0].item() - before
    by_formula = -lr * g / (v**0.5 + eps)
    assert abs(moved - by_formula) < 1e-6  # the formula is the update
    sgd = -lr * g
    print(f"{k + 1:>5}  {g:+.3e}  {v:.3e}  {moved:+.3e}    {sgd:+.3e}")
"""

RMSPROP = Step(
    key="rmsprop",
    title="RMSprop: a running average of squared gradients",
    explanation=(
        "Plain gradient descent (SGD) moves each weight by lr x g, the learning rate times "
        "its gradient: steep slopes give big steps, shallow ones tiny steps. RMSprop keeps, "
        "for every weight, a running average v of its squared gradients and divides by its "
        "square root, so each weight's step is measured against how large its own gradients "
        "have been:\n\n"
        "  v <- alpha x v + (1 - alpha) x g^2      (alpha = 0.99, v starts at 0)\n"
        "  w <- w - lr x g / (sqrt(v) + eps)       (lr = 0.001, eps = 1e-8)\n\n"
        "The code follows one weight, fc2.weight[3, 0], through five real steps of the "
        "optimizer the lecture uses, checks that its move is the formula's, and prints the "
        "step plain SGD would have taken beside it."
    ),
    after=(
        "On the first step v is 0.01 g^2, so sqrt(v) is 0.1 |g| and the step is 10 times lr, "
        "whatever the gradient's size; SGD's step here is far smaller, because the gradient "
        "is small. As v averages more squares the early boost fades."
    ),
    code=RMSPROP_CODE,
    lecture=None,
    needs="data",
    compute=Printed(RMSPROP_CODE, None),
    exercise=Exercise(
        question=(
            "On RMSprop's first step v = 0.01 x g^2 (ignore eps). The step lr x g / sqrt(v) "
            "is how many times lr?"
        ),
        answer="10",
        hint="sqrt(0.01 x g^2) is a tenth of |g|",
        why="sqrt(0.01 g^2) = 0.1 |g|, and g / (0.1 |g|) is 10: ten times lr, sign apart.",
        mistakes=(
            ("1", "That would need v = g^2; after one step v holds only 1% of g^2."),
            ("100", "The square root of 0.01 is 0.1, not 0.01."),
            ("0.1", "Dividing by 0.1 |g| multiplies by 10; it does not shrink the step."),
        ),
        kind="number",
    ),
)

# --- Epochs, steps and batches ------------------------------------------------------------------

EPOCHS_CODE = """\
from core.config import TrainConfig
from core.loaders import DeviceLoader

recipe = TrainConfig()  # the lecture's batch size and epochs
batch = recipe.batch_size
loader = DeviceLoader(train_images, train_labels, batch, "cpu")  # fit's
sizes = [len(b) for b in loader.epoch()]
full, last = sizes.count(sizes[0]), sizes[-1]
print(f"{len(train_images):,} images in batches of {batch}")
print(f"{len(sizes)} steps an epoch: {full} of {sizes[0]}, last {last}")
print(f"{recipe.epochs} epochs: {recipe.epochs * len(sizes):,} steps")
print(f"each image seen {recipe.epochs} times, reshuffled each epoch")
"""

EPOCHS = Step(
    key="epochs-steps",
    title="Epochs, steps and batches",
    explanation=(
        "Three words count training. A batch is the group of images one step trains on: 64 "
        "in the lecture's recipe. A step is one forward pass, one backward pass and one "
        "update of every parameter, on one batch. An epoch is one pass over all 60,000 "
        "training images, shuffled anew each time.\n\n"
        "The code asks the loader that training uses how it cuts one epoch."
    ),
    after=(
        "60,000 / 64 is 937.5: 937 full batches and a last one of 32, so 938 steps an "
        "epoch, and the lecture's 5 epochs take 4,690 steps, each a single update."
    ),
    code=EPOCHS_CODE,
    lecture=None,
    needs="data",
    compute=Printed(EPOCHS_CODE, None),
    exercise=Exercise(
        question=(
            "An epoch of 60,000 images in batches of 64 is 938 steps. How many steps do the "
            "lecture's 5 epochs take?"
        ),
        answer="4690",
        hint="steps per epoch times epochs",
        why="938 steps an epoch, 5 epochs: 4,690 updates of the weights.",
        mistakes=(
            ("300000", "That counts images seen (60,000 x 5); a step takes a batch of 64."),
            ("4685", "Each epoch keeps its last, smaller batch: 938 steps, not 937."),
            ("4687.5", "Batches are whole: 938 steps in each epoch."),
            ("938", "That is one epoch; the recipe runs 5."),
        ),
        kind="number",
    ),
)

# --- The learning rate --------------------------------------------------------------------------

RATE_CODE = """\
from dataclasses import replace

from core.config import TrainConfig
from core.train import fit

n, m = 6400, 2000  # 100 steps an epoch; a fifth of the test split
short = replace(train, images=train_images[:n], labels=train_labels[:n])
check = replace(test, images=test_images[:m], labels=test_labels[:m])
for lr in (1.0, 1e-3, 1e-6):  # 3 epochs each, the recipe otherwise
    run = TrainConfig(dataset=train.name, epochs=3, lr=lr, device="cpu")
    result = fit(run, data=(short, check))
    losses = ", ".join(f"{e.train_loss:.3g}" for e in result.history)
    if result.ok:
        ending = f"test accuracy {result.history[-1].test_acc:.0%}"
    else:
        ending = result.outcome.reason
    print(f"lr {lr:g}: loss by epoch {losses}; {ending}")
"""

RATE = Step(
    key="learning-rate",
    title="The learning rate: too high, too low",
    explanation=(
        "The learning rate scales every step. Too high, and each step overshoots the valley "
        "it aims at: the loss jumps about or blows up, and what the network learns is worse. "
        "Too low, and each step is so small that the loss hardly moves from the untrained "
        "ln 10 = 2.303 in the time there is. The lecture's 0.001 sits between.\n\n"
        "The code trains three short real runs with this app's own training function, on "
        "the first 6,400 training images (100 steps an epoch, 3 epochs), differing only in "
        "the learning rate: 1.0, 0.001 and 0.000001. It takes a few seconds."
    ),
    code=RATE_CODE,
    lecture=None,
    needs="data",
    compute=Printed(RATE_CODE, None),
)

STEPS = (MODEL, TRAIN_STEP, GRADIENT, BACKPROP, RMSPROP, EPOCHS, RATE)
