"""A sweep's plan: which TrainConfigs to train, from comma lists (a grid) or ranges (random draws).

Any TrainConfig field can be swept, because the axes are read through core.config's field
metadata (choices, bounds, types) rather than a list kept here; every value is checked with the
field's own check before anything trains. Light: no torch.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.config import ConfigError, Setting, TrainConfig, flag, settings

# Past this many members a sweep asks for --yes: a typo in a list should not start a week of runs.
CONFIRM_ABOVE = 256
# Refused even with --yes: the members are built in memory before the first one trains.
MAX_MEMBERS = 100_000
MAX_LABEL = 100  # the run store's limit on a run's name (core/runs/store.py)


class SweepError(ValueError):
    """A sweep that cannot be planned; the message is one line that names the flag."""


@dataclass(frozen=True)
class Range:
    """`--lr 1e-4:1e-2:log`: draw uniformly between low and high (inclusive), or in log space."""

    low: float
    high: float
    log: bool = False

    def draw(self, rng: random.Random, kind: type) -> int | float:
        if self.log:
            value = math.exp(rng.uniform(math.log(self.low), math.log(self.high)))
        else:
            value = rng.uniform(self.low, self.high)
        if kind is int:
            return min(max(round(value), int(self.low)), int(self.high))
        # Three significant digits: the label then shows the value the member really trained
        # with, and a sweep's table reads 0.000312 rather than 0.00031187634.
        return min(max(float(f"{value:.3g}"), self.low), self.high)

    def __str__(self) -> str:
        return f"{self.low:g}:{self.high:g}" + (":log" if self.log else "")


Axis = list[Any] | Range


@dataclass(frozen=True)
class Member:
    """One run of the sweep: its place, its full recipe, and the values that set it apart."""

    index: int  # 0-based position in the sweep
    config: TrainConfig
    label: str  # "lr=0.0003 hidden=128 optimizer=adam seed=1": only the swept fields


@dataclass(frozen=True)
class SweepPlan:
    members: tuple[Member, ...]
    swept: tuple[str, ...]  # the fields whose value varies between members, in flag order

    def __len__(self) -> int:
        return len(self.members)


def field_settings() -> dict[str, Setting]:
    """Every TrainConfig field's Setting, by name."""
    return {setting.name: setting for setting in settings()}


def parse_axis(field_name: str, text: str) -> Axis:
    """The values of one flag: "1e-4,3e-4" (a list, each checked) or "1e-4:1e-2[:log]" (a range).

    Raises SweepError("--lr: ...") for an empty list or item, a value the field cannot take,
    a value given twice, or a range that is not low:high[:log] with low <= high.
    """
    fields = field_settings()
    if field_name not in fields:
        raise SweepError(f"{flag(field_name)}: TrainConfig has no field {field_name!r}")
    setting = fields[field_name]
    name = setting.flag
    text = text.strip()
    if not text:
        raise SweepError(f"{name}: an empty list; give values like {example(setting)}")
    if ":" in text and setting.kind in (int, float) and "," not in text:
        return parse_range(setting, text)
    values = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            wanted = example(setting)
            raise SweepError(f"{name}: an empty item in {text!r}; give values like {wanted}")
        value = parse_value(setting, item)
        if value in values:
            raise SweepError(f"{name}: {item} is given twice")
        values.append(value)
    return values


def parse_value(setting: Setting, item: str) -> Any:
    """One list item as the field's type, checked by the field's own rule."""
    try:
        return setting.parse(item)
    except ConfigError as err:
        raise SweepError(f"{setting.flag}: {err}") from None


def parse_range(setting: Setting, text: str) -> Range:
    name = setting.flag
    parts = text.split(":")
    log = len(parts) == 3 and parts[2].strip().lower() == "log"
    if len(parts) not in (2, 3) or (len(parts) == 3 and not log):
        raise SweepError(f"{name}: a range is MIN:MAX or MIN:MAX:log, not {text!r}")
    low, high = (parse_value(setting, part.strip()) for part in parts[:2])
    if low > high:
        raise SweepError(f"{name}: the range {text!r} has its minimum above its maximum")
    if log and low <= 0:
        raise SweepError(f"{name}: a log range needs a minimum above 0, not {low}")
    return Range(low, high, log)


def example(setting: Setting) -> str:
    if setting.choices:
        return ",".join(str(c) for c in setting.choices[:2])
    return {bool: "true,false", int: "1,2", float: "1e-4,1e-3"}.get(setting.kind, "a,b")


def grid(base: TrainConfig, axes: Mapping[str, Axis]) -> SweepPlan:
    """Every combination of the axes' values, the last axis varying fastest (itertools.product)."""
    names = list(axes)
    lists: list[list[Any]] = []
    for name in names:
        axis = axes[name]
        if isinstance(axis, Range):
            raise SweepError(f"{flag(name)}: a range ({axis}) is drawn from only with --random K")
        lists.append(list(axis))
    combos = itertools.product(*lists)
    swept = tuple(name for name, values in zip(names, lists, strict=True) if len(values) > 1)
    return build(base, names, combos, swept)


def grid_size(axes: Mapping[str, Axis]) -> int:
    """How many members grid() would make, without making them."""
    return math.prod(len(axis) for axis in axes.values() if not isinstance(axis, Range))


def random_draws(base: TrainConfig, ranges: Mapping[str, Axis], k: int, seed: int) -> SweepPlan:
    """K members, each value drawn from its range (or picked from its list); same seed, same K."""
    if k < 1:
        raise SweepError(f"--random: must be a whole number of at least 1, got {k}")
    fields = field_settings()
    rng = random.Random(seed)
    names = list(ranges)

    def draw(axis: Axis, kind: type) -> Any:
        return axis.draw(rng, kind) if isinstance(axis, Range) else rng.choice(axis)

    combos = [tuple(draw(ranges[name], fields[name].kind) for name in names) for _ in range(k)]
    swept = tuple(
        name
        for name in names
        if isinstance(ranges[name], Range) or len(ranges[name]) > 1  # type: ignore[arg-type]
    )
    return build(base, names, combos, swept)


def build(
    base: TrainConfig, names: Sequence[str], combos: Iterable[tuple[Any, ...]], swept: tuple
) -> SweepPlan:
    members = []
    for index, values in enumerate(combos):
        chosen = dict(zip(names, values, strict=True))
        try:
            config = dataclasses.replace(base, **chosen)
        except ConfigError as err:  # each value was checked; this is a rule across fields
            raise SweepError(f"member {index} ({describe(chosen, names)}): {err}") from None
        members.append(Member(index, config, describe(chosen, swept)))
    return SweepPlan(tuple(members), swept)


def describe(values: Mapping[str, Any], names: Iterable[str]) -> str:
    """`lr=0.0003 hidden=128`, cut to fit a run name."""
    label = " ".join(f"{name}={show(values[name])}" for name in names)
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def check_size(count: int, confirmed: bool, what: str = "grid") -> None:
    """Refuse a plan too large to make, and one past CONFIRM_ABOVE without --yes."""
    if count > MAX_MEMBERS:
        raise SweepError(f"the {what} has {count:,} members; at most {MAX_MEMBERS:,} can run")
    if count > CONFIRM_ABOVE and not confirmed:
        raise SweepError(
            f"the {what} has {count:,} members (more than {CONFIRM_ABOVE}); add --yes to train them"
        )
