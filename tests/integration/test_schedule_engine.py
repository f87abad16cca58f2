"""The APScheduler engine: a coalescing single-instance interval job ticking in a thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from kartomat.bootstrap import App
from scheduler.engine import JOB_ID, build_scheduler, tick_job
from services.schedule import TickResult
from tests.service.schedule_support import clock_of, messages, start_session, waw

pytestmark = pytest.mark.integration


class CountingService:
    """A stand-in for the schedule service: counts ticks, the thread they ran in, fails on cue."""

    def __init__(self, fail_first: int = 0) -> None:
        self.ticks = 0
        self.threads: set[int] = set()
        self.fail_first = fail_first

    def tick(self, at: datetime | None = None) -> TickResult:
        self.threads.add(threading.get_ident())
        self.ticks += 1
        if self.ticks <= self.fail_first:
            raise ConnectionError("database restarting")
        return TickResult({"reminder": 1})


async def _until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait (on the event loop) until the condition holds."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached in time")


def test_the_job_coalesces_runs_one_at_a_time_with_an_explicit_grace() -> None:
    scheduler = build_scheduler(CountingService(), interval_seconds=60)
    job = scheduler.get_job(JOB_ID)
    assert job is not None
    assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 60
    assert job.trigger.interval == timedelta(seconds=60)


async def test_ticks_run_off_the_event_loop_and_survive_failures() -> None:
    service = CountingService(fail_first=1)
    scheduler = build_scheduler(service, interval_seconds=0.05)
    scheduler.start()
    try:
        await _until(lambda: service.ticks >= 3)
    finally:
        scheduler.shutdown(wait=False)
    assert threading.get_ident() not in service.threads  # asyncio.to_thread
    health = tick_job(scheduler).health()
    assert health["status"] == "ok" and health["runs"] >= 2  # the failed run was not fatal


@pytest.mark.parametrize("backend", ["fake", "sqlite"], indirect=True)
async def test_the_engine_enqueues_what_the_database_says_is_due(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    clock_of(app).current = waw("2026-11-23 08:00")
    scheduler = build_scheduler(app, interval_seconds=0.05)
    scheduler.start()
    try:
        await _until(lambda: len(messages(app, ["reminder"])) == 5)
        await _until(lambda: tick_job(scheduler).runs >= 3)
    finally:
        scheduler.shutdown(wait=False)
    assert len(messages(app, ["reminder"])) == 5  # later runs found nothing new
