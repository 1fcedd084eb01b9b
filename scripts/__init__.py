"""Measurement and maintenance tools, run from the repo root: `python -m scripts.startup` etc."""
