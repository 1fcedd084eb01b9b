"""The inspector's facts about a tensor: shape, dtype, values, and how it sits in memory."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.tensorlab.sizes import format_bytes, torch_size


@dataclass(frozen=True)
class TensorFacts:
    """What the notebook asks of a tensor: ndim, shape, dtype, and how it sits in memory."""

    rank: int
    shape: tuple[int, ...]
    dtype: str  # NumPy's name, which is also torch's without the `torch.` prefix
    elements: int
    nbytes: int
    minimum: float | None  # None for an empty tensor
    maximum: float | None
    mean: float | None
    device: str
    strides: tuple[int, ...]  # in elements, as torch counts them, not bytes as NumPy does
    contiguous: bool

    def rows(self) -> list[tuple[str, str]]:
        def number(value: float | None) -> str:
            if value is None:
                return "-"
            return f"{value:g}" if float(value).is_integer() else f"{value:.4g}"

        return [
            ("ndim", str(self.rank)),
            ("shape", torch_size(self.shape)),
            ("dtype", f"torch.{self.dtype}  ({self.dtype})"),
            ("elements", f"{self.elements:,}"),
            ("bytes", f"{self.nbytes:,}  ({format_bytes(self.nbytes)})"),
            ("min / max", f"{number(self.minimum)} / {number(self.maximum)}"),
            ("mean", number(self.mean)),
            ("device", self.device),
            ("strides", str(self.strides)),
            ("contiguous", str(self.contiguous)),
        ]


def inspect_tensor(x) -> TensorFacts:
    """Facts of a NumPy array (as `torch.from_numpy` would see it, on the cpu) or a torch tensor."""
    if type(x).__module__.startswith("torch"):
        empty = x.numel() == 0
        return TensorFacts(
            rank=x.ndim,
            shape=tuple(x.shape),
            dtype=str(x.dtype).removeprefix("torch."),
            elements=x.numel(),
            nbytes=x.numel() * x.element_size(),
            minimum=None if empty else x.min().item(),
            maximum=None if empty else x.max().item(),
            mean=None if empty else x.double().mean().item(),
            device=str(x.device),
            strides=tuple(x.stride()),
            contiguous=x.is_contiguous(),
        )
    array = np.asarray(x)
    empty = array.size == 0
    return TensorFacts(
        rank=array.ndim,
        shape=array.shape,
        dtype=array.dtype.name,
        elements=array.size,
        nbytes=array.nbytes,
        minimum=None if empty else array.min().item(),
        maximum=None if empty else array.max().item(),
        mean=None if empty else float(array.mean()),
        device="cpu",
        strides=tuple(s // array.itemsize for s in array.strides),
        contiguous=bool(array.flags.c_contiguous),
    )


# torch prints a tensor whole up to this many elements, and otherwise its first and last three
# along each axis with `...` between: why the lecture shows `tensor([5, 0, 4, ..., 5, 6, 8])`.
TORCH_THRESHOLD = 1000
TORCH_EDGE_ITEMS = 3


def tensor_text(x) -> str:
    """A NumPy array's values as PyTorch's repr summarises them, e.g. `tensor([5, 0, 4, ..., 8])`.

    Whole numbers print bare; a dtype torch would not assume (anything but int64, float32 and
    bool) is named after the values, as torch does.
    """
    array = np.asarray(x)
    values = np.array2string(
        array,
        separator=", ",
        threshold=TORCH_THRESHOLD,
        edgeitems=TORCH_EDGE_ITEMS,
        max_line_width=10**9,  # one line for a vector: the panel wraps it, not NumPy
        prefix="tensor(",
    )
    default = array.dtype in (np.dtype(np.int64), np.dtype(np.float32), np.dtype(bool))
    return f"tensor({values}{'' if default else f', dtype=torch.{array.dtype.name}'})"
