"""TrainConfig as compact fields, generated from its fields, each refusing bad input as typed."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import Function, Integer
from textual.widgets import Input, Label, Select

from core.config import (
    ConfigError,
    Setting,
    TrainConfig,
    describe_range,
    settings,
    with_run_settings,
)


def number_field_validator(kind: type, bounds: tuple[float, float]):
    """Integer bounds for whole numbers; for floats, the config's own range, as a check."""
    if kind is int:
        return Integer(minimum=int(bounds[0]), maximum=int(bounds[1]))

    def in_range(value: str) -> bool:
        try:
            number = float(value)
        except ValueError:
            return False
        return math.isfinite(number) and bounds[0] < number <= bounds[1]

    return Function(in_range, f"must be {describe_range(float, bounds)}")


def form_settings() -> list[Setting]:
    """The fields the Train screen offers: numbers first, then choices, in the config's order."""
    return sorted((s for s in settings() if s.in_form), key=lambda setting: setting.picked)


class TrainForm(Vertical):
    """Fields for a TrainConfig; `config()` returns the one they describe or says what is wrong."""

    DEFAULT_CSS = """
    TrainForm { height: auto; width: 36; padding: 0 1; }
    TrainForm Horizontal { height: 1; margin-bottom: 0; }
    TrainForm Label { width: 14; color: $text-muted; }
    TrainForm Input { width: 1fr; }
    TrainForm Select { width: 1fr; }
    """

    def __init__(self, start: TrainConfig, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start = start  # also carries the fields the form does not show

    def compose(self) -> ComposeResult:
        for setting in form_settings():
            value = getattr(self.start, setting.name)
            with Horizontal():
                yield Label(setting.label)
                if setting.picked:
                    options = setting.choices or (True, False)
                    yield Select(
                        [(str(option), option) for option in options],
                        value=value,
                        allow_blank=False,
                        compact=True,
                        id=f"field-{setting.name}",
                    )
                else:
                    assert setting.bounds is not None, f"{setting.name}: a typed field has a range"
                    yield Input(
                        str(value),
                        # Keeps letters out of whole-number fields as they are typed.
                        type="integer" if setting.kind is int else "text",
                        validators=[number_field_validator(setting.kind, setting.bounds)],
                        compact=True,
                        id=f"field-{setting.name}",
                        # An empty field is being edited, not wrong: no red while the user
                        # retypes it. Starting a run with it empty is refused by config().
                        valid_empty=True,
                    )

    def config(self) -> TrainConfig:
        """The config the fields describe; ConfigError names the first field that is wrong."""
        values: dict[str, Any] = {}
        for setting in form_settings():
            name, label = setting.name, setting.label
            if setting.picked:
                values[name] = self.query_one(f"#field-{name}", Select).value
                continue
            field = self.query_one(f"#field-{name}", Input)
            if not field.value.strip():
                raise ConfigError(f"{label}: empty; type a number, {setting.range_text()}")
            result = field.validate(field.value)
            if result is not None and not result.is_valid:
                problem = "; ".join(result.failure_descriptions) or "invalid"
                raise ConfigError(f"{label}: {field.value!r} {problem}")
            values[name] = int(field.value) if setting.kind is int else float(field.value)
            setting.check(values[name])
        return dataclasses.replace(self.start, **values)

    def load(self, recorded: TrainConfig) -> None:
        """Show a recorded run's settings (continued or followed): what it computes. Where and
        how fast this machine trains (device, threads, loader, data folder) stay as they were."""
        self.start = config = with_run_settings(self.start, recorded.to_dict())
        for setting in form_settings():
            value = getattr(config, setting.name)
            if setting.picked:
                self.query_one(f"#field-{setting.name}", Select).value = value
            else:
                self.query_one(f"#field-{setting.name}", Input).value = str(value)

    def set_enabled(self, enabled: bool) -> None:
        for widget in self.query("Input, Select"):
            widget.disabled = not enabled
