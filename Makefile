# hqdata — every target sets itself up: a fresh clone needs only `make demo` or `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PYTHONUNBUFFERED := 1

VENV := .venv
PY := $(VENV)/bin/python
HQ := $(VENV)/bin/hqdata
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
export DAGSTER_HOME := $(CURDIR)/.dagster
export HQDATA_CATALOG_ROOT ?= $(CURDIR)/examples
export HQDATA_WAREHOUSE ?= $(CURDIR)/warehouse

.PHONY: help venv data demo test lint ui clean

help:
	@echo "make demo   build every example dataset and print where the Parquet and reports are"
	@echo "make test   run the test suite (lint, unit, property and end-to-end tests)"
	@echo "make ui     serve the Dagster UI on http://127.0.0.1:3000"

# The venv is rebuilt only when the dependency declarations change; uv is installed if missing.
$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --extra dev
	touch $@

venv: $(VENV)/.installed

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $@

examples/truth/planted.json: examples/generate.py $(wildcard examples/demo/*.py) | $(VENV)/.installed
	$(PY) -m examples.generate --root examples

data: examples/truth/planted.json

# A refused dataset (exit 1) is part of the demo: one example dataset draws on an expired grant.
demo: venv data $(DAGSTER_HOME)/dagster.yaml
	$(HQ) sources check
	$(HQ) build --all || [ $$? -eq 1 ]
	$(HQ) catalog list

lint: venv
	$(VENV)/bin/ruff check pipelines checks catalog tests examples bench
	$(VENV)/bin/ruff format --check pipelines checks catalog tests examples bench

test: venv lint
	$(PY) -m pytest -q

ui: venv data $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000

clean:
	rm -rf $(VENV) warehouse .pytest_cache .ruff_cache
	find .dagster -mindepth 1 ! -name .gitkeep -delete
