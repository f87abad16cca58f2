"""The harmonogram model: defaults, loading from YAML, and operator-friendly errors."""

from __future__ import annotations

from datetime import time

import pytest

from domain.cards.model import CardKind
from domain.errors import OperatorError
from domain.schedule import Channel, Harmonogram, HarmonogramError, load_harmonogram

FULL_YAML = """
duty_hours: {days: [mon, tue, wed, thu, fri], start: "08:00", end: "16:00", timezone: Europe/Warsaw}
reminders_before_deadline_days: [7, 3, 1]
overdue: {every_working_days: 3, max: 3}
staff_digest_time: "09:00"
channels: {ngo: [telegram, email], izus: [email]}
"""


@pytest.mark.parametrize("source", [None, "", {}, FULL_YAML])
def test_empty_source_and_the_brief_example_give_the_defaults(
    source: str | dict[str, object] | None,
) -> None:
    assert load_harmonogram(source) == Harmonogram()


def test_defaults_are_the_spec_defaults() -> None:
    h = Harmonogram()
    assert h.duty_hours.days == ("mon", "tue", "wed", "thu", "fri")
    assert (h.duty_hours.start, h.duty_hours.end) == (time(8), time(16))
    assert h.duty_hours.timezone == "Europe/Warsaw"
    assert h.reminders_before_deadline_days == (7, 3, 1)
    assert (h.overdue.every_working_days, h.overdue.max) == (3, 3)
    assert h.staff_digest_time == time(9)
    assert h.channels == {
        CardKind.NGO: (Channel.TELEGRAM, Channel.EMAIL),
        CardKind.IZUS: (Channel.EMAIL,),
    }


def test_a_partial_harmonogram_keeps_defaults_for_the_rest() -> None:
    h = load_harmonogram("overdue: {max: 5}\nchannels: {izus: [email, telegram]}\n")
    assert (h.overdue.every_working_days, h.overdue.max) == (3, 5)
    assert h.channels[CardKind.IZUS] == (Channel.EMAIL, Channel.TELEGRAM)
    assert h.channels[CardKind.NGO] == (Channel.TELEGRAM, Channel.EMAIL)  # not mentioned


def test_values_are_normalised() -> None:
    h = load_harmonogram(
        {
            "duty_hours": {"days": ["Friday", "MON", "wed", "mon"], "start": "7:30"},
            "reminders_before_deadline_days": [1, 14, 0],
            "channels": {"ngo": ["email", "email"]},
        }
    )
    assert h.duty_hours.days == ("mon", "wed", "fri")  # week order, no repeats
    assert h.duty_hours.weekdays == frozenset({0, 2, 4})
    assert h.duty_hours.start == time(7, 30)
    assert h.reminders_before_deadline_days == (14, 1, 0)  # earliest reminder first
    assert h.channels[CardKind.NGO] == (Channel.EMAIL,)


@pytest.mark.parametrize(
    ("yaml_text", "problem"),
    [
        ('duty_hours: {start: "16:00", end: "08:00"}', "duty_hours.start must be before end"),
        ('duty_hours: {start: "08:00", end: "08:00"}', "duty_hours.start must be before end"),
        ("duty_hours: {days: [mon, fry]}", "duty_hours.days: unknown day name 'fry'"),
        ("duty_hours: {days: []}", "duty_hours.days: name at least one duty day"),
        ("duty_hours: {days: mon}", "duty_hours.days: give a list of day names"),
        ('duty_hours: {start: "8h"}', "duty_hours.start: '8h' is not a time"),
        ('duty_hours: {end: "24:00"}', "duty_hours.end: '24:00' is not a time of day"),
        ('duty_hours: {end: "12:60"}', "duty_hours.end: '12:60' is not a time of day"),
        ("staff_digest_time: 9:00", 'staff_digest_time: write the time in quotes, e.g. "09:00"'),
        ("duty_hours: {timezone: Europe/Warszawa}", "unknown time zone 'Europe/Warszawa'"),
        ("duty_hours: {timezone: ../etc/passwd}", "unknown time zone '../etc/passwd'"),
        ("reminders_before_deadline_days: [7, -1]", "-1 is not a number of days before"),
        ("reminders_before_deadline_days: [7, 3, 7]", "an offset is listed twice"),
        ("reminders_before_deadline_days: [three]", "'three' is not a number of days"),
        ("overdue: {every_working_days: 0}", "overdue.every_working_days: Input should be greater"),
        ("overdue: {max: -1}", "overdue.max: Input should be greater than or equal to 0"),
        ('staff_digest_time: "07:00"', "staff_digest_time 07:00 is outside duty hours 08:00–16:00"),
        ('staff_digest_time: "16:00"', "staff_digest_time 16:00 is outside duty hours"),
        ("channels: {ngo: []}", "card ngo needs at least one channel"),
        ("channels: {ngo: [fax]}", "channels.ngo.0: Input should be 'telegram' or 'email'"),
        ("channels: {ops: [email]}", "channels.ops.[key]: Input should be 'ngo' or 'izus'"),
        ("duty_hour: {start: '08:00'}", "duty_hour: unknown setting (check the spelling)"),
        ("- just\n- a list\n", "expected a mapping of settings, got list"),
        ("duty_hours: {start: [", "not valid YAML"),
    ],
)
def test_invalid_harmonogram_is_refused_with_a_clear_message(yaml_text: str, problem: str) -> None:
    with pytest.raises(HarmonogramError) as caught:
        load_harmonogram(yaml_text)
    assert any(problem in line for line in caught.value.problems), caught.value.problems
    assert isinstance(caught.value, OperatorError)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(HarmonogramError) as caught:
        load_harmonogram("duty_hours: {days: [xyz]}\noverdue: {max: -2}\n")
    assert [line.split(":")[0] for line in caught.value.problems] == [
        "duty_hours.days",
        "overdue.max",
    ]
    assert str(caught.value).startswith("invalid harmonogram: duty_hours.days: unknown day name")


def test_harmonogram_is_immutable() -> None:
    h = Harmonogram()
    with pytest.raises(ValueError, match="frozen"):
        h.staff_digest_time = time(10)  # type: ignore[misc]
