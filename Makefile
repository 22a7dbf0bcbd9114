# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# pytest-xdist workers for `make test` (auto: one per core; TEST_WORKERS=0 runs in one process)
TEST_WORKERS ?= auto

.PHONY: demo test install install-test lint bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@ $(STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

demo: install
	CLUSTERBRAIN_DEMO=1 $(BIN)/clusterbrain demo

serve: install
	CLUSTERBRAIN_DEMO=1 $(BIN)/clusterbrain serve

test: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	SECRET_KEY=lint $(BIN)/mypy src
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	SECRET_KEY=lint $(BIN)/mypy src

bench: install-test
	SECRET_KEY=bench-only-secret $(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) var .pytest_cache
