# Poise: the two README commands, plus helpers.
#   make run   fresh machine -> venv, install, migrate SQLite, demo data, serve on http://127.0.0.1:8000
#   make test  install test deps, start local services if down, ruff + mypy + full pytest (SQLite, PostgreSQL, NATS, browser)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install lint typecheck pytest services chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/poise migrate
	$(BIN)/poise demo-data
	$(BIN)/poise serve

services:
	scripts/ensure-services.sh

chromium:
	scripts/ensure-chromium.sh

lint: install
	$(BIN)/ruff check src tests benchmarks

typecheck: install
	$(BIN)/mypy

pytest: install services chromium
	$(BIN)/pytest -q $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install services
	for m in benchmarks/[a-z]*.py; do $(BIN)/python -m benchmarks.$$(basename $$m .py) --quick || exit 1; done

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
