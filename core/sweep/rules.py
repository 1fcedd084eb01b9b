"""What a sweep must satisfy before it trains, checked without training: each is one line."""

from __future__ import annotations

from core.config import ConfigError, flag
from core.sweep.plan import SweepPlan


def device_problem(plan: SweepPlan) -> str | None:
    """Why a member's device cannot be used here (cuda asked for, none present), before training."""
    for device in dict.fromkeys(m.config.device for m in plan.members):
        config = next(m.config for m in plan.members if m.config.device == device)
        try:
            config.resolved_device()
        except ConfigError as err:
            return f"{flag('device')}: {err}"
    return None


def bench_problem(plan: SweepPlan) -> str | None:
    """Why `sweep --bench` cannot time the plan: its members must share what the timing is of."""
    configs = [m.config for m in plan.members]
    if len({(c.dataset, c.data_dir, c.epochs) for c in configs}) > 1:
        return "--bench: the members must share the dataset and the number of epochs"
    return None
