# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test suite check test-busy test-hours test-dates compat bench bench-peers soak lint catalogs clean

# Set up again when the dependencies or the translations change (the install compiles po/*.po).
$(BIN)/stretchd: pyproject.toml hatch_build.py $(wildcard po/*.po)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

## set up, then start the daemon in the foreground
run: $(BIN)/stretchd
	$(BIN)/stretchd run

## set up, then run the whole test suite (real-desktop tests included), in a few pytest
## processes side by side (harness/beside.py): most end-to-end tests wait on a program, and
## the tests marked minute wait a real minute each for the daemon's own minute check.
test: $(BIN)/stretchd
	@$(MAKE) --no-print-directory suite MARK=""

# MARK narrows the suite to a marker expression (e2e, clock, ...).
MARK ?=
suite: $(BIN)/stretchd
	@$(BIN)/python -m harness.beside "$(MARK)" build/suite

## the fast loop: unit tests, ruff and mypy (no real desktop), about a minute
check: $(BIN)/stretchd
	$(BIN)/pytest -q -p no:cacheprovider -m "not e2e"
	$(BIN)/ruff check stretchd tests bench harness
	$(BIN)/mypy

## the end-to-end tests on a busy machine: a CPU-bound program on every core but one
## (at least one) for the whole run
test-busy: $(BIN)/stretchd
	@n=$$(( $$(nproc) - 1 )); [ $$n -ge 1 ] || n=1; pids=""; \
	for i in $$(seq $$n); do $(BIN)/python -m harness.hog & pids="$$pids $$!"; done; \
	echo "test-busy: $$n CPU-bound program(s) running beside the tests"; \
	trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
	$(MAKE) --no-print-directory suite MARK=e2e

## the unit tests at the times of day where a test may trip, today's date: just after
## midnight, just before a reminder, after the evening one, just before midnight; side by side
HOURS ?= 00:00:30 07:29:50 21:30:00 23:59:50
test-hours: $(BIN)/stretchd
	@mkdir -p build/hours; pids=""; \
	for t in $(HOURS); do \
	  faketime "$$(date +%F) $$t" $(BIN)/pytest -q -p no:cacheprovider -m "not e2e" > build/hours/$$t.log 2>&1 & \
	  pids="$$pids $$!"; done; \
	rc=0; set -- $(HOURS); for p in $$pids; do \
	  if wait $$p; then echo "--- the unit tests at $$1: $$(tail -n 1 build/hours/$$1.log)"; \
	  else rc=1; echo "--- the unit tests at $$1 FAILED:"; cat build/hours/$$1.log; fi; shift; done; \
	exit $$rc

## the date-sensitive tests (marked clock) again with the machine's clock moved: a test
## green today must be green next year. SHIFT=-30d or SHIFT=+1000d moves it elsewhere.
SHIFT ?= +400d
## First, the semaphores of faketime runs whose process is gone (one killed under libfaketime
## leaves its own): the faketime program exits when one is named after its PID.
test-dates: $(BIN)/stretchd
	@for f in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do \
	  [ -e "$$f" ] || continue; pid=$${f##*_}; [ -d "/proc/$$pid" ] || rm -f "$$f"; done
	faketime -f '$(SHIFT)' $(MAKE) --no-print-directory suite MARK=clock

## run the desktop matrix (the e2e tests marked compat) and write docs/desktops.md's table from it
compat: $(BIN)/stretchd
	STRETCHD_COMPAT_OUT=build/compat.json $(BIN)/pytest -m compat tests/e2e
	$(BIN)/python -m harness.compat build/compat.json docs/desktops.md

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

## after changing a user-facing text: po/stretchd.pot from the source, then each po/LANG.po
## (translate what is new, then `make test`: the catalogs' test fails on an untranslated text)
catalogs: $(BIN)/stretchd
	$(BIN)/python tools/catalogs.py update

lint: $(BIN)/stretchd
	$(BIN)/ruff check stretchd tests bench harness
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
