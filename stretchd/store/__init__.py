"""The store: the history and state in SQLite, the buffer for a disk that refuses writes, and
what is computed from them (snooze, skip, pause, status, stats)."""
