"""Whether a checkpoint's contents can be used: checked whole before any of it is used.

The weights, the optimizer's state and its settings end up in the model, in torch's optimizer
and in the CPU step in C, which indexes them without bounds checks. So every tensor must have
the shape of the model that the config's `hidden` builds, be float32, on the CPU, laid out
without gaps or overlaps and finite; the optimizer must have the one param group this app
writes, with settings it can run, and step counts that are whole numbers >= 0; the history
must be per-epoch records with EpochEnd's fields. Each refusal is one CheckpointError line
naming the file and field.
"""

from __future__ import annotations

import math
import os
from dataclasses import fields
from typing import Any

import torch

from core.checkpoint.format import Checkpoint, CheckpointError
from core.config import OPTIMIZERS, TrainConfig
from core.events import EpochEnd
from core.model import INPUT_SIZE, NUM_CLASSES
from core.optim import FLAG_SETTINGS, RULES

MAX_HIDDEN = 1 << 24  # far beyond any machine's memory at 784 x hidden floats
MAX_EPOCH = 10_000_000


def check_checkpoint(checkpoint: Checkpoint, path: str | os.PathLike) -> None:
    """Check every field against the checkpoint's own config: what load() can check alone."""
    hidden = saved_hidden(checkpoint.config, path)
    name = checkpoint.config.get("optimizer")
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise CheckpointError(
            f"{path}: config optimizer is {show(name)}, not one of {', '.join(OPTIMIZERS)}"
        )
    check_model(checkpoint.model, hidden, path)
    check_optimizer(checkpoint.optimizer, hidden, name, path)
    check_progress(checkpoint.epoch, checkpoint.history, path)
    check_rng(checkpoint.rng, path)


def check_compatible(checkpoint: Checkpoint, config: TrainConfig, path: str | os.PathLike) -> None:
    """Refuse to resume into a run whose model or optimizer the checkpoint cannot fill.

    Called after load() and before any load_state_dict: the weights, the optimizer state and
    settings and the history are checked again against the model and optimizer that `config`
    builds, so a Checkpoint made in memory gets the same checks as one read from a file.
    """
    saved = checkpoint.config
    for name in ("hidden", "optimizer", "dataset"):
        value, wanted = saved.get(name), getattr(config, name)
        if type(value) is not type(wanted) or value != wanted:
            raise CheckpointError(
                f"{path} was trained with {name}={show(value)}; this run has {name}={wanted!r}"
            )
    check_model(checkpoint.model, config.hidden, path)
    check_optimizer(checkpoint.optimizer, config.hidden, config.optimizer, path)
    check_progress(checkpoint.epoch, checkpoint.history, path)
    check_rng(checkpoint.rng, path)


def saved_hidden(config: dict[str, Any], path: str | os.PathLike) -> int:
    """The hidden width a checkpoint's config names, if it is a sane whole number."""
    hidden = config.get("hidden")
    if type(hidden) is not int or not 1 <= hidden <= MAX_HIDDEN:  # bool is no layer width
        raise CheckpointError(f"{path} does not say how many hidden units its model has")
    return hidden


def model_shapes(hidden: int) -> dict[str, tuple[int, ...]]:
    """The state_dict shapes of SimpleNN(hidden)."""
    return {
        "fc1.weight": (hidden, INPUT_SIZE),
        "fc1.bias": (hidden,),
        "fc2.weight": (NUM_CLASSES, hidden),
        "fc2.bias": (NUM_CLASSES,),
    }


def check_model(weights: dict[str, Any], hidden: int, path: str | os.PathLike) -> None:
    """Refuse weights that SimpleNN(hidden) cannot take as they are: keys, shapes, dtype,
    device, layout, and NaN or infinity (a run that diverged)."""
    shapes = model_shapes(hidden)
    network = f"{INPUT_SIZE}-{hidden}-{NUM_CLASSES} network"
    if not isinstance(weights, dict):
        raise CheckpointError(f"{path}: model should be dict, found {type(weights).__name__}")
    missing = [key for key in shapes if key not in weights]
    unexpected = [show(key) for key in weights if key not in shapes]
    if missing or unexpected:
        parts = [f"missing {', '.join(missing)}"] if missing else []
        parts += [f"unexpected {', '.join(unexpected[:5])}"] if unexpected else []
        raise CheckpointError(f"{path}: model does not fit a {network}: {'; '.join(parts)}")
    for key, shape in shapes.items():
        tensor = weights[key]
        if isinstance(tensor, torch.Tensor) and tuple(tensor.shape) != shape:
            raise CheckpointError(
                f"{path}: model does not fit a {network}: {key} has shape "
                f"{tuple(tensor.shape)}, expected {shape}"
            )
        _check_tensor(tensor, shape, f"model {key}", path)
        if not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(
                f"{path}: model {key} holds NaN or infinite weights (a run that diverged)"
            )


