# The two commands of the README:
#   make demo   sample exports -> load -> dbt build -> docs -> KPI summary
#   make test   lint (ruff, sqlfluff) and every test (pytest, incl. dbt builds)
# Only Python 3.11 and make are needed: `make setup` makes .venv from uv.lock.
# It compiles the packages' bytecode once: where PYTHONDONTWRITEBYTECODE is
# set (many CI and container images), Python would otherwise compile dbt's
# sources again at every start, about 1.2 s of each dbt command.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
UV := .uv/bin/uv
BIN := .venv/bin

export DUCKDB_PATH ?= warehouse.duckdb
export UV_PROJECT_ENVIRONMENT := .venv
DEMO_EXPORTS ?= exports/demo
DEMO_LEADS ?= 5000
SEED ?= 42
EXPORTS ?= $(DEMO_EXPORTS)

.DEFAULT_GOAL := help
.PHONY: help setup demo run check test test-spark lint format docs-serve clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

setup: .venv/.synced  ## Create .venv from uv.lock (once; again when the lock changes)

.venv/.synced: pyproject.toml uv.lock
	@test -x $(UV) || { $(PYTHON) -m venv .uv && .uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }
	$(UV) sync --frozen --all-extras --quiet --compile-bytecode
	@touch $@

demo: setup  ## Main job on the demo: generate sample exports, load, build, docs, KPI summary
	$(BIN)/lead-analytics generate $(DEMO_EXPORTS) --leads $(DEMO_LEADS) --seed $(SEED) --quiet
	$(BIN)/lead-analytics run $(DEMO_EXPORTS) --fresh

run: setup  ## Same job on your own exports: make run EXPORTS=path/to/folder [PROFILE=salesforce]
	$(BIN)/lead-analytics run $(EXPORTS) $(if $(PROFILE),--profile $(PROFILE))

check: setup  ## Recompute the headline numbers independently and compare them with the marts
	$(BIN)/lead-analytics check

test: setup lint  ## Lint and run every test
	$(BIN)/python -m pytest

test-spark: setup  ## Only the Spark parity test (needs Java): marts on Spark = marts on DuckDB
	$(BIN)/python -m pytest tests/python/test_spark_parity.py

lint: setup  ## ruff (Python) and sqlfluff (dbt SQL)
	$(BIN)/ruff check src scripts tests
	$(BIN)/ruff format --check src scripts tests
	DUCKDB_PATH=target/lint.duckdb $(BIN)/sqlfluff lint models analyses tests/dbt

format: setup  ## Fix what ruff and sqlfluff can fix
	$(BIN)/ruff check --fix src scripts tests
	$(BIN)/ruff format src scripts tests
	DUCKDB_PATH=target/lint.duckdb $(BIN)/sqlfluff fix models analyses tests/dbt

docs-serve: setup  ## Serve the generated dbt docs on http://localhost:8080
	$(BIN)/dbt docs serve --port 8080

clean:  ## Remove build output (keeps .venv)
	rm -rf target logs exports $(DUCKDB_PATH) $(DUCKDB_PATH).wal
