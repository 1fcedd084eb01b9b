"""What the app tells a user names no source file: how a run trains, why the C step is not
used, a sweep's batched step are said in plain words (comments and docstrings may name files)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from core import cpu_step
from core.events import RunStarted
from core.sweep.batched import train_group
from core.train import fit
from tests.tiny import tiny_config, tiny_data

ROOT = Path(__file__).resolve().parent.parent
# A file name inside a sentence: "(core/_cpu_kernels.c)", "older than core/cpu_step.py".
SOURCE_FILE = re.compile(r"[\w/]+\.(py|c|pyx|h)\b")


def names_a_source_file(text: str) -> bool:
    return SOURCE_FILE.search(text) is not None


def run_notes(events: list) -> list[str]:
    return [note for event in events if isinstance(event, RunStarted) for note in event.notes]


def test_how_a_run_trains_is_said_without_a_file_name() -> None:
    events: list = []
    fit(tiny_config(epochs=1), events.append, data=tiny_data())
    notes = run_notes(events)
    assert notes and not any(names_a_source_file(n) for n in notes), notes


def test_why_the_c_step_is_not_used_is_said_without_a_file_name(monkeypatch):
    monkeypatch.setattr(cpu_step, "kernels", None)  # as on a machine without a C compiler
    reason = cpu_step.unavailable_reason("rmsprop")
    assert reason is not None and "not built" in reason and not names_a_source_file(reason)


def test_a_sweeps_batched_step_is_said_without_a_file_name() -> None:
    configs = [tiny_config(epochs=1, lr=lr) for lr in (1e-3, 2e-3)]
    events: list[list] = [[] for _ in configs]
    train_group(configs, [e.append for e in events], None, data=tiny_data())
    notes = run_notes(events[0])
    assert notes and not any(names_a_source_file(n) for n in notes), notes


def message_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that read as sentences (a space in them), docstrings
    left out: what could reach a user."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and " " in node.value
        and id(node) not in docstrings
    ]


def test_no_message_string_in_core_or_tui_names_a_source_file():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for folder in ("core", "tui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, text in message_strings(path)
        if names_a_source_file(text)
    ]
    assert not found, "\n".join(found)
