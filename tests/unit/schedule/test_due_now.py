"""What a tick enqueues for an assignment: duty hours, one a day, catch-up after downtime."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.schedule import (
    AssignmentFacts,
    PlannedMessage,
    WorkCalendar,
    due_now,
    load_harmonogram,
    plan_assignment,
)
from tests.unit.schedule.support import WAW, at, facts, run_clock, sent_on

H = load_harmonogram(None)
CAL = WorkCalendar(H)
INVITED = sent_on(("invitation", "2026-03-02"))  # the reference session opened on 2 March


def tick(f: AssignmentFacts, now: datetime) -> list[PlannedMessage]:
    return due_now(f, CAL, H, now)


@pytest.mark.parametrize(
    ("now", "expected_key"),
    [
        ("2026-03-31 07:59", None),  # before duty hours
        ("2026-03-31 08:00", "reminder:a1:2026-03-31"),
        ("2026-03-31 15:59", "reminder:a1:2026-03-31"),
        ("2026-03-31 16:00", None),  # after duty hours: waits for the next window
        ("2026-04-01 03:00", None),  # never at night
        ("2026-04-01 08:00", "reminder:a1:2026-04-01"),  # D-7 still relevant next morning
        ("2026-04-03 08:00", "reminder:a1:2026-04-03"),  # D-3 overtakes the unsent D-7
        ("2026-04-04 10:00", None),  # Saturday
    ],
)
def test_due_now_only_in_duty_hours(now: str, expected_key: str | None) -> None:
    found = tick(facts(sent=INVITED), at(now))
    assert [m.dedupe_key for m in found] == ([expected_key] if expected_key else [])


def test_same_day_reminders_go_as_one_message() -> None:
    sent = INVITED | sent_on(("reminder", "2026-03-31"))
    [message] = tick(facts(sent=sent), at("2026-04-03 08:00"))
    assert (message.kind, message.reasons) == ("reminder", ("D-3", "D-1"))
    assert message.dedupe_key == "reminder:a1:2026-04-03"


def test_nothing_more_on_a_day_something_already_went() -> None:
    sent = INVITED | sent_on(("reminder", "2026-03-31"), ("reminder", "2026-04-03"))
    assert tick(facts(sent=sent), at("2026-04-03 08:00")) == []
    assert tick(facts(sent=sent), at("2026-04-03 15:45")) == []


def test_downtime_across_reminders_sends_only_the_latest_relevant_one_once() -> None:
    # Down from Monday 30 March until Friday 3 April 10:20: D-7 (31st) was missed.
    sent_log = run_clock(
        tick,
        facts(sent=INVITED),
        at("2026-03-30 12:00"),
        at("2026-04-04 00:00"),
        down=(at("2026-03-30 12:00"), at("2026-04-03 10:20")),
    )
    assert [(t.astimezone(WAW), m.kind, m.reasons, m.dedupe_key) for t, m in sent_log] == [
        (
            at("2026-04-03 10:30"),
            "reminder",
            ("D-3", "D-1", "missed:D-7"),  # the overtaken one is named, not silently lost
            "reminder:a1:2026-04-03",
        )
    ]
    assert sent_log[0][1].due_at == at("2026-04-03 08:00")


def test_a_missed_reminder_goes_at_the_next_window_while_still_relevant() -> None:
    # Restarted on Tuesday 31 March at 22:00: nothing at night, D-7 next morning.
    sent_log = run_clock(tick, facts(sent=INVITED), at("2026-03-31 22:00"), at("2026-04-03 12:00"))
    assert [(t.astimezone(WAW), m.reasons, m.dedupe_key) for t, m in sent_log] == [
        (at("2026-04-01 08:00"), ("D-7",), "reminder:a1:2026-04-01"),
        (at("2026-04-03 08:00"), ("D-3", "D-1"), "reminder:a1:2026-04-03"),
    ]


def test_a_missed_invitation_goes_first_and_absorbs_what_is_due() -> None:
    # The service first runs on 31 March at 10:00, weeks after the opening.
    sent_log = run_clock(tick, facts(), at("2026-03-31 10:00"), at("2026-04-03 12:00"))
    assert [(t.astimezone(WAW), m.kind, m.reasons) for t, m in sent_log] == [
        (at("2026-03-31 10:00"), "invitation", ("invitation", "missed:D-7")),
        (at("2026-04-03 08:00"), "reminder", ("D-3", "D-1")),
    ]


def test_a_clock_ticking_without_downtime_follows_the_plan_exactly() -> None:
    start = facts(extended="2026-04-21")
    sent_log = run_clock(tick, start, at("2026-03-01 00:00"), at("2026-05-31 00:00"))
    assert [(t, m.kind, m.reasons) for t, m in sent_log] == [
        (m.due_at, m.kind, m.reasons) for m in plan_assignment(start, CAL, H)
    ]


def test_a_submission_mid_run_stops_the_clock_ticking_messages() -> None:
    start = facts(submitted="2026-04-02 09:00")
    sent_log = run_clock(tick, start, at("2026-03-01 00:00"), at("2026-05-31 00:00"))
    assert [m.local_day.isoformat() for _, m in sent_log] == ["2026-03-02", "2026-03-31"]


@pytest.mark.parametrize(
    "down",
    [
        (at("2026-03-01 00:00"), at("2026-03-03 15:50")),
        (at("2026-03-30 07:00"), at("2026-03-31 08:05")),
        (at("2026-04-02 15:00"), at("2026-04-08 09:00")),
        (at("2026-04-10 12:00"), at("2026-04-16 15:59")),
    ],
)
def test_downtime_never_causes_night_sends_or_two_messages_a_day(
    down: tuple[datetime, datetime],
) -> None:
    sent_log = run_clock(tick, facts(), at("2026-03-01 00:00"), at("2026-05-31 00:00"), down=down)
    days = [m.local_day for _, m in sent_log]
    assert all(CAL.in_duty_hours(t) for t, _ in sent_log)
    assert len(days) == len(set(days))
    assert sent_log[0][1].kind == "invitation"
    assert sum(m.kind == "overdue" for _, m in sent_log) <= H.overdue.max
