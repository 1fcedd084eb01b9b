"""How a screen's charts are looked at: smoothing, log y, the x window, which metrics.

Plain state and arithmetic, no widgets: one ChartView per screen, which its keys change and
every chart on the screen draws through, so the Train, Compare and sweep views behave alike.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

# Exponential smoothing weights, as TensorBoard offers them: 0 is the raw curve.
SMOOTHING = (0.0, 0.6, 0.9, 0.99)
# Each zoom keeps this share of the x range (1, 1/2, 1/4 … of it); never fewer than 2 units.
ZOOM_LEVELS = 6


@dataclass(frozen=True)
class ChartView:
    """What every chart of a screen shows and how; frozen so that a key makes a new one."""

    metrics: tuple[str, ...]  # the charts shown, by metric key, in order
    smoothing: float = 0.0
    log_y: bool = False
    zoom: int = 0  # the window is 1 / 2**zoom of the x range
    back: float = 0.0  # the window's right end, as a share of the x range left of the newest

    @property
    def following(self) -> bool:
        """The newest point is in view and stays there as points arrive."""
        return self.back == 0.0

    def next_smoothing(self) -> ChartView:
        place = SMOOTHING.index(self.smoothing) if self.smoothing in SMOOTHING else 0
        return replace(self, smoothing=SMOOTHING[(place + 1) % len(SMOOTHING)])

    def toggle_log(self) -> ChartView:
        return replace(self, log_y=not self.log_y)

    def zoomed_in(self) -> ChartView:
        return replace(self, zoom=min(self.zoom + 1, ZOOM_LEVELS))

    def zoomed_out(self) -> ChartView:
        zoom = max(self.zoom - 1, 0)
        return replace(self, zoom=zoom, back=min(self.back, 1 - 0.5**zoom))

    def panned(self, halves: int) -> ChartView:
        """Move the window by half its width: negative is older, positive newer."""
        share = 0.5**self.zoom
        back = min(max(self.back - halves * share / 2, 0.0), 1 - share)
        return replace(self, back=back)

    def follow(self) -> ChartView:
        return replace(self, back=0.0)

    def showing(self, metrics: Sequence[str]) -> ChartView:
        return replace(self, metrics=tuple(metrics))

    def window(self, low: float, high: float) -> tuple[float, float]:
        """The x range in view, out of the data's [low, high]."""
        if self.zoom == 0 or high <= low:
            return low, high
        total = high - low
        width = max(total * 0.5**self.zoom, min(2.0, total))
        right = high - self.back * total
        return max(right - width, low), right

    def describe(self, short: bool = False) -> str:
        """A few words for what differs from the plain view; empty when nothing does. Short:
        the keys' own signs, for a narrow chart ("~0.9 log x4 paused")."""
        words = []
        if self.smoothing:
            words.append(f"~{self.smoothing:g}" if short else f"smoothed {self.smoothing:g}")
        if self.log_y:
            words.append("log" if short else "log y")
        if self.zoom:
            words.append(f"x{2**self.zoom}" if short else f"zoom x{2**self.zoom}")
            if not self.following:
                words.append("paused")
        return (" " if short else " · ").join(words)


def smoothed(values: Sequence[float], weight: float) -> list[float]:
    """Exponential moving average, debiased like TensorBoard's: the first points are not pulled
    towards zero, and a NaN or infinity is passed through without poisoning the rest."""
    if not weight:
        return list(values)
    out, average, count = [], 0.0, 0
    for value in values:
        if not math.isfinite(value):
            out.append(value)
            continue
        count += 1
        average = average * weight + (1 - weight) * value
        out.append(average / (1 - weight**count))
    return out


def whole_ticks(low: float, high: float, room: int) -> list[int]:
    """Whole numbers between low and high for an axis of `room` labels at most: every one when
    they fit, else the multiples of a round step (1, 2, 5, 10, 20 …). Epochs and steps are
    counted, never fractions."""
    first, last = math.ceil(low), math.floor(high)
    if last <= first:
        return [first] if first <= high else [round(low)]
    room = max(room, 2)
    if last - first + 1 <= room:
        return list(range(first, last + 1))
    step = int(nice_step((last - first) / (room - 1), whole=True))
    ticks = list(range(math.ceil(first / step) * step, last + 1, step))
    return ticks if len(ticks) >= 2 else [first, last]


def even_ticks(low: float, high: float, room: int, min_step: float = 0.0) -> list[float]:
    """Round values from low to high, evenly spaced: at most `room`, and at least two while a
    round step of at least `min_step` (what keeps labels rows apart) can give two."""
    if not math.isfinite(low) or not math.isfinite(high):
        return []
    if high <= low:
        return [low]
    step = nice_step((high - low) / max(room - 1, 1))
    while True:
        start = math.ceil(low / step - 1e-9) * step
        count = math.floor((high - start) / step + 1e-9) + 1
        finer = smaller_step(step)
        if count >= 2 or finer < max(min_step, (high - low) * 1e-6):
            return [round(start + i * step, 12) for i in range(max(count, 0))]
        step = finer


def smaller_step(step: float) -> float:
    """The round step below this one: 1 → 0.5, 2 → 1, 5 → 2."""
    power = 10 ** math.floor(math.log10(step) + 1e-9)
    leading = round(step / power)
    return power * {1: 0.5, 2: 1, 5: 2}.get(leading, 0.5)


def nice_step(raw: float, whole: bool = False) -> float:
    """The smallest 1, 2 or 5 times a power of ten at least `raw`."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        step = factor * power
        if step >= raw - 1e-12 and (not whole or step >= 1):
            return float(step) if not whole else float(max(1, round(step)))
    return 10 * power


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """The same number of decimals for every label: 0.10 0.15 0.20, not 0.1 0.15 0.2."""
    if not ticks:
        return []
    if len(ticks) == 1:
        return [f"{ticks[0]:.3g}"]
    step = min(abs(b - a) for a, b in itertools.pairwise(ticks)) or 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if max(abs(t) for t in ticks) >= 1e5:
        return [f"{t:.3g}" for t in ticks]
    return [f"{t:.{decimals}f}" for t in ticks]
