"""From database rows to the schedule domain's facts: harmonograms, calendars, what went.

"What already went" is read from the outbox rows themselves, whatever their status:
a queued message counts as handled (the dispatcher will deliver it), and so does one
cancelled by a submission or a failed one (the dispatcher fell back and told staff).
The day a message counts for is the date in its dedupe key (the domain's
`kind:recipient:YYYY-MM-DD`), so a reminder caught up after downtime counts for the
day it went, not the day it was planned for.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from domain.cards.model import CardKind
from domain.entities import MonitoringSession
from domain.errors import UserError
from domain.schedule import (
    AssignmentFacts,
    Harmonogram,
    HarmonogramError,
    SentRecord,
    WorkCalendar,
    load_harmonogram,
)
from domain.schedule.calendar import local_datetime
from services.ports import AssignmentOverview, OutboxRecord, SentDay

log = logging.getLogger(__name__)

ASSIGNMENT_KINDS = ("invitation", "reminder", "overdue")
STAFF_KINDS = ("staff_alert", "digest")


@dataclass(frozen=True)
class SessionPlan:
    """An open session with its validated harmonogram and working-day calendar."""

    session: MonitoringSession
    harmonogram: Harmonogram
    calendar: WorkCalendar

    @property
    def opens_on(self) -> date:
        """The day invitations can go: the opening day, or the day staff opened it if later."""
        session, calendar = self.session, self.calendar
        opened = calendar.local_day(session.opened_at) if session.opened_at else session.opens
        return min(max(session.opens, opened), session.deadline)


class Calendars:
    """Harmonograms and calendars per session, rebuilt when the harmonogram changes.

    Derived data only (a restart rebuilds it); kept because a calendar memoises
    holidays and plan timelines, which is what makes a 25,000-assignment tick cheap.
    """

    def __init__(self) -> None:
        self._plans: dict[tuple[int, str], SessionPlan] = {}
        self._lock = threading.Lock()  # the bot may report problems while a tick runs

    def plan(self, session: MonitoringSession) -> SessionPlan:
        """The session's plan; HarmonogramError when its stored harmonogram is invalid."""
        key = (session.id or 0, json.dumps(session.harmonogram, sort_keys=True, default=str))
        with self._lock:
            found = self._plans.get(key)
            if found is None:
                harmonogram = load_harmonogram(session.harmonogram)
                found = SessionPlan(session, harmonogram, WorkCalendar(harmonogram))
                self._plans = {k: v for k, v in self._plans.items() if k[0] != key[0]}
                self._plans[key] = found
        # The session row itself may have changed since (closed_at, opened_at).
        return SessionPlan(session, found.harmonogram, found.calendar)

    def plans(self, sessions: Iterable[MonitoringSession]) -> dict[int, SessionPlan]:
        """Plans of the sessions whose harmonogram is valid; the others are logged, skipped."""
        plans = {}
        for session in sessions:
            try:
                plans[session.id or 0] = self.plan(session)
            except HarmonogramError as error:
                log.error("session %s skipped: %s", session.name, error)
        return plans


def key_parts(record: OutboxRecord) -> tuple[str, date | None]:
    """The recipient id and the day of a scheduler dedupe key (None: not one of ours)."""
    parts = record.dedupe_key.split(":")
    if len(parts) < 3:
        return "", None
    try:
        return parts[1], date.fromisoformat(parts[2])
    except ValueError:
        return parts[1], None


def assignment_sent(
    days: Iterable[SentDay], tz_of: Callable[[int], tzinfo]
) -> dict[int, frozenset[SentRecord]]:
    """(kind, latest day) of the invitations, reminders and overdue notices per assignment.

    The latest day of each kind is all the rules need (was there an invitation, and
    the last day anything went: R6, R8). `tz_of` gives the time zone of an
    assignment's session, for a key without a date (then the day it was queued counts).
    Equal sets are shared: thousands of assignments got the same messages.
    """
    sent: dict[int, list[SentRecord]] = {}
    for aid, kind, day, created_at in days:
        if kind in ASSIGNMENT_KINDS:
            if day is None:
                assert created_at is not None
                day = created_at.astimezone(tz_of(aid)).date()
            entry: SentRecord = (kind, day)  # type: ignore[assignment]
            found = sent.get(aid)
            if found is None:
                sent[aid] = [entry]
            else:
                found.append(entry)
    shared: dict[frozenset[SentRecord], frozenset[SentRecord]] = {}
    result = {}
    for aid, records in sent.items():
        frozen = frozenset(records)
        result[aid] = shared.setdefault(frozen, frozen)  # one object, its hash computed once
    return result


def staff_recipient(session_id: int, staff_id: int) -> str:
    """The domain's recipient id of one staff member's messages about one session."""
    # Per session: two open sessions can have different harmonograms (digest times).
    return f"session{session_id}-staff{staff_id}"


def staff_sent(records: Iterable[OutboxRecord], tz: tzinfo) -> dict[str, frozenset[SentRecord]]:
    """(kind, day) of the alerts and digests each staff recipient id got."""
    sent: dict[str, set[SentRecord]] = {}
    for record in records:
        recipient, day = key_parts(record)
        if record.kind in STAFF_KINDS and day is not None:
            entry: SentRecord = (record.kind, day)  # type: ignore[assignment]
            sent.setdefault(recipient, set()).add(entry)
    return {r: frozenset(s) for r, s in sent.items()}


def facts_of(
    row: AssignmentOverview, plan: SessionPlan, sent: dict[int, frozenset[SentRecord]]
) -> AssignmentFacts:
    """The domain's facts of one assignment."""
    return AssignmentFacts(
        assignment_id=str(row.assignment_id),
        opens_on=plan.opens_on,
        deadline=plan.session.deadline,
        card=CardKind(row.card),
        extended_until=row.extended_until,
        submitted_at=row.submitted_at,
        sent=sent.get(row.assignment_id, frozenset()),
        closed_at=plan.session.closed_at,
    )


def validated_harmonogram(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """The harmonogram settings as given, once they validate; a Polish error listing problems."""
    try:
        load_harmonogram(raw or {})
    except HarmonogramError as error:
        problems = "; ".join(error.problems)
        raise UserError(
            f"Harmonogram jest niepoprawny – popraw plik i spróbuj ponownie. Błędy: {problems}",
            f"The harmonogram is invalid: {problems}",
        ) from error
    return dict(raw or {})


def invitation_moment(session: MonitoringSession, now: datetime) -> datetime:
    """When a session's invitations go: its first duty window at or after it opens (R2)."""
    calendar = WorkCalendar(load_harmonogram(session.harmonogram))
    start = local_datetime(session.opens, time(0), calendar.tz)
    return calendar.next_window_start(max(now, start))
