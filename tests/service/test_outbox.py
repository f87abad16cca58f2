"""Outbox delivery on every backend: leases, retries with backoff, permanent failure fallback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from domain.entities import OutboxMessage
from kartomat.bootstrap import App
from services.outbox import (
    CHANNEL_RETRY_S,
    MAX_ATTEMPTS,
    Delivered,
    OutboxService,
    RetryLater,
    SendOutcome,
    Undeliverable,
)
from services.ports import UnitOfWork
from tests.fakes import FakeClock
from tests.service.test_collection import open_session


class ScriptedSender:
    """A fake of our Sender port: answers with scripted outcomes, records what it got."""

    def __init__(self, channel: str, outcomes: list[SendOutcome] | None = None) -> None:
        self.channel = channel
        self.outcomes = outcomes or []
        self.sent: list[OutboxMessage] = []

    async def send(self, message: OutboxMessage) -> SendOutcome:
        self.sent.append(message)
        return self.outcomes.pop(0) if self.outcomes else Delivered()


def enqueue(app: App, key: str, channel: str = "email", recipient: str = "a@b.example") -> None:
    now = app.clock.now()
    with app.uow() as uow:
        uow.outbox.add(
            OutboxMessage(channel=channel, recipient=recipient, kind="reminder",
                          dedupe_key=key, next_attempt_at=now, created_at=now)
        )  # fmt: skip
        uow.commit()


def statuses(app: App) -> dict[str, str]:
    with app.uow() as uow:
        return {m.dedupe_key: m.status for m in uow.outbox.all()}


async def test_delivered_once_and_dedupe_key_is_unique(app: App) -> None:
    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "k1")
    enqueue(app, "k1")  # a second scheduler run: ignored
    sender = ScriptedSender("email")
    assert await outbox.drain(sender) == 1
    assert await outbox.drain(sender) == 0
    assert [m.dedupe_key for m in sender.sent] == ["k1"]
    assert statuses(app) == {"k1": "sent"}


async def test_leased_message_is_not_sent_twice_and_comes_back_after_lease(
    app: App, clock: FakeClock
) -> None:
    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "k1")
    assert len(outbox.claim("email")) == 1  # a dispatcher that then dies before sending
    assert outbox.claim("email") == []
    clock.advance(minutes=3)
    again = outbox.claim("email")
    assert [m.dedupe_key for m in again] == ["k1"] and again[0].attempts == 0
    sender = ScriptedSender("email")
    clock.advance(minutes=3)
    assert await outbox.drain(sender) == 1 and statuses(app) == {"k1": "sent"}


async def test_dispatcher_killed_mid_send_never_sends_twice(app: App, clock: FakeClock) -> None:
    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "k1")
    enqueue(app, "k2")
    claimed = outbox.claim("email")
    assert outbox.start_sending(claimed[0])  # the send starts … and the process dies
    clock.advance(minutes=3)
    sender = ScriptedSender("email")
    assert await outbox.drain(sender) == 1
    assert [m.dedupe_key for m in sender.sent] == ["k2"]  # k2 was never attempted: sent now
    assert statuses(app) == {"k1": "unknown", "k2": "sent"}
    clock.advance(hours=5)
    assert await outbox.drain(sender) == 0  # the ambiguous one is never resent


async def test_lost_lease_is_not_sent(app: App, clock: FakeClock) -> None:
    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "k1")
    slow = outbox.claim("email")
    clock.advance(minutes=3)
    fast = outbox.claim("email")  # the slow dispatcher's lease ran out
    assert outbox.start_sending(fast[0])
    assert not outbox.start_sending(slow[0])


async def test_transient_failure_retries_with_backoff_then_gives_up(
    app: App, clock: FakeClock
) -> None:
    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "k1")
    sender = ScriptedSender("email", [RetryLater("421 try later")] * MAX_ATTEMPTS)
    assert await outbox.drain(sender) == 0
    with app.uow() as uow:
        message = uow.outbox.get_by_key("k1")
    assert message is not None and message.status == "pending"
    assert message.next_attempt_at >= clock.now() + timedelta(seconds=20)
    assert message.last_error == "421 try later"
    for _ in range(MAX_ATTEMPTS):
        clock.advance(hours=2)
        await outbox.drain(sender)
    assert statuses(app) == {"k1": "failed"}
    assert len(sender.sent) == MAX_ATTEMPTS


async def test_channel_outage_is_no_attempt_stops_the_pass_and_never_fails(
    app: App, clock: FakeClock
) -> None:
    open_session(app)  # contacts exist: a give-up would mark one unreachable
    outbox = OutboxService(app.uow, app.clock)
    for key in ("k1", "k2", "k3"):
        enqueue(app, key, recipient="anna@dobrystart.example")
    down = RetryLater("ConnectionRefusedError: refused", channel_down=True)
    sender = ScriptedSender("email", [down] * (3 * MAX_ATTEMPTS))
    for passes in range(1, 3 * MAX_ATTEMPTS + 1):  # an outage far longer than the give-up
        assert await outbox.drain(sender) == 0
        assert len(sender.sent) == passes  # one probe a pass; the rest handed back
        clock.advance(seconds=CHANNEL_RETRY_S)
    with app.uow() as uow:
        rows = uow.outbox.all()
        contacts = uow.contacts.by_email("anna@dobrystart.example")
    assert {m.status for m in rows} == {"pending"} and {m.attempts for m in rows} == {0}
    assert contacts and not any(c.email_unreachable for c in contacts)
    assert await outbox.drain(sender) == len(rows)  # the server is back: everything, once
    assert set(statuses(app).values()) == {"sent"}
    after = [m.dedupe_key for m in sender.sent[3 * MAX_ATTEMPTS :]]
    assert sorted(after) == sorted(m.dedupe_key for m in rows)


async def test_a_delivery_is_recorded_when_the_database_comes_back(app: App) -> None:
    """The database goes away during a send: the outcome waits for it, not `unknown`."""
    away = asyncio.Event()

    def uow() -> UnitOfWork:
        if away.is_set():
            raise ConnectionError("database away")
        return app.uow()

    class DatabaseDiesDuringTheSend(ScriptedSender):
        async def send(self, message: OutboxMessage) -> SendOutcome:
            away.set()
            asyncio.get_running_loop().call_later(1.2, away.clear)
            return await super().send(message)

    enqueue(app, "k1")
    assert await OutboxService(uow, app.clock).drain(DatabaseDiesDuringTheSend("email")) == 1
    assert statuses(app) == {"k1": "sent"}


async def test_retry_after_hint_is_honoured(app: App, clock: FakeClock) -> None:
    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "k1", channel="telegram", recipient="777")
    await outbox.drain(ScriptedSender("telegram", [RetryLater("429", after_seconds=7)]))
    with app.uow() as uow:
        message = uow.outbox.get_by_key("k1")
    assert message is not None
    assert message.next_attempt_at == clock.now() + timedelta(seconds=7)


async def test_blocked_telegram_falls_back_to_email_and_tells_staff(app: App) -> None:
    open_session(app)
    app.registry.add_staff("Ola", "ola@cm.example", ["06"], telegram_id=9001)
    invite = next(i for i in app.sessions.invites("2026-H2") if i.external_id == "NGO-001")
    binding = app.access.bind_telegram(invite.token, 4242)
    assert binding.contact.email == "anna@dobrystart.example"
    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "rem-1", channel="telegram", recipient="4242")
    sender = ScriptedSender("telegram", [Undeliverable("Forbidden: bot was blocked by the user")])
    await outbox.drain(sender)
    with app.uow() as uow:
        contact = uow.contacts.get(binding.contact.id or 0)
        messages = {m.dedupe_key: m for m in uow.outbox.all()}
    assert contact is not None and contact.telegram_unreachable
    assert messages["rem-1"].status == "failed"
    fallback = messages["rem-1:fallback:email"]
    assert (fallback.channel, fallback.recipient) == ("email", "anna@dobrystart.example")
    notice = [m for m in messages.values() if m.kind == "delivery_failed"]
    assert [(m.channel, m.recipient) for m in notice] == [("telegram", "9001")]


async def test_sender_bug_is_a_retry_not_a_crash(app: App) -> None:
    class Broken:
        channel = "email"

        async def send(self, message: OutboxMessage) -> SendOutcome:
            raise RuntimeError("boom")

    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "k1")
    assert await outbox.drain(Broken()) == 0
    with app.uow() as uow:
        message = uow.outbox.get_by_key("k1")
    assert message is not None and message.status == "pending"
    assert message.last_error == "RuntimeError: boom"


def test_backlog_counts_due_messages(app: App, clock: FakeClock) -> None:
    outbox = OutboxService(app.uow, app.clock)
    enqueue(app, "a")
    enqueue(app, "b", channel="telegram", recipient="1")
    assert outbox.backlog() == {"email": 1, "telegram": 1}
    with app.uow() as uow:
        later = datetime(2030, 1, 1, tzinfo=UTC)
        uow.outbox.add(
            OutboxMessage(channel="email", recipient="x@y.z", kind="k", dedupe_key="later",
                          next_attempt_at=later, created_at=later)
        )  # fmt: skip
        uow.commit()
    assert outbox.backlog() == {"email": 1, "telegram": 1}


pytestmark = pytest.mark.filterwarnings("error")
