# The commands people type. Each one creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run serve test lint format screenshots bench clean

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

test: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

screenshots: $(VENV)/.installed
	$(PY) -m scripts.screenshots screenshots

bench: $(VENV)/.installed
	$(VENV)/bin/mnist-tui bench $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
