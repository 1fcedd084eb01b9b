"""The CPU training step in C (core/_cpu_kernels.c), exploiting MNIST's black pixels.

One RMSprop step of the 784-hidden-10 network on the CPU, in five stages and no torch op:

1. gather the batch, listing each image's non-zero pixels (about a fifth of 784);
2. h = x @ W1^T + b1 as, per image, a sum of the W1^T rows of its lit pixels;
3. ReLU, the hidden-10 layer, cross-entropy and their backward down to dh;
4. per pixel, its gradient row (a sum over the images where it is lit) and at once the
   RMSprop update of that row; a pixel dark in the whole batch has a zero gradient, so
   its weights stay and only its square average decays, as the dense update would do;
5. RMSprop on b1, W2 and b2.

The maths is the notebook's; the additions run in another order than autograd's, so
weights agree with the plain torch step to float rounding, not bit for bit
(tests/test_cpu_step.py checks that, step by step).

fc1's weight lives transposed (pixels x hidden) so that a pixel is one contiguous row.
The model's fc1.weight and the optimizer's square average for it are transposed views of
the step's buffers, so evaluation, checkpoints and state_dict() always see current values.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch

from core.model import INPUT_SIZE, NUM_CLASSES, SimpleNN
from core.optim import RULES

try:
    # core/_cpu_kernels.c is a compiled extension without a stub for mypy to read
    from core import _cpu_kernels as kernels  # type: ignore[attr-defined]
except ImportError:  # built at install time when a C compiler is there; optional
    kernels = None


def unavailable_reason(optimizer: str, batch_size: int = 64) -> str | None:
    """Why the fused step cannot train this configuration here, or None if it can."""
    if kernels is None:
        return (
            "the CPU step in C is not built, so it runs as "
            "plain torch ops (about 3.5x slower); reinstall with a C compiler present"
        )
    if not hasattr(kernels, "train_batches") or kernels.member_fields() != len(_MEMBER_ROW):
        return "the CPU step in C was built for an older version; reinstall to rebuild it"
    if kernels.classes() != NUM_CLASSES:
        return f"the C kernels were built for {kernels.classes()} classes, not {NUM_CLASSES}"
    if optimizer != "rmsprop":
        return f"the fused CPU step covers RMSprop only; {optimizer} runs as plain torch ops"
    if batch_size * INPUT_SIZE >= 2**31:  # the C side counts a batch's pixels in int32
        return f"batch size {batch_size} is too large for the fused CPU step"
    return None


def kernel_threads(threads: int) -> int:
    """How many threads the C loops may use without fighting torch's own.

    Linked with -fopenmp after torch, the library resolves libgomp.so.1 to the copy torch
    loaded, so both share one thread pool. If two OpenMP runtimes were mapped, two pools
    would spin against each other on a small machine; the kernels then stay on one thread.
    """
    maps = Path("/proc/self/maps")
    try:
        runtimes = {line.split()[-1] for line in maps.read_text().splitlines() if "libgomp" in line}
    except OSError:
        return 1
    return threads if len(runtimes) == 1 else 1


# The tensors whose addresses the C calls take; the first seven are the gather's outputs.
_ADDRESSED = (
    "y", "row_start", "row_pixel", "row_value", "col_start", "col_image", "col_value",
    "images", "labels", "w1t", "b1", "w2", "b2", "v1t", "vb1", "vw2", "vb2",
    "h", "dh", "gb1", "gw2", "gb2", "dlogits", "losses", "corrects",
)  # fmt: skip


# Each weight's square average in the step's buffers.
SQUARES = {"w1t": "v1t", "b1": "vb1", "w2": "vw2", "b2": "vb2"}


class FusedCpuStep:
    """Owns the buffers of the fused CPU step for one run; step() trains on one batch."""

    def __init__(
        self,
        model: SimpleNN,
        optimizer: torch.optim.Optimizer,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        losses: torch.Tensor,
        corrects: torch.Tensor,
        threads: int,
    ) -> None:
        reason = unavailable_reason("rmsprop", batch_size)
        if reason is not None:
            raise ValueError(reason)
        group = optimizer.param_groups[0]
        if not RULES["rmsprop"].is_plain(group):
            raise ValueError("the fused CPU step implements plain RMSprop only")
        # beta = 1 - alpha in double, then float, as torch's addcmul_(value=1 - alpha) has it.
        lr, alpha, eps = (float(group[k]) for k in ("lr", "alpha", "eps"))
        if not (0 < lr < math.inf and 0 <= alpha <= 1 and 0 <= eps < math.inf):
            raise ValueError(f"RMSprop needs 0 < lr, 0 <= alpha <= 1, 0 <= eps, all finite; "
                             f"got lr={lr}, alpha={alpha}, eps={eps}")  # fmt: skip
        self.rmsprop = (lr, alpha, 1 - alpha, eps)
        self.threads = kernel_threads(threads)
        self.optimizer = optimizer
        self.params = list(model.parameters())
        self.hidden = model.fc1.out_features
        # What the C code will index with, checked once here in words a caller understands;
        # gather_batch checks each batch's indices and labels again as it reads them.
        if images.dtype != torch.uint8 or images.dim() != 2 or images.shape[1] != INPUT_SIZE:
            raise ValueError(f"images must be uint8 (N, {INPUT_SIZE}), got {images.dtype} "
                             f"{tuple(images.shape)}")  # fmt: skip
        if len(images) == 0:
            raise ValueError("there are no images to train on")
        if labels.dtype != torch.int64 or labels.shape != images.shape[:1]:
            raise ValueError("labels must be int64, one per image")
        if len(labels) and not 0 <= int(labels.min()) <= int(labels.max()) < NUM_CLASSES:
            raise ValueError(f"labels must be 0..{NUM_CLASSES - 1}")
        if losses.dtype != torch.float32 or corrects.dtype != torch.int64:
            raise ValueError("losses must be float32 and corrects int64")
        self.images = images.contiguous()
        self.labels = labels.contiguous()
        self.losses, self.corrects = losses, corrects
        self.pending_steps = 0
        self.last_nonzeros = 0  # lit pixels in the last batch, over all its images

        with torch.no_grad():
            self.w1t = model.fc1.weight.detach().t().contiguous()
            model.fc1.weight.data = self.w1t.t()
        self.b1, self.w2, self.b2 = (
            model.fc1.bias.data,
            model.fc2.weight.data,
            model.fc2.bias.data,
        )
        squares = []
        for i, param in enumerate(self.params):
            state = optimizer.state[param]
            if not state:  # the state torch's RMSprop would create on its first step
                state["step"] = torch.zeros((), dtype=torch.float32)
                state["square_avg"] = torch.zeros_like(param, memory_format=torch.contiguous_format)
            if "step" not in state or "square_avg" not in state:
                raise ValueError(
                    f"optimizer state {i} needs step and square_avg, has {list(state)}"
                )
            if not isinstance(state["step"], torch.Tensor) or state["step"].numel() != 1:
                raise ValueError(f"optimizer state {i} step must be a one-number tensor")
            squares.append(state["square_avg"])
        self.v1t = squares[0].t().contiguous()
        optimizer.state[self.params[0]]["square_avg"] = self.v1t.t()
        self.vb1, self.vw2, self.vb2 = (s.contiguous() for s in squares[1:])
        for param, square in zip(self.params[1:], (self.vb1, self.vw2, self.vb2), strict=True):
            optimizer.state[param]["square_avg"] = square

        n, hidden = batch_size, self.hidden
        # Room for the batch's lit pixels: the most any one image of the split has, n times.
        # One more: the gather writes a slot past the last lit pixel before it knows it is dark.
        room = n * int((self.images != 0).sum(1).max()) + 1
        self.y = torch.empty(n, dtype=torch.int64)
        self.row_start = torch.empty(n + 1, dtype=torch.int32)
        self.row_pixel = torch.empty(room, dtype=torch.int32)
        self.row_value = torch.empty(room)
        self.col_start = torch.empty(INPUT_SIZE + 1, dtype=torch.int32)
        self.col_image = torch.empty(room, dtype=torch.int32)
        self.col_value = torch.empty(room)
        self.h = torch.empty(n, hidden)
        self.dh = torch.empty(n, hidden)
        self.gb1 = torch.empty(hidden)
        self.gw2 = torch.empty(NUM_CLASSES, hidden)
        self.gb2 = torch.empty(NUM_CLASSES)
        self.dlogits = torch.empty(n, NUM_CLASSES)
        self.room = room
        self._check_buffers()
        # Addresses, taken once: the buffers and parameters above never move during a run.
        at = {name: getattr(self, name).data_ptr() for name in _ADDRESSED}
        self.at = at
        self.gather_out = tuple(at[name] for name in _ADDRESSED[:7])
        small = (("b1", "gb1", "vb1"), ("w2", "gw2", "vw2"), ("b2", "gb2", "vb2"))
        self.small_params = tuple(
            (at[param], at[grad], at[square], getattr(self, grad).numel())
            for param, grad, square in small
        )
        # steps() hands C this run as one row of members_step's table, with its settings.
        self.member_row = torch.tensor([at[name] for name in _MEMBER_ROW], dtype=torch.int64)
        # float32, as the single step's "f" arguments cast each setting from double.
        self.member_settings = torch.tensor(self.rmsprop, dtype=torch.float32)

    def _expected_buffers(self) -> dict[str, tuple[tuple[int, ...], torch.dtype]]:
        """Every addressed tensor's shape and dtype: what the C code reads and writes."""
        n, hidden, room = len(self.y), self.hidden, self.room
        rows, batches = len(self.labels), len(self.losses)
        f32, i32, i64 = torch.float32, torch.int32, torch.int64
        weights = {"w1t": (INPUT_SIZE, hidden), "b1": (hidden,), "w2": (NUM_CLASSES, hidden),
                   "b2": (NUM_CLASSES,)}  # fmt: skip
        return {
            "y": ((n,), i64),
            "row_start": ((n + 1,), i32),
            "row_pixel": ((room,), i32),
            "row_value": ((room,), f32),
            "col_start": ((INPUT_SIZE + 1,), i32),
            "col_image": ((room,), i32),
            "col_value": ((room,), f32),
            "images": ((rows, INPUT_SIZE), torch.uint8),
            "labels": ((rows,), i64),
            **{name: (shape, f32) for name, shape in weights.items()},
            **{square: (weights[name], f32) for name, square in SQUARES.items()},
            "h": ((n, hidden), f32),
            "dh": ((n, hidden), f32),
            "gb1": ((hidden,), f32),
            "gw2": ((NUM_CLASSES, hidden), f32),
            "gb2": ((NUM_CLASSES,), f32),
            "dlogits": ((n, NUM_CLASSES), f32),
            "losses": ((batches,), f32),
            "corrects": ((batches,), i64),
        }

    def _check_buffers(self) -> None:
        """Refuse, before any address is taken, a tensor the C code would overrun or misread.

        Sizes in the C loops come from hidden, the batch size and INPUT_SIZE, so each buffer
        must have exactly the shape and dtype they imply, be contiguous (one flat run of
        memory, no lazy negation) and live in the CPU's memory. Weights and square averages
        loaded from a checkpoint end up here too: a wrong one raises ValueError, not SIGSEGV.
        """
        expected = self._expected_buffers()
        for name in _ADDRESSED:
            tensor, (shape, dtype) = getattr(self, name), expected[name]
            problem = None
            if not isinstance(tensor, torch.Tensor) or tensor.layout != torch.strided:
                problem = "is not a dense tensor"
            elif tensor.dtype != dtype or tuple(tensor.shape) != shape:
                problem = f"is {tensor.dtype} {tuple(tensor.shape)}"
            elif tensor.device.type != "cpu":
                problem = f"is on {tensor.device}"
            elif not tensor.is_contiguous() or tensor.is_neg() or tensor.is_conj():
                problem = f"is not contiguous (strides {tensor.stride()})"
            if problem is not None:
                raise ValueError(
                    f"the fused CPU step's {name} {problem}; it needs a contiguous CPU tensor, "
                    f"{dtype} {shape}"
                )

    def step(self, index: torch.Tensor, b: int) -> None:
        """Train on the samples at `index` (at most batch_size); record batch b's loss and hits."""
        n = len(index)
        if index.dtype != torch.int64 or index.dim() != 1 or not 1 <= n <= len(self.y):
            raise ValueError(f"index must be int64 with 1 to {len(self.y)} samples")
        if not 0 <= b < len(self.losses):
            raise ValueError(f"batch {b} is outside the {len(self.losses)} slots for losses")
        if index.device.type != "cpu" or not index.is_contiguous():
            index = index.to("cpu").contiguous()
        at, hidden, threads = self.at, self.hidden, self.threads
        # The C code checks each index against the images and each label against the classes.
        self.last_nonzeros = kernels.gather_batch(
            at["images"], len(self.labels), at["labels"], index.data_ptr(), n, INPUT_SIZE,
            *self.gather_out, self.room,
        )  # fmt: skip
        kernels.forward(
            at["w1t"], at["b1"], at["row_start"], at["row_pixel"], at["row_value"], n, hidden,
            at["h"], threads,
        )  # fmt: skip
        # Batch b's slots: losses are float32 (4 bytes), corrects int64 (8), as checked above.
        kernels.head(
            at["h"], at["w2"], at["b2"], at["y"], n, hidden, at["dh"], at["gw2"], at["gb2"],
            at["gb1"], at["losses"] + b * 4, at["corrects"] + b * 8, at["dlogits"],
        )  # fmt: skip
        kernels.backward_update(
            at["w1t"], at["v1t"], at["col_start"], at["col_image"], at["col_value"], at["dh"],
            INPUT_SIZE, hidden, *self.rmsprop, threads,
        )  # fmt: skip
        for param, grad, square, size in self.small_params:
            # 5,642 numbers in all: one thread, a team would cost more than it saves.
            kernels.rmsprop(param, grad, square, size, *self.rmsprop, 1)
        self.pending_steps += 1

    def steps(self, order: torch.Tensor, first: int, count: int) -> None:
        """Train on batches first..first+count-1 of an epoch's sample order, each batch_size
        samples of it (the last one may be short), in one call that holds no GIL: the same
        numbers as count calls of step(), with Python's share of a step gone."""
        batch_size, samples = len(self.y), len(order)
        if order.dtype != torch.int64 or order.dim() != 1 or order.device.type != "cpu":
            raise ValueError("the order must be a 1-D int64 tensor on the CPU")
        last, batches = first + count - 1, -(-samples // batch_size)
        if count < 1 or first < 0 or last >= batches:
            raise ValueError(f"batches {first}..{last} are outside the order's {batches}")
        if last >= len(self.losses):
            raise ValueError(f"batch {last} is outside the {len(self.losses)} slots for losses")
        order = order.contiguous()
        # The C code checks each index against the images and each label against the classes.
        self.last_nonzeros = kernels.train_batches(
            self.member_row.data_ptr(), self.member_settings.data_ptr(), self.at["images"],
            len(self.labels), self.at["labels"], order.data_ptr(), samples, batch_size, first,
            count, *self.gather_out, self.room, INPUT_SIZE, self.hidden, self.threads,
        )  # fmt: skip
        self.pending_steps += count

    def record_steps(self) -> None:
        """Add the steps taken since the last call to the optimizer's step counts."""
        if self.pending_steps:
            for param in self.params:
                self.optimizer.state[param]["step"] += self.pending_steps
            self.pending_steps = 0


# One row of members_step's table: a member's weights, square averages, scratch and slots,
# in the order of the C code's MEMBER_ enum.
_MEMBER_ROW = (
    "w1t", "b1", "w2", "b2", "v1t", "vb1", "vw2", "vb2",
    "h", "dh", "gb1", "gw2", "gb2", "dlogits", "losses", "corrects",
)  # fmt: skip


class FusedMemberSteps:
    """Several runs' fused CPU steps trained on the same batches with one gather per batch.

    The members of a sweep that share the data order (same seed and batch size) read the
    same images: the first member's pixel lists serve them all, and the C code deals whole
    members out to the threads. Each member's numbers are exactly those of its own
    FusedCpuStep run alone (the same kernels over the same lists, per image and per pixel).
    """

    def __init__(self, steps: list[FusedCpuStep], threads: int) -> None:
        if not steps:
            raise ValueError("there are no members to train")
        first = steps[0]
        for step in steps[1:]:
            same = (
                step.images.data_ptr() == first.images.data_ptr()
                and step.labels.data_ptr() == first.labels.data_ptr()
                and len(step.y) == len(first.y)
                and step.hidden == first.hidden
                and len(step.losses) == len(first.losses)
            )
            if not same:
                raise ValueError(
                    "members must share images, labels, batch size, hidden size and loss slots"
                )
        if len(_MEMBER_ROW) != kernels.member_fields():
            raise ValueError("the C kernels' member table differs from cpu_step's; rebuild them")
        self.steps = steps
        self.shared = first
        self.threads = kernel_threads(threads)
        self.live = list(range(len(steps)))
        self._table()

    def _table(self) -> None:
        """The live members' addresses and RMSprop settings, as members_step reads them."""
        rows = [[self.steps[m].at[name] for name in _MEMBER_ROW] for m in self.live]
        self.table = torch.tensor(rows or [[0] * len(_MEMBER_ROW)], dtype=torch.int64)
        settings = [self.steps[m].rmsprop for m in self.live]
        # float32, as the single step's "f" arguments cast each setting from double.
        self.settings = torch.tensor(settings or [[0.0] * 4], dtype=torch.float32)

    def drop(self, member: int) -> None:
        """Stop training member (its loss went non-finite, say); the others go on."""
        if member in self.live:
            self.live.remove(member)
            self._table()

    def step(self, index: torch.Tensor, b: int) -> None:
        """Every live member trains on the samples at `index`; each records batch b."""
        first = self.shared
        n = len(index)
        if index.dtype != torch.int64 or index.dim() != 1 or not 1 <= n <= len(first.y):
            raise ValueError(f"index must be int64 with 1 to {len(first.y)} samples")
        if not 0 <= b < len(first.losses):
            raise ValueError(f"batch {b} is outside the {len(first.losses)} slots for losses")
        if not self.live:
            return
        if index.device.type != "cpu" or not index.is_contiguous():
            index = index.to("cpu").contiguous()
        at = first.at
        first.last_nonzeros = kernels.gather_batch(
            at["images"], len(first.labels), at["labels"], index.data_ptr(), n, INPUT_SIZE,
            *first.gather_out, first.room,
        )  # fmt: skip
        kernels.members_step(
            self.table.data_ptr(), self.settings.data_ptr(), len(self.live), *first.gather_out,
            n, INPUT_SIZE, first.hidden, b, self.threads,
        )  # fmt: skip
        for m in self.live:
            self.steps[m].pending_steps += 1

    def record_steps(self) -> None:
        for step in self.steps:
            step.record_steps()
