"""Dates, day first, with numeric or Polish (and English) month names."""

from __future__ import annotations

import calendar
import re
from datetime import date

from domain.cards.values.text import fold, quoted, tidy
from domain.errors import InvalidAnswer

EARLIEST_YEAR = 1990  # nothing the cards ask about predates the 1990 reforms

_EXAMPLE_PL = "Wpisz dzień, miesiąc i rok, np. 14.03.2025 albo 14 marca 2025."
_EXAMPLE_EN = "Type the day, month and year, e.g. 14.03.2025 or 14 March 2025."

# Per month: the usual abbreviation, every case form (folded, no diacritics),
# then the English name and abbreviation.
_MONTH_FORMS: tuple[tuple[str, ...], ...] = (
    ("sty", "styczen", "stycznia", "styczniowi", "styczniem", "styczniu", "january", "jan"),
    ("lut", "luty", "lutego", "lutemu", "lutym", "february", "feb"),
    ("mar", "marzec", "marca", "marcowi", "marcem", "marcu", "march"),
    ("kwi", "kwiecien", "kwietnia", "kwietniowi", "kwietniem", "kwietniu", "april", "apr"),
    ("maj", "maja", "majowi", "majem", "maju", "may"),
    ("cze", "czerwiec", "czerwca", "czerwcowi", "czerwcem", "czerwcu", "june", "jun"),
    ("lip", "lipiec", "lipca", "lipcowi", "lipcem", "lipcu", "july", "jul"),
    ("sie", "sierpien", "sierpnia", "sierpniowi", "sierpniem", "sierpniu", "august", "aug"),
    ("wrz", "wrzesien", "wrzesnia", "wrzesniowi", "wrzesniem", "wrzesniu", "september", "sep"),
    (
        "paz",
        "pazdziernik",
        "pazdziernika",
        "pazdziernikowi",
        "pazdziernikiem",
        "pazdzierniku",
        "october",
        "oct",
    ),
    ("lis", "listopad", "listopada", "listopadowi", "listopadem", "listopadzie", "november", "nov"),
    ("gru", "grudzien", "grudnia", "grudniowi", "grudniem", "grudniu", "december", "dec"),
)
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")

_MONTH_BY_NAME = {
    name: number for number, names in enumerate(_MONTH_FORMS, start=1) for name in names
}

_NUMERIC = re.compile(r"([0-9]{1,2})\s*([./-])\s*([0-9]{1,2})\s*\2\s*([0-9]+)", re.ASCII)
_ISO = re.compile(r"([0-9]{4})\s*([./-])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})", re.ASCII)
_WORDS = re.compile(r"([0-9]{1,2})\s*[ .]\s*([a-z]+)\.?\s*[ .]?\s*([0-9]+)")
_MONTH_WORD_FIRST = re.compile(r"([a-z]+)\.?\s+([0-9]{1,2}),?\s+([0-9]+)")  # "March 14, 2025"
_PREFIX = re.compile(r"^(?:dnia|dn\.?|z dnia|on|the)\s+")
_SUFFIX = re.compile(r"(?<=[0-9])\s*(?:r\.?|rok|roku)$")


def _error(pl: str, en: str) -> InvalidAnswer:
    return InvalidAnswer(f"{pl} {_EXAMPLE_PL}", f"{en} {_EXAMPLE_EN}")


def _month_number(name: str, text: str) -> int:
    """The month a folded name or roman numeral stands for."""
    name = name.rstrip(".")
    if name in _ROMAN:
        return _ROMAN.index(name) + 1
    if name in _MONTH_BY_NAME:
        return _MONTH_BY_NAME[name]
    raise _error(
        f"Nie rozpoznaję nazwy miesiąca „{name}” w {quoted(text)}.",
        f"I do not recognise the month name '{name}' in {quoted(text)}.",
    )


def _split(text: str) -> tuple[str, str, str]:
    """Day, month and year as written, or a rejection."""
    folded = _SUFFIX.sub("", _PREFIX.sub("", fold(text)))
    if m := _ISO.fullmatch(folded):
        return m[4], m[3], m[1]
    if m := _NUMERIC.fullmatch(folded):
        return m[1], m[3], m[4]
    if m := _WORDS.fullmatch(folded):
        return m[1], m[2], m[3]
    if m := _MONTH_WORD_FIRST.fullmatch(folded):
        return m[2], m[1], m[3]
    if re.fullmatch(r"[0-9]{1,2}\s*[ ./-]\s*[a-z0-9]+\.?", folded):
        raise _error(
            f"W dacie {quoted(text)} brakuje roku.", f"The date {quoted(text)} has no year."
        )
    raise _error(
        f"Nie rozumiem {quoted(text)} jako daty.", f"I cannot read {quoted(text)} as a date."
    )


def _build(day: int, month: int, year: int, text: str) -> date:
    """The date, or a rejection saying which part is impossible."""
    if not 1 <= month <= 12:
        raise _error(
            f"Miesiąc {month} nie istnieje ({quoted(text)}) – miesiące mają numery od 1 do 12.",
            f"There is no month {month} ({quoted(text)}) – months are numbered 1 to 12.",
        )
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise _error(
            f"Taka data nie istnieje: {quoted(text)} – ten miesiąc ma {last} dni.",
            f"No such date: {quoted(text)} – that month has {last} days.",
        )
    return date(year, month, day)


def parse_date(raw: str, *, today: date) -> date:
    """A past or present date ("14.03.2025", "2025-03-14", "14 marca 2025 r.")."""
    text = tidy(raw).replace("\n", " ")
    if not text:
        raise _error("Odpowiedź jest pusta.", "The answer is empty.")
    day, month, year = _split(text)
    if len(year) != 4:
        raise _error(
            f"Podaj rok czterema cyframi ({quoted(text)}).",
            f"Give the year with four digits ({quoted(text)}).",
        )
    if int(year) < EARLIEST_YEAR:
        raise _error(
            f"Rok {year} jest zbyt odległy – podaj datę od {EARLIEST_YEAR} roku.",
            f"The year {year} is too early – give a date from {EARLIEST_YEAR} on.",
        )
    number = int(month) if month.isdigit() else _month_number(month, text)
    value = _build(int(day), number, int(year), text)
    if value > today:
        raise _error(
            f"Data {value:%d.%m.%Y} jest w przyszłości – podaj datę nie późniejszą niż dziś "
            f"({today:%d.%m.%Y}).",
            f"The date {value:%d.%m.%Y} is in the future – give a date no later than today "
            f"({today:%d.%m.%Y}).",
        )
    return value
