"""`kartomat schedule preview`: what the scheduler will send from a moment on, if nothing changes.

The preview runs the same domain rules as the tick: first what a tick at the next duty
moment would send (a catch-up after downtime included), then the planned timeline
after it. For staff it shows the alerts at the moments assignments become late and
the first digest of the daily series that follows (one line, not one per day).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.entities import Staff
from domain.schedule import (
    AssignmentFacts,
    LateAssignment,
    PlannedMessage,
    SentRecord,
    due_now,
    late_from,
    plan_assignment,
    staff_alerts_due,
)
from domain.schedule.calendar import local_datetime
from services.ports import AssignmentOverview
from services.schedule_facts import SessionPlan, staff_recipient
from services.schedule_messages import (
    Address,
    Reachable,
    deadline_of,
    respondent_address,
    staff_address,
)


@dataclass(frozen=True)
class PreviewItem:
    """One message the scheduler plans to send."""

    external_id: str | None  # None for staff messages
    card: str | None
    kind: str
    due_at: datetime
    channel: str | None  # None: no working channel (the tick will report it unreachable)
    recipient: str | None

    def as_json(self) -> dict[str, Any]:
        """The JSON object `schedule preview --json` prints."""
        return {
            "external_id": self.external_id,
            "card": self.card,
            "kind": self.kind,
            "due_at": self.due_at.isoformat(),
            "channel": self.channel,
            "recipient": self.recipient,
        }


def assignment_timeline(
    facts: AssignmentFacts, plan: SessionPlan, at: datetime
) -> list[PlannedMessage]:
    """The assignment's messages from `at` on: a tick's catch-up first, then the plan."""
    calendar, harmonogram = plan.calendar, plan.harmonogram
    first_at = calendar.next_window_start(at)
    caught = [
        PlannedMessage(m.kind, m.recipient_id, max(m.due_at, first_at), m.local_day, m.reasons)
        for m in due_now(facts, calendar, harmonogram, first_at)
    ]
    days = [day for kind, day in facts.sent] + [m.local_day for m in caught]
    last = max(days, default=None)
    later = [
        m
        for m in plan_assignment(facts, calendar, harmonogram)
        if m.due_at > first_at and (last is None or m.local_day > last)
    ]
    return caught + later


def respondent_items(
    row: AssignmentOverview,
    facts: AssignmentFacts,
    plan: SessionPlan,
    contacts: Sequence[Reachable],
    at: datetime,
) -> list[PreviewItem]:
    """Preview lines of one assignment."""
    items = []
    for m in assignment_timeline(facts, plan, at):
        channels = plan.harmonogram.channels.get(facts.card, ())
        address = respondent_address(contacts, channels)
        items.append(_item(row.external_id, row.card, m.kind, m.due_at, address))
    return items


def staff_items(
    rows: Sequence[AssignmentOverview],
    plan: SessionPlan,
    staff: Sequence[Staff],
    sent: Mapping[str, frozenset[SentRecord]],
    at: datetime,
) -> list[PreviewItem]:
    """Preview lines of the staff: alerts as assignments become late, then the digest."""
    calendar = plan.calendar
    first_at = calendar.next_window_start(at)
    open_rows = [r for r in rows if r.submitted_at is None]
    items = []
    for member in staff:
        mine = [r for r in open_rows if member.covers(r.teryt)]
        if not mine:
            continue
        key = staff_recipient(plan.session.id or 0, member.id or 0)
        late = {r.teryt: [] for r in mine}  # type: dict[str, list[LateAssignment]]
        for r in mine:
            late[r.teryt].append(LateAssignment(str(r.assignment_id), deadline_of(r, plan)))
        now_due = staff_alerts_due({key: late}, first_at, calendar, plan.harmonogram, sent)
        moments: list[tuple[str, datetime]] = [(m.kind, max(m.due_at, first_at)) for m in now_due]
        late_now = any(first_at >= late_from(deadline_of(r, plan), calendar.tz) for r in mine)
        if late_now and not moments:
            moments.append(("digest", _next_digest(plan, first_at, sent.get(key, frozenset()))))
        moments += _future_alerts(mine, plan, first_at)
        address = staff_address(member)
        items += [
            _item(None, None, kind, when, address) for kind, when in _with_digest(moments, plan)
        ]
    return items


def _future_alerts(
    rows: Sequence[AssignmentOverview], plan: SessionPlan, after: datetime
) -> list[tuple[str, datetime]]:
    """One staff alert per day on which some of the rows become late after `after` (S1)."""
    calendar = plan.calendar
    by_day: dict[date, datetime] = {}
    for row in rows:
        moment = calendar.next_window_start(late_from(deadline_of(row, plan), calendar.tz))
        day = moment.date()
        if moment > after and (day not in by_day or moment < by_day[day]):
            by_day[day] = moment
    return [("staff_alert", moment) for _, moment in sorted(by_day.items())]


def _next_digest(plan: SessionPlan, after: datetime, sent: frozenset[SentRecord]) -> datetime:
    """The next digest moment after `after` on a working day with no staff message yet (S2)."""
    calendar = plan.calendar
    day = calendar.previous_working_day_on_or_before(after.date())
    while True:
        digest_at = local_datetime(day, plan.harmonogram.staff_digest_time, calendar.tz)
        if digest_at >= after and all(sent_day != day for _, sent_day in sent):
            return digest_at
        day = calendar.next_working_day_after(day)


def _with_digest(
    moments: list[tuple[str, datetime]], plan: SessionPlan
) -> list[tuple[str, datetime]]:
    """The moments plus the first digest after the first alert, on a day with no alert (S2)."""
    if not moments or any(kind == "digest" for kind, _ in moments):
        return moments
    calendar = plan.calendar
    alert_days = {when.date() for _, when in moments}
    day = calendar.next_working_day_after(min(alert_days))
    while day in alert_days:
        day = calendar.next_working_day_after(day)
    digest_at = local_datetime(day, plan.harmonogram.staff_digest_time, calendar.tz)
    return [*moments, ("digest", digest_at)]


def _item(
    external_id: str | None, card: str | None, kind: str, due_at: datetime, address: Address | None
) -> PreviewItem:
    """A preview line, in the harmonogram's time zone."""
    return PreviewItem(
        external_id,
        card,
        kind,
        due_at,
        address.channel if address else None,
        address.recipient if address else None,
    )
