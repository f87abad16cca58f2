"""The outbox dispatcher: durable, deduplicated delivery with retries and fallback.

Every outbound message is a row first (channels.md, "Outbound messages go through a
durable outbox"). States: pending → leased (claimed by a dispatcher) → sending
(committed right before the channel call) → sent | pending (retry later) | failed.
A dispatcher killed before a send loses only its lease: the row becomes due again.
One killed *during* a send leaves the row `sending`; when its lease runs out it becomes
`unknown` and is NOT resent, because neither Telegram nor SMTP lets us ask whether it
arrived and a duplicate reminder or receipt is worse than one that staff can requeue
(`unknown` rows are counted on /healthz).

A failure of the channel itself (SMTP server unreachable, Bot API 5xx or flood
control) is not the message's fault: it is not counted as an attempt (so an outage,
however long, never makes a message `failed` or a contact unreachable), the message is
tried again after the server's hint or CHANNEL_RETRY_S, and the email pass stops at
once, handing back the rest of its batch.
The bookkeeping after a send is retried while the database is away (our lease still
protects the row), so a delivered message is recorded `sent`, not left `unknown`.
A retry of a scheduler message (a respondent's invitation, reminder or overdue notice,
a staff alert, digest or problem alert) that would fall outside duty hours waits for
the next duty window of its session (no night sends).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

from domain.entities import Contact, MonitoringSession, OutboxMessage, OutboxStatus, Staff
from domain.schedule import HarmonogramError, WorkCalendar, load_harmonogram
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from services.schedule_facts import Calendars

T = TypeVar("T")
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0
CHANNEL_RETRY_S = 5.0
DB_RETRY_S = 90.0  # < LEASE: how long a pass waits for the database to come back
# What the scheduler sends in duty hours only (channels.md "Scheduler", domain.schedule
# R8 and S4-S5): respondents' invitations, reminders and overdue notices, staff alerts,
# digests and problem alerts. Their retries wait for a duty window too.
DUTY_BOUND_KINDS = frozenset(
    {"invitation", "reminder", "overdue", "staff_alert", "digest", "problem_alert"}
)


@dataclass(frozen=True)
class Delivered:
    """The channel accepted the message."""

    provider_id: str | None = None


@dataclass(frozen=True)
class RetryLater:
    """A transient failure (timeout, 4xx SMTP, 429, 5xx): try again later."""

    reason: str
    after_seconds: float | None = None  # the server's own hint (Telegram retry_after)
    channel_down: bool = False  # the server failed, not this message: not an attempt


@dataclass(frozen=True)
class Undeliverable:
    """A permanent failure (Telegram 403, SMTP 5xx): this recipient cannot be reached."""

    reason: str


SendOutcome = Delivered | RetryLater | Undeliverable


class Sender(Protocol):
    """A channel adapter that delivers one outbox message."""

    channel: str

    async def send(self, message: OutboxMessage) -> SendOutcome: ...


def backoff(attempts: int, hint: float | None = None) -> float:
    """Seconds to wait before the next attempt: the server's hint, else capped exponential."""
    if hint is not None:
        return max(hint, 1.0)
    delay = min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S)
    jitter: float = random.uniform(0.8, 1.2)  # noqa: S311  (jitter, not security)
    return float(delay) * jitter


