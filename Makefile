# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-dates compat bench bench-peers soak lint clean

$(BIN)/stretchd: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

## set up, then start the daemon in the foreground
run: $(BIN)/stretchd
	$(BIN)/stretchd run

## set up, then run the whole test suite (real-desktop tests included).
## tests/e2e/test_clock.py spends 3 of its 3.5 minutes waiting for the daemon's real
## once-a-minute check, so it runs beside the rest; its report follows theirs.
test: $(BIN)/stretchd
	@mkdir -p build
	@$(BIN)/pytest -p no:cacheprovider tests/e2e/test_clock.py > build/test-clock.log 2>&1 & clock=$$!; \
	trap 'kill $$clock 2>/dev/null' INT TERM; \
	$(BIN)/pytest --ignore=tests/e2e/test_clock.py; rest=$$?; \
	wait $$clock; clock_rc=$$?; \
	echo "--- tests/e2e/test_clock.py, run beside the rest:"; cat build/test-clock.log; \
	if [ $$rest -ne 0 ]; then exit $$rest; fi; exit $$clock_rc

## the date-sensitive tests (marked clock) again with the machine's clock moved: a test
## green today must be green next year. SHIFT=-30d or SHIFT=+1000d moves it elsewhere.
SHIFT ?= +400d
## First, the semaphores of faketime runs whose process is gone (one killed under libfaketime
## leaves its own): the faketime program exits when one is named after its PID.
test-dates: $(BIN)/stretchd
	@for f in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do \
	  [ -e "$$f" ] || continue; pid=$${f##*_}; [ -d "/proc/$$pid" ] || rm -f "$$f"; done
	faketime -f '$(SHIFT)' $(BIN)/pytest -m clock

## run the desktop matrix (the e2e tests marked compat) and write the README's table from it
compat: $(BIN)/stretchd
	STRETCHD_COMPAT_OUT=build/compat.json $(BIN)/pytest -m compat tests/e2e
	$(BIN)/python -m harness.compat build/compat.json README.md

## measure speed and memory; writes bench/results/latest.md
bench: $(BIN)/stretchd
	$(BIN)/python -m bench

## as root, install Debian's Workrave and Safe Eyes; then measure them idle beside stretchd
bench-peers: $(BIN)/stretchd
	@pkgs="workrave safeeyes gir1.2-ayatanaappindicator3-0.1 xprintidle dconf-service dbus xvfb dunst"; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "bench-peers: installing Workrave and Safe Eyes needs root (apt-get install $$pkgs);" \
			"measuring with what is installed"; \
	else \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y --no-install-recommends $$pkgs \
		|| { apt-get update && apt-get install -y --no-install-recommends $$pkgs; } \
		|| echo "bench-peers: apt-get failed; measuring with what is installed"; \
	fi
	$(BIN)/python -m bench peers

## the daemon for 5 real minutes at 600x speed (about 50 simulated hours) on a headless desktop
soak: $(BIN)/stretchd
	$(BIN)/python -m tests.soak

lint: $(BIN)/stretchd
	$(BIN)/ruff check stretchd tests bench harness
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
