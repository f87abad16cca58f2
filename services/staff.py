"""What Centrum staff ask the bot: late cards, progress, a reminder now, the latest reports.

Every answer is limited to the territories (TERYT prefixes) the staff member covers;
an account that is not registered staff gets nothing (channels.md, Staff in Telegram).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from domain.cards.catalog import CardCatalog
from domain.cards.model import CardKind
from domain.entities import MonitoringSession, OutboxMessage, SessionState, Staff
from domain.errors import NotAllowed
from domain.schedule import HarmonogramError
from services.card_state import local_date
from services.ports import AssignmentOverview, Clock, UnitOfWork, UnitOfWorkFactory
from services.schedule_facts import Calendars
from services.schedule_messages import MissingCodes, respondent_address
from services.sessions import find_organisation
from services.unit import with_retries


@dataclass(frozen=True)
class LateCard:
    """An unsubmitted assignment past its deadline."""

    session: str
    external_id: str
    organisation: str
    card: str
    channel: str
    deadline: date
    last_activity_at: datetime | None


@dataclass(frozen=True)
class GminaLate:
    """The late cards of one gmina."""

    teryt: str
    name: str
    cards: tuple[LateCard, ...]


@dataclass(frozen=True)
class Progress:
    """Coverage of one territory of a staff member in one session and card."""

    session: str
    territory: str
    name: str
    card: str
    assigned: int
    started: int
    submitted: int


@dataclass(frozen=True)
class Reminded:
    """One reminder `/przypomnij` asked for: queued, or already sent today."""

    card: str
    channel: str | None  # None: no working channel
    queued: bool


@dataclass(frozen=True)
class ReportFiles:
    """The latest Raport MP build of a session."""

    session: str
    build: str
    directory: str
    files: tuple[str, ...]


class StaffService:
    """Staff questions answered from the database, within their territories."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CardCatalog, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
        self.calendars = Calendars()
        self.missing = MissingCodes(catalog)

    def member(self, telegram_user_id: int) -> Staff | None:
        """The staff member with this Telegram account, if any."""
        with self.uow() as uow:
            return uow.staff.by_telegram_id(telegram_user_id)

    def late(self, staff: Staff) -> list[GminaLate]:
        """Late assignments of open sessions in the staff member's territories, by gmina."""
        today = local_date(self.clock.now())
        with self.uow() as uow:
            sessions, rows = _open_rows(uow, staff)
            names = _names(uow)
        groups: dict[str, list[LateCard]] = {}
        for row in rows:
            session = sessions[row.session_id]
            deadline = row.extended_until or session.deadline
            if row.submitted_at is None and today > deadline:
                groups.setdefault(row.teryt, []).append(_late_card(row, session, deadline))
        return [
            GminaLate(teryt, names.get(teryt, teryt), tuple(cards))
            for teryt, cards in sorted(groups.items())
        ]

    def progress(self, staff: Staff) -> list[Progress]:
        """Assigned, started and submitted cards per session, territory and card."""
        with self.uow() as uow:
            sessions, rows = _open_rows(uow, staff)
            names = _names(uow)
        counts: dict[tuple[str, str, str], list[int]] = {}
        for row in rows:
            territory = next(p for p in staff.territories if p == "PL" or row.teryt.startswith(p))
            key = (sessions[row.session_id].name, territory, row.card)
            entry = counts.setdefault(key, [0, 0, 0])
            entry[0] += 1
            entry[1] += row.started_at is not None or row.submitted_at is not None
            entry[2] += row.submitted_at is not None
        return [
            Progress(s, t, names.get(t, "cały kraj" if t == "PL" else t), card, *numbers)
            for (s, t, card), numbers in sorted(counts.items())
        ]

    def remind(self, staff: Staff, external_id: str) -> list[Reminded]:
        """Queue a reminder now for the organisation's unsubmitted cards (once a day each)."""

        def work(uow: UnitOfWork) -> list[Reminded]:
            org = find_organisation(uow, external_id.strip())
            if not staff.covers(org.teryt):
                raise _outside(external_id)
            sessions, rows = _open_rows(uow, staff)
            mine = [r for r in rows if r.organisation_id == org.id and r.submitted_at is None]
            if not mine:
                raise NotAllowed(
                    f"{org.name} nie ma niewysłanych kart w otwartych sesjach.",
                    f"{org.name} has no unsubmitted cards in open sessions.",
                )
            result = self._queue(uow, mine, sessions)
            uow.commit()
            return result

        return with_retries(self.uow, work)

    def reports(self) -> list[ReportFiles]:
        """The newest Raport MP build of each session (from the report messages queued)."""
        with self.uow() as uow:
            records = uow.outbox.records_since(("report",), datetime(2000, 1, 1, tzinfo=UTC))
            newest: dict[str, Any] = {}
            for record in sorted(records, key=lambda r: r.created_at):
                message = uow.outbox.get_by_key(record.dedupe_key)
                if message is not None:
                    newest[str(message.payload.get("session"))] = message.payload
        return [
            ReportFiles(s, str(p.get("build")), str(p.get("dir")), tuple(p.get("files") or ()))
            for s, p in sorted(newest.items())
        ]

    def _queue(
        self,
        uow: UnitOfWork,
        rows: Sequence[AssignmentOverview],
        sessions: dict[int, MonitoringSession],
    ) -> list[Reminded]:
        now = self.clock.now()
        contacts = uow.contacts.for_organisations({r.organisation_id for r in rows})
        missing = self.missing.of(uow, rows)
        result = []
        for row in rows:
            session = sessions[row.session_id]
            channels = self._channels(session, row.card)
            address = respondent_address(contacts.get(row.organisation_id, []), channels)
            if address is None:
                result.append(Reminded(row.card, None, False))
                continue
            payload = _payload(row, session, local_date(now), missing.get(row.assignment_id))
            payload["contact_id"] = address.contact_id
            message = _reminder(row.assignment_id, address.channel, address.recipient, payload, now)
            result.append(Reminded(row.card, address.channel, uow.outbox.add(message)))
        return result

    def _channels(self, session: MonitoringSession, card: str) -> Any:
        try:
            return self.calendars.plan(session).harmonogram.channels[CardKind(card)]
        except (HarmonogramError, KeyError):
            return ("telegram", "email")


