"""Reminders through the service on every backend: weekends, Polish holidays, DST, duty hours.

Each scenario ticks a fake clock at 07:59, 08:00, 12:00 and 16:00 Warsaw time on every
day of a period and checks what the outbox received, and when.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kartomat.bootstrap import App
from services.schedule import ScheduleService
from tests.service.schedule_support import (
    clock_of,
    days,
    messages,
    of,
    sent_log,
    start_session,
    tick,
    waw,
)


def test_weekend_reminders_move_to_friday_and_merge(app: App) -> None:
    # Deadline Monday 30 Nov 2026: D-1 is a Sunday, so it joins D-3 on Friday 27 Nov.
    start_session(app, "2026-11-02", "2026-11-30")
    log = sent_log(app, days("2026-11-20", "2026-12-15"))
    assert of(log, "NGO-001") == [
        ("2026-11-23 08:00", "reminder"),  # D-7
        ("2026-11-27 08:00", "reminder"),  # D-3 and D-1 in one message
        ("2026-12-01 08:00", "overdue"),  # first duty window after the deadline
        ("2026-12-04 08:00", "overdue"),  # every 3 working days…
        ("2026-12-09 08:00", "overdue"),  # …at most 3 (7–8 Dec: Monday, Tuesday)
    ]
    friday = [m for m in messages(app, ["reminder"]) if m.dedupe_key.endswith(":2026-11-27")]
    assert len(friday) == 5 and all(m.payload["reasons"] == ["D-3", "D-1"] for m in friday)
    assert all(m.payload["days_left"] == 3 for m in friday)
    weekend = ("2026-11-28", "2026-11-29", "2026-12-05", "2026-12-06", "2026-12-12")
    assert not [entry for entry in log if entry[0][:10] in weekend]


def test_christmas_new_year_and_epiphany(app: App) -> None:
    # Deadline Monday 28 Dec 2026. 24–26 Dec, 1 and 6 Jan are public holidays.
    start_session(app, "2026-12-01", "2026-12-28")
    log = sent_log(app, days("2026-12-18", "2027-01-12"))
    assert of(log, "IZUS-LUB") == [
        ("2026-12-21 08:00", "reminder"),  # D-7
        ("2026-12-23 08:00", "reminder"),  # D-3 (25 Dec) and D-1 (27 Dec) → Wednesday 23rd
        ("2026-12-29 08:00", "overdue"),
        ("2027-01-04 08:00", "overdue"),  # 30, 31 Dec, (1 Jan, weekend) 4 Jan
        ("2027-01-08 08:00", "overdue"),  # 5, (6 Jan) 7, 8 Jan
    ]
    holidays = ("2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01", "2027-01-06")
    assert not [entry for entry in log if entry[0][:10] in holidays]


def test_easter_monday_and_spring_dst(app: App) -> None:
    # Deadline Friday 26 Mar 2027; clocks go forward on Sunday 28 Mar; 29 Mar is Easter Monday.
    start_session(app, "2027-03-01", "2027-03-26")
    log = sent_log(app, days("2027-03-18", "2027-03-29"))
    assert of(log, "NGO-002") == [
        ("2027-03-19 08:00", "reminder"),
        ("2027-03-23 08:00", "reminder"),
        ("2027-03-25 08:00", "reminder"),
    ]
    clock_of(app).current = datetime(2027, 3, 30, 5, 59, tzinfo=UTC)  # 07:59 CEST
    assert app.schedule.tick().total == 0
    clock_of(app).current = datetime(2027, 3, 30, 6, 0, tzinfo=UTC)  # 08:00 CEST
    assert app.schedule.tick().enqueued == {"overdue": 5, "staff_alert": 2}
    overdue = messages(app, ["overdue"])
    assert {m.next_attempt_at.astimezone(UTC).hour for m in overdue} == {6}


def test_first_and_third_of_may(app: App) -> None:
    # Deadline Tuesday 4 May 2027: D-1 (3 May) and D-3 (1 May) are holidays → Friday 30 Apr.
    start_session(app, "2027-04-01", "2027-05-04")
    log = sent_log(app, days("2027-04-26", "2027-05-06"))
    assert of(log, "NGO-003") == [
        ("2027-04-27 08:00", "reminder"),
        ("2027-04-30 08:00", "reminder"),
        ("2027-05-05 08:00", "overdue"),
    ]


def test_corpus_christi_and_opening_on_a_holiday(app: App) -> None:
    # Opens on 3 May 2027 (holiday): invitations wait for Tuesday 4 May, 08:00.
    start_session(app, "2027-05-03", "2027-05-28", open_at="2027-05-03 07:00")
    invitations = messages(app, ["invitation"])
    assert len(invitations) == 5
    assert {m.next_attempt_at for m in invitations} == {waw("2027-05-04 08:00")}
    # Deadline Friday 28 May; Corpus Christi is Thursday 27 May → D-1 on Wednesday.
    log = sent_log(app, days("2027-05-20", "2027-05-31"))
    assert of(log, "IZUS-SWI") == [
        ("2027-05-21 08:00", "reminder"),
        ("2027-05-25 08:00", "reminder"),
        ("2027-05-26 08:00", "reminder"),
        ("2027-05-31 08:00", "overdue"),
    ]


def test_autumn_dst(app: App) -> None:
    # Deadline Monday 26 Oct 2026; clocks go back on Sunday 25 Oct.
    start_session(app, "2026-10-01", "2026-10-26")
    sent_log(app, days("2026-10-19", "2026-10-26"))
    friday = [m for m in messages(app, ["reminder"]) if m.dedupe_key.endswith(":2026-10-23")]
    assert len(friday) == 5 and friday[0].payload["reasons"] == ["D-3", "D-1"]
    assert friday[0].next_attempt_at.astimezone(UTC).hour == 6  # 08:00 CEST
    clock_of(app).current = datetime(2026, 10, 27, 6, 0, tzinfo=UTC)  # 07:00 CET
    assert app.schedule.tick().total == 0
    clock_of(app).current = datetime(2026, 10, 27, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert app.schedule.tick().enqueued == {"overdue": 5, "staff_alert": 2}


def test_duty_hour_boundaries(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    assert tick(app, "2026-11-23 07:59").total == 0
    assert tick(app, "2026-11-23 08:00").enqueued == {"reminder": 5}
    assert tick(app, "2026-11-23 08:00").total == 0  # the same moment again: nothing twice
    # Down all of Friday 27 Nov until 15:59: the day's reminder still goes at 15:59.
    assert tick(app, "2026-11-27 15:59").enqueued == {"reminder": 5}


def test_nothing_at_16_00_or_at_night_then_next_duty_window(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    for when in ("2026-11-23 16:00", "2026-11-23 23:30", "2026-11-24 03:00", "2026-11-24 07:59"):
        assert tick(app, when).total == 0, when
    assert tick(app, "2026-11-24 08:00").enqueued == {"reminder": 5}
    sent = messages(app, ["reminder"])
    assert all(m.dedupe_key.endswith(":2026-11-24") for m in sent)  # counts for the day it went
    assert all(m.payload["reasons"] == ["D-7"] for m in sent)


def test_service_down_across_reminder_times_sends_the_latest_once(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    tick(app, "2026-11-20 12:00")
    # Down from Friday 20 Nov to Monday 30 Nov 08:00: D-7 and D-3/D-1 were missed.
    assert tick(app, "2026-11-30 08:00").enqueued == {"reminder": 5}
    reminders = messages(app, ["reminder"])
    assert all(m.payload["reasons"] == ["D-3", "D-1", "missed:D-7"] for m in reminders)
    assert all(m.payload["days_left"] == 0 for m in reminders)
    assert tick(app, "2026-11-30 12:00").total == 0
    assert tick(app, "2026-12-01 08:00").enqueued == {"overdue": 5, "staff_alert": 2}


def test_a_restarted_service_sends_nothing_twice(app: App) -> None:
    start_session(app, "2026-11-02", "2026-11-30")
    assert tick(app, "2026-12-01 08:00").enqueued == {"overdue": 5, "staff_alert": 2}
    fresh = ScheduleService(app.uow, app.catalog, app.clock)  # no memory of the first
    assert fresh.tick().total == 0
    clock_of(app).current = waw("2026-12-02 09:00")
    assert fresh.tick().enqueued == {"digest": 2}
    assert app.schedule.tick().total == 0


def test_custom_duty_hours_and_offsets(app: App) -> None:
    harmonogram = {
        "duty_hours": {"days": ["mon", "tue", "wed", "thu"], "start": "09:30", "end": "14:00"},
        "reminders_before_deadline_days": [2],
        "overdue": {"every_working_days": 1, "max": 1},
        "staff_digest_time": "10:00",
    }
    start_session(app, "2026-11-02", "2026-11-30", harmonogram=harmonogram)
    log = sent_log(app, days("2026-11-25", "2026-12-03"), ("08:00", "09:29", "09:30", "10:00"))
    assert of(log, "NGO-001") == [
        ("2026-11-26 09:30", "reminder"),  # D-2 is Saturday 28 → Thursday (Friday off duty)
        ("2026-12-01 09:30", "overdue"),
    ]
    assert [e[:2] for e in log if e[2] == "staff:5001"] == [
        ("2026-12-01 09:30", "staff_alert"),
        ("2026-12-02 10:00", "digest"),
        ("2026-12-03 10:00", "digest"),
    ]
