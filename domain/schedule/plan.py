"""Pure planning of an assignment's invitation, reminders and overdue reminders.

Rules (channels.md "Scheduler"; numbered for the comments below):
R1  The deadline (or its extension) is inclusive: late from 00:00 local the day after.
R2  The invitation goes at the first duty window at or after the opening day starts.
R3  Reminder D-k goes at duty start of day D-k, or of the nearest earlier working day.
R4  A reminder that would fall on or before the invitation's day merges into it.
R5  Overdue reminders: at the first duty window after the deadline, then every N
    working days, at most M.
R6  At most one message per assignment per day: same-day reminders merge, and nothing
    goes on a day something already went.
R7  Nothing goes to a submitted assignment or after the session closed.
R8  After downtime only the latest due reminder goes (it overtakes earlier ones), at a
    duty moment; the invitation is never overtaken. Nothing goes outside duty hours.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from domain.cards.model import CardKind
from domain.schedule.calendar import WorkCalendar, local_datetime, require_aware
from domain.schedule.harmonogram import Channel, Harmonogram
from domain.schedule.messages import ASSIGNMENT_KINDS, MessageKind, PlannedMessage, SentRecord

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class AssignmentFacts:
    """What the planner needs to know about one assignment at one moment."""

    assignment_id: str
    opens_on: date  # the session's opening day
    deadline: date  # the session's deadline, inclusive (R1)
    card: CardKind
    extended_until: date | None = None  # a per-assignment extension, inclusive
    submitted_at: datetime | None = None
    sent: frozenset[SentRecord] = frozenset()  # (kind, local day) already enqueued
    closed_at: datetime | None = None  # when the session closed, if it did

    def __post_init__(self) -> None:
        if self.deadline < self.opens_on:
            raise ValueError(f"{self.assignment_id}: deadline {self.deadline} before opening")
        if self.extended_until is not None and self.extended_until < self.deadline:
            raise ValueError(f"{self.assignment_id}: extension {self.extended_until} shortens")
        for at in (self.submitted_at, self.closed_at):
            if at is not None:
                require_aware(at)

    @property
    def effective_deadline(self) -> date:
        """The deadline that counts: the extension if there is one."""
        return self.extended_until or self.deadline


@dataclass(frozen=True, slots=True)
class _Slot:
    kind: MessageKind
    due_at: datetime  # local, at the start of a duty window
    reasons: tuple[str, ...]

    @property
    def day(self) -> date:
        return self.due_at.date()


@dataclass(frozen=True, slots=True)
class _Timeline:
    slots: tuple[_Slot, ...]  # chronological, one per day, the invitation first
    due_ts: tuple[float, ...]  # POSIX timestamps of the slots, for bisect


def late_from(deadline: date, tz: tzinfo) -> datetime:
    """The moment an assignment with this deadline becomes late (R1)."""
    return local_datetime(deadline + _DAY, time(0), tz)


def is_late(facts: AssignmentFacts, now: datetime, tz: tzinfo) -> bool:
    """Whether the assignment is unsubmitted at `now` and past its deadline (R1)."""
    require_aware(now)
    if facts.submitted_at is not None and facts.submitted_at <= now:
        return False
    return now >= late_from(facts.effective_deadline, tz)


def _reminder_days(deadline: date, cal: WorkCalendar, h: Harmonogram) -> Iterator[tuple[date, str]]:
    """Days of the before-deadline reminders, earliest first (R3)."""
    for k in h.reminders_before_deadline_days:  # sorted descending by validation
        yield cal.previous_working_day_on_or_before(deadline - timedelta(days=k)), f"D-{k}"


def _overdue_days(deadline: date, cal: WorkCalendar, h: Harmonogram) -> Iterator[tuple[date, str]]:
    """Days of the overdue reminders (R5)."""
    first = cal.next_working_day_after(deadline)  # late from 00:00 the next day (R1)
    for i in range(h.overdue.max):
        yield cal.add_working_days(first, i * h.overdue.every_working_days), f"overdue-{i + 1}"


def _build_timeline(opens_on: date, deadline: date, cal: WorkCalendar, h: Harmonogram) -> _Timeline:
    """The chronological slots of one (opening, deadline) pair."""
    invitation_day = cal.next_window_start(cal.midnight(opens_on)).date()  # R2
    merged: dict[date, tuple[MessageKind, list[str]]] = {
        invitation_day: ("invitation", ["invitation"])
    }
    planned: list[tuple[MessageKind, date, str]] = [
        ("reminder", day, reason) for day, reason in _reminder_days(deadline, cal, h)
    ]
    planned += [("overdue", day, reason) for day, reason in _overdue_days(deadline, cal, h)]
    for kind, day, reason in planned:
        slot_day = max(day, invitation_day)  # R4
        merged.setdefault(slot_day, (kind, []))[1].append(reason)  # R6: one slot a day
    slots = tuple(
        _Slot(kind, cal.window_start(day), tuple(reasons))
        for day, (kind, reasons) in sorted(merged.items())
    )
    return _Timeline(slots, tuple(s.due_at.timestamp() for s in slots))


def _timeline(facts: AssignmentFacts, cal: WorkCalendar, h: Harmonogram) -> _Timeline:
    """The timeline of the assignment, shared by all assignments with the same dates."""
    deadline = facts.effective_deadline
    overdue = (h.overdue.every_working_days, h.overdue.max)
    key = ("plan", facts.opens_on, deadline, h.reminders_before_deadline_days, overdue)
    return cal.cached(key, lambda: _build_timeline(facts.opens_on, deadline, cal, h))


def _message(facts: AssignmentFacts, slot: _Slot, day: date, h: Harmonogram) -> PlannedMessage:
    channels: tuple[Channel, ...] = h.channels.get(facts.card, ())
    return PlannedMessage(slot.kind, facts.assignment_id, slot.due_at, day, slot.reasons, channels)


def _stopped_at(facts: AssignmentFacts) -> datetime | None:
    """When messages stop for good: submission or closing, whichever came first (R7)."""
    ends = [at for at in (facts.submitted_at, facts.closed_at) if at is not None]
    return min(ends) if ends else None


def plan_assignment(
    facts: AssignmentFacts, calendar: WorkCalendar, harmonogram: Harmonogram
) -> list[PlannedMessage]:
    """The assignment's whole timeline (for `schedule preview`), cut at submission/closing."""
    stop = _stopped_at(facts)
    return [
        _message(facts, slot, slot.day, harmonogram)
        for slot in _timeline(facts, calendar, harmonogram).slots
        if stop is None or slot.due_at < stop
    ]