class OutboxService:
    """Leases due messages and records delivery outcomes."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
        self.channel_down: str | None = None  # why the last send found the channel down
        self.calendars = Calendars()  # duty windows of the sessions' harmonograms

    def claim(self, channel: str, limit: int = 50) -> list[OutboxMessage]:
        """Lease up to `limit` due messages of one channel."""
        now = self.clock.now()
        with self.uow() as uow:
            claimed = uow.outbox.claim_due(channel, now, limit, now + LEASE)
            uow.commit()
            return claimed

    def record(self, message: OutboxMessage, outcome: SendOutcome) -> None:
        """Store what happened to one delivery attempt."""
        now = self.clock.now()
        with self.uow() as uow:
            if isinstance(outcome, Delivered):
                uow.outbox.set_delivery(message.id or 0, status=OutboxStatus.SENT, sent_at=now)
            elif isinstance(outcome, RetryLater) and outcome.channel_down:
                wait = timedelta(seconds=outcome.after_seconds or CHANNEL_RETRY_S)
                uow.outbox.set_delivery(
                    message.id or 0,
                    status=OutboxStatus.PENDING,
                    next_attempt_at=self._retry_at(uow, message, now + wait),
                    last_error=outcome.reason[:500],
                    attempts=max(message.attempts - 1, 0),  # `message` counts this attempt
                )
            elif isinstance(outcome, RetryLater) and message.attempts < MAX_ATTEMPTS:
                wait = timedelta(seconds=backoff(message.attempts, outcome.after_seconds))
                uow.outbox.set_delivery(
                    message.id or 0,
                    status=OutboxStatus.PENDING,
                    next_attempt_at=self._retry_at(uow, message, now + wait),
                    last_error=outcome.reason[:500],
                )
            else:
                _give_up(uow, message, outcome.reason, now)
            uow.commit()

    def _retry_at(self, uow: UnitOfWork, message: OutboxMessage, at: datetime) -> datetime:
        """When a retry may go: `at`, or for a scheduler message (DUTY_BOUND_KINDS) outside
        duty hours, the next duty window of its session's harmonogram.

        channels.md: nothing is sent at night. The scheduler queues these inside a duty
        window; a retry must not carry them past its end. Replies the respondent is
        waiting for (receipts, the next question) go whenever they can.
        """
        if message.kind not in DUTY_BOUND_KINDS:
            return at
        session = _session_of(uow, message)
        if session is None:
            return at
        try:
            calendar = self.calendars.plan(session).calendar
        except HarmonogramError:
            calendar = WorkCalendar(load_harmonogram())  # a broken one: the defaults
        return at if calendar.in_duty_hours(at) else calendar.next_window_start(at)

    def start_sending(self, message: OutboxMessage) -> bool:
        """Commit the point of no return; False when another dispatcher took the row."""
        with self.uow() as uow:
            started = uow.outbox.start_sending(message.id or 0, self.clock.now() + LEASE)
            uow.commit()
            return started

    def release(self, messages: list[OutboxMessage]) -> None:
        """Hand leased, never attempted messages back: due again now."""
        now = self.clock.now()
        with self.uow() as uow:
            for message in messages:
                uow.outbox.set_delivery(
                    message.id or 0, status=OutboxStatus.PENDING, next_attempt_at=now
                )
            uow.commit()

    async def settle(self, message: OutboxMessage, outcome: SendOutcome) -> None:
        """Record an outcome, waiting for the database if it is away (see the docstring)."""
        await _persistently(partial(self.record, message, outcome))
        if isinstance(outcome, RetryLater) and outcome.channel_down:
            self.channel_down = outcome.reason[:200]
        elif isinstance(outcome, Delivered):
            self.channel_down = None

    def backlog(self) -> dict[str, int]:
        """Due, undelivered messages per channel (for /healthz and staff)."""
        with self.uow() as uow:
            return uow.outbox.backlog(self.clock.now())

    async def drain(self, sender: Sender, limit: int = 50) -> int:
        """One pass over the due messages of the sender's channel; returns how many sent."""
        claimed = await asyncio.to_thread(self.claim, sender.channel, limit)
        sent = 0
        for index, message in enumerate(claimed):
            if not await _persistently(partial(self.start_sending, message)):
                continue
            message = message.model_copy(update={"attempts": message.attempts + 1})
            outcome = await _safe_send(sender.send, message)
            await self.settle(message, outcome)
            sent += isinstance(outcome, Delivered)
            if isinstance(outcome, RetryLater) and outcome.channel_down:
                await _persistently(partial(self.release, claimed[index + 1 :]))
                break
        return sent