def check_optimizer(
    state_dict: dict[str, Any], hidden: int, name: str, path: str | os.PathLike
) -> None:
    """Refuse optimizer state that torch's `name` optimizer for SimpleNN(hidden), or the C
    step, could not use as it is: groups, settings, per-parameter tensors and step counts."""
    if not isinstance(state_dict, dict):
        raise CheckpointError(
            f"{path}: optimizer should be dict, found {type(state_dict).__name__}"
        )
    if set(state_dict) != {"state", "param_groups"}:
        keys = ", ".join(sorted(show(key) for key in state_dict))
        raise CheckpointError(
            f"{path}: optimizer should hold state and param_groups, found {keys or 'nothing'}"
        )
    shapes = list(model_shapes(hidden).values())
    _check_groups(state_dict["param_groups"], name, len(shapes), path)
    state = state_dict["state"]
    if not isinstance(state, dict):
        raise CheckpointError(
            f"{path}: optimizer state should be dict, found {type(state).__name__}"
        )
    for index, entry in state.items():
        if type(index) is not int or not 0 <= index < len(shapes):
            raise CheckpointError(
                f"{path}: optimizer state {show(index)} is for no parameter "
                f"(the model has parameters 0-{len(shapes) - 1})"
            )
        _check_parameter_state(entry, index, shapes[index], name, path)


def _check_groups(groups: Any, name: str, count: int, path: str | os.PathLike) -> None:
    where = f"{path}: optimizer param_groups"
    if not isinstance(groups, list) or len(groups) != 1 or not isinstance(groups[0], dict):
        found = f"{len(groups)} groups" if isinstance(groups, list) else type(groups).__name__
        raise CheckpointError(f"{where} should be one group (a dict), found {found}")
    group = groups[0]
    params = group.get("params")
    if not (isinstance(params, list) and all(type(p) is int for p in params)) or params != list(
        range(count)
    ):
        raise CheckpointError(
            f"{where} 0 params should be {list(range(count))}, found {show(params)}"
        )
    for key, value in RULES[name].fixed.items():
        if key not in group:
            raise CheckpointError(f"{where} 0 has no {key}")
        found = group[key]
        same_kind = type(found) is bool if type(value) is bool else _is_number(found)
        if not same_kind or found != value:
            raise CheckpointError(
                f"{where} 0 {key} is {show(found)}; this app's {name} uses {value!r}"
            )
    for key, (low, high) in RULES[name].numbers.items():
        if key not in group:
            raise CheckpointError(f"{where} 0 has no {key}")
        value = group[key]
        strict = key == "lr"  # a learning rate of 0 trains nothing
        if not (_is_finite(value) and (value > low if strict else value >= low) and value <= high):
            bounds = (
                f"in {low}..{high}" if math.isfinite(high) else f"{'>' if strict else '>='} {low}"
            )
            raise CheckpointError(f"{where} 0 {key} is {show(value)}, expected a number {bounds}")
    if name == "adam":
        betas = group.get("betas")
        if not (
            isinstance(betas, tuple | list)
            and len(betas) == 2
            and all(_is_finite(b) and 0 <= b < 1 for b in betas)
        ):
            raise CheckpointError(f"{where} 0 betas is {show(betas)}, expected two numbers in 0..1")
    for key in FLAG_SETTINGS:
        if key in group and group[key] is not None and type(group[key]) is not bool:
            raise CheckpointError(f"{where} 0 {key} is {show(group[key])}, expected True or False")
    for key, value in group.items():
        if not isinstance(key, str):
            raise CheckpointError(f"{where} 0 has a setting named {show(key)}")
        if not _is_plain(value):
            raise CheckpointError(f"{where} 0 {key} is a {type(value).__name__}, not a plain value")


