"""CapturedStep: one training step recorded as a CUDA graph, replayed once per batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

if TYPE_CHECKING:
    from core.loaders import DeviceLoader


class CapturedStep:
    """The full-batch training step recorded once as a CUDA graph and replayed per batch.

    At ~4,700 steps for five epochs, launching each step's ~20 kernels from Python
    costs more than running them; a replay is one launch. The graph reads its batch
    from the epoch's permutation (copied into a fixed buffer once per epoch) at a
    batch counter it advances itself, and writes loss and correct count at that
    counter into the epoch's per-batch buffers.
    """

    WARMUP_STEPS = 3  # capture needs the optimizer state and cuBLAS workspaces to exist

    def __init__(
        self,
        model: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        loader: DeviceLoader,
        losses: torch.Tensor,
        corrects: torch.Tensor,
    ) -> None:
        self.model, self.optimizer, self.loader = model, optimizer, loader
        self.losses, self.corrects = losses, corrects
        self.order = torch.arange(loader.num_samples, device=loader.device)
        self.offsets = torch.arange(loader.batch_size, device=loader.device)
        self.slot = torch.zeros(1, dtype=torch.int64, device=loader.device)
        self.graph = torch.cuda.CUDAGraph()
        params = list(model.parameters())
        saved_params = [p.detach().clone() for p in params]
        saved_state = {
            p: {k: v.clone() for k, v in optimizer.state[p].items() if torch.is_tensor(v)}
            for p in params
            if p in optimizer.state
        }
        try:
            side = torch.cuda.Stream(loader.device)
            side.wait_stream(torch.cuda.current_stream(loader.device))
            with torch.cuda.stream(side):
                for _ in range(self.WARMUP_STEPS):
                    optimizer.zero_grad(set_to_none=True)
                    self._body()
            torch.cuda.current_stream(loader.device).wait_stream(side)
        finally:
            # Warm-up steps trained on real batches; undo them so the run is the recipe's.
            self._restore(params, saved_params, saved_state)
        optimizer.zero_grad(set_to_none=True)
        with torch.cuda.graph(self.graph):
            self._body()

    def _body(self) -> None:
        index = self.order.index_select(0, self.slot * self.loader.batch_size + self.offsets)
        x, y = self.loader.batch(index)
        logits = self.model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        self.optimizer.step()
        self.losses.index_copy_(0, self.slot, loss.detach().view(1))
        self.corrects.index_copy_(0, self.slot, (logits.argmax(1) == y).sum().view(1))
        self.slot.add_(1)

    @torch.no_grad()
    def _restore(
        self,
        params: list[torch.nn.Parameter],
        saved_params: list[torch.Tensor],
        saved_state: dict[torch.nn.Parameter, dict[str, torch.Tensor]],
    ) -> None:
        for p, saved in zip(params, saved_params, strict=True):
            p.copy_(saved)
            for key, value in self.optimizer.state[p].items():
                if not torch.is_tensor(value):
                    continue
                if key in saved_state.get(p, {}):
                    value.copy_(saved_state[p][key])
                else:  # state the warm-up created: fresh state is all zeros for these optimizers
                    value.zero_()
        torch.cuda.synchronize(self.loader.device)

    def start_epoch(self, order: torch.Tensor) -> None:
        self.order.copy_(order)
        self.slot.zero_()

    def replay(self) -> None:
        self.graph.replay()