def _session_of(uow: UnitOfWork, message: OutboxMessage) -> MonitoringSession | None:
    """The session a scheduler message is about: its assignment's, or the one a staff
    alert or digest names in its payload."""
    if message.assignment_id is not None:
        context = uow.assignments.context(message.assignment_id)
        return context[1] if context is not None else None
    name = message.payload.get("session")
    return uow.sessions.get_by_name(name) if isinstance(name, str) else None


async def _persistently(work: Callable[[], T]) -> T:
    """Run `work` in a thread, retrying for DB_RETRY_S while it fails (database away)."""
    deadline = asyncio.get_running_loop().time() + DB_RETRY_S
    delay = 0.5
    while True:
        try:
            return await asyncio.to_thread(work)
        except Exception:
            if asyncio.get_running_loop().time() + delay > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def _safe_send(
    send: Callable[[OutboxMessage], Awaitable[SendOutcome]], message: OutboxMessage
) -> SendOutcome:
    """A sender bug must not stop the queue: it counts as a transient failure."""
    try:
        return await send(message)
    except Exception as error:  # logged via last_error, retried with backoff
        return RetryLater(f"{type(error).__name__}: {error}")


def _give_up(uow: UnitOfWork, message: OutboxMessage, reason: str, now: datetime) -> None:
    """Permanent failure: record it, mark the recipient, fall back, tell staff."""
    uow.outbox.set_delivery(message.id or 0, status=OutboxStatus.FAILED, last_error=reason[:500])
    contact = _contact_of(uow, message)
    if contact is None:
        return
    if message.channel == "telegram":
        contact.telegram_unreachable = True
    elif message.channel == "email":
        contact.email_unreachable = True
    uow.contacts.update(contact)
    fallback = _fallback(message, contact)
    if fallback is not None:
        uow.outbox.add(fallback)
    for staff in _staff_for(uow, contact):
        uow.outbox.add(_staff_notice(message, contact, staff, reason, now))


def _contact_of(uow: UnitOfWork, message: OutboxMessage) -> Contact | None:
    contact_id = message.payload.get("contact_id")
    if isinstance(contact_id, int):
        return uow.contacts.get(contact_id)
    if message.channel == "telegram" and message.recipient.lstrip("-").isdigit():
        return next(iter(uow.contacts.by_telegram_user(int(message.recipient))), None)
    if message.channel == "email":
        return next(iter(uow.contacts.by_email(message.recipient)), None)
    return None


def _fallback(message: OutboxMessage, contact: Contact) -> OutboxMessage | None:
    """The same message on the contact's other channel, when it has one that works."""
    if message.channel == "telegram" and contact.email and not contact.email_unreachable:
        channel, recipient = "email", contact.email
    elif (
        message.channel == "email"
        and contact.telegram_user_id is not None
        and not contact.telegram_unreachable
    ):
        channel, recipient = "telegram", str(contact.telegram_user_id)
    else:
        return None
    return message.model_copy(
        update={
            "id": None,
            "channel": channel,
            "recipient": recipient,
            "dedupe_key": f"{message.dedupe_key}:fallback:{channel}",
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "last_error": None,
            "payload": {**message.payload, "fallback_from": message.channel},
        }
    )


def _staff_for(uow: UnitOfWork, contact: Contact) -> list[Staff]:
    org = uow.organisations.get(contact.organisation_id)
    if org is None:
        return []
    return [s for s in uow.staff.all() if s.covers(org.teryt)]


def _staff_notice(
    message: OutboxMessage, contact: Contact, staff: Staff, reason: str, now: datetime
) -> OutboxMessage:
    channel = "telegram" if staff.telegram_id is not None else "email"
    recipient = str(staff.telegram_id) if staff.telegram_id is not None else staff.email
    return OutboxMessage(
        channel=channel,
        recipient=recipient,
        kind="delivery_failed",
        payload={
            "failed_message_id": message.id,
            "failed_channel": message.channel,
            "failed_kind": message.kind,
            "contact_id": contact.id,
            "organisation_id": contact.organisation_id,
            "reason": reason[:300],
        },
        dedupe_key=f"delivery_failed:{message.id}:{staff.id}",
        next_attempt_at=now,
        created_at=now,
        assignment_id=message.assignment_id,
    )