def _check_parameter_state(
    entry: Any, index: int, shape: tuple[int, ...], name: str, path: str | os.PathLike
) -> None:
    where = f"optimizer state {index}"
    if not isinstance(entry, dict):
        raise CheckpointError(f"{path}: {where} should be dict, found {type(entry).__name__}")
    if not entry:
        return  # no step taken yet for this parameter: torch creates its state on the first
    expected = set(RULES[name].state) | ({"step"} if RULES[name].has_step else set())
    optional = {"momentum_buffer"} if name == "sgd" else set()
    missing = sorted(expected - set(entry))
    unexpected = sorted(show(key) for key in entry if key not in expected | optional)
    if missing:
        raise CheckpointError(f"{path}: {where} has no {', '.join(missing)}")
    if unexpected:
        raise CheckpointError(f"{path}: {where} has unexpected {', '.join(unexpected)}")
    for key in RULES[name].state:
        _check_state_tensor(entry[key], shape, f"{where} {key}", path)
    if "momentum_buffer" in entry and entry["momentum_buffer"] is not None:
        _check_state_tensor(entry["momentum_buffer"], shape, f"{where} momentum_buffer", path)
    if "step" in entry:
        _check_step(entry["step"], f"{where} step", path)


def _check_state_tensor(value: Any, shape: tuple[int, ...], what: str, path: str | os.PathLike):
    _check_tensor(value, shape, what, path)
    if not bool(torch.isfinite(value).all()):
        raise CheckpointError(f"{path}: {what} holds NaN or infinite values")


def _check_step(value: Any, what: str, path: str | os.PathLike) -> None:
    """A step count: one real number, finite, whole and >= 0 (a 0-dim tensor, as torch keeps
    it, or a plain number, as older torch did)."""
    if isinstance(value, torch.Tensor):
        if value.dim() != 0:
            raise CheckpointError(
                f"{path}: {what} has shape {tuple(value.shape)}, expected a single number"
            )
        if value.is_complex() or value.dtype == torch.bool or value.device.type != "cpu":
            raise CheckpointError(
                f"{path}: {what} is a {_dtype(value)} tensor on {value.device.type}, "
                "expected a real number on the CPU"
            )
        if value.layout != torch.strided:
            raise CheckpointError(f"{path}: {what} is a {value.layout} tensor, expected a number")
        number = float(value.item())
    elif _is_number(value):
        number = float(value)
    else:
        raise CheckpointError(f"{path}: {what} is a {type(value).__name__}, expected a number")
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise CheckpointError(f"{path}: {what} is {number!r}, expected a whole number >= 0")


def _check_tensor(value: Any, shape: tuple[int, ...], what: str, path: str | os.PathLike) -> None:
    """A float32 CPU tensor of `shape` whose elements each have their own place in memory."""
    if not isinstance(value, torch.Tensor):
        raise CheckpointError(f"{path}: {what} is a {type(value).__name__}, expected a tensor")
    if value.layout != torch.strided:
        raise CheckpointError(f"{path}: {what} is a {value.layout} tensor, expected a dense one")
    if value.dtype != torch.float32:
        raise CheckpointError(f"{path}: {what} is {_dtype(value)}, expected float32")
    if value.device.type != "cpu":
        raise CheckpointError(f"{path}: {what} is on {value.device}, expected the CPU")
    if tuple(value.shape) != shape:
        raise CheckpointError(f"{path}: {what} has shape {tuple(value.shape)}, expected {shape}")
    if not is_dense(value):
        raise CheckpointError(
            f"{path}: {what} is not contiguous (strides {value.stride()} for shape {shape}: "
            "elements overlap or leave gaps)"
        )
    if value.is_neg() or value.is_conj():
        raise CheckpointError(f"{path}: {what} is a lazily negated view, expected plain values")


def is_dense(tensor: torch.Tensor) -> bool:
    """Contiguous in some order of its dimensions: no element shares memory with another and
    none is skipped. Transposed views qualify (the C step saves fc1.weight as one)."""
    if tensor.is_contiguous():
        return True
    expected = 1
    for size, stride in sorted(
        ((s, st) for s, st in zip(tensor.shape, tensor.stride(), strict=True) if s != 1),
        key=lambda pair: pair[1],
    ):
        if stride != expected:
            return False
        expected *= size
    return True


