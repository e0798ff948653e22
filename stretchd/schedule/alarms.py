"""The alarm clock: run a job at a given instant. When a reminder is due is schedule.py's to
say; APScheduler only keeps the appointments (one DateTrigger job per alarm)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

Job = Callable[[], Awaitable[None]]


class Alarms(Protocol):
    def start(self) -> None:
        """Begin keeping the appointments (on the running loop)."""

    def shutdown(self) -> None: ...

    def set(self, key: str, at: datetime, job: Job, grace: timedelta) -> None:
        """Run job at `at` (replacing any alarm under key); if the loop wakes later than
        `at` + grace (a suspend), drop it: the daemon's clock watch catches up instead."""

    def clear(self) -> None:
        """Cancel every alarm."""


class SchedulerAlarms:
    """APScheduler 3's AsyncIOScheduler as the alarm clock, on the running asyncio loop."""

    def __init__(self, tz: tzinfo) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.scheduler: Any = AsyncIOScheduler(timezone=tz)

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)

    def set(self, key: str, at: datetime, job: Job, grace: timedelta) -> None:
        from apscheduler.triggers.date import DateTrigger

        self.scheduler.add_job(job, DateTrigger(run_date=at), id=key, replace_existing=True,
                               misfire_grace_time=max(1, int(grace.total_seconds())))

    def clear(self) -> None:
        self.scheduler.remove_all_jobs()
