"""The training configuration as compact fields, each refusing bad input where it is typed."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import Function, Integer
from textual.widgets import Input, Label, Select

from core.config import DEVICES, OPTIMIZERS
from core.data import DATASETS


def finite_positive(value: str) -> bool:
    try:
        number = float(value)
    except ValueError:
        return False
    return math.isfinite(number) and number > 0


# name, label, validators; the Input's type keeps letters out of number fields as they are typed.
NUMBER_FIELDS = [
    ("epochs", "epochs", "integer", [Integer(minimum=1, maximum=1000)]),
    ("batch_size", "batch size", "integer", [Integer(minimum=1, maximum=60000)]),
    ("lr", "learning rate", "text", [Function(finite_positive, "must be a number > 0")]),
    ("hidden", "hidden units", "integer", [Integer(minimum=1, maximum=16384)]),
    ("seed", "seed", "integer", [Integer(minimum=0)]),
]
CHOICES = [("optimizer", OPTIMIZERS), ("device", DEVICES), ("dataset", DATASETS)]


class TrainForm(Vertical):
    """Fields for TrainConfig; `values()` returns the parsed settings or the first problem."""

    DEFAULT_CSS = """
    TrainForm { height: auto; width: 36; padding: 0 1; }
    TrainForm Horizontal { height: 1; margin-bottom: 0; }
    TrainForm Label { width: 14; color: $text-muted; }
    TrainForm Input { width: 1fr; }
    TrainForm Select { width: 1fr; }
    """

    def __init__(self, defaults: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.defaults = defaults

    def compose(self) -> ComposeResult:
        for name, label, kind, validators in NUMBER_FIELDS:
            with Horizontal():
                yield Label(label)
                yield Input(
                    str(self.defaults[name]),
                    type=kind,
                    validators=validators,
                    compact=True,
                    id=f"field-{name}",
                    valid_empty=False,
                )
        for name, options in CHOICES:
            with Horizontal():
                yield Label(name)
                yield Select(
                    [(option, option) for option in options],
                    value=self.defaults[name],
                    allow_blank=False,
                    compact=True,
                    id=f"field-{name}",
                )

    def values(self) -> tuple[dict, str | None]:
        """(settings, None) when every field is valid, else ({}, "field: problem")."""
        settings: dict = {}
        for name, label, _, _ in NUMBER_FIELDS:
            field = self.query_one(f"#field-{name}", Input)
            result = field.validate(field.value)
            if result is not None and not result.is_valid:
                problem = "; ".join(result.failure_descriptions) or "invalid"
                return {}, f"{label}: {field.value!r} {problem}"
            settings[name] = float(field.value) if name == "lr" else int(field.value)
        for name, _ in CHOICES:
            settings[name] = self.query_one(f"#field-{name}", Select).value
        return settings, None

    def set_enabled(self, enabled: bool) -> None:
        for widget in self.query("Input, Select"):
            widget.disabled = not enabled
