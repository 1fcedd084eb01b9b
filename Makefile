# The commands people type. Each one creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run serve test check lint typecheck typecheck-baseline format screenshots bench clean

$(VENV)/.installed: pyproject.toml core/_cpu_kernels.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

# The ray extra too, so the Ray sweep test runs on a local Ray instance instead of skipping.
$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test,ray]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/mnist-tui $(ARGS)

# The app in a web browser: make serve ARGS="--port 8080 --dataset fashion"
serve: $(VENV)/.installed
	$(VENV)/bin/mnist-tui serve $(ARGS)

# Test processes for the parallel pass. More than the 2 cores: most app tests spend their time
# waiting (Pilot's checks for an idle app, other processes). The tensor lab's tests, measured:
# 228 s in one process, 125 s in 2, 79 s in 4.
WORKERS ?= 4
PYTEST := $(PY) -m pytest
# pytest exits 5 when a selection holds no test: `make test PYTEST_ARGS=tests/test_data.py`
# has no serial test, and that is no failure.
NONE_SELECTED_IS_FINE := || test $$? -eq 5

# The whole suite: lint, types, then every test: the parallel pass, then the serial tests alone.
test: lint typecheck
	$(PYTEST) -n $(WORKERS) --dist loadgroup -m "not serial" --durations=20 $(PYTEST_ARGS) $(NONE_SELECTED_IS_FINE)
	$(PYTEST) -m serial --durations=5 $(PYTEST_ARGS) $(NONE_SELECTED_IS_FINE)

# The loop while editing: lint, types and the tests not marked slow (every serial test is), in
# about a minute and a half.
check: lint typecheck
	$(PYTEST) -n $(WORKERS) --dist loadgroup -m "not slow" $(PYTEST_ARGS) $(NONE_SELECTED_IS_FINE)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy against the errors it started with (tests/mypy-baseline.txt): a new one fails, and so does
# a fixed one still listed. After fixing some, `make typecheck-baseline` shrinks the list. core/
# and tui/ have none, and tests/test_typecheck_baseline.py keeps the list from taking one in.
typecheck: $(VENV)/.installed-test
	$(VENV)/bin/mypy | $(VENV)/bin/mypy-baseline filter --no-colors

typecheck-baseline: $(VENV)/.installed-test
	$(VENV)/bin/mypy | $(VENV)/bin/mypy-baseline sync

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

screenshots: $(VENV)/.installed
	$(PY) -m scripts.screenshots screenshots

bench: $(VENV)/.installed
	$(VENV)/bin/mnist-tui bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info
