"""Many 784-hidden-10 networks as one: their weights stacked, one batch fed to all of them.

Member m's fc1 is rows m*hidden..(m+1)*hidden of one (M*hidden, 784) matrix, so the first
layer of every member is one matrix product over the shared batch; the second is a batched
product (M, n, hidden) x (M, hidden, 10). Each member's loss is its own batch mean and the
sum of the members' losses is differentiated once: a member's gradient only depends on its
own loss, so it is exactly what its single run's backward would give, up to the order of
float additions. The update is the optimizer's formula written over the stack, with a
learning rate per member (an (M, 1, ...) tensor); every tensor stays on the device, so the
whole step can be captured as one CUDA graph (StackedGraphStep).

The members' SimpleNN models are views of the stack: evaluation, FitResult.model and
state_dict() see the current weights without copying (detach_models() gives each its own).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from core.loaders import Batch, DeviceLoader
from core.model import SimpleNN
from core.optim import RULES
from core.steps import Step

# torch.optim's defaults, which make_optimizer keeps (the notebook's settings).
RMSPROP_ALPHA, RMSPROP_EPS = 0.99, 1e-8
ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8
STACKED_OPTIMIZERS = ("rmsprop", "adam", "sgd")


class StackedMembers:
    """The members' parameters, optimizer state and per-batch figures, stacked on one device."""

    def __init__(
        self,
        models: Sequence[SimpleNN],
        lrs: Sequence[float],
        optimizer: str,
        batches: int,
        device: torch.device,
    ) -> None:
        if optimizer not in STACKED_OPTIMIZERS:
            raise ValueError(f"the stacked step has no {optimizer}")
        self.models, self.optimizer, self.device = list(models), optimizer, device
        self.count = len(self.models)
        self.hidden = self.models[0].fc1.out_features
        names = ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias")
        self.params = [
            torch.stack([model.get_parameter(name).detach() for model in self.models])
            .to(device)
            .contiguous()
            .requires_grad_()
            for name in names
        ]
        for m, model in enumerate(self.models):  # each model reads its slice of the stack
            for param, stack in zip(model.parameters(), self.params, strict=True):
                param.data = stack.detach()[m]
        self.lr = torch.tensor(list(lrs), dtype=torch.float32, device=device)
        self.state = [[torch.zeros_like(p) for p in self.params] for _ in range(self._slots())]
        self.step_count = torch.zeros((), dtype=torch.float64, device=device)
        self.losses = torch.zeros(self.count, batches, device=device)
        self.corrects = torch.zeros(self.count, batches, dtype=torch.int64, device=device)

    def _slots(self) -> int:
        return len(RULES[self.optimizer].state)  # the state tensors torch keeps for it

    def per_member(self, values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        """(M,) values shaped to broadcast over a stacked parameter like `like`."""
        return values.view(-1, *([1] * (like.dim() - 1)))

    def train_on(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One step of every member on batch (x, y); each member's loss and correct count."""
        w1, b1, w2, b2 = self.params
        count, hidden, n = self.count, self.hidden, len(y)
        # One product for every member's first layer: (n, 784) x (784, M * hidden).
        h = F.linear(x, w1.view(count * hidden, -1), b1.view(count * hidden))
        h = torch.relu(h).view(n, count, hidden).transpose(0, 1)  # (M, n, hidden)
        logits = torch.baddbmm(b2.unsqueeze(1), h, w2.transpose(1, 2))  # (M, n, 10)
        losses = F.cross_entropy(
            logits.reshape(count * n, -1), y.repeat(count), reduction="none"
        ).view(count, n)
        loss = losses.mean(1)
        grads = torch.autograd.grad(loss.sum(), self.params)
        with torch.no_grad():
            self._update(grads)
        correct = (logits.detach().argmax(2) == y).sum(1)
        return loss.detach(), correct

    def _update(self, grads: Sequence[torch.Tensor]) -> None:
        """The optimizer's update for every member at once, each with its own learning rate."""
        if self.optimizer == "adam":
            self.step_count += 1
        for i, (param, grad) in enumerate(zip(self.params, grads, strict=True)):
            lr = self.per_member(self.lr, param)
            p = param.detach()
            if self.optimizer == "sgd":
                p.addcmul_(grad, lr, value=-1)
            elif self.optimizer == "rmsprop":
                square = self.state[0][i]
                square.mul_(RMSPROP_ALPHA).addcmul_(grad, grad, value=1 - RMSPROP_ALPHA)
                p.addcmul_(grad / square.sqrt().add_(RMSPROP_EPS), lr, value=-1)
            else:  # adam, as torch.optim.Adam without amsgrad or weight decay
                beta1, beta2 = ADAM_BETAS
                mean, square = self.state[0][i], self.state[1][i]
                mean.lerp_(grad, 1 - beta1)
                square.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                correction1 = 1 - beta1**self.step_count
                correction2 = 1 - beta2**self.step_count
                step_size = (lr / correction1).float()
                denom = (square.sqrt() / correction2.sqrt().float()).add_(ADAM_EPS)
                p.addcmul_(mean / denom, step_size, value=-1)

    @torch.no_grad()
    def drop(self, member: int) -> None:
        """Stop training member: no learning rate, and zero weights, so nothing non-finite
        keeps flowing through its slice (and a captured graph can go on replaying it)."""
        self.lr[member] = 0
        for param in self.params:
            param.detach()[member].zero_()
        for slot in self.state:
            for value in slot:
                value[member].zero_()

    def torch_state(self, member: int, steps: int) -> list[dict[str, torch.Tensor]]:
        """Member `member`'s optimizer state for each parameter as torch.optim keeps it (the
        names RULES gives, and the step count where torch keeps one), copied out of the stack:
        what its checkpoint holds, so that a single run can continue it."""
        rules = RULES[self.optimizer]
        states = []
        for i in range(len(self.params)):
            state = {
                name: self.state[slot][i][member].detach().clone()
                for slot, name in enumerate(rules.state)
            }
            if rules.has_step:
                state["step"] = torch.tensor(float(steps))  # torch's own: a float32 scalar
            states.append(state)
        return states

    def snapshot(self) -> list[torch.Tensor]:
        """Copies of everything a step changes, to undo warm-up steps with restore()."""
        return [t.detach().clone() for t in self._mutable()]

    @torch.no_grad()
    def restore(self, saved: list[torch.Tensor]) -> None:
        for tensor, value in zip(self._mutable(), saved, strict=True):
            tensor.detach().copy_(value)

    def _mutable(self) -> list[torch.Tensor]:
        return [*self.params, *(v for slot in self.state for v in slot), self.step_count,
                self.losses, self.corrects]  # fmt: skip

    def detach_models(self) -> None:
        """Give each member's model its own copy of its weights, free of the stack."""
        for model in self.models:
            for param in model.parameters():
                param.data = param.data.clone()


class StackedStep(Step):
    """Every member trains on one batch, launched from Python (any device, any optimizer);
    nothing is queued, and the step count lives on the device."""

    def __init__(self, members: StackedMembers, loader: DeviceLoader) -> None:
        self.members, self.loader = members, loader

    def __call__(self, batch: Batch, b: int) -> None:
        x, y = self.loader.batch(batch.index)
        loss, correct = self.members.train_on(x, y)
        self.members.losses[:, b] = loss
        self.members.corrects[:, b] = correct

    def drop(self, member: int) -> None:
        self.members.drop(member)


class StackedGraphStep(StackedStep):
    """The stacked step captured as one CUDA graph; the last, partial batch runs eagerly.

    As core.graph.CapturedStep does for one run: the graph reads the epoch's order from a
    buffer filled once per epoch at a batch counter it advances itself, and writes each
    member's loss and correct count at that counter.
    """

    WARMUP_STEPS = 3  # capture needs cuBLAS workspaces and autograd's buffers to exist

    def __init__(self, members: StackedMembers, loader: DeviceLoader) -> None:
        super().__init__(members, loader)
        device = loader.device
        self.order = torch.arange(loader.num_samples, device=device)
        self.offsets = torch.arange(loader.batch_size, device=device)
        self.slot = torch.zeros(1, dtype=torch.int64, device=device)
        self.graph = torch.cuda.CUDAGraph()
        saved = members.snapshot()
        try:
            side = torch.cuda.Stream(device)
            side.wait_stream(torch.cuda.current_stream(device))
            with torch.cuda.stream(side):
                for _ in range(self.WARMUP_STEPS):
                    self._body()
            torch.cuda.current_stream(device).wait_stream(side)
        finally:  # the warm-up trained on real batches: undo it, the run is the recipe's
            members.restore(saved)
            self.slot.zero_()
            torch.cuda.synchronize(device)
        with torch.cuda.graph(self.graph):
            self._body()

    def _body(self) -> None:
        index = self.order.index_select(0, self.slot * self.loader.batch_size + self.offsets)
        x, y = self.loader.batch(index)
        loss, correct = self.members.train_on(x, y)
        self.members.losses.index_copy_(1, self.slot, loss.view(-1, 1))
        self.members.corrects.index_copy_(1, self.slot, correct.view(-1, 1))
        self.slot.add_(1)

    def __call__(self, batch: Batch, b: int) -> None:
        if batch.start == 0:
            self.order.copy_(batch.order)
            self.slot.zero_()
        if len(batch) == self.loader.batch_size:
            self.graph.replay()
        else:
            super().__call__(batch, b)