def _sent_summary(sent: frozenset[SentRecord]) -> tuple[bool, date | None]:
    """Whether the invitation went, and the last day any assignment message went."""
    invited, last = False, None
    for kind, day in sent:
        if kind in ASSIGNMENT_KINDS:
            invited = invited or kind == "invitation"
            last = day if last is None or day > last else last
    return invited, last


def _missed(slots: tuple[_Slot, ...], chosen: int, last_sent: date | None) -> tuple[str, ...]:
    """Reasons of due, unsent reminders the chosen message overtakes (logged, not silent)."""
    return tuple(
        f"missed:{reason}"
        for i, slot in enumerate(slots)
        if i not in (0, chosen) and (last_sent is None or slot.day > last_sent)
        for reason in slot.reasons
    )


def due_now(
    facts: AssignmentFacts, calendar: WorkCalendar, harmonogram: Harmonogram, now: datetime
) -> list[PlannedMessage]:
    """What a tick at `now` must enqueue for the assignment: at most one message (R6–R8)."""
    require_aware(now)
    stop = _stopped_at(facts)
    if (stop is not None and stop <= now) or not calendar.in_duty_hours(now):
        return []  # R7, R8
    today = now.astimezone(calendar.tz).date()
    invited, last_sent = _sent_summary(facts.sent)
    if last_sent is not None and last_sent >= today:
        return []  # R6
    timeline = _timeline(facts, calendar, harmonogram)
    due = timeline.slots[: bisect_right(timeline.due_ts, now.timestamp())]
    if not due:
        return []
    # R8: an unsent invitation goes first and absorbs whatever else is due now;
    # otherwise the latest due slot goes unless a message sent on or after its day covered it.
    chosen = len(due) - 1 if invited else 0
    if invited and (chosen == 0 or (last_sent is not None and due[chosen].day <= last_sent)):
        return []
    slot = due[chosen]
    slot = _Slot(slot.kind, slot.due_at, slot.reasons + _missed(due, chosen, last_sent))
    return [_message(facts, slot, today, harmonogram)]
