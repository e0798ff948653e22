from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

# In CI a red run must mean a change broke something: Hypothesis draws the same examples
# every run (derandomized, as many as each test asks for) and keeps no example database.
# Locally it explores afresh each run. HYPOTHESIS_PROFILE picks one by hand.
# No deadline in CI: a test asserts behaviour, not speed (`make bench` measures that), and CI
# runs the unit tests beside the end-to-end ones and at four hours of the day at once.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config, state and runtime directories under tmp_path."""
    from harness.sandbox import xdg_home

    for var, path in xdg_home(tmp_path).items():
        monkeypatch.setenv(var, path)
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    # Messages in English whatever the machine's locale, unless a test asks for a language
    # (LANGUAGE comes first for gettext and touches nothing but the messages' language).
    monkeypatch.setenv("LANGUAGE", "en")
    # And times as config.toml writes them (HH:MM), not as an en_US machine would (8:05 AM).
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LC_TIME", "C.UTF-8")
    from stretchd import i18n

    i18n.use("auto")
    return tmp_path


@pytest.fixture
def user_routines(xdg: Path) -> Path:
    d = xdg / "config" / "stretchd" / "routines"
    d.mkdir(parents=True)
    return d


@pytest.fixture
def midday() -> Iterator[datetime]:
    """The clock at today's local noon (it ticks on from there): for a test whose history
    or answer is about "today", so that it reads the same at 00:00:30 as at 23:59:50."""
    import time_machine

    noon = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon):
        yield noon


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an end-to-end test (`-m "not e2e"`: the fast suite)."""
    e2e = Path(__file__).parent / "e2e"
    for item in items:
        if e2e in item.path.parents:
            item.add_marker(pytest.mark.e2e)
