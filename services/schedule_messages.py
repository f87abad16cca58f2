"""The scheduler's outbox rows: who gets a planned message, on which channel, with what data.

The channel adapters render each `kind` in Polish; the payload carries structured data
only (ids, names, TERYT, dates, missing question codes), never rendered text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from domain.cards.catalog import CardCatalog
from domain.cards.model import CardDefinition
from domain.cards.skip import missing_required
from domain.cards.values import AnswerValue, from_json
from domain.entities import OutboxMessage, Staff
from domain.schedule import Channel, PlannedMessage
from services.ports import AssignmentOverview, UnitOfWork
from services.schedule_facts import SessionPlan

_TELEGRAM, _EMAIL = Channel.TELEGRAM.value, Channel.EMAIL.value  # plain str: a hot loop

# Late assignments one staff message lists individually. A staff member covering the
# whole country may have thousands late: no chat message can show them, and storing
# megabytes of payload a day helps no one; counts per gmina are always complete.
STAFF_LIST_LIMIT = 1000


@dataclass(frozen=True)
class Address:
    """Where one message goes."""

    channel: str  # "telegram" | "email"
    recipient: str  # the Telegram user id as text, or the email address
    contact_id: int | None = None


class Reachable(Protocol):
    """A contact as far as reaching it goes (domain Contact or the bulk ContactAddress)."""

    @property
    def id(self) -> int | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def telegram_user_id(self) -> int | None: ...
    @property
    def email_unreachable(self) -> bool: ...
    @property
    def telegram_unreachable(self) -> bool: ...
    @property
    def is_primary(self) -> bool: ...


def respondent_address(
    contacts: Sequence[Reachable], channels: Sequence[Channel | str]
) -> Address | None:
    """The first channel, in the harmonogram's order, the organisation can be reached on.

    One channel, never all of them: a respondent is reminded once a day (R6), and
    when that channel fails for good the dispatcher falls back to the other one.
    """
    ordered = contacts if len(contacts) < 2 else sorted(contacts, key=_primary_first)
    for channel in channels:
        for c in ordered:
            if channel == _TELEGRAM and c.telegram_user_id is not None:
                if not c.telegram_unreachable:
                    return Address(_TELEGRAM, str(c.telegram_user_id), c.id)
            elif channel == _EMAIL and c.email and not c.email_unreachable:
                return Address(_EMAIL, c.email, c.id)
    return None


def _primary_first(contact: Reachable) -> tuple[bool, int]:
    """Sort key: the primary contact first, then by id."""
    return (not contact.is_primary, contact.id or 0)


def staff_address(staff: Staff) -> Address:
    """A staff member's Telegram account when set, else their email."""
    if staff.telegram_id is not None:
        return Address("telegram", str(staff.telegram_id))
    return Address("email", staff.email)


class MissingCodes:
    """Codes of the required questions still unanswered, listed by reminders."""

    def __init__(self, catalog: CardCatalog) -> None:
        self.catalog = catalog
        self._untouched: dict[str, list[str]] = {}

    def _blank(self, card: str) -> list[str]:
        """What an untouched card misses (the same for every one: computed once)."""
        if card not in self._untouched:
            definition = self.catalog.get(card)
            self._untouched[card] = [q.code for q in missing_required(definition, {})]
        return self._untouched[card]

    def of(self, uow: UnitOfWork, rows: Collection[AssignmentOverview]) -> dict[int, list[str]]:
        """Missing codes per assignment; answers are read only for cards someone started."""
        # Every answering path (bot, email, paper) stamps started_at with the first answer.
        touched = [r.assignment_id for r in rows if r.started_at or r.last_activity_at]
        latest = uow.answers.latest_values(touched) if touched else {}
        result = {}
        for row in rows:
            values = latest.get(row.assignment_id)
            if values:
                card = self.catalog.get(row.card)
                missing = missing_required(card, _answers(card, values))
                result[row.assignment_id] = [q.code for q in missing]
            else:
                result[row.assignment_id] = list(self._blank(row.card))
        return result