# EpochEnd's fields and the values each may hold, read from the dataclass itself.
_HISTORY_CHECKS = {
    "int": (lambda v: type(v) is int and 0 <= v <= MAX_EPOCH, "a whole number >= 0"),
    "float": (lambda v: _is_number(v), "a number"),
    "float | None": (lambda v: v is None or _is_number(v), "a number or None"),
}


def _history_check(annotation: Any) -> tuple[Any, str]:
    if not isinstance(annotation, str):  # a type, should events.py drop postponed annotations
        annotation = getattr(annotation, "__name__", None) or str(annotation)
    return _HISTORY_CHECKS.get(annotation, (lambda v: _is_plain(v), "a plain value"))


HISTORY_FIELDS = {f.name: _history_check(f.type) for f in fields(EpochEnd)}


def check_progress(epoch: Any, history: Any, path: str | os.PathLike) -> None:
    """`epoch` epochs completed, and one valid EpochEnd record for each of them, in order."""
    if type(epoch) is not int or not 0 <= epoch <= MAX_EPOCH:
        raise CheckpointError(f"{path}: epoch is {show(epoch)}, expected a whole number >= 0")
    if not isinstance(history, list):
        raise CheckpointError(f"{path}: history should be list, found {type(history).__name__}")
    if len(history) != epoch:
        raise CheckpointError(
            f"{path}: history holds {len(history)} epochs but the checkpoint says {epoch} "
            "were completed"
        )
    for index, entry in enumerate(history):
        if not isinstance(entry, dict):
            raise CheckpointError(
                f"{path}: history should be a list of per-epoch records; "
                f"entry {index} is a {type(entry).__name__}"
            )
        missing = [key for key in HISTORY_FIELDS if key not in entry]
        unexpected = [show(key) for key in entry if key not in HISTORY_FIELDS]
        if missing:
            raise CheckpointError(f"{path}: history entry {index} has no {', '.join(missing)}")
        if unexpected:
            raise CheckpointError(
                f"{path}: history entry {index} has unexpected {', '.join(unexpected[:5])}"
            )
        for key, (valid, expected) in HISTORY_FIELDS.items():
            if not valid(entry[key]):
                raise CheckpointError(
                    f"{path}: history entry {index} {key} is {show(entry[key])}, "
                    f"expected {expected}"
                )
        if entry["epoch"] != index:
            raise CheckpointError(
                f"{path}: history entry {index} is for epoch {entry['epoch']}, expected {index}"
            )


def check_rng(rng: Any, path: str | os.PathLike) -> None:
    """None, or a generator state: a 1-D uint8 CPU tensor of bytes."""
    if rng is None:
        return
    if not (
        isinstance(rng, torch.Tensor)
        and rng.dtype == torch.uint8
        and rng.dim() == 1
        and rng.layout == torch.strided
        and rng.device.type == "cpu"
        and rng.is_contiguous()
    ):
        found = _dtype(rng) + " tensor" if isinstance(rng, torch.Tensor) else type(rng).__name__
        raise CheckpointError(f"{path}: rng should be a 1-D uint8 tensor, found {found}")


def is_text(value: Any, text: str) -> bool:
    return type(value) is str and value == text  # a tensor's == is no yes or no


def _is_number(value: Any) -> bool:
    """An int or a float (NaN and infinity included), not a bool, and no int over 63 bits."""
    if isinstance(value, bool):
        return False
    return isinstance(value, float) or (isinstance(value, int) and value.bit_length() < 64)


def _is_finite(value: Any) -> bool:
    return _is_number(value) and math.isfinite(value)


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float | str):
        return True
    return (
        isinstance(value, tuple | list) and len(value) <= 16 and all(_is_number(v) for v in value)
    )


def _dtype(tensor: torch.Tensor) -> str:
    return str(tensor.dtype).removeprefix("torch.")


def show(value: Any) -> str:
    """A short repr for a message: a hostile file can hold huge numbers and strings."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "a number of over 64 bits"
    if isinstance(value, torch.Tensor):
        return f"a {_dtype(value)} tensor of shape {tuple(value.shape)}"
    simple = (str, int, float, bool, type(None))
    if isinstance(value, simple) or (
        isinstance(value, list | tuple)
        and len(value) <= 8
        and all(isinstance(v, simple) and not isinstance(v, str) for v in value)
        and not any(isinstance(v, int) and v.bit_length() > 64 for v in value)
    ):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return f"a {type(value).__name__}"
