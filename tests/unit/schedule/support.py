"""Shared helpers for the schedule tests: Warsaw datetimes, facts and a ticking fake clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.cards.model import CardKind
from domain.schedule import AssignmentFacts, MessageKind, PlannedMessage, SentRecord

WAW = ZoneInfo("Europe/Warsaw")


def at(text: str) -> datetime:
    """A Warsaw wall-clock datetime from "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


def day(text: str) -> date:
    """A date from "YYYY-MM-DD"."""
    return date.fromisoformat(text)


def facts(
    opens: str = "2026-03-02",
    deadline: str = "2026-04-07",
    *,
    extended: str | None = None,
    submitted: str | None = None,
    closed: str | None = None,
    sent: frozenset[SentRecord] = frozenset(),
) -> AssignmentFacts:
    """Facts of assignment "a1" (Karta NGO) with readable defaults."""
    return AssignmentFacts(
        assignment_id="a1",
        opens_on=day(opens),
        deadline=day(deadline),
        card=CardKind.NGO,
        extended_until=day(extended) if extended else None,
        submitted_at=at(submitted) if submitted else None,
        sent=sent,
        closed_at=at(closed) if closed else None,
    )


def sent_on(*records: tuple[MessageKind, str]) -> frozenset[SentRecord]:
    """Records of messages already enqueued, from (kind, "YYYY-MM-DD") pairs."""
    return frozenset((kind, day(when)) for kind, when in records)


Tick = Callable[[AssignmentFacts, datetime], list[PlannedMessage]]


def run_clock(
    tick: Tick,
    start: AssignmentFacts,
    begin: datetime,
    end: datetime,
    *,
    down: tuple[datetime, datetime] | None = None,
    step: timedelta = timedelta(minutes=15),
) -> list[tuple[datetime, PlannedMessage]]:
    """Tick a fake clock from begin to end (in UTC steps); record what each tick enqueued."""
    current, sent_log = start, []
    now = begin.astimezone(UTC)
    while now < end:
        if down is None or not down[0] <= now < down[1]:
            for message in tick(current, now):
                sent_log.append((now, message))
                current = replace(current, sent=current.sent | {message.sent_record})
        now += step
    return sent_log
