"""docs/desktops.md's compatibility table: produced from the desktop matrix's results."""

from __future__ import annotations

import re
from pathlib import Path

from harness.compat import BEGIN, END, NOT_VERIFIED, render, rewrite

ROOT = Path(__file__).resolve().parents[1]


def test_each_check_shows_its_outcome_and_the_rest_says_not_verified_and_why() -> None:
    table = render({"dunst, on X11 (Xvfb)": {"Snooze": "passed", "Start": "failed"},
                    "KDE Plasma": {"do-not-disturb": "passed"}})
    rows = table.splitlines()
    assert rows[:2] == ["| part | verified here (e2e, in CI) |", "| --- | --- |"]
    assert "| dunst, on X11 (Xvfb) | Snooze ✓; Start ✗ (failed) |" in rows
    assert f"| KDE Plasma | do-not-disturb ✓; the rest not verified: {NOT_VERIFIED['KDE Plasma']} |" in rows
    assert f"| swaync, on sway | not verified: {NOT_VERIFIED['swaync, on sway']} |" in rows  # no results


def test_the_table_is_rewritten_between_the_markers_only() -> None:
    text = f"intro\n{BEGIN}\nold table\n{END}\nafter\n"
    assert rewrite(text, "| new |") == f"intro\n{BEGIN}\n| new |\n{END}\nafter\n"


def test_the_readme_table_has_a_row_for_each_part_the_matrix_tests() -> None:
    readme = (ROOT / "docs" / "desktops.md").read_text()
    table = readme[readme.index(BEGIN):readme.index(END)]
    marked = set()
    for path in (ROOT / "tests" / "e2e").glob("test_*.py"):
        marked |= set(re.findall(r'pytest\.mark\.compat\(\s*"([^"{]+)"', path.read_text()))
    assert marked, "no compat marks found"
    for row in marked | set(NOT_VERIFIED):
        assert f"| {row} |" in table, row


def test_doctor_calls_tested_exactly_what_the_readme_table_shows_verified() -> None:
    from stretchd.cli.doctor import TESTED_SERVERS, TESTED_TERMINALS, tested

    readme = (ROOT / "docs" / "desktops.md").read_text()
    table = readme[readme.index(BEGIN):readme.index(END)]
    verified = {row.split(" | ")[0].lstrip("| ").split(" (")[0].split(",")[0]
                for row in table.splitlines() if "✓" in row}
    assert set(TESTED_SERVERS.values()) | set(TESTED_TERMINALS) <= verified
    assert tested("/usr/bin/xterm", TESTED_TERMINALS) == "tested"
    assert tested("gnome-terminal-server", TESTED_TERMINALS) == "tested"
    assert tested("SwayNotificationCenter", TESTED_SERVERS) == "tested"
    assert tested("Plasma", TESTED_SERVERS).startswith("not in stretchd's tested matrix")
