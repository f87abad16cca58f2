"""Working days and duty windows: the harmonogram's duty days minus Polish public holidays."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar, cast

import holidays

from domain.schedule.harmonogram import Harmonogram

T = TypeVar("T")
_DAY = timedelta(days=1)
_MEMO_LIMIT = 4096  # distinct plan timelines kept: sessions × distinct extensions


def require_aware(at: datetime) -> None:
    """Refuse a naive datetime (house style: all datetimes are timezone-aware)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {at!r}")


def local_datetime(day: date, clock: time, tz: tzinfo) -> datetime:
    """The aware local datetime of a wall-clock time on a day in a time zone."""
    # A wall time inside the spring-forward gap does not exist; the UTC round trip
    # moves it on by the gap (02:30 → 03:30). In the autumn overlap fold=0 takes
    # the first (summer-time) occurrence.
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


class WorkCalendar:
    """Working days (duty days minus PL public holidays) and duty windows of a harmonogram."""

    def __init__(self, harmonogram: Harmonogram) -> None:
        duty = harmonogram.duty_hours
        self.harmonogram = harmonogram
        self.tz = duty.tz
        self._weekdays = duty.weekdays
        self._start = duty.start
        self._end = duty.end
        self._holidays: dict[int, frozenset[date]] = {}
        self._windows: dict[date, tuple[datetime, datetime] | None] = {}
        self._memo: dict[Hashable, Any] = {}

    def holidays_in(self, year: int) -> frozenset[date]:
        """Polish public holidays of a year (the `holidays` package, country PL), cached."""
        found = self._holidays.get(year)
        if found is None:
            found = frozenset(holidays.country_holidays("PL", years=year))
            self._holidays[year] = found
        return found

    def is_working_day(self, day: date) -> bool:
        """Whether the day is a duty day of the week and not a Polish public holiday."""
        return day.weekday() in self._weekdays and day not in self.holidays_in(day.year)

    def duty_window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's duty window as aware local datetimes, or None on a non-working day."""
        if day in self._windows:
            return self._windows[day]
        window = None
        if self.is_working_day(day):
            start = local_datetime(day, self._start, self.tz)
            window = (start, local_datetime(day, self._end, self.tz))
        self._windows[day] = window
        return window

    def window_start(self, day: date) -> datetime:
        """The start of a working day's duty window (ValueError on a non-working day)."""
        window = self.duty_window(day)
        if window is None:
            raise ValueError(f"{day} is not a working day")
        return window[0]

    def local_day(self, at: datetime) -> date:
        """The local calendar day of an instant."""
        require_aware(at)
        return at.astimezone(self.tz).date()

    def midnight(self, day: date) -> datetime:
        """00:00 local time of a day."""
        return local_datetime(day, time(0), self.tz)

    def in_duty_hours(self, at: datetime) -> bool:
        """Whether the instant is inside a duty window (start inclusive, end exclusive)."""
        window = self.duty_window(self.local_day(at))
        # In UTC the comparison is by instant even when `at` shares the zone (fold-safe).
        return window is not None and window[0] <= at.astimezone(UTC) < window[1]

    def next_window_start(self, at: datetime) -> datetime:
        """The first duty moment at or after `at`: `at` itself inside a window, else a start."""
        day = self.local_day(at)
        window = self.duty_window(day)
        instant = at.astimezone(UTC)  # compared by instant, fold-safe
        if window is not None and instant < window[1]:
            return at.astimezone(self.tz) if instant >= window[0] else window[0]
        return self.window_start(self.next_working_day_after(day))

    def next_working_day_after(self, day: date) -> date:
        """The first working day strictly after the day."""
        day += _DAY
        while not self.is_working_day(day):
            day += _DAY
        return day

    def previous_working_day_on_or_before(self, day: date) -> date:
        """The day itself if it is a working day, else the nearest earlier working day."""
        while not self.is_working_day(day):
            day -= _DAY
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after the day (before it for n < 0); the day itself for 0."""
        step = _DAY if n >= 0 else -_DAY
        for _ in range(abs(n)):
            day += step
            while not self.is_working_day(day):
                day += step
        return day

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """A value derived from this calendar, built once per key (plan timelines)."""
        try:
            return cast(T, self._memo[key])
        except KeyError:
            pass
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        value = build()
        self._memo[key] = value
        return value
