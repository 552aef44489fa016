# Sanarip Hub: the two commands.  `make demo` and `make test` each set everything up on a fresh
# clone (virtualenv, locked dependencies, the package in editable mode) and are safe to run again.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: demo test check lint typecheck unit bench clean lock

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sanarip-hub demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache  # the layers of docs/architecture.md

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 --durations=25 $(PYTEST_ARGS)

test: lint typecheck unit

# The unit tests only (no servers, processes, browser or PostgreSQL): about half a minute on 2 cores.
check: $(STAMP)
	$(BIN)/pytest -n 2 -m "not integration" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/seed.py

# Re-pin every dependency (run after changing pyproject.toml's dependency ranges).
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet -e '.[dev]' && .lockenv/bin/pip freeze --exclude-editable | grep -v '^sanarip-hub' > requirements.lock
	rm -rf .lockenv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
