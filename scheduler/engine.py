"""The scheduler engine: APScheduler runs the tick every minute; the database holds the state.

The job keeps nothing that matters. Each run asks the schedule service what is due
and writes it to the outbox under unique dedupe keys, so a missed run (a busy event
loop, a restart) only delays messages to the next run, and two processes ticking one
PostgreSQL database write each message once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from services.schedule import TickResult

log = logging.getLogger("kartomat.scheduler")

JOB_ID = "schedule-tick"


class Tickable(Protocol):
    """What the engine drives: the schedule service (or a test double of it)."""

    def tick(self, at: datetime | None = None) -> TickResult: ...


@dataclass
class TickJob:
    """The periodic job: one tick in a worker thread; remembers the last outcome for /healthz."""

    service: Tickable
    runs: int = 0
    last_result: TickResult | None = None
    last_error: str | None = None

    async def run(self) -> None:
        """One tick off the event loop (the service is synchronous and talks to the database)."""
        try:
            result = await asyncio.to_thread(self.service.tick)
        except Exception as error:  # the next run retries; the engine must keep going
            self.last_error = type(error).__name__
            log.warning("schedule tick failed", extra={"error": self.last_error})
            return
        self.runs += 1
        self.last_result, self.last_error = result, None
        if result.total or result.unreachable:
            log.info(
                "schedule tick",
                extra={
                    "enqueued": result.enqueued,
                    "unreachable": result.unreachable,
                    "remaining": result.remaining,
                },
            )

    def health(self) -> dict[str, Any]:
        """ok, or degraded with the last error class (cheap, no I/O)."""
        return {
            "status": "ok" if self.last_error is None else "degraded",
            "runs": self.runs,
            "last_error": self.last_error,
        }


def build_scheduler(app_or_service: Any, interval_seconds: float = 60.0) -> AsyncIOScheduler:
    """An AsyncIOScheduler (not started) ticking `app.schedule` every `interval_seconds`.

    coalesce=True folds runs missed meanwhile into one, max_instances=1 never lets two
    ticks of this process overlap, and a run later than misfire_grace_time is skipped
    outright: the next one computes the same from the database.
    """
    service: Tickable = getattr(app_or_service, "schedule", app_or_service)
    job = TickJob(service)
    grace = max(1, round(interval_seconds))
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        job.run,
        IntervalTrigger(seconds=interval_seconds, timezone=UTC),
        id=JOB_ID,
        name="kartomat schedule tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=grace,
        # The first run at start (a restart catches up at once). APScheduler runs on the
        # wall clock, so this is its time, not the service's injected clock.
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def tick_job(scheduler: AsyncIOScheduler) -> TickJob:
    """The TickJob behind a scheduler from build_scheduler (for health reports)."""
    job = scheduler.get_job(JOB_ID)
    if job is None:
        raise LookupError("this scheduler was not built by build_scheduler")
    runner = job.func.__self__
    assert isinstance(runner, TickJob)
    return runner