def _outside(external_id: str) -> NotAllowed:
    return NotAllowed(
        f"Organizacja {external_id} nie leży na terytorium, za które Pan/Pani odpowiada.",
        f"Organisation {external_id} is outside the territories you cover.",
    )


def _open_rows(
    uow: UnitOfWork, staff: Staff
) -> tuple[dict[int, MonitoringSession], list[AssignmentOverview]]:
    """Open sessions and their assignments in the staff member's territories."""
    sessions = {s.id or 0: s for s in uow.sessions.all() if s.state == SessionState.OPEN}
    rows = [r for r in uow.assignments.overview(list(sessions)) if staff.covers(r.teryt)]
    return sessions, rows


def _names(uow: UnitOfWork) -> dict[str, str]:
    return {t.teryt: t.name for t in uow.territories.all()}


def _late_card(row: AssignmentOverview, session: MonitoringSession, deadline: date) -> LateCard:
    return LateCard(
        session.name, row.external_id, row.organisation, row.card, row.channel, deadline,
        row.last_activity_at,
    )  # fmt: skip


def _reminder(
    assignment_id: int, channel: str, recipient: str, payload: dict[str, Any], now: datetime
) -> OutboxMessage:
    """A reminder due now, under the scheduler's key for the day (R6: once a day)."""
    return OutboxMessage(
        channel=channel,
        recipient=recipient,
        kind="reminder",
        payload=payload,
        dedupe_key=f"reminder:{assignment_id}:{local_date(now).isoformat()}",
        next_attempt_at=now,
        created_at=now,
        assignment_id=assignment_id,
    )


def _payload(
    row: AssignmentOverview, session: MonitoringSession, today: date, missing: list[str] | None
) -> dict[str, Any]:
    """The reminder payload the scheduler writes (services.schedule_messages)."""
    deadline = row.extended_until or session.deadline
    return {
        "assignment_id": row.assignment_id,
        "session": session.name,
        "external_id": row.external_id,
        "organisation": row.organisation,
        "card": row.card,
        "teryt": row.teryt,
        "deadline": deadline.isoformat(),
        "days_left": (deadline - today).days,
        "reasons": ["manual"],
        "missing": list(missing or []),
    }
