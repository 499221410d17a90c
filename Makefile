# The README's two commands: `make demo` and `make test`. Everything runs inside .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WAREHOUSE ?= data/warehouse.duckdb
TEST_DIR := target/test
TEST_ENV := AI_TRADE_DUCKDB=$(TEST_DIR)/warehouse.duckdb DBT_TARGET_PATH=$(TEST_DIR)/dbt DBT_LOG_PATH=$(TEST_DIR)/logs

.PHONY: demo test lint pytest dbt-test publish bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: build the demo warehouse, its docs and the BI copies, then print three headline numbers
demo: $(STAMP)
	AI_TRADE_DUCKDB=$(WAREHOUSE) $(BIN)/aitrade demo --db $(WAREHOUSE)
	AI_TRADE_DUCKDB=$(WAREHOUSE) $(BIN)/dbt build
	AI_TRADE_DUCKDB=$(WAREHOUSE) $(BIN)/dbt docs generate
	AI_TRADE_DUCKDB=$(WAREHOUSE) $(BIN)/aitrade publish --db $(WAREHOUSE)
	AI_TRADE_DUCKDB=$(WAREHOUSE) $(BIN)/aitrade headlines --db $(WAREHOUSE)

## test: every check (ruff, pytest, dbt build with all data and unit tests on the demo data, sqlfluff)
test: lint pytest dbt-test

lint: $(STAMP)
	$(BIN)/ruff check ingestion tests/python bench

pytest: $(STAMP)
	$(BIN)/pytest -q -n 2

dbt-test: $(STAMP)
	rm -rf $(TEST_DIR) && mkdir -p $(TEST_DIR)
	$(TEST_ENV) $(BIN)/aitrade demo --db $(TEST_DIR)/warehouse.duckdb
	$(TEST_ENV) $(BIN)/dbt build --fail-fast
	$(TEST_ENV) $(BIN)/sqlfluff lint models tests/singular analyses

## publish: the read-only serving copy and parquet files of every mart, for BI tools
publish: $(STAMP)
	AI_TRADE_DUCKDB=$(WAREHOUSE) $(BIN)/aitrade publish --db $(WAREHOUSE)

## bench: the full-size performance benchmark (not part of `make test`; see README "Performance")
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python bench/classifier.py --json bench/results/classifier.json

clean:
	rm -rf target logs data
