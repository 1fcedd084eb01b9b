"""Sweeps: many TrainConfigs trained as ordinary recorded runs that share a sweep id.

plan (light, no torch) turns flags into members; runner trains them, grouped so that members
that can share a batched step do (core.sweep.batched), locally or on Ray (core.sweep.ray_backend),
recording each member with core.runs.RunRecorder. Importing this package does not import torch.
"""

from __future__ import annotations

from core.sweep.plan import Member, Range, SweepError, SweepPlan, grid, parse_axis, random_draws

__all__ = ["Member", "Range", "SweepError", "SweepPlan", "grid", "parse_axis", "random_draws"]
