"""Planning an assignment: invitation, reminders, overdue reminders, lateness, catch-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.cards.model import CardKind
from domain.schedule import (
    AssignmentFacts,
    Channel,
    PlannedMessage,
    WorkCalendar,
    due_now,
    is_late,
    load_harmonogram,
    plan_assignment,
)
from tests.unit.schedule.support import WAW, at, day, facts, sent_on

H = load_harmonogram(None)
CAL = WorkCalendar(H)
INVITED = sent_on(("invitation", "2026-03-02"))


def timeline(messages: list[PlannedMessage]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Messages as (kind, local due time, reasons) for readable comparisons."""
    return [(m.kind, m.due_at.strftime("%Y-%m-%d %H:%M"), m.reasons) for m in messages]


def tick(f: AssignmentFacts, now: datetime) -> list[PlannedMessage]:
    return due_now(f, CAL, H, now)


# The reference session: opens Monday 2 March 2026, deadline Tuesday 7 April 2026
# (the day after Easter Monday).
REFERENCE = [
    ("invitation", "2026-03-02 08:00", ("invitation",)),
    ("reminder", "2026-03-31 08:00", ("D-7",)),
    ("reminder", "2026-04-03 08:00", ("D-3", "D-1")),  # Sat 4th and Easter Monday → Fri 3rd
    ("overdue", "2026-04-08 08:00", ("overdue-1",)),
    ("overdue", "2026-04-13 08:00", ("overdue-2",)),  # 3 working days: 9, 10, 13
    ("overdue", "2026-04-16 08:00", ("overdue-3",)),
]


def test_reference_timeline() -> None:
    assert timeline(plan_assignment(facts(), CAL, H)) == REFERENCE


def test_timeline_is_at_0800_local_on_both_sides_of_the_dst_change() -> None:
    planned = plan_assignment(facts(), CAL, H)
    assert planned[0].due_at == datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # CET
    assert planned[1].due_at == datetime(2026, 3, 31, 6, 0, tzinfo=UTC)  # CEST


@pytest.mark.parametrize(
    ("opens", "deadline", "expected"),
    [
        pytest.param(
            "2026-04-01",
            "2026-05-04",
            [
                ("invitation", "2026-04-01 08:00", ("invitation",)),
                ("reminder", "2026-04-27 08:00", ("D-7",)),
                ("reminder", "2026-04-30 08:00", ("D-3", "D-1")),  # 1 May, Sat, Sun → Thu
                ("overdue", "2026-05-05 08:00", ("overdue-1",)),
                ("overdue", "2026-05-08 08:00", ("overdue-2",)),
                ("overdue", "2026-05-13 08:00", ("overdue-3",)),
            ],
            id="May holidays",
        ),
        pytest.param(
            "2025-12-01",
            "2025-12-29",
            [
                ("invitation", "2025-12-01 08:00", ("invitation",)),
                ("reminder", "2025-12-22 08:00", ("D-7",)),
                ("reminder", "2025-12-23 08:00", ("D-3", "D-1")),  # 26th and Sun 28th → 23rd
                ("overdue", "2025-12-30 08:00", ("overdue-1",)),
                ("overdue", "2026-01-05 08:00", ("overdue-2",)),  # 31, 2 Jan, 5 Jan
                ("overdue", "2026-01-09 08:00", ("overdue-3",)),  # 7, 8, 9 (6 Jan off)
            ],
            id="Christmas and New Year",
        ),
        pytest.param(
            "2026-05-18",
            "2026-06-05",
            [
                ("invitation", "2026-05-18 08:00", ("invitation",)),
                ("reminder", "2026-05-29 08:00", ("D-7",)),
                ("reminder", "2026-06-02 08:00", ("D-3",)),
                ("reminder", "2026-06-03 08:00", ("D-1",)),  # Corpus Christi → Wednesday
                ("overdue", "2026-06-08 08:00", ("overdue-1",)),
                ("overdue", "2026-06-11 08:00", ("overdue-2",)),
                ("overdue", "2026-06-16 08:00", ("overdue-3",)),
            ],
            id="Corpus Christi",
        ),
        pytest.param(
            "2026-04-04",
            "2026-04-10",
            [
                # Opens on Saturday, Easter Monday off: invitation on Tuesday 7th. D-7
                # (3rd, before the opening) and D-3 (the 7th) merge into the invitation.
                ("invitation", "2026-04-07 08:00", ("invitation", "D-7", "D-3")),
                ("reminder", "2026-04-09 08:00", ("D-1",)),
                ("overdue", "2026-04-13 08:00", ("overdue-1",)),
                ("overdue", "2026-04-16 08:00", ("overdue-2",)),
                ("overdue", "2026-04-21 08:00", ("overdue-3",)),
            ],
            id="late opening merges early reminders into the invitation",
        ),
        pytest.param(
            "2026-04-04",
            "2026-04-08",
            [
                # D-3 is Sunday 5th, moved back to Friday 3rd: before the invitation, so
                # it merges into it rather than going before the session opened.
                ("invitation", "2026-04-07 08:00", ("invitation", "D-7", "D-3", "D-1")),
                ("overdue", "2026-04-09 08:00", ("overdue-1",)),
                ("overdue", "2026-04-14 08:00", ("overdue-2",)),
                ("overdue", "2026-04-17 08:00", ("overdue-3",)),
            ],
            id="a reminder moved before the opening merges into the invitation",
        ),
    ],
)
def test_timelines_around_holidays(
    opens: str, deadline: str, expected: list[tuple[str, str, tuple[str, ...]]]
) -> None:
    assert timeline(plan_assignment(facts(opens, deadline), CAL, H)) == expected


