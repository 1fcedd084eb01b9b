import sys
from pathlib import Path

# `from tests.datasets import ...` and `import core` work without installing the project.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
