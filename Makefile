# accords: `make run` sets up and ingests raw/ once; `make test` runs the test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install whenever the project's dependency list changes.
STAMP  := $(VENV)/.installed-run
DEVSTAMP := $(VENV)/.installed-dev

export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: run serve test lint venv bench dev-eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -qq -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -qq -e '.[dev]'
	touch $(STAMP) $@

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/accords ingest

# Serve the ingest flow on its schedule (local Prefect server unless PREFECT_API_URL is set).
serve: $(STAMP)
	$(BIN)/accords serve

test: $(DEVSTAMP)
	$(BIN)/python -m pytest -q

lint: $(DEVSTAMP)
	$(BIN)/ruff check .

dev-eval: $(STAMP)
	$(BIN)/python bench/dev_eval.py

# Full Reuters-21578 corpus through the flow and a plain loop (needs ../shared); several minutes.
# jsonl_bench: one 50 MB .jsonl export, cold through the flow and --no-prefect (peak RSS, rate).
bench: $(DEVSTAMP)
	$(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/jsonl_bench.py
	$(BIN)/python bench/small_files.py
	$(BIN)/python bench/extract_speed.py
	$(BIN)/python bench/parse_scaling.py

clean:
	rm -rf $(VENV) .prefect .pytest_cache
