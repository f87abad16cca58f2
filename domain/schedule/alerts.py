"""Staff-facing messages: late-submission alerts, the daily digest, transmission problems.

Rules (channels.md "Scheduler", domain.md "Transmission problem"):
S1  A staff member whose territories have late assignments gets one alert at the first
    duty window after the deadline, listing the late assignments grouped by gmina.
S2  Then a digest every working day at staff_digest_time while any stay late; none on a
    day the staff member already got an alert or digest (one staff message a day).
S3  An assignment is "new" to a staff member if its first alert moment comes after the
    last day an alert went to them (an extension that runs out again makes it new).
S4  A missed alert goes at the next duty moment; a missed digest is overtaken by the
    next day's. Nothing goes outside duty hours.
S5  A transmission problem reaches staff at once within duty hours, else at the next
    duty window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from domain.schedule.calendar import WorkCalendar, local_datetime
from domain.schedule.harmonogram import Harmonogram
from domain.schedule.messages import GminaLate, PlannedMessage, SentRecord
from domain.schedule.plan import late_from

_DAY = timedelta(days=1)

# staff id → gmina TERYT code → that gmina's late assignments in the staff's territories
LateByStaff = Mapping[str, Mapping[str, Sequence["LateAssignment"]]]


@dataclass(frozen=True, slots=True)
class LateAssignment:
    """An unsubmitted assignment past its deadline, as a staff alert lists it."""

    assignment_id: str
    deadline: date  # the deadline that counts (the extension, if any)


def _alert_moment(deadline: date, calendar: WorkCalendar) -> datetime:
    """The first duty moment at or after lateness begins (S1)."""
    return calendar.cached(
        ("alert", deadline),
        lambda: calendar.next_window_start(late_from(deadline, calendar.tz)),
    )


def _groups(by_gmina: Mapping[str, Sequence[LateAssignment]]) -> tuple[GminaLate, ...]:
    """Late assignment ids grouped by gmina, both sorted, empty gminy left out."""
    return tuple(
        (gmina, tuple(sorted(a.assignment_id for a in late)))
        for gmina, late in sorted(by_gmina.items())
        if late
    )


def _staff_message(
    staff_id: str,
    late: list[LateAssignment],
    sent: Set[SentRecord],
    now: datetime,
    calendar: WorkCalendar,
    digest_time: time,
) -> PlannedMessage | None:
    """The alert or digest one staff member must get at `now`, if any (S1–S4)."""
    today = calendar.local_day(now)
    if any(day == today for kind, day in sent if kind in ("staff_alert", "digest")):
        return None  # S2: one staff message a day
    last_alert = max((day for kind, day in sent if kind == "staff_alert"), default=None)
    moments = {a.assignment_id: _alert_moment(a.deadline, calendar) for a in late}
    new = sorted(i for i, at in moments.items() if last_alert is None or at.date() > last_alert)
    if new:  # S1, S3
        first = min(moments[i] for i in new)
        return PlannedMessage("staff_alert", staff_id, first, today, tuple(f"new:{i}" for i in new))
    digest_at = local_datetime(today, digest_time, calendar.tz)
    if now < digest_at:
        return None  # S4: yesterday's missed digest is overtaken by today's
    return PlannedMessage("digest", staff_id, digest_at, today)


def staff_alerts_due(
    late: LateByStaff,
    now: datetime,
    calendar: WorkCalendar,
    harmonogram: Harmonogram,
    sent: Mapping[str, Set[SentRecord]],
) -> list[PlannedMessage]:
    """The alerts and digests a tick at `now` must enqueue, at most one per staff member.

    `calendar` is WorkCalendar(harmonogram); `sent` maps staff ids to what they got.
    """
    if not calendar.in_duty_hours(now):
        return []  # S4
    digest_time = harmonogram.staff_digest_time
    messages = []
    for staff_id, by_gmina in sorted(late.items()):
        # Only assignments already late at `now` count, whatever the caller passed.
        still_late = {
            gmina: [a for a in group if now >= late_from(a.deadline, calendar.tz)]
            for gmina, group in by_gmina.items()
        }
        flat = [a for group in still_late.values() for a in group]
        if not flat:
            continue  # S2: the digest stops when none are late
        staff_sent = sent.get(staff_id, frozenset())
        message = _staff_message(staff_id, flat, staff_sent, now, calendar, digest_time)
        if message is not None:
            messages.append(replace(message, late_by_gmina=_groups(still_late)))
    return messages


def problem_alert_due_at(reported_at: datetime, calendar: WorkCalendar) -> datetime:
    """When staff must hear of a reported transmission problem (S5)."""
    return calendar.next_window_start(reported_at)
