"""Transmission problems a respondent reports (Atlas: NGO responsibility no. 5).

The respondent must tell the Centrum at once; staff hear of it at once within duty
hours, otherwise at the start of the next duty window (rule S5), so they can agree
another channel or extend that assignment's deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.entities import MonitoringSession, Organisation, OutboxMessage, Staff
from domain.errors import InvalidAnswer
from services.card_state import Provenance
from services.schedule_messages import staff_address

MAX_TEXT = 2000  # characters kept of the respondent's description


def problem_text(text: str) -> str:
    """The description, trimmed; an empty one is refused with an example."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidAnswer(
            "Opisz krótko problem, np. „Nie mogę otworzyć załącznika z kartą”.",
            "Please describe the problem, e.g. 'I cannot open the card attachment'.",
        )
    return cleaned[:MAX_TEXT]


def problem_recipients(staff: list[Staff], teryt: str) -> list[Staff]:
    """Staff covering the organisation's gmina; everyone when nobody does (never dropped)."""
    return [s for s in staff if s.covers(teryt)] or staff


def _payload(
    context: tuple[int, MonitoringSession, Organisation, str],
    text: str,
    provenance: Provenance,
    now: datetime,
) -> dict[str, Any]:
    """What staff need to act: whose card, what they wrote, how and when they reported it."""
    assignment_id, session, org, card = context
    return {
        "assignment_id": assignment_id,
        "session": session.name,
        "external_id": org.external_id,
        "organisation": org.name,
        "card": card,
        "teryt": org.teryt,
        "text": text,
        "channel": provenance.channel,
        "source_message_id": provenance.source_message_id,
        "contact_id": provenance.contact_id,
        "reported_at": now.isoformat(),
    }


def problem_alerts(
    context: tuple[int, MonitoringSession, Organisation, str],
    text: str,
    provenance: Provenance,
    staff: list[Staff],
    now: datetime,
    due_at: datetime,
) -> list[OutboxMessage]:
    """One problem alert per staff member, due at `due_at` (see problem_alert_due_at)."""
    assignment_id, _, org, _ = context
    payload = _payload(context, text, provenance, now)
    # A redelivered Telegram update or email carries the same message id: alerted once.
    source = provenance.source_message_id or now.isoformat()
    messages = []
    for member in problem_recipients(staff, org.teryt):
        address = staff_address(member)
        messages.append(
            OutboxMessage(
                channel=address.channel,
                recipient=address.recipient,
                kind="problem_alert",
                payload={**payload, "staff_id": member.id},
                dedupe_key=f"problem_alert:{assignment_id}:{provenance.channel}:{source}:"
                f"staff{member.id}",
                next_attempt_at=due_at,
                created_at=now,
                assignment_id=assignment_id,
            )
        )
    return messages
