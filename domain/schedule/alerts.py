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
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from domain.schedule.calendar import WorkCalendar, local_datetime
from domain.schedule.harmonogram import Harmonogram
from domain.schedule.messages import GminaLate, PlannedMessage, SentRecord
from domain.schedule.plan import late_from

_DAY = timedelta(days=1)

# gmina TERYT code → that gmina's late assignments
LateGroups = Mapping[str, Sequence["LateAssignment"]]
# staff id → the late assignments of the staff member's territories, by gmina
LateByStaff = Mapping[str, LateGroups]


class LateAssignment(NamedTuple):
    """An unsubmitted assignment past its deadline, as a staff alert lists it.

    A named tuple: a tick builds one per late assignment (22,500 in bench/schedule.py).
    """

    assignment_id: str
    deadline: date  # the deadline that counts (the extension, if any)


def _alert_moment(deadline: date, calendar: WorkCalendar) -> datetime:
    """The first duty moment at or after lateness begins (S1)."""
    return calendar.cached(
        ("alert", deadline),
        lambda: calendar.next_window_start(late_from(deadline, calendar.tz)),
    )


def _staff_message(
    staff_id: str,
    today: date,
    new: tuple[str, ...],
    first: datetime | None,
    now: datetime,
    calendar: WorkCalendar,
    digest_time: time,
) -> PlannedMessage | None:
    """The alert or digest one staff member must get at `now`, if any (S1–S4).

    `new` are the sorted ids of the staff member's late assignments that are new to
    them (S3), `first` the earliest alert moment among those.
    """
    if new:  # S1, S3
        assert first is not None
        return PlannedMessage("staff_alert", staff_id, first, today, tuple(f"new:{i}" for i in new))
    digest_at = local_datetime(today, digest_time, calendar.tz)
    if now < digest_at:
        return None  # S4: yesterday's missed digest is overtaken by today's
    return PlannedMessage("digest", staff_id, digest_at, today)


class _Grouping:
    """What one call works out once and every staff member shares.

    Staff members covering the same territory are handed the very same gmina groups
    (twenty staff, four of them for the whole country: 112,500 (staff, assignment)
    pairs over 22,500 assignments at 25,000 assignments, see bench/schedule.py). Each
    group is filtered once, each distinct set of groups is flattened, grouped and
    sorted once, and lateness and alert moments are computed once per deadline.
    Memoised by object identity, which holds only while `late` is alive (this call).
    """

    def __init__(self, now: datetime, calendar: WorkCalendar) -> None:
        self.now, self.calendar = now, calendar
        self._late: dict[date, bool] = {}
        self._moments: dict[date, datetime] = {}
        self._still: dict[int, tuple[Sequence[LateAssignment], list[LateAssignment]]] = {}
        self._ids: dict[int, tuple[str, ...]] = {}
        self._staff: dict[tuple[object, ...], tuple[tuple[GminaLate, ...], bool]] = {}
        self._new: dict[tuple[object, ...], tuple[tuple[str, ...], datetime | None]] = {}

    def still_late(self, group: Sequence[LateAssignment]) -> list[LateAssignment]:
        """The group's assignments already late at `now`, whatever the caller passed."""
        found = self._still.get(id(group))
        if found is None:
            late = self._late
            for a in group:
                if a.deadline not in late:
                    late[a.deadline] = self.now >= late_from(a.deadline, self.calendar.tz)
            found = self._still[id(group)] = (group, [a for a in group if late[a.deadline]])
        return found[1]

    def groups(self, key: tuple[object, ...], by_gmina: LateGroups) -> tuple[GminaLate, ...]:
        """Late assignment ids grouped by gmina, both sorted, empty gminy left out."""
        found = self._staff.get(key)
        if found is None:
            groups = tuple(
                (gmina, self._sorted_ids(group))
                for gmina, group in sorted(by_gmina.items())
                if self.still_late(group)
            )
            found = self._staff[key] = (groups, bool(groups))
        return found[0]

    def _sorted_ids(self, group: Sequence[LateAssignment]) -> tuple[str, ...]:
        ids = self._ids.get(id(group))
        if ids is None:
            ids = self._ids[id(group)] = tuple(
                sorted(a.assignment_id for a in self.still_late(group))
            )
        return ids

    def moment(self, deadline: date) -> datetime:
        """The first duty moment at or after lateness begins (S1)."""
        found = self._moments.get(deadline)
        if found is None:
            found = self._moments[deadline] = _alert_moment(deadline, self.calendar)
        return found

    def new(
        self, key: tuple[object, ...], by_gmina: LateGroups, last_alert: date | None
    ) -> tuple[tuple[str, ...], datetime | None]:
        """Sorted ids new to a staff member whose last alert was on `last_alert` (S3)."""
        found = self._new.get((key, last_alert))
        if found is None:
            moments = {
                a.assignment_id: self.moment(a.deadline)
                for group in by_gmina.values()
                for a in self.still_late(group)
            }
            new = tuple(
                sorted(
                    i for i, at in moments.items() if last_alert is None or at.date() > last_alert
                )
            )
            first = min((moments[i] for i in new), default=None)
            found = self._new[(key, last_alert)] = (new, first)
        return found


def staff_alerts_due(
    late: LateByStaff,
    now: datetime,
    calendar: WorkCalendar,
    harmonogram: Harmonogram,
    sent: Mapping[str, Set[SentRecord]],
) -> list[PlannedMessage]:
    """The alerts and digests a tick at `now` must enqueue, at most one per staff member.

    `calendar` is WorkCalendar(harmonogram); `sent` maps staff ids to what they got.
    Staff members may share gmina group objects (and should: see _Grouping).
    """
    if not calendar.in_duty_hours(now):
        return []  # S4
    digest_time = harmonogram.staff_digest_time
    today = calendar.local_day(now)
    shared = _Grouping(now, calendar)
    messages = []
    for staff_id, by_gmina in sorted(late.items()):
        key = tuple((gmina, id(group)) for gmina, group in by_gmina.items())
        groups = shared.groups(key, by_gmina)
        if not groups:
            continue  # S2: the digest stops when none are late
        staff_sent = sent.get(staff_id, frozenset())
        if any(day == today for kind, day in staff_sent if kind in ("staff_alert", "digest")):
            continue  # S2: one staff message a day
        last_alert = max((day for kind, day in staff_sent if kind == "staff_alert"), default=None)
        new, first = shared.new(key, by_gmina, last_alert)
        message = _staff_message(staff_id, today, new, first, now, calendar, digest_time)
        if message is not None:
            messages.append(replace(message, late_by_gmina=groups))
    return messages


def problem_alert_due_at(reported_at: datetime, calendar: WorkCalendar) -> datetime:
    """When staff must hear of a reported transmission problem (S5)."""
    return calendar.next_window_start(reported_at)
