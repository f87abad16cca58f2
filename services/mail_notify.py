"""Outbox rows the email ingestion queues: replies, rate-limited notices, staff alerts.

Every row has a dedupe key (channels.md "durable outbox"): the reply to a message is
keyed by the stored message, so reprocessing it never sends a second reply; notices
of the rejection type are keyed by reason, address and day, so an address gets at
most one of each reason per day however many messages it sends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.entities import Organisation, OutboxMessage, Staff
from services.card_state import local_date
from services.ports import UnitOfWork


def _row(
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    key: str,
    now: datetime,
    assignment_id: int | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        channel="email",
        recipient=recipient,
        kind=kind,
        payload=payload,
        dedupe_key=key,
        next_attempt_at=now,
        created_at=now,
        assignment_id=assignment_id,
    )


def reply(
    recipient: str, assignment_id: int, inbound_id: int, payload: dict[str, Any], now: datetime
) -> OutboxMessage:
    """The reply to one stored message (accepted, rejected, missing, receipt)."""
    body = {"assignment_id": assignment_id, "inbound_id": inbound_id, **payload}
    return _row("mail_reply", recipient, body, f"mail_reply:{inbound_id}", now, assignment_id)


def notice(
    recipient: str,
    reason: str,
    assignment_id: int,
    threading: dict[str, Any],
    now: datetime,
    detail: str = "",
) -> OutboxMessage:
    """A rejection-type notice: at most one per address, reason and local day."""
    key = f"mail_notice:{reason}:{recipient.lower()}:{local_date(now).isoformat()}"
    payload = {"assignment_id": assignment_id, "reason": reason, "detail": detail, **threading}
    return _row("mail_notice", recipient, payload, key, now, assignment_id)


def staff_for(uow: UnitOfWork, organisation: Organisation | None) -> list[Staff]:
    """Staff answering for the organisation's territory; everyone when it is unknown."""
    staff = uow.staff.all()
    if organisation is None:
        return staff
    return [s for s in staff if s.covers(organisation.teryt)]


def alert_staff(
    uow: UnitOfWork,
    kind: str,
    organisation: Organisation | None,
    payload: dict[str, Any],
    key: str,
    now: datetime,
) -> int:
    """Queue a staff message (by email) for each staff member of the territory."""
    count = 0
    body = {**payload, "organisation_id": organisation.id if organisation else None}
    for member in staff_for(uow, organisation):
        count += uow.outbox.add(
            _row(
                kind,
                member.email,
                body,
                f"{kind}:{key}:{member.id}",
                now,
                payload.get("assignment_id"),
            )
        )
    return count
