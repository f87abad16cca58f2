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
from services.schedule_messages import (
    late_entry,
    outbox_message,
    staff_address,
    staff_content,
    staff_payload,
)

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
    # S2, one staff message a day: who got today's is not asked again this tick, and
    # when nobody is waiting (most ticks of the day) the late ones are not even grouped.
    waiting: dict[int, dict[str, Staff]] = {}
    sent: dict[int, dict[str, frozenset[SentRecord]]] = {}
    for sid, plan in plans.items():
        sent[sid] = staff_sent(records, plan.calendar.tz)
        today = plan.calendar.local_day(now)
        members = {staff_recipient(sid, m.id or 0): m for m in staff}
        waiting[sid] = {
            k: m for k, m in members.items() if not _got(sent[sid].get(k, frozenset()), today)
        }
    if not any(waiting.values()):
        return []
    due: list[StaffDue] = []
    for sid, by_gmina in _late_by_session(rows, plans, now).items():
        if not waiting[sid]:
            continue
        plan = plans[sid]
        groups = _coverage(waiting[sid], by_gmina)
        wanted = {key: found for key, found in groups.items() if found}
        for planned in staff_alerts_due(wanted, now, plan.calendar, plan.harmonogram, sent[sid]):
            due.append((plan, waiting[sid][planned.recipient_id], planned))
    return due


def _got(sent: frozenset[SentRecord], today: date) -> bool:
    """Whether an alert or digest already went today."""
    return any(day == today for _, day in sent)


def staff_messages(
    due: list[StaffDue],
    rows: Sequence[AssignmentOverview],
    now: datetime,
    gminy: Mapping[str, str],
) -> list[OutboxMessage]:
    """Outbox rows of the due alerts and digests, to each staff member's own channel.

    Staff members with the same late assignments (those covering the same territory,
    the four national ones above all) share one content: it is built once.
    """
    if not due:
        return []
    entries = _Entries({r.assignment_id: r for r in rows})
    contents: dict[tuple[object, ...], dict[str, Any]] = {}
    messages = []
    for plan, member, planned in due:
        key = (plan.session.id, planned.local_day, planned.late_by_gmina, planned.reasons)
        content = contents.get(key)
        if content is None:
            entry = entries.for_day(plan, planned.local_day)
            content = contents[key] = staff_content(planned, entry, gminy)
        payload = staff_payload(planned, plan, member, entry=None, gminy=gminy, content=content)
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
    # (session, extension) → the deadline in force when it is past, else None: a handful.
    past: dict[tuple[int, date | None], date | None] = {}
    for row in rows:
        if row.submitted_at is not None:
            continue
        key = (row.session_id, row.extended_until)
        if key not in past:
            plan = plans[row.session_id]
            in_force = row.extended_until or plan.session.deadline
            past[key] = in_force if now >= late_from(in_force, plan.calendar.tz) else None
        deadline = past[key]
        if deadline is not None:
            by_gmina = late.get(row.session_id)
            if by_gmina is None:
                by_gmina = late[row.session_id] = {}
            entry = LateAssignment(str(row.assignment_id), deadline)
            group = by_gmina.get(row.teryt)
            if group is None:
                by_gmina[row.teryt] = [entry]
            else:
                group.append(entry)
    return late


def _coverage(waiting: Mapping[str, Staff], by_gmina: LateByGmina) -> dict[str, LateByGmina]:
    """The gminy of each staff member's territories (TERYT prefixes, "PL" for all).

    Staff.covers, by lookup: each gmina code's prefixes of the lengths the staff use
    are looked up in an index, instead of every staff member tried on every gmina.
    Everyone gets the same group objects, which the domain shares work on.
    """
    covered: dict[str, LateByGmina] = {key: {} for key in waiting}
    by_prefix: dict[str, list[str]] = {}
    for key, member in waiting.items():
        if "PL" in member.territories:
            covered[key] = dict(by_gmina)
            continue
        for prefix in member.territories:
            by_prefix.setdefault(prefix, []).append(key)
    lengths = sorted({len(prefix) for prefix in by_prefix})
    for teryt, group in by_gmina.items():
        for n in lengths:
            for key in by_prefix.get(teryt[:n], ()):
                covered[key][teryt] = group
    return covered
