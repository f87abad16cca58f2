"""Late-submission alerts and the daily digest for Centrum staff (rules S1–S4).

Each staff member gets, per open session, one message a day at most: an alert when
assignments of their territories become late, then a digest while any stay late.
The recipient id carries the session, because two open sessions may have different
harmonograms (digest times, duty hours).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from domain.entities import OutboxMessage, Staff
from domain.schedule import LateAssignment, PlannedMessage, SentRecord, late_from, staff_alerts_due
from domain.schedule.calendar import local_datetime
from services.ports import AssignmentOverview, UnitOfWork
from services.schedule_facts import STAFF_KINDS, SessionPlan, staff_recipient, staff_sent
from services.schedule_messages import late_entry, outbox_message, staff_address, staff_payload

LateByGmina = dict[str, list[LateAssignment]]
StaffDue = tuple[SessionPlan, Staff, PlannedMessage]


def staff_alerts(
    uow: UnitOfWork,
    rows: Sequence[AssignmentOverview],
    plans: Mapping[int, SessionPlan],
    now: datetime,
) -> list[StaffDue]:
    """Alerts and digests due now, per session and staff member."""
    staff = uow.staff.all()
    if not staff:
        return []
    since = min(opening_midnight(plan) for plan in plans.values())
    records = uow.outbox.records_since(STAFF_KINDS, since)
    due: list[StaffDue] = []
    for sid, by_gmina in _late_by_session(rows, plans, now).items():
        plan = plans[sid]
        sent = staff_sent(records, plan.calendar.tz)
        today = plan.calendar.local_day(now)
        waiting = {staff_recipient(sid, m.id or 0): m for m in staff}
        # S2, one staff message a day: who got today's is not asked again this tick.
        waiting = {k: m for k, m in waiting.items() if not _got(sent.get(k, frozenset()), today)}
        groups = {key: _covered(m, by_gmina) for key, m in waiting.items()}
        wanted = {key: found for key, found in groups.items() if found}
        for planned in staff_alerts_due(wanted, now, plan.calendar, plan.harmonogram, sent):
            due.append((plan, waiting[planned.recipient_id], planned))
    return due


def _got(sent: frozenset[SentRecord], today: date) -> bool:
    """Whether an alert or digest already went today."""
    return any(day == today for _, day in sent)


def staff_messages(
    uow: UnitOfWork, due: list[StaffDue], rows: Sequence[AssignmentOverview], now: datetime
) -> list[OutboxMessage]:
    """Outbox rows of the due alerts and digests, to each staff member's own channel."""
    if not due:
        return []
    entries = _Entries({r.assignment_id: r for r in rows})
    gminy = gmina_names(uow)
    messages = []
    for plan, member, planned in due:
        entry = entries.for_day(plan, planned.local_day)
        payload = staff_payload(planned, plan, member, entry, gminy)
        messages.append(outbox_message(planned, staff_address(member), payload, now))
    return messages


class _Entries:
    """Late entries built once per assignment and shared by every staff payload listing it."""

    def __init__(self, rows: Mapping[int, AssignmentOverview]) -> None:
        self.rows = rows
        self.built: dict[tuple[date, int], dict[str, Any]] = {}

    def for_day(self, plan: SessionPlan, day: date) -> Callable[[int], dict[str, Any]]:
        """The entry of an assignment of this plan's session, as listed on that day."""

        def entry(assignment_id: int) -> dict[str, Any]:
            key = (day, assignment_id)
            if key not in self.built:
                self.built[key] = late_entry(self.rows[assignment_id], plan, day)
            return self.built[key]

        return entry


def opening_midnight(plan: SessionPlan) -> datetime:
    """00:00 of the opening day: no staff message about the session is older."""
    return local_datetime(plan.session.opens, time(0), plan.calendar.tz)


def gmina_names(uow: UnitOfWork) -> dict[str, str]:
    """Territory names by TERYT code (a few thousand rows, read only when messages go)."""
    return {t.teryt: t.name for t in uow.territories.all()}


def _late_by_session(
    rows: Sequence[AssignmentOverview], plans: Mapping[int, SessionPlan], now: datetime
) -> dict[int, LateByGmina]:
    """Unsubmitted assignments past their deadline (R1), per session and gmina."""
    late: dict[int, LateByGmina] = {}
    late_since: dict[tuple[int, date], datetime] = {}  # a handful of distinct deadlines
    for row in rows:
        if row.submitted_at is not None:
            continue
        plan = plans[row.session_id]
        deadline = row.extended_until or plan.session.deadline
        key = (row.session_id, deadline)
        if key not in late_since:
            late_since[key] = late_from(deadline, plan.calendar.tz)
        if now >= late_since[key]:
            entry = LateAssignment(str(row.assignment_id), deadline)
            late.setdefault(row.session_id, {}).setdefault(row.teryt, []).append(entry)
    return late


def _covered(member: Staff, by_gmina: LateByGmina) -> LateByGmina:
    """The gminy of a staff member's territories (TERYT prefixes, "PL" for all)."""
    return {teryt: group for teryt, group in by_gmina.items() if member.covers(teryt)}