def _answers(card: CardDefinition, latest: Mapping[str, Any]) -> dict[str, AnswerValue]:
    """Python values of the newest non-empty answers to the card's questions."""
    answers: dict[str, AnswerValue] = {}
    for question_id, data in latest.items():
        code = question_id.split(".", 1)[1] if "." in question_id else ""
        question = card.by_code(code)
        if question is not None and question.id == question_id and data is not None:
            answers[question_id] = from_json(question, data)
    return answers


def deadline_of(row: AssignmentOverview, plan: SessionPlan) -> date:
    """The deadline in force for the assignment (an extension wins)."""
    return row.extended_until or plan.session.deadline


def respondent_payload(
    planned: PlannedMessage,
    row: AssignmentOverview,
    plan: SessionPlan,
    address: Address,
    gminy: Mapping[str, str],
    missing: Sequence[str] | None,
) -> dict[str, Any]:
    """What an invitation, reminder or overdue notice needs to be rendered."""
    deadline = deadline_of(row, plan)
    payload: dict[str, Any] = {
        "assignment_id": row.assignment_id,
        "session": plan.session.name,
        "external_id": row.external_id,
        "organisation": row.organisation,
        "card": row.card,
        "teryt": row.teryt,
        "gmina": gminy.get(row.teryt),
        "deadline": deadline.isoformat(),
        "days_left": (deadline - planned.local_day).days,  # negative once overdue
        "reasons": list(planned.reasons),  # "missed:D-7": overtaken, listed, not dropped
        "contact_id": address.contact_id,
    }
    if missing is not None:
        payload["missing"] = list(missing)
    return payload


def late_entry(row: AssignmentOverview, plan: SessionPlan, today: date) -> dict[str, Any]:
    """One late assignment as a staff alert lists it."""
    deadline = deadline_of(row, plan)
    return {
        "assignment_id": row.assignment_id,
        "external_id": row.external_id,
        "organisation": row.organisation,
        "card": row.card,
        "channel": row.channel,
        "last_activity_at": row.last_activity_at.isoformat() if row.last_activity_at else None,
        "deadline": deadline.isoformat(),
        "days_late": (today - deadline).days,
    }


def staff_payload(
    planned: PlannedMessage,
    plan: SessionPlan,
    staff: Staff,
    entry: Callable[[int], dict[str, Any]] | None,
    gminy: Mapping[str, str],
    content: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A late-submission alert or digest: the late assignments grouped by gmina.

    `content` is staff_content(planned, entry, gminy) when the caller already built it
    (staff members with the same late assignments share it); else it is built here.
    """
    if content is None:
        assert entry is not None
        content = staff_content(planned, entry, gminy)
    return {"session": plan.session.name, "staff_id": staff.id, **content}


def staff_content(
    planned: PlannedMessage, entry: Callable[[int], dict[str, Any]], gminy: Mapping[str, str]
) -> dict[str, Any]:
    """What an alert or digest says, whoever gets it: the late assignments by gmina.

    Every gmina is named with its count; the assignments themselves are listed up to
    STAFF_LIST_LIMIT per message (`listed` says how many), the rest being a click away
    in the staff commands. `entry` gives an assignment's late_entry (shared by staff).
    """
    groups, room = [], STAFF_LIST_LIMIT
    for teryt, ids in planned.late_by_gmina:
        shown = [entry(int(i)) for i in ids[:room]]
        room -= len(shown)
        groups.append(
            {"teryt": teryt, "gmina": gminy.get(teryt), "late_count": len(ids),
             "assignments": shown}
        )  # fmt: skip
    return {
        "late_count": sum(len(ids) for _, ids in planned.late_by_gmina),
        "listed": STAFF_LIST_LIMIT - room,
        "new": [int(r.removeprefix("new:")) for r in planned.reasons if r.startswith("new:")],
        "gminy": groups,
    }


def outbox_message(
    planned: PlannedMessage,
    address: Address,
    payload: dict[str, Any],
    now: datetime,
    assignment_id: int | None = None,
) -> OutboxMessage:
    """The outbox row of a planned message, under the domain's dedupe key."""
    return OutboxMessage(
        channel=address.channel,
        recipient=address.recipient,
        kind=planned.kind,
        payload=payload,
        dedupe_key=planned.dedupe_key,
        next_attempt_at=planned.due_at,
        created_at=now,
        assignment_id=assignment_id,
    )
