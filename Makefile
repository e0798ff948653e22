# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench bench-peers soak lint clean

$(BIN)/stretchd: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

## set up, then start the daemon in the foreground
run: $(BIN)/stretchd
	$(BIN)/stretchd run

## set up, then run the whole test suite (real-desktop tests included)
test: $(BIN)/stretchd
	$(BIN)/pytest

## measure speed and memory; writes bench/results/latest.md
bench: $(BIN)/stretchd
	$(BIN)/python -m bench

## the daemon for 5 real minutes at 600x speed (about 50 simulated hours) on a headless desktop
soak: $(BIN)/stretchd
	$(BIN)/python -m tests.soak

lint: $(BIN)/stretchd
	$(BIN)/ruff check stretchd tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
