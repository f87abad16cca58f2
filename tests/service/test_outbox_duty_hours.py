"""Retries of respondent messages wait for the next duty window (channels.md: no night sends)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.entities import OutboxMessage
from kartomat.bootstrap import App
from services.outbox import OutboxService, RetryLater, SendOutcome
from tests.fakes import FakeClock
from tests.service.test_collection import open_session
from tests.service.test_outbox import ScriptedSender

WAW = ZoneInfo("Europe/Warsaw")


def warsaw(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WAW)


def enqueue(
    app: App, key: str, kind: str, assignment_id: int | None, payload: dict[str, str] | None = None
) -> None:
    now = app.clock.now()
    with app.uow() as uow:
        uow.outbox.add(
            OutboxMessage(channel="email", recipient="a@b.example", kind=kind, dedupe_key=key,
                          next_attempt_at=now, created_at=now, assignment_id=assignment_id,
                          payload=payload or {})
        )  # fmt: skip
        uow.commit()


async def opened(app: App) -> int:
    """The session opened and its invitations delivered; one of its assignment ids."""
    open_session(app)
    outbox = OutboxService(app.uow, app.clock)
    while await outbox.drain(ScriptedSender("email")):
        pass
    with app.uow() as uow:
        session = uow.sessions.get_by_name("2026-H2")
        assert session is not None
        return uow.assignments.for_session(session.id or 0)[0].id or 0


def next_attempt(app: App, key: str) -> datetime:
    with app.uow() as uow:
        message = uow.outbox.get_by_key(key)
    assert message is not None and message.status == "pending"
    return message.next_attempt_at


@pytest.mark.parametrize(
    "failure",
    [RetryLater("421 try later", after_seconds=600), RetryLater("SMTP down", channel_down=True,
                                                               after_seconds=120)],
    ids=["transient", "channel-down"],
)  # fmt: skip
async def test_a_reminder_retried_after_duty_hours_waits_for_the_next_working_day(
    app: App, clock: FakeClock, failure: SendOutcome
) -> None:
    aid = await opened(app)
    # Tuesday 10 November 2026, 15:59: the retry would fall after 16:00, and Wednesday
    # 11 November is Independence Day, so the next duty window opens on Thursday.
    clock.current = warsaw("2026-11-10 15:59").astimezone(UTC)
    enqueue(app, f"reminder:{aid}:2026-11-10", "reminder", aid)
    enqueue(app, "receipt:1", "receipt", aid)  # a reply the respondent waits for
    outbox = OutboxService(app.uow, app.clock)
    sender = ScriptedSender("email", [failure, failure])
    await outbox.drain(sender)  # a channel outage stops the pass: the receipt comes next
    await outbox.drain(sender)
    assert len(sender.sent) == 2

    assert next_attempt(app, f"reminder:{aid}:2026-11-10") == warsaw("2026-11-12 08:00")
    receipt_at = next_attempt(app, "receipt:1")
    assert receipt_at.astimezone(WAW) < warsaw("2026-11-10 16:15")  # not held

    for moment in ("2026-11-10 16:30", "2026-11-11 10:00", "2026-11-12 07:59"):
        clock.current = warsaw(moment).astimezone(UTC)
        await outbox.drain(sender)
    assert [m.dedupe_key for m in sender.sent[2:]] == ["receipt:1"]  # at 16:30
    clock.current = warsaw("2026-11-12 08:00").astimezone(UTC)
    await outbox.drain(sender)
    assert [m.dedupe_key for m in sender.sent[3:]] == [f"reminder:{aid}:2026-11-10"]


async def test_a_retry_inside_duty_hours_is_not_moved(app: App, clock: FakeClock) -> None:
    aid = await opened(app)
    clock.current = warsaw("2026-11-10 10:00").astimezone(UTC)
    enqueue(app, f"overdue:{aid}:2026-11-10", "overdue", aid)
    outbox = OutboxService(app.uow, app.clock)
    await outbox.drain(ScriptedSender("email", [RetryLater("421", after_seconds=600)]))
    assert next_attempt(app, f"overdue:{aid}:2026-11-10") == warsaw("2026-11-10 10:10")


async def test_a_staff_digest_retried_after_duty_hours_waits_too(
    app: App, clock: FakeClock
) -> None:
    await opened(app)
    clock.current = warsaw("2026-11-10 15:59").astimezone(UTC)
    key = "digest:session1-staff1:2026-11-10"
    enqueue(app, key, "digest", None, {"session": "2026-H2"})  # names its session
    outbox = OutboxService(app.uow, app.clock)
    await outbox.drain(ScriptedSender("email", [RetryLater("421", after_seconds=600)]))
    assert next_attempt(app, key) == warsaw("2026-11-12 08:00")
