"""The outbox dispatcher: durable, deduplicated delivery with retries and fallback.

Every outbound message is a row first (channels.md, "Outbound messages go through a
durable outbox"). States: pending → leased (claimed by a dispatcher) → sending
(committed right before the channel call) → sent | pending (retry later) | failed.
A dispatcher killed before a send loses only its lease: the row becomes due again.
One killed *during* a send leaves the row `sending`; when its lease runs out it becomes
`unknown` and is NOT resent, because neither Telegram nor SMTP lets us ask whether it
arrived and a duplicate reminder or receipt is worse than one that staff can requeue
(`unknown` rows are counted on /healthz).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.entities import Contact, OutboxMessage, OutboxStatus, Staff
from services.ports import Clock, UnitOfWork, UnitOfWorkFactory

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0


@dataclass(frozen=True)
class Delivered:
    """The channel accepted the message."""

    provider_id: str | None = None


@dataclass(frozen=True)
class RetryLater:
    """A transient failure (timeout, 4xx SMTP, 429, 5xx): try again later."""

    reason: str
    after_seconds: float | None = None  # the server's own hint (Telegram retry_after)


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
            elif isinstance(outcome, RetryLater) and message.attempts < MAX_ATTEMPTS:
                wait = timedelta(seconds=backoff(message.attempts, outcome.after_seconds))
                uow.outbox.set_delivery(
                    message.id or 0,
                    status=OutboxStatus.PENDING,
                    next_attempt_at=now + wait,
                    last_error=outcome.reason[:500],
                )
            else:
                _give_up(uow, message, outcome.reason, now)
            uow.commit()

    def start_sending(self, message: OutboxMessage) -> bool:
        """Commit the point of no return; False when another dispatcher took the row."""
        with self.uow() as uow:
            started = uow.outbox.start_sending(message.id or 0, self.clock.now() + LEASE)
            uow.commit()
            return started

    def backlog(self) -> dict[str, int]:
        """Due, undelivered messages per channel (for /healthz and staff)."""
        with self.uow() as uow:
            return uow.outbox.backlog(self.clock.now())

    async def drain(self, sender: Sender, limit: int = 50) -> int:
        """One pass over the due messages of the sender's channel; returns how many sent."""
        claimed = await asyncio.to_thread(self.claim, sender.channel, limit)
        sent = 0
        for message in claimed:
            if not await asyncio.to_thread(self.start_sending, message):
                continue
            message = message.model_copy(update={"attempts": message.attempts + 1})
            outcome = await _safe_send(sender.send, message)
            await asyncio.to_thread(self.record, message, outcome)
            sent += isinstance(outcome, Delivered)
        return sent


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
