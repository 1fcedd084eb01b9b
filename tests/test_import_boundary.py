"""core is the headless library: none of its modules may import Textual or the app (tui).

Every module under core/ is found by walking the package, so a new one is checked without
editing this file; each is imported alone in a fresh interpreter, where nothing else has
imported Textual first.
"""

from __future__ import annotations

import importlib.machinery
import pkgutil
import subprocess
import sys

import pytest

import core
from tests.datasets import ROOT

# Prints the modules of the UI side that importing sys.argv[1] brought in, one line.
CHECK = (
    "import importlib, sys\n"
    "importlib.import_module(sys.argv[1])\n"
    "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui'))))\n"
)


def core_modules() -> list[str]:
    """`core` and every module and package below it, less compiled extensions (no imports)."""
    names = [core.__name__]
    for info in pkgutil.walk_packages(core.__path__, prefix=f"{core.__name__}."):
        spec = info.module_finder.find_spec(info.name)
        if spec is not None and isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
            continue  # e.g. core._cpu_kernels: C, imports no Python module of its own
        names.append(info.name)
    return names


def test_the_walk_finds_the_modules_it_should():
    names = core_modules()
    assert {"core", "core.data", "core.train", "core.tensorlab", "core.tensorlab.lessons"} <= set(
        names
    )
    assert "core._cpu_kernels" not in names


@pytest.mark.parametrize("module", core_modules())
def test_a_core_module_imports_neither_textual_nor_tui(module):
    result = subprocess.run(
        [sys.executable, "-c", CHECK, module], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"importing {module} imported {result.stdout.strip()}"