@pytest.mark.parametrize(
    ("overdue", "expected_days"),
    [
        ({"every_working_days": 1, "max": 2}, ["2026-04-08", "2026-04-09"]),
        ({"every_working_days": 5, "max": 2}, ["2026-04-08", "2026-04-15"]),
        ({"every_working_days": 3, "max": 0}, []),
    ],
)
def test_overdue_cadence(overdue: dict[str, int], expected_days: list[str]) -> None:
    h = load_harmonogram({"overdue": overdue})
    planned = plan_assignment(facts(), WorkCalendar(h), h)
    assert [m.local_day.isoformat() for m in planned if m.kind == "overdue"] == expected_days


def test_planned_message_identity() -> None:
    first_reminder = plan_assignment(facts(), CAL, H)[1]
    assert first_reminder.dedupe_key == "reminder:a1:2026-03-31"
    assert first_reminder.sent_record == ("reminder", day("2026-03-31"))
    assert first_reminder.channels == (Channel.TELEGRAM, Channel.EMAIL)
    assert first_reminder.for_staff is False
    izus = replace(facts(), card=CardKind.IZUS)
    assert plan_assignment(izus, CAL, H)[1].channels == (Channel.EMAIL,)


# --- lateness -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "extended", "submitted", "late"),
    [
        (at("2026-04-07 23:59"), None, None, False),  # the deadline day is inclusive
        (at("2026-04-07 23:59") + timedelta(seconds=59.999), None, None, False),
        (at("2026-04-08 00:00"), None, None, True),
        (datetime(2026, 4, 7, 21, 59, tzinfo=UTC), None, None, False),  # 23:59 CEST
        (datetime(2026, 4, 7, 22, 0, tzinfo=UTC), None, None, True),  # 00:00 CEST
        (at("2026-04-08 00:00"), "2026-04-21", None, False),  # extension moves lateness
        (at("2026-04-21 23:59"), "2026-04-21", None, False),
        (at("2026-04-22 00:00"), "2026-04-21", None, True),
        (at("2026-04-09 10:00"), None, "2026-04-08 09:00", False),  # submitted late: not late
        (at("2026-04-08 08:00"), None, "2026-04-08 09:00", True),  # not yet submitted then
    ],
)
def test_lateness_boundary(
    now: datetime, extended: str | None, submitted: str | None, late: bool
) -> None:
    assert is_late(facts(extended=extended, submitted=submitted), now, WAW) is late


def test_extension_moves_reminders_and_overdue() -> None:
    assert timeline(plan_assignment(facts(extended="2026-04-21"), CAL, H)) == [
        ("invitation", "2026-03-02 08:00", ("invitation",)),
        ("reminder", "2026-04-14 08:00", ("D-7",)),
        ("reminder", "2026-04-17 08:00", ("D-3",)),  # Saturday 18th → Friday
        ("reminder", "2026-04-20 08:00", ("D-1",)),
        ("overdue", "2026-04-22 08:00", ("overdue-1",)),
        ("overdue", "2026-04-27 08:00", ("overdue-2",)),
        ("overdue", "2026-04-30 08:00", ("overdue-3",)),
    ]


def test_extension_granted_after_an_overdue_reminder_restarts_the_reminders() -> None:
    sent = INVITED | sent_on(("reminder", "2026-04-03"), ("overdue", "2026-04-08"))
    extended = facts(extended="2026-04-21", sent=sent)
    assert tick(extended, at("2026-04-13 08:00")) == []  # overdue-2 of the old deadline is gone
    [message] = tick(extended, at("2026-04-14 08:00"))
    assert (message.kind, message.reasons) == ("reminder", ("D-7",))


# --- submission and closing --------------------------------------------------------


def test_submission_cancels_everything_pending() -> None:
    submitted = facts(submitted="2026-04-01 12:00", sent=INVITED)
    assert timeline(plan_assignment(submitted, CAL, H)) == REFERENCE[:2]  # what came before
    assert tick(submitted, at("2026-04-03 08:00")) == []
    assert tick(submitted, at("2026-04-08 08:00")) == []


def test_closing_the_session_stops_overdue_reminders() -> None:
    closed = facts(closed="2026-04-14 12:00", sent=INVITED)
    assert [m.local_day.isoformat() for m in plan_assignment(closed, CAL, H)][-1] == "2026-04-13"
    assert tick(closed, at("2026-04-16 08:00")) == []


# --- facts validation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": day("2026-03-01")}, "before opening"),
        ({"extended_until": day("2026-04-06")}, "shortens"),
        ({"submitted_at": datetime(2026, 4, 1, 12, 0)}, "timezone-aware"),
    ],
)
def test_inconsistent_facts_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(facts(), **changes)  # type: ignore[arg-type]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        tick(facts(), datetime(2026, 3, 2, 9, 0))
