"""Late-submission alerts and the daily digest for Centrum staff (rules S1–S4).

Each staff member gets, per open session, one message a day at most: an alert when
assignments of their territories become late, then a digest while any stay late.
The recipient id carries the session, because two open sessions may have different
harmonograms (digest times, duty hours).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time

from domain.entities import OutboxMessage, Staff
from domain.schedule import LateAssignment, PlannedMessage, late_from, staff_alerts_due
from domain.schedule.calendar import local_datetime
from services.ports import AssignmentOverview, UnitOfWork
from services.schedule_facts import STAFF_KINDS, SessionPlan, staff_recipient, staff_sent
from services.schedule_messages import outbox_message, staff_address, staff_payload

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
    late = _late_by_session(rows, plans, now)
    if not staff or not late:
        return []
    since = min(opening_midnight(plans[sid]) for sid in late)
    records = uow.outbox.records_since(STAFF_KINDS, since)
    due: list[StaffDue] = []
    for sid, by_gmina in late.items():
        plan = plans[sid]
        by_staff = {staff_recipient(sid, m.id or 0): (m, _covered(m, by_gmina)) for m in staff}
        wanted = {key: groups for key, (_, groups) in by_staff.items() if groups}
        sent = staff_sent(records, plan.calendar.tz)
        for planned in staff_alerts_due(wanted, now, plan.calendar, plan.harmonogram, sent):
            due.append((plan, by_staff[planned.recipient_id][0], planned))
    return due


def staff_messages(
    uow: UnitOfWork, due: list[StaffDue], rows: Sequence[AssignmentOverview], now: datetime
) -> list[OutboxMessage]:
    """Outbox rows of the due alerts and digests, to each staff member's own channel."""
    if not due:
        return []
    by_id = {r.assignment_id: r for r in rows}
    gminy = gmina_names(uow)
    messages = []
    for plan, member, planned in due:
        payload = staff_payload(planned, plan, member, by_id, gminy)
        messages.append(outbox_message(planned, staff_address(member), payload, now))
    return messages


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
    for row in rows:
        if row.submitted_at is not None:
            continue
        plan = plans[row.session_id]
        deadline = row.extended_until or plan.session.deadline
        if now >= late_from(deadline, plan.calendar.tz):
            entry = LateAssignment(str(row.assignment_id), deadline)
            late.setdefault(row.session_id, {}).setdefault(row.teryt, []).append(entry)
    return late


def _covered(member: Staff, by_gmina: LateByGmina) -> LateByGmina:
    """The gminy of a staff member's territories (TERYT prefixes, "PL" for all)."""
    return {teryt: group for teryt, group in by_gmina.items() if member.covers(teryt)}
