"""Run the tests a marker expression selects, each in a pytest of its own, all at once.

    python -m harness.beside 'minute and e2e' LOGDIR

For the tests marked minute: each waits, doing nothing, for the daemon's real once-a-minute
check, so side by side they take the time of the longest, not the sum. Prints each test's
report when all are done; exits 1 if any failed (5, none selected, is no failure)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(mark: str, logdir: Path) -> int:
    logdir.mkdir(parents=True, exist_ok=True)
    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    listed = subprocess.run([*pytest, "--collect-only", "-q", "-m", mark], capture_output=True, text=True)
    ids = [line for line in listed.stdout.splitlines() if "::" in line]
    if listed.returncode not in (0, 5):
        print(listed.stdout + listed.stderr)
        return 1
    runs = []
    for n, test in enumerate(ids):
        log = logdir / f"beside-{n}.log"
        with log.open("w") as out:
            runs.append((test, log, subprocess.Popen([*pytest, "-q", test], stdout=out,
                                                     stderr=subprocess.STDOUT)))
    failed = 0
    for test, log, proc in runs:
        code = proc.wait()
        print(f"--- {test}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
        if code != 0:
            failed += 1
            print(log.read_text()[-6000:])
    print(f"{len(runs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
