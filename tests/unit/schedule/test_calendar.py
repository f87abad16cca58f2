"""The working-day calendar: Polish holidays, weekends, duty windows and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.schedule import WorkCalendar, load_harmonogram
from tests.unit.schedule.support import WAW, at, day

CAL = WorkCalendar(load_harmonogram(None))
EVERY_DAY = WorkCalendar(
    load_harmonogram({"duty_hours": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}})
)


@pytest.mark.parametrize(
    ("when", "working"),
    [
        ("2026-03-06", True),  # an ordinary Friday
        ("2026-03-07", False),  # Saturday
        ("2026-03-08", False),  # Sunday
        ("2024-12-24", True),  # Wigilia was a working day before 2025
        ("2025-12-24", False),  # Wigilia, a public holiday from 2025
        ("2025-12-25", False),
        ("2025-12-26", False),
        ("2026-12-24", False),
        ("2026-12-25", False),
        ("2026-12-26", False),  # a Saturday anyway
        ("2026-01-01", False),  # Nowy Rok
        ("2026-01-02", True),
        ("2026-01-06", False),  # Trzech Króli
        ("2026-04-03", True),  # Good Friday is not a holiday in Poland
        ("2026-04-06", False),  # Easter Monday
        ("2026-04-07", True),
        ("2026-05-01", False),  # Święto Pracy
        ("2026-05-04", True),
        ("2026-06-04", False),  # Boże Ciało (Corpus Christi)
        ("2026-06-05", True),
        ("2026-08-14", True),
        ("2026-11-11", False),  # Święto Niepodległości
    ],
)
def test_working_days(when: str, working: bool) -> None:
    assert CAL.is_working_day(day(when)) is working


def test_holidays_falling_on_a_duty_weekend_day_still_count() -> None:
    # 3 May 2026 is a Sunday: with Sunday duty it is still a holiday.
    assert EVERY_DAY.is_working_day(day("2026-05-03")) is False
    assert EVERY_DAY.is_working_day(day("2026-05-02")) is True  # Saturday, not a holiday


def test_holidays_of_2025_and_2026_include_wigilia() -> None:
    assert day("2025-12-24") in CAL.holidays_in(2025)
    assert day("2026-12-24") in CAL.holidays_in(2026)
    assert day("2024-12-24") not in CAL.holidays_in(2024)


@pytest.mark.parametrize(
    ("when", "start_utc", "end_utc"),
    [
        ("2026-03-27", "2026-03-27 07:00", "2026-03-27 15:00"),  # CET, UTC+1
        ("2026-03-30", "2026-03-30 06:00", "2026-03-30 14:00"),  # CEST from 29 March
        ("2026-10-23", "2026-10-23 06:00", "2026-10-23 14:00"),  # CEST
        ("2026-10-26", "2026-10-26 07:00", "2026-10-26 15:00"),  # CET from 25 October
    ],
)
def test_duty_window_stays_at_local_hours_across_dst(
    when: str, start_utc: str, end_utc: str
) -> None:
    window = CAL.duty_window(day(when))
    assert window is not None
    start, end = window
    assert (start.hour, start.minute, end.hour, end.minute) == (8, 0, 16, 0)
    assert start == datetime.fromisoformat(start_utc).replace(tzinfo=UTC)
    assert end == datetime.fromisoformat(end_utc).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "offset_hours"),
    [("2026-03-28", 1), ("2026-03-29", 2), ("2026-10-24", 2), ("2026-10-25", 1)],
)
def test_duty_window_on_the_dst_sundays_themselves(when: str, offset_hours: int) -> None:
    window = EVERY_DAY.duty_window(day(when))
    assert window is not None
    assert window[0].utcoffset() == timedelta(hours=offset_hours)
    assert window[1] - window[0] == timedelta(hours=8)


def test_a_duty_start_inside_the_spring_gap_moves_past_the_gap() -> None:
    night = WorkCalendar(
        load_harmonogram(
            {
                "duty_hours": {"days": ["sun"], "start": "02:30", "end": "05:00"},
                "staff_digest_time": "03:00",
            }
        )
    )
    window = night.duty_window(day("2026-03-29"))
    assert window is not None
    assert window[0] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert window[0].hour == 3


@pytest.mark.parametrize("when", ["2026-03-07", "2026-04-06", "2025-12-24"])
def test_no_duty_window_on_days_off(when: str) -> None:
    assert CAL.duty_window(day(when)) is None


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("2026-03-06 07:59", False),
        ("2026-03-06 08:00", True),
        ("2026-03-06 15:59", True),
        ("2026-03-06 16:00", False),
        ("2026-03-06 23:30", False),
        ("2026-03-07 10:00", False),  # Saturday
        ("2026-06-04 10:00", False),  # Corpus Christi
        ("2026-03-30 08:00", True),  # first Monday of summer time
        ("2026-03-30 07:59", False),
    ],
)
def test_duty_hour_boundaries(moment: str, inside: bool) -> None:
    assert CAL.in_duty_hours(at(moment)) is inside
    assert CAL.in_duty_hours(at(moment).astimezone(UTC)) is inside  # any zone, same instant


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-03-06 10:17", "2026-03-06 10:17"),  # inside a window: at once
        ("2026-03-06 08:00", "2026-03-06 08:00"),
        ("2026-03-06 06:00", "2026-03-06 08:00"),  # before the window that day
        ("2026-03-06 16:00", "2026-03-09 08:00"),  # Friday evening → Monday
        ("2026-03-07 12:00", "2026-03-09 08:00"),  # Saturday → Monday
        ("2026-04-03 17:00", "2026-04-07 08:00"),  # Good Friday evening → after Easter Monday
        ("2025-12-23 16:30", "2025-12-29 08:00"),  # over Wigilia and Christmas
        ("2025-12-31 16:00", "2026-01-02 08:00"),  # over New Year
        ("2026-03-27 18:00", "2026-03-30 08:00"),  # over the spring DST change
        ("2026-10-23 18:00", "2026-10-26 08:00"),  # over the autumn DST change
    ],
)
def test_next_window_start(moment: str, expected: str) -> None:
    found = CAL.next_window_start(at(moment))
    assert found == at(expected)
    assert found.tzinfo == WAW


def test_next_window_start_accepts_utc_input() -> None:
    # 2026-03-30 05:30 UTC is 07:30 CEST: the window opens at 08:00 CEST = 06:00 UTC.
    found = CAL.next_window_start(datetime(2026, 3, 30, 5, 30, tzinfo=UTC))
    assert found == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert found.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-03-06", "2026-03-06"),  # a working day is its own answer
        ("2026-03-08", "2026-03-06"),  # Sunday → Friday
        ("2026-04-06", "2026-04-03"),  # Easter Monday → Good Friday
        ("2026-01-06", "2026-01-05"),
        ("2025-12-26", "2025-12-23"),  # 24–26 December → 23rd
        ("2026-05-03", "2026-04-30"),  # 3 May (Sun), 2 May (Sat), 1 May (holiday)
    ],
)
def test_previous_working_day_on_or_before(start: str, expected: str) -> None:
    assert CAL.previous_working_day_on_or_before(day(start)) == day(expected)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-03-04", 0, "2026-03-04"),
        ("2026-03-04", 1, "2026-03-05"),
        ("2026-03-05", 3, "2026-03-10"),  # Thu + 3 over a weekend
        ("2026-04-02", 2, "2026-04-07"),  # Thu + 2 over Easter
        ("2026-06-03", 1, "2026-06-05"),  # over Corpus Christi
        ("2026-03-07", 1, "2026-03-09"),  # from a Saturday
        ("2026-04-07", -1, "2026-04-03"),  # backwards over Easter Monday
        ("2026-03-09", -3, "2026-03-04"),
    ],
)
def test_add_working_days(start: str, n: int, expected: str) -> None:
    assert CAL.add_working_days(day(start), n) == day(expected)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.in_duty_hours(datetime(2026, 3, 6, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.next_window_start(datetime(2026, 3, 6, 10, 0))
