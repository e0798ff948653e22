"""`stretchd run` for a daemon whose clock libfaketime runs N times fast (the soak's):

    python -m harness.sped_daemon N

Its waits for another program's reply (a D-Bus call, a notification server's answer, a
reading of what can hold a reminder, a command's request on its socket) are multiplied by N,
so that each still lasts as many real seconds as it does for a person. On a clock at 600x a
notification server's 25 s would be 42 real ms, and a busy machine would turn a slow answer
into a reminder on the console: a race the soak must not run. What the daemon schedules
(reminders, snoozes, the once-a-minute clock check) keeps its simulated durations.
"""

from __future__ import annotations

import sys


def main() -> int:
    speed = float(sys.argv[1])
    from stretchd.desktop import busy, dbus, notify
    from stretchd.ipc import control

    dbus.TIMEOUT *= speed
    notify.PATIENCE *= speed
    busy.TIMEOUT *= speed
    control.READ_TIMEOUT *= speed
    from stretchd._run import main as run

    return run()


if __name__ == "__main__":
    sys.exit(main())
