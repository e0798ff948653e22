"""stretchd: stretch reminders for stiff hips and lower backs."""

__version__ = "0.1.0"
