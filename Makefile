# podfit — the two quick-start commands are `make run` and `make test`;
# `make install` sets up .venv for the README's tour, `make docs` builds the manual into site/.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run install test lint typecheck pytest docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make run` needs only the package; `make test` adds the test and optimal extras.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,optimal]'
	touch $(STAMP) $(RUN_STAMP)

# .venv with podfit and its `podfit` command (the README's tour: then `. .venv/bin/activate`)
install: $(RUN_STAMP)
	@echo "podfit is installed in $(VENV): run '. $(BIN)/activate' to put it on PATH, or call $(BIN)/podfit"

# The HTTP service (gunicorn, gunicorn.conf.py) on http://$(HOST):$(PORT); e.g. PORT=9000 make run
HOST ?= 127.0.0.1
PORT ?= 8080
run: $(RUN_STAMP)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check service tests bench
	$(BIN)/ruff format --check service tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest service/podfit tests README.md docs --doctest-glob=README.md --doctest-glob='docs/*.md'

# The manual (docs/*.md, nav in mkdocs.yml) as a static site in site/; warnings are errors.
DOCS_STAMP := $(VENV)/.installed-docs
$(DOCS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Benchmarks print their own figures (never timed tests). bench/load.py needs wrk (Debian).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,optimal,bench]'
	$(BIN)/python bench/quantity_bench.py
	$(BIN)/python bench/schedule_bench.py
	$(BIN)/python bench/plan_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist site
