"""core is the headless library: none of its modules may import Textual or the app (tui).

Every module under core/ is found by walking the package, so a new one is checked without
editing this file. One fresh interpreter, where nothing else has imported Textual first, imports
them one after another and notes what each import added to sys.modules; a module is charged with
the UI modules that appeared while it was imported (a second module importing Textual after a
first one did is charged with nothing new, but the first already fails). One interpreter instead
of one a module: each start imports torch, seconds on 2 cores.
"""

from __future__ import annotations

import importlib.machinery
import json
import pkgutil
import subprocess
import sys

import pytest

import core
from tests.datasets import ROOT

# One worker for the module (--dist loadgroup), so that its one interpreter starts once.
pytestmark = pytest.mark.xdist_group("import_boundary")

# Imports each module named in sys.argv[1:] in turn; prints one JSON object: for each, the UI
# side's modules (textual, tui) that its import added, or the error it raised.
CHECK = """
import importlib, json, sys

def ui_modules():
    return {m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')}

found = {}
for name in sys.argv[1:]:
    before = ui_modules()
    try:
        importlib.import_module(name)
    except Exception as error:
        found[name] = f'import failed: {type(error).__name__}: {error}'
        continue
    found[name] = ' '.join(sorted(ui_modules() - before))
print(json.dumps(found))
"""


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


@pytest.fixture(scope="module")
def ui_modules_imported_by() -> dict[str, str]:
    """What each core module's import added of the UI side, from one fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", CHECK, *core_modules()], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("module", core_modules())
def test_a_core_module_imports_neither_textual_nor_tui(module, ui_modules_imported_by):
    imported = ui_modules_imported_by[module]
    assert imported == "", f"importing {module} brought in: {imported}"


def test_the_check_catches_a_module_that_imports_textual(tmp_path):
    """The one-interpreter check charges the module that brought Textual in, not its neighbours."""
    package = tmp_path / "leaky"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "clean.py").write_text("import json\n")
    (package / "ui.py").write_text("import textual.app\n")
    (package / "after.py").write_text("import textual.app\n")
    names = ["leaky.clean", "leaky.ui", "leaky.after"]
    result = subprocess.run(
        [sys.executable, "-c", CHECK, *names], cwd=tmp_path, capture_output=True, text=True
    )
    found = json.loads(result.stdout)
    assert found["leaky.clean"] == ""
    assert "textual.app" in found["leaky.ui"].split()
    assert found["leaky.after"] == ""  # already imported: the first importer is the one charged
