"""`stretchd stats`'s rows, summed up by SQLite: the period's occurrences one by one, its walks
by day, routine and reminder, and the walks before it by day only (all the streak needs). Ten
years of three computers' history come to a few thousand rows."""

from __future__ import annotations

import datetime as dt
import sqlite3

from stretchd.errors import StretchdError
from stretchd.i18n import _
from stretchd.store.history import History, WalkStats
from stretchd.store.stats import OccRow, WalkRow

# A walk's local date (ended, else started: as each computer stored it) and its seconds in
# the steps (else from its start to its end, for walks recorded before that was kept).
_WALKS = """SELECT substr(coalesce(ended, started), 1, 10) AS day, routine, reminder,
                   outcome = 'completed' AS done,
                   coalesce(seconds, CASE WHEN ended IS NOT NULL THEN
                       max(0.0, (julianday(ended) - julianday(started)) * 86400) END, 0.0) AS secs
            FROM walks WHERE {where}"""
_SUMMED = """SELECT day, routine, reminder, done, count(*), sum(secs) FROM ({walks})
             WHERE day >= :start GROUP BY day, routine, reminder, done
             UNION ALL
             SELECT day, '', NULL, done, count(*), sum(secs) FROM ({walks})
             WHERE day < :start GROUP BY day, done"""
_OCCURRENCES = """SELECT o.reminder, o.occurrence, o.status, coalesce(e.snoozed, 0), coalesce(e.held, 0)
                  FROM occurrences o LEFT JOIN (
                    SELECT reminder, occurrence, max(kind = 'snoozed') AS snoozed,
                           max(kind = 'held') AS held
                    FROM events WHERE kind IN ('snoozed', 'held') AND occurrence >= :start
                    GROUP BY reminder, occurrence) e USING (reminder, occurrence)
                  WHERE o.occurrence >= :start {alone}"""
# What this computer did alone: no reminder another computer answered.
_ALONE = """AND NOT EXISTS (SELECT 1 FROM events x WHERE x.reminder = o.reminder
            AND x.occurrence = o.occurrence AND x.kind = 'answered elsewhere')"""
# Another computer's occurrences, as its events leave them: the strongest answer.
_PEER = """SELECT reminder, occurrence,
                  CASE max(CASE kind WHEN 'started' THEN 4 WHEN 'completed' THEN 4
                                     WHEN 'skipped' THEN 3 WHEN 'snoozed' THEN 2
                                     WHEN 'missed' THEN 1 WHEN 'dismissed' THEN 1 ELSE 0 END)
                    WHEN 4 THEN 'started' WHEN 3 THEN 'skipped' WHEN 2 THEN 'snoozed'
                    WHEN 1 THEN 'missed' ELSE 'showing' END,
                  max(kind = 'snoozed'), max(kind = 'held')
           FROM peer_events WHERE device = :device AND reminder IS NOT NULL
                AND occurrence >= :start GROUP BY reminder, occurrence"""


def rows(history: History, start: dt.date, *, device: str | None = None,
         here: bool = False) -> tuple[list[OccRow], list[WalkRow]]:
    """Every computer's (device None), this computer's alone (here), or another's (device)."""
    args = {"start": start.isoformat(), "device": device}
    if device is not None and not here:
        occurrences_sql, where = _PEER, "device = :device"
    else:
        occurrences_sql, where = _OCCURRENCES.format(alone=_ALONE if here else ""), (
            "device IS NULL" if here else "1")
    walks = _WALKS.format(where=where)
    try:
        occurrences = history.db.execute(occurrences_sql, args).fetchall()
        summed = history.db.execute(_SUMMED.format(walks=walks), args).fetchall()
    except sqlite3.Error as e:
        # TRANSLATORS: {file} is the database's path; {error} is SQLite's reason.
        raise StretchdError(_("{file}: cannot read the history: {error}").format(
            file=history.path, error=e)) from None
    return ([OccRow(r, dt.date.fromisoformat(day), status, bool(snoozed), bool(held))
             for r, day, status, snoozed, held in occurrences],
            [WalkRow(dt.date.fromisoformat(day), routine, reminder, bool(done), secs or 0.0, n)
             for day, routine, reminder, done, n, secs in summed])


def every_row(history: History) -> tuple[list[tuple[str, str, str, int, int]], list[WalkStats]]:
    """Every occurrence as (reminder, local date, status, snoozed, held) and every walk as
    WalkStats, one by one: what stats.from_rows counts, and what `rows` must sum up to."""
    try:
        occurrences = history.db.execute(_OCCURRENCES.format(alone=""), {"start": ""}).fetchall()
        walks = history.db.execute(
            "SELECT routine, started, ended, outcome, reminder, seconds FROM walks").fetchall()
    except sqlite3.Error as e:
        # TRANSLATORS: {file} is the database's path; {error} is SQLite's reason.
        raise StretchdError(_("{file}: cannot read the history: {error}").format(
            file=history.path, error=e)) from None
    return occurrences, walks
