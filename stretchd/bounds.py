"""Every bounded number a person gives stretchd, in one table: config.toml, the CLI and the
daemon's requests all check against these (lowest, highest), both included."""

from __future__ import annotations

from stretchd.i18n import _

SNOOZE_MINUTES = (1, 240)
MAX_SNOOZES = (0, 20)
GRACE_MINUTES = (0, 720)
AWAY_MINUTES = (1, 240)
HOLD_AT_MOST_MINUTES = (1, 720)
STREAK_GOAL = (1, 20)
REPETITIONS = (1, 20)  # `stretchd walk --reps`

def minutes_problem() -> str:
    """What a snooze request out of bounds is told (the CLI's own check says more)."""
    # TRANSLATORS: `minutes` is the name of what was given (a snooze's length), kept as it is.
    return _("minutes: use a whole number from {low} to {high}").format(
        low=SNOOZE_MINUTES[0], high=SNOOZE_MINUTES[1])


# By config.toml's key, within its table.
DEFAULTS = {"snooze_minutes": SNOOZE_MINUTES, "max_snoozes": MAX_SNOOZES,
            "grace_minutes": GRACE_MINUTES}
HOLD = {"away_minutes": AWAY_MINUTES, "hold_at_most_minutes": HOLD_AT_MOST_MINUTES}


def within(value: object, bounds: tuple[int, int]) -> bool:
    """A whole number (not a bool) within the bounds."""
    return (isinstance(value, int) and not isinstance(value, bool)
            and bounds[0] <= value <= bounds[1])
