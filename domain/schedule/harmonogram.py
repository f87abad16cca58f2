"""The harmonogram przekazu of a session: duty hours, reminder offsets, overdue cadence."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.cards.model import CardKind
from domain.errors import OperatorError

# Day names as written in the harmonogram YAML, in Python's weekday() order.
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")


class Channel(StrEnum):
    """The channels a respondent can be reached through."""

    TELEGRAM = "telegram"
    EMAIL = "email"


class HarmonogramError(OperatorError):
    """A harmonogram that does not parse or validate; lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid harmonogram: " + "; ".join(problems))
        self.problems = tuple(problems)


def _parse_time(value: object) -> time:
    """A clock time from "HH:MM" (or a time object given from Python)."""
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 9:00 as the sexagesimal number 540.
        raise ValueError('write the time in quotes, e.g. "09:00" (unquoted, YAML reads a number)')
    match = _HHMM.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'{value!r} is not a time; use "HH:MM", e.g. "08:00"')
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"{value!r} is not a time of day (00:00–23:59)")
    return time(hour, minute)


def _day_name(value: object) -> str:
    """The short day name ("mon") for a day name in any case, short or full."""
    name = value.strip().lower() if isinstance(value, str) else ""
    if name in WEEKDAYS:
        return name
    if name in _FULL_NAMES:
        return WEEKDAYS[_FULL_NAMES.index(name)]
    raise ValueError(f"unknown day name {value!r}; use {', '.join(WEEKDAYS)}")


ClockTime = Annotated[time, BeforeValidator(_parse_time)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DutyHours(_Frozen):
    """When reception is staffed (Atlas: godziny dyżuru), in a named time zone."""

    days: tuple[str, ...] = WEEKDAYS[:5]
    start: ClockTime = time(8, 0)
    end: ClockTime = time(16, 0)
    timezone: str = "Europe/Warsaw"

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: object) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError("give a list of day names, e.g. [mon, tue, wed, thu, fri]")
        names = {_day_name(v) for v in value}
        if not names:
            raise ValueError("name at least one duty day")
        return tuple(d for d in WEEKDAYS if d in names)

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Europe/Warsaw"
            ) from None
        return value

    @model_validator(mode="after")
    def _start_before_end(self) -> DutyHours:
        # Duty windows are within one day; an overnight window is not a duty window.
        if self.start >= self.end:
            raise ValueError(
                f"duty_hours.start must be before end (got {self.start:%H:%M}–{self.end:%H:%M})"
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        """The duty hours' time zone."""
        return ZoneInfo(self.timezone)

    @property
    def weekdays(self) -> frozenset[int]:
        """The duty days as Python weekday numbers (Monday is 0)."""
        return frozenset(WEEKDAYS.index(d) for d in self.days)


class Overdue(_Frozen):
    """Reminders after the deadline: every N working days, at most M of them."""

    every_working_days: int = Field(default=3, ge=1, strict=True)
    max: int = Field(default=3, ge=0, strict=True)


def _default_channels() -> dict[CardKind, tuple[Channel, ...]]:
    return {CardKind.NGO: (Channel.TELEGRAM, Channel.EMAIL), CardKind.IZUS: (Channel.EMAIL,)}


class Harmonogram(_Frozen):
    """A session's harmonogram przekazu (channels.md "Scheduler"), defaults included."""

    duty_hours: DutyHours = DutyHours()
    reminders_before_deadline_days: tuple[int, ...] = (7, 3, 1)
    overdue: Overdue = Overdue()
    staff_digest_time: ClockTime = time(9, 0)
    channels: dict[CardKind, tuple[Channel, ...]] = Field(default_factory=_default_channels)
    # Who receives the Raport MP (ROPS, ministry): read by services.report (issue #6).
    report_recipients: tuple[str, ...] = ()

    @field_validator("reminders_before_deadline_days", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> tuple[int, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError("give a list of whole days before the deadline, e.g. [7, 3, 1]")
        for v in value:
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"{v!r} is not a number of days before the deadline (0 or more)")
        if len(set(value)) != len(value):
            raise ValueError(f"an offset is listed twice: {list(value)}")
        return tuple(sorted(value, reverse=True))

    @field_validator("channels", mode="before")
    @classmethod
    def _merge_channels(cls, value: object) -> object:
        # Card kinds the YAML does not mention keep their default channels.
        if not isinstance(value, Mapping):
            return value
        return {**{k.value: v for k, v in _default_channels().items()}, **value}

    @field_validator("channels")
    @classmethod
    def _channels_given(
        cls, value: dict[CardKind, tuple[Channel, ...]]
    ) -> dict[CardKind, tuple[Channel, ...]]:
        for kind, channels in value.items():
            if not channels:
                raise ValueError(f"card {kind.value} needs at least one channel")
        return {kind: tuple(dict.fromkeys(channels)) for kind, channels in value.items()}

    @model_validator(mode="after")
    def _digest_in_duty_hours(self) -> Harmonogram:
        # channels.md: the daily digest goes "in duty hours".
        duty = self.duty_hours
        if not duty.start <= self.staff_digest_time < duty.end:
            raise ValueError(
                f"staff_digest_time {self.staff_digest_time:%H:%M} is outside duty hours "
                f"{duty.start:%H:%M}–{duty.end:%H:%M}"
            )
        return self


def _problems(error: ValidationError) -> list[str]:
    """One "where: what" line per pydantic error, without pydantic's prefixes."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "harmonogram"
        what = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            what = "unknown setting (check the spelling)"
        lines.append(f"{where}: {what}")
    return lines


def load_harmonogram(source: str | Mapping[str, Any] | None = None) -> Harmonogram:
    """A validated harmonogram from YAML text or a mapping; empty means all defaults."""
    if isinstance(source, str):
        try:
            source = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            raise HarmonogramError([f"not valid YAML: {exc}"]) from exc
    if source is None:
        source = {}
    if not isinstance(source, Mapping):
        raise HarmonogramError([f"expected a mapping of settings, got {type(source).__name__}"])
    try:
        return Harmonogram.model_validate(dict(source))
    except ValidationError as exc:
        raise HarmonogramError(_problems(exc)) from exc
